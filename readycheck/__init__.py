"""readycheck: is this ML repository ready for production?"""

__version__ = "0.1.0"
