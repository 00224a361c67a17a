"""The ideas domain's background jobs, registered by importing the modules that define them."""

from __future__ import annotations

from centric.ideas import login_jobs, notify_jobs

__all__ = ["login_jobs", "notify_jobs"]
