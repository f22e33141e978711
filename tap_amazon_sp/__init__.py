"""tap-amazon-sp: a Singer tap for the Amazon Selling Partner API."""

__version__ = "0.1.0"
