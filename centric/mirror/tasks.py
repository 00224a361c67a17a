"""Background jobs of the mirror: importing each module registers its ``@task`` handlers."""

from __future__ import annotations

import centric.mirror.pulse_jobs  # noqa: F401
