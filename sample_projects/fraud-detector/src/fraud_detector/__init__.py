"""Fraud detection model for card transactions."""

__version__ = "0.3.0"
