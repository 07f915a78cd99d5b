"""Credit-risk scoring service."""

__version__ = "1.4.2"
