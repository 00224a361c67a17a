"""Governance's background jobs, registered by importing the modules that define them."""

from __future__ import annotations

from centric.governance import digest_jobs, impact_jobs

__all__ = ["digest_jobs", "impact_jobs"]
