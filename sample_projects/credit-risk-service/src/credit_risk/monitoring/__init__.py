"""Offline monitoring jobs (drift, data quality)."""
