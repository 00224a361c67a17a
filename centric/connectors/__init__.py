"""Feedback connectors: inbound webhooks and imports with a saved field mapping."""
