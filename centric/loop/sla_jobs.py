"""Background jobs of the closed loop (sla_jobs)."""
