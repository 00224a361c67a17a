"""Staff actions on one idea (forms posted from its page): status, edit, moderation, lock, answer, merge, links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from centric.ideas import links, merging, moderation, statuses
from centric.ideas.models import IdeaMerge
from centric.ideas.staff_schemas import CommentIn
from centric.ideas.views.forms import number, text
from centric.ideas.views.ideas import act
from centric.web.deps import CanModerateIdeas, CheckedForm, DbSession, ObjectId

router = APIRouter()


@router.post("/manage/ideas/{idea_id}/status")
def change_status(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
                  form: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: statuses.change_status(
        session, idea_id, text(form, "status"), text(form, "note"), caller.user.id))


@router.post("/manage/ideas/{idea_id}/edit")
def edit(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
         form: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: moderation.edit(
        session, idea_id, text(form, "title"), text(form, "body"), caller.user.id))


@router.post("/manage/ideas/{idea_id}/moderation")
def moderate(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
             form: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: moderation.set_moderation(
        session, idea_id, text(form, "moderation"), caller.user.id))


@router.post("/manage/ideas/{idea_id}/lock")
def lock(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
         form: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: moderation.set_locked(
        session, idea_id, text(form, "locked") == "1", caller.user.id))


@router.post("/manage/ideas/{idea_id}/answer")
def answer(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
           form: CheckedForm) -> Response:
    """A staff comment; pinned as the official answer when ``official`` is ticked."""
    return act(request, session, caller, idea_id, lambda: moderation.add_comment(
        session, idea_id, CommentIn(body=text(form, "body"), official=text(form, "official") == "1"), caller.user))


@router.post("/manage/ideas/{idea_id}/unpin")
def unpin(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
          _: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: moderation.unpin(session, idea_id, caller.user.id))


@router.post("/manage/ideas/{idea_id}/merge")
def merge(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
          form: CheckedForm) -> Response:
    """Merge this idea into the original chosen (by id, or one of the similar ideas listed)."""
    return act(request, session, caller, idea_id, lambda: merging.merge(
        session, idea_id, number(form, "original_id", "the original idea's id"), caller.user.id))


@router.post("/manage/ideas/{idea_id}/merges/{merge_id}/undo")
def undo(idea_id: ObjectId, merge_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
         _: CheckedForm) -> Response:
    def run() -> IdeaMerge:
        return merging.undo_merge(session, merge_id, caller.user.id)
    return act(request, session, caller, idea_id, run)


@router.post("/manage/ideas/{idea_id}/links")
def add_link(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
             form: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: links.link(
        session, idea_id, text(form, "kind"), text(form, "ref"), caller.user.id))


@router.post("/manage/ideas/{idea_id}/links/{link_id}/delete")
def remove_link(idea_id: ObjectId, link_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
                _: CheckedForm) -> Response:
    return act(request, session, caller, idea_id, lambda: links.unlink(session, idea_id, link_id, caller.user.id))
