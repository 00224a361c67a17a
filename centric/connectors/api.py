"""JSON routes to configure connectors, and the inbound endpoint tools push feedback to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from centric.accounts.roles import Permission
from centric.config import Settings
from centric.connectors import service
from centric.connectors.models import Connector
from centric.connectors.schemas import (
    ConnectorCreated,
    ConnectorIn,
    ConnectorOut,
    InboundResult,
    MappingIn,
)
from centric.web.deps import AppSettings, CanConfigure, DbSession, Page, Paging

router = APIRouter(prefix="/connectors", tags=["connectors"])
Key = Path(min_length=1, max_length=80)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _created(connector: Connector, secret: str, settings: Settings) -> ConnectorCreated:
    base = settings.public_url.rstrip("/")
    return ConnectorCreated(**ConnectorOut.model_validate(connector).model_dump(), secret=secret,
                            inbound_url=f"{base}/api/v1/connectors/{connector.key}/inbound")


@router.get("", response_model=Page[ConnectorOut])
def list_connectors(session: DbSession, _: CanConfigure, paging: Paging) -> Page[ConnectorOut]:
    rows, total = service.list_connectors(session, paging.limit, paging.offset)
    return paging.of([ConnectorOut.model_validate(c) for c in rows], total)


@router.post("", response_model=ConnectorCreated, status_code=201)
def create_connector(data: ConnectorIn, session: DbSession, settings: AppSettings,
                     caller: CanConfigure) -> ConnectorCreated:
    """A connector with its mapping; the answer holds its secret, shown only this once."""
    connector, secret = service.create_connector(session, data, caller.user.id,
                                                 may_merge=caller.can(Permission.WRITE_CUSTOMERS))
    return _created(connector, secret, settings)


@router.get("/{key}", response_model=ConnectorOut)
def get_connector(session: DbSession, _: CanConfigure, key: str = Key) -> Connector:
    return service.get_connector(session, key)


@router.put("/{key}/mapping", response_model=ConnectorOut)
def update_mapping(data: MappingIn, session: DbSession, caller: CanConfigure, key: str = Key) -> Connector:
    connector = service.update_mapping(session, key, data, caller.user.id)
    session.flush()
    return connector


@router.post("/{key}/secret", response_model=ConnectorCreated)
def rotate_secret(session: DbSession, settings: AppSettings, caller: CanConfigure, key: str = Key) -> ConnectorCreated:
    secret = service.rotate_secret(session, key, caller.user.id)
    return _created(service.get_connector(session, key), secret, settings)


@router.delete("/{key}", status_code=204)
def deactivate_connector(session: DbSession, caller: CanConfigure, key: str = Key) -> None:
    service.set_active(session, key, False, caller.user.id)


@router.post(
    "/{key}/inbound", response_model=InboundResult,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}}},
    responses={201: {"model": InboundResult}},
)
def inbound(request: Request, session: DbSession, key: str = Key,
            token: str | None = Query(default=None, max_length=200), body: bytes = Depends(_raw_body)) -> JSONResponse:
    """Push one item, a list of items, or a body holding a list (``items_path``) as feedback.

    Authenticated by the connector's own secret (token or HMAC signature), not a user login.
    Answers 201 when something new was stored, 200 when every item was known already.
    """
    result = service.receive(session, key, body, request.headers, token)
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if result.created else 200)
