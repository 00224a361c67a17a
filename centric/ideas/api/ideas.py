"""JSON routes of ideas for staff and integrations: lists with raw and value-weighted demand, create, edit,
status, comments, voters and links."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from centric.accounts.roles import Permission
from centric.ideas import authoring, links, moderation, staff_reads, statuses
from centric.ideas.schemas import IdeaStatus, Moderation
from centric.ideas.staff_schemas import (
    CommentIn,
    CommentOut,
    CreateFromIn,
    IdeaCreate,
    IdeaDetailOut,
    IdeaPatch,
    IdeaSort,
    LinkIn,
    LinkOut,
    StaffIdeaOut,
    StatusIn,
    VoterOut,
)
from centric.web import exports
from centric.web.deps import CanModerateIdeas, CanReadCustomers, CanReadMetrics, DbSession, ObjectId, Page, Paging

router = APIRouter(tags=["ideas"])
Text = Annotated[str | None, Query(max_length=200, description="words in the title or description")]
BoardFilter = Annotated[str | None, Query(max_length=60, description="a board's key")]


@router.get("/ideas", response_model=Page[StaffIdeaOut], responses=exports.FILE_RESPONSES)
def list_ideas(request: Request, session: DbSession, caller: CanReadMetrics, paging: Paging, board: BoardFilter = None,
               status: IdeaStatus | None = None, moderation: Moderation | None = None, q: Text = None,
               sort: IdeaSort = "top") -> Page[StaffIdeaOut] | Response:
    """Ideas with their demand: raw votes and value-weighted (CLV sum, churn risk, segment mix, revenue at stake).

    ``sort``: top (votes), new, trending (votes in the last 7 days), revenue (revenue at
    stake). Each idea carries both ranks (``demand.rank_votes`` and ``demand.rank_revenue``)
    among the ideas matching the filters. Duplicates are listed only with ``status=duplicate``.
    """
    ideas = staff_reads.list_ideas(session, board=board, status=status, moderation_state=moderation, q=q, sort=sort)
    if fmt := exports.requested(request):
        private = () if caller.can(Permission.READ_CUSTOMERS) else ("author_name", "customer_id", "body")
        return exports.respond(exports.table_of("ideas", ideas, exports.columns_of(StaffIdeaOut, private)), fmt)
    return paging.cut(ideas)


@router.post("/ideas", response_model=IdeaDetailOut, status_code=201)
def create_idea(data: IdeaCreate, session: DbSession, caller: CanModerateIdeas) -> IdeaDetailOut:
    """A staff-written idea (source "api"), optionally on behalf of a customer named by e-mail or external id."""
    idea = authoring.create_from_api(session, data, caller.user.id)
    return staff_reads.detail(session, idea.id)


@router.post("/ideas/from", response_model=IdeaDetailOut, status_code=201)
def create_from(data: CreateFromIn, session: DbSession, caller: CanModerateIdeas) -> IdeaDetailOut:
    """An idea from a verbatim (feedback id), a theme (name) or a case (id), linked to it; title and body
    default to the source's. A verbatim's author is not made the idea's author (the text was not written
    for the public portal)."""
    idea = links.create_from(session, data.kind, data.ref, data.board, data.title, data.body, caller.user.id)
    return staff_reads.detail(session, idea.id)


@router.get("/ideas/{idea_id}", response_model=IdeaDetailOut)
def get_idea(idea_id: ObjectId, session: DbSession, _: CanReadMetrics) -> IdeaDetailOut:
    """One idea with demand (ranked within its board), status history, merges, links and official answer."""
    return staff_reads.detail(session, idea_id)


@router.patch("/ideas/{idea_id}", response_model=IdeaDetailOut)
def update_idea(idea_id: ObjectId, data: IdeaPatch, session: DbSession, caller: CanModerateIdeas) -> IdeaDetailOut:
    """Edit title or body (audited), approve or hide (``moderation``), lock or unlock; null fields are kept."""
    moderation.patch(session, idea_id, data, caller.user.id)
    return staff_reads.detail(session, idea_id)


@router.post("/ideas/{idea_id}/status", response_model=IdeaDetailOut)
def change_status(idea_id: ObjectId, data: StatusIn, session: DbSession, caller: CanModerateIdeas) -> IdeaDetailOut:
    """Move the idea to another status with a public note; voters and commenters hear of it.
    "duplicate" comes only from a merge; 409 when the idea is a duplicate or has the status already."""
    statuses.change_status(session, idea_id, data.status, data.note, caller.user.id)
    return staff_reads.detail(session, idea_id)


@router.get("/ideas/{idea_id}/comments", response_model=Page[CommentOut])
def list_comments(idea_id: ObjectId, session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[CommentOut]:
    """Every comment, pending and hidden ones included, oldest first."""
    staff_reads.require_idea(session, idea_id)
    items, total = moderation.comments(session, idea_id, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.post("/ideas/{idea_id}/comments", response_model=CommentOut, status_code=201)
def add_comment(idea_id: ObjectId, data: CommentIn, session: DbSession, caller: CanModerateIdeas) -> CommentOut:
    """A staff comment; ``official: true`` pins it as the idea's answer (one per idea)."""
    return moderation.comment_out(moderation.add_comment(session, idea_id, data, caller.user))


