"""The closed loop's background jobs, registered by importing the modules that define them."""

from __future__ import annotations

from centric.loop import alert_jobs, followup_jobs, notify, sla_jobs

__all__ = ["alert_jobs", "followup_jobs", "notify", "sla_jobs"]
