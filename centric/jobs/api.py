"""JSON routes to watch background jobs and retry parked ones."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from centric.jobs import service
from centric.jobs.models import Job
from centric.jobs.schemas import JobCounts, JobOut
from centric.web.deps import CanConfigure, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=Page[JobOut])
def list_jobs(session: DbSession, _: CanConfigure, paging: Paging,
              status: Literal["queued", "running", "done", "failed"] | None = None,
              name: str | None = Query(default=None, max_length=120)) -> Page[JobOut]:
    rows = service.list_jobs(session, status=status, name=name, limit=paging.limit, offset=paging.offset)
    return paging.of([JobOut.model_validate(j) for j in rows], service.count_jobs(session, status=status, name=name))


@router.get("/jobs/counts", response_model=JobCounts)
def job_counts(session: DbSession, _: CanConfigure) -> JobCounts:
    return JobCounts(**service.count_by_status(session))


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: ObjectId, session: DbSession, _: CanConfigure) -> Job:
    return service.get_job(session, job_id)


@router.post("/jobs/{job_id}/retry", response_model=JobOut)
def retry_job(job_id: ObjectId, session: DbSession, _: CanConfigure) -> Job:
    job = service.retry(session, job_id)
    session.flush()
    return job
