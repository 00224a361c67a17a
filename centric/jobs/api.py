"""JSON routes to watch background jobs and retry parked ones."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.jobs import service
from centric.jobs.models import Job
from centric.jobs.schemas import JobCounts, JobOut
from centric.web.deps import Caller, ObjectId, get_session, require

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(
    status: Literal["queued", "running", "done", "failed"] | None = None,
    name: str | None = Query(default=None, max_length=120),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
    session: Session = Depends(get_session),
    _: Caller = Depends(require(Permission.CONFIGURE)),
) -> list:
    return service.list_jobs(session, status=status, name=name, limit=limit, offset=offset)


@router.get("/jobs/counts", response_model=JobCounts)
def job_counts(session: Session = Depends(get_session),
               _: Caller = Depends(require(Permission.CONFIGURE))) -> JobCounts:
    return JobCounts(**service.count_by_status(session))


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: ObjectId, session: Session = Depends(get_session),
            _: Caller = Depends(require(Permission.CONFIGURE))) -> Job:
    return service.get_job(session, job_id)


@router.post("/jobs/{job_id}/retry", response_model=JobOut)
def retry_job(job_id: ObjectId, session: Session = Depends(get_session),
              _: Caller = Depends(require(Permission.CONFIGURE))) -> Job:
    job = service.retry(session, job_id)
    session.flush()
    return job
