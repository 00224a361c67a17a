"""cli domain."""
