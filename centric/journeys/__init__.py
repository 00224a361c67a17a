"""journeys domain."""
