"""Outreach: invitations by e-mail, reminders, event-triggered surveys, contact-frequency rules."""
