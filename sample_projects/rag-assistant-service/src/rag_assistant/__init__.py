"""Retrieval-augmented customer support assistant for the Northwind Outdoor web shop."""

__version__ = "2.3.0"
