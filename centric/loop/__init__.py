"""The closed loop: alert rules open cases that a person owns, within an SLA, until the customer heard back."""
