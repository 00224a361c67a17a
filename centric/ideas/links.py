"""What an idea is tied to (an initiative, a theme, a verbatim, a case), and ideas created from them.

An idea created from a verbatim (feedback) carries the verbatim's words as its body but
no author: the customer wrote that text to us, not to the public portal, so their name
and profile are not attached to a public idea without their say. The link to the
feedback keeps the trace for staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.errors import Conflict, Invalid, NotFound
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.governance.models import Initiative
from centric.ideas.authoring import create_idea
from centric.ideas.models import LINK_KINDS, Idea, IdeaLink
from centric.ideas.service import get_idea
from centric.ideas.staff_schemas import LinkOut
from centric.loop.models import Case

ENTITY = "idea"
TITLE_FROM_TEXT = 90


@dataclass(frozen=True)
class Source:
    """What an idea created from a verbatim, theme or case starts with."""

    kind: str
    ref: str
    title: str
    body: str
    language: str = "en"


def _numeric(ref: str, kind: str) -> int:
    text = ref.strip()
    if not text.isdigit() or len(text) > 18:
        raise Invalid(f"a {kind} is named by its numeric id", field="ref")
    return int(text)


def _first_words(text: str) -> str:
    words = " ".join(text.split())
    if len(words) <= TITLE_FROM_TEXT:
        return words
    cut = words[:TITLE_FROM_TEXT].rsplit(" ", 1)[0]
    return cut + "…"


def source_of(session: Session, kind: str, ref: str) -> Source:
    """The referenced verbatim, theme, case or initiative, checked to exist, with a title and body to start from."""
    if kind not in LINK_KINDS:
        raise Invalid(f"link kind is one of {', '.join(LINK_KINDS)}", field="kind")
    if kind == "theme":
        theme = session.scalar(select(Theme).where(Theme.name == ref.strip()))
        if theme is None:
            raise NotFound(f"no theme {ref.strip()[:80]!r}")
        label = str((theme.rule or {}).get("label") or theme.name)
        mentions = session.scalar(select(func.count()).select_from(FeedbackTheme)
                                  .where(FeedbackTheme.theme_id == theme.id)) or 0
        description = str((theme.rule or {}).get("description") or "")
        body = "\n\n".join(p for p in (description, f"{mentions} verbatims mention this theme.") if p)
        return Source(kind, theme.name, f"Improve {label}", body)
    number = _numeric(ref, kind)
    if kind == "feedback":
        item = session.get(Feedback, number)
        if item is None:
            raise NotFound(f"no feedback with id {number}")
        return Source(kind, str(number), _first_words(item.text), item.text, (item.language or "en")[:8])
    if kind == "case":
        case = session.get(Case, number)
        if case is None:
            raise NotFound(f"no case with id {number}")
        return Source(kind, str(number), case.title, case.verbatim)
    initiative = session.get(Initiative, number)
    if initiative is None:
        raise NotFound(f"no initiative with id {number}")
    return Source(kind, str(number), initiative.title, initiative.problem)


def link(session: Session, idea_id: int, kind: str, ref: str, user_id: int | None) -> IdeaLink:
    """Tie the idea to an existing initiative, theme, feedback or case; 409 if it is tied already."""
    idea = get_idea(session, idea_id)
    source = source_of(session, kind, ref)
    exists = session.scalar(select(IdeaLink.id).where(IdeaLink.idea_id == idea.id, IdeaLink.kind == kind,
                                                      IdeaLink.ref == source.ref))
    if exists is not None:
        raise Conflict(f"idea {idea.id} is linked to {kind} {source.ref} already")
    row = IdeaLink(idea_id=idea.id, kind=kind, ref=source.ref, created_by=user_id)
    session.add(row)
    session.flush()
    audit(session, user_id, "idea.link", ENTITY, idea.id, {"kind": kind, "ref": source.ref})
    return row


def unlink(session: Session, idea_id: int, link_id: int, user_id: int | None) -> None:
    row = session.get(IdeaLink, link_id)
    if row is None or row.idea_id != idea_id:
        raise NotFound(f"no link {link_id} on idea {idea_id}")
    session.delete(row)
    session.flush()
    audit(session, user_id, "idea.unlink", ENTITY, idea_id, {"kind": row.kind, "ref": row.ref})


def links_of(session: Session, idea_id: int) -> list[LinkOut]:
    rows = list(session.scalars(select(IdeaLink).where(IdeaLink.idea_id == idea_id)
                                .order_by(IdeaLink.kind, IdeaLink.id)))
    return link_outs(session, rows)


def link_outs(session: Session, rows: Sequence[IdeaLink]) -> list[LinkOut]:
    """Outputs with labels: one query per kind present, whatever the number of links."""
    labels: dict[tuple[str, str], str] = {}
    ids = {kind: [int(r.ref) for r in rows if r.kind == kind and r.ref.isdigit()]
           for kind in ("initiative", "feedback", "case")}
    if ids["initiative"]:
        for number, title in session.execute(select(Initiative.id, Initiative.title)
                                             .where(Initiative.id.in_(ids["initiative"]))):
            labels["initiative", str(number)] = title
    if ids["case"]:
        for number, title in session.execute(select(Case.id, Case.title).where(Case.id.in_(ids["case"]))):
            labels["case", str(number)] = title
    if ids["feedback"]:
        for number, text in session.execute(select(Feedback.id, Feedback.text)
                                            .where(Feedback.id.in_(ids["feedback"]))):
            labels["feedback", str(number)] = _first_words(text)
    return [LinkOut(id=r.id, idea_id=r.idea_id, kind=r.kind, ref=r.ref,
                    label=labels.get((r.kind, r.ref), r.ref if r.kind == "theme" else f"{r.kind} {r.ref} (gone)"),
                    url=link_url(r.kind, r.ref), created_at=r.created_at) for r in rows]


def link_url(kind: str, ref: str) -> str:
    """The staff page of a linked object (the verbatim explorer has no page per item)."""
    return {"initiative": f"/initiatives/{ref}", "case": f"/cases/{ref}",
            "theme": "/themes", "feedback": "/verbatims"}.get(kind, "")


def create_from(session: Session, kind: str, ref: str, board_key: str, title: str, body: str,
                user_id: int | None) -> Idea:
    """A new idea from a verbatim, a theme or a case, linked to it (module docstring on authorship)."""
    if kind not in ("feedback", "theme", "case"):
        raise Invalid("create an idea from a feedback, a theme or a case", field="kind")
    source = source_of(session, kind, ref)
    idea = create_idea(session, board_key=board_key, title=title.strip() or source.title,
                       body=body.strip() or source.body, user_id=user_id, source=kind, source_ref=source.ref,
                       language=source.language)
    session.add(IdeaLink(idea_id=idea.id, kind=kind, ref=source.ref, created_by=user_id))
    session.flush()
    audit(session, user_id, "idea.create_from", ENTITY, idea.id, {"kind": kind, "ref": source.ref})
    return idea


def ideas_linked_to(session: Session, kind: str, ref: str) -> list[Idea]:
    return list(session.scalars(select(Idea).join(IdeaLink, IdeaLink.idea_id == Idea.id)
                                .where(IdeaLink.kind == kind, IdeaLink.ref == ref).order_by(Idea.id)))
