"""Probes for load balancers and orchestrators: ``GET /api/ready`` (no login, nothing sensitive)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from centric.ops.checks import readiness

router = APIRouter(tags=["health"])
log = logging.getLogger("centric.ready")


@router.get("/api/ready", responses={503: {"description": "A dependency failed: each failed check and why"}})
def ready(request: Request) -> JSONResponse:
    """Whether this process can serve: the database answers, its schema is at head, the job queue answers.

    200 ``{"status": "ready", "checks": {…}}``, else 503 with each check's status and a short
    reason. Hosts, URLs and error texts go to the log only.
    """
    result = readiness(request.app.state.db, request.app.state.settings)
    for check in result.checks:
        if not check.ok:
            log.warning("readiness check %s failed: %s (%s)", check.name, check.reason, check.detail)
    return JSONResponse(result.public(), status_code=200 if result.ready else 503)
