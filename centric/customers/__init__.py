"""customers domain."""