@router.post("/ideas/{idea_id}/comments/{comment_id}/pin", response_model=CommentOut)
def pin_comment(idea_id: ObjectId, comment_id: ObjectId, session: DbSession, caller: CanModerateIdeas) -> CommentOut:
    """Make a staff comment the official answer (the previous one is unpinned)."""
    moderation.get_comment(session, comment_id, idea_id)
    return moderation.comment_out(moderation.pin(session, comment_id, caller.user.id))


@router.post("/ideas/{idea_id}/comments/{comment_id}/moderation", response_model=CommentOut)
def moderate_comment(idea_id: ObjectId, comment_id: ObjectId, session: DbSession, caller: CanModerateIdeas,
                     moderation_state: Annotated[Literal["approved", "hidden"], Query(alias="to")]) -> CommentOut:
    """Approve (``?to=approved``) or hide (``?to=hidden``) a comment."""
    moderation.get_comment(session, comment_id, idea_id)
    return moderation.comment_out(moderation.moderate_comment(session, comment_id, moderation_state, caller.user.id))


@router.delete("/ideas/{idea_id}/answer", status_code=204)
def unpin_answer(idea_id: ObjectId, session: DbSession, caller: CanModerateIdeas) -> Response:
    """The idea has no official answer any more (the comment stays)."""
    moderation.unpin(session, idea_id, caller.user.id)
    return Response(status_code=204)


@router.get("/ideas/{idea_id}/votes", response_model=Page[VoterOut])
def list_votes(idea_id: ObjectId, session: DbSession, _: CanReadCustomers, paging: Paging) -> Page[VoterOut]:
    """The idea's voters (customer data: ``customers:read``) with CLV, churn risk and segments, newest first."""
    items, total = staff_reads.voters(session, idea_id, limit=paging.limit, offset=paging.offset)
    return paging.of(items, total)


@router.get("/ideas/{idea_id}/links", response_model=Page[LinkOut])
def list_links(idea_id: ObjectId, session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[LinkOut]:
    """The initiatives, themes, verbatims and cases the idea is tied to."""
    staff_reads.require_idea(session, idea_id)
    return paging.cut(links.links_of(session, idea_id))


@router.post("/ideas/{idea_id}/links", response_model=LinkOut, status_code=201)
def add_link(idea_id: ObjectId, data: LinkIn, session: DbSession, caller: CanModerateIdeas) -> LinkOut:
    """Tie the idea to an existing initiative (id), theme (name), feedback (id) or case (id)."""
    row = links.link(session, idea_id, data.kind, data.ref, caller.user.id)
    return links.link_outs(session, [row])[0]


@router.delete("/ideas/{idea_id}/links/{link_id}", status_code=204)
def remove_link(idea_id: ObjectId, link_id: ObjectId, session: DbSession, caller: CanModerateIdeas) -> Response:
    links.unlink(session, idea_id, link_id, caller.user.id)
    return Response(status_code=204)
