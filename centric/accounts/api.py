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
)

router = APIRouter(tags=["accounts"])


@router.get("/me")
def me(caller: CurrentCaller) -> dict:
    return {**UserOut.model_validate(caller.user).model_dump(),
            "permissions": sorted(p.value for p in ROLES[caller.user.role])}


@router.get("/users", response_model=list[UserOut])
def list_users(session: DbSession, _: CanAdminUsers) -> list:
    return service.list_users(session)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(data: UserCreate, session: DbSession, caller: CanAdminUsers) -> object:
    return service.create_user(session, data)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: DbSession, caller: CurrentCaller) -> list:
    return [TokenOut(id=t.id, name=t.name, prefix=t.prefix, created_at=t.created_at)
            for t in service.list_tokens(session, caller.user)]


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(data: TokenCreate, session: DbSession, caller: CurrentCaller) -> TokenOut:
    token, secret = service.create_token(session, caller.user, data.name)
    return TokenOut(id=token.id, name=token.name, prefix=token.prefix, created_at=token.created_at, token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: ObjectId, session: DbSession, caller: CurrentCaller) -> None:
    service.revoke_token(session, caller.user, token_id)
