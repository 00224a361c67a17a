"""Small helpers shared by JSON routes: idempotent creation answers."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from centric.ingest.idempotency import run_once
from centric.web.deps import Caller


def created(
    request: Request,
    session: Session,
    caller: Caller,
    payload: BaseModel,
    make: Callable[[], tuple[BaseModel, bool]],
) -> JSONResponse:
    """201 for a new object, 200 for one that existed; replays honour ``Idempotency-Key``."""

    def produce() -> tuple[int, dict]:
        result, is_new = make()
        return (201 if is_new else 200), result.model_dump(mode="json")

    status, body, replayed = run_once(
        session, request.headers.get("idempotency-key"), caller.user.id,
        payload.model_dump(mode="json"), produce,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(body, status_code=status, headers=headers)
