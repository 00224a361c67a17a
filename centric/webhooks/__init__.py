"""Outbound webhooks: signed event notifications with retries and a delivery log."""
