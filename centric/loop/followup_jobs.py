"""Background jobs of the closed loop (followup_jobs)."""
