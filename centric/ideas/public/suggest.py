"""``GET /ideas/suggest?q=&board=``: existing ideas like a title being typed, as JSON for the submit page's script.

Public (no login), rate-limited per address, never cached. An empty ``q`` answers an empty
list, an unknown board a 404 problem; ``q`` beyond its first characters is ignored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from centric.ideas.similar import MAX_QUERY_CHARS, portal_suggestions
from centric.web.deps import DbSession, client_address, installation_key

router = APIRouter()
MAX_BOARD_CHARS = 60


@router.get("/ideas/suggest")
def suggest_json(request: Request, session: DbSession, q: str = "", board: str = "") -> JSONResponse:
    text = q[:MAX_QUERY_CHARS]
    items = portal_suggestions(session, lambda: installation_key(request, session), client_address(request), text,
                               board[:MAX_BOARD_CHARS])
    return JSONResponse({"items": items}, headers={"Cache-Control": "no-store"})
