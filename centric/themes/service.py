"""Use-cases of the taxonomy: every edit schedules an incremental re-enrichment.

Routes and commands call these with their session; the stored rows and the versioning
live in :mod:`centric.themes.taxonomy`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.feedback.models import FeedbackTheme, Theme
from centric.themes import taxonomy
from centric.themes.enrichment import schedule_reenrichment
from centric.themes.schemas import ImportOut, ThemeIn, ThemeOut, ThemeUpdate


def theme_out(row: Theme, items: int = 0) -> ThemeOut:
    rule = row.rule or {}
    return ThemeOut(
        id=row.id, path=row.name, name=row.name.rsplit("/", 1)[-1],
        parent=row.name.rsplit("/", 1)[0] if "/" in row.name else None, origin=row.origin,
        label=str(rule.get("label", "")), description=str(rule.get("description", "")),
        keywords=dict(rule.get("keywords") or {}), examples=dict(rule.get("examples") or {}), items=items,
    )


def list_themes(session: Session, limit: int | None = None, offset: int = 0, *,
                with_examples: bool = True) -> tuple[list[ThemeOut], int]:
    """The themes, parents first (a slice of them), with how many items carry each; and how many there are.

    Examples may be customers' own words (accepted discovered themes copy them), so a
    caller who may not read customer data gets the themes without them.
    """
    ordered = taxonomy.list_themes(session)  # the order is a walk of the tree: made in memory, as is the slice
    rows = ordered[offset:None if limit is None else offset + limit]
    counts: dict[int, int] = {}
    if rows:
        counts = {theme_id: n for theme_id, n in session.execute(
            select(FeedbackTheme.theme_id, func.count())
            .where(FeedbackTheme.theme_id.in_([row.id for row in rows])).group_by(FeedbackTheme.theme_id)
        )}
    themes = [theme_out(row, counts.get(row.id, 0)) for row in rows]
    return (themes if with_examples else [theme.model_copy(update={"examples": {}}) for theme in themes]), len(ordered)


def create_theme(session: Session, data: ThemeIn) -> ThemeOut:
    row = taxonomy.create_theme(session, data.name.strip(), data.parent, {})
    taxonomy.update_rule(session, row, data.model_dump(include={"label", "description", "keywords", "examples"}))
    schedule_reenrichment(session)
    return theme_out(row)


def update_theme(session: Session, theme_id: int, data: ThemeUpdate) -> ThemeOut:
    """Rename, move and edit a theme; only the fields sent change."""
    row = taxonomy.get_theme(session, theme_id)
    sent = data.model_fields_set
    if "name" in sent or "parent" in sent:
        taxonomy.move_theme(session, row, data.name.strip() if data.name else None, data.parent,
                            reparent="parent" in sent)
    taxonomy.update_rule(session, row, data.model_dump(include={"label", "description", "keywords", "examples"}
                                                      & sent))
    schedule_reenrichment(session)
    return theme_out(row)


def delete_theme(session: Session, theme_id: int) -> None:
    taxonomy.delete_theme(session, theme_id)
    schedule_reenrichment(session)


def export_document(session: Session, fmt: str = "json") -> str:
    if fmt not in taxonomy.FORMATS:
        raise Invalid(f"format must be one of {', '.join(taxonomy.FORMATS)}", field="format")
    return taxonomy.dump_document(taxonomy.export_taxonomy(session), fmt)


def import_document(session: Session, data: Any) -> ImportOut:
    """Replace the taxonomy by ``data`` (the parsed JSON/YAML document)."""
    count = taxonomy.import_taxonomy(session, data)
    schedule_reenrichment(session)
    return ImportOut(themes=count, version=taxonomy.current_taxonomy(session).version)
