"""The ideas domain's background jobs, registered by importing the modules that define them."""

from __future__ import annotations

from centric.ideas import notify_jobs

__all__ = ["notify_jobs"]
