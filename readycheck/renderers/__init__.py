"""Renderers: each output format is one module with a function of the same Report."""
