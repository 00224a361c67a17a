"""Centric: an open, self-hosted customer-experience platform."""

__version__ = "0.1.0"
