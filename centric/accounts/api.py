"""JSON routes for the caller, users and API tokens."""

from __future__ import annotations

from fastapi import APIRouter

from centric.accounts import service
from centric.accounts.roles import ROLES
from centric.accounts.schemas import TokenCreate, TokenOut, UserCreate, UserOut
from centric.web.deps import (
    CanAdminUsers,
    CurrentCaller,
    DbSession,
    ObjectId,
    Page,
    Paging,
)

router = APIRouter(tags=["accounts"])


@router.get("/me")
def me(caller: CurrentCaller) -> dict:
    return {**UserOut.model_validate(caller.user).model_dump(),
            "permissions": sorted(p.value for p in ROLES[caller.user.role])}


@router.get("/users", response_model=Page[UserOut])
def list_users(session: DbSession, _: CanAdminUsers, paging: Paging) -> Page[UserOut]:
    rows, total = service.list_users(session, paging.limit, paging.offset)
    return paging.of([UserOut.model_validate(u) for u in rows], total)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(data: UserCreate, session: DbSession, caller: CanAdminUsers) -> object:
    return service.create_user(session, data)


@router.get("/tokens", response_model=Page[TokenOut])
def list_tokens(session: DbSession, caller: CurrentCaller, paging: Paging) -> Page[TokenOut]:
    rows, total = service.list_tokens(session, caller.user, paging.limit, paging.offset)
    return paging.of([TokenOut(id=t.id, name=t.name, prefix=t.prefix, created_at=t.created_at) for t in rows], total)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(data: TokenCreate, session: DbSession, caller: CurrentCaller) -> TokenOut:
    token, secret = service.create_token(session, caller.user, data.name)
    return TokenOut(id=token.id, name=token.name, prefix=token.prefix, created_at=token.created_at, token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: ObjectId, session: DbSession, caller: CurrentCaller) -> None:
    service.revoke_token(session, caller.user, token_id)
