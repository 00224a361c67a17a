"""Background jobs of the closed loop (alert_jobs)."""
