"""The theme taxonomy stored in the database: seeding, versioning, CRUD, import and export.

The ``theme`` table holds one row per theme: ``name`` is the full path ("delivery/late"),
``parent_id`` the parent row and ``rule`` the label, description, keywords and example
phrases per language. :func:`current_taxonomy` turns the rows into a pure
:class:`centric.text.Taxonomy` plus a *version* that names the sentiment model, the rules
and a hash of the taxonomy, so enrichment can tell which items are stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from centric.accounts.models import AppSetting
from centric.config import Settings
from centric.errors import Conflict, Invalid, NotFound
from centric.feedback.models import FeedbackTheme, Theme
from centric.text import Taxonomy, default_taxonomy
from centric.text import Theme as TextTheme
from centric.text.enrich import model_version as text_model_version

SEEDED_KEY = "text.taxonomy_seeded"
RULE_KEYS = ("label", "description", "keywords", "examples")


@dataclass(frozen=True)
class CurrentTaxonomy:
    """The taxonomy enrichment uses now, and the version stored on each enriched item."""

    taxonomy: Taxonomy
    version: str
    paths: dict[str, int]  # theme path → theme row id
    mode: str = "fast"  # the sentiment model: Settings.text_model


_compiled: dict[str, Taxonomy] = {}
_lock = threading.Lock()


def ensure_seeded(session: Session) -> None:
    """On first use, fill an empty ``theme`` table from :func:`centric.text.default_taxonomy`."""
    if session.get(AppSetting, SEEDED_KEY) is not None:
        return
    if session.scalar(select(Theme.id).limit(1)) is None:
        _write_taxonomy(session, default_taxonomy(), origin="rule")
    session.add(AppSetting(key=SEEDED_KEY, value="1"))
    session.flush()


def _ordered(rows: list[Theme]) -> list[Theme]:
    """Parents before children, siblings in creation order."""
    children: dict[int | None, list[Theme]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        children.setdefault(row.parent_id, []).append(row)
    out: list[Theme] = []

    def walk(parent: int | None) -> None:
        for row in children.get(parent, []):
            out.append(row)
            walk(row.id)

    walk(None)
    return out


def theme_value(row: Theme) -> TextTheme:
    """The pure theme of a stored row."""
    rule = row.rule or {}
    return TextTheme(path=row.name, label=str(rule.get("label", "")), keywords=_by_language(rule.get("keywords")),
                     examples=_by_language(rule.get("examples")), description=str(rule.get("description", "")))


def _by_language(raw: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, Mapping):
        return ()
    return tuple((str(lang), tuple(str(v) for v in values)) for lang, values in sorted(raw.items())
                 if isinstance(values, list) and values)


def load_taxonomy(session: Session) -> tuple[Taxonomy, dict[str, int]]:
    """The stored themes as a pure taxonomy (seeded first if never used) and path → id."""
    ensure_seeded(session)
    rows = _ordered(list(session.scalars(select(Theme))))
    return Taxonomy("centric", tuple(theme_value(r) for r in rows)), {r.name: r.id for r in rows}


def taxonomy_hash(taxonomy: Taxonomy) -> str:
    body = json.dumps(taxonomy.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:12]


def model_version(mode: str = "fast") -> str:
    """The sentiment model and rules version (what :func:`centric.text.enrich` reports in ``mode``)."""
    return text_model_version(mode)


@lru_cache(maxsize=1)
def configured_mode() -> str:
    """The deployment's sentiment model (``CENTRIC_TEXT_MODEL``: fast or accurate), read once per process."""
    return Settings().text_model


def current_taxonomy(session: Session, mode: str | None = None) -> CurrentTaxonomy:
    """The stored taxonomy, compiled once per process and content hash; ``mode`` is the sentiment
    model (default: the deployment's, ``Settings.text_model``), part of the version so a switch makes
    every item stale."""
    mode = mode or configured_mode()
    taxonomy, paths = load_taxonomy(session)
    digest = taxonomy_hash(taxonomy)
    with _lock:
        compiled = _compiled.get(digest)
        if compiled is None:
            if len(_compiled) > 8:
                _compiled.clear()
            compiled = _compiled[digest] = taxonomy
    return CurrentTaxonomy(compiled, f"{model_version(mode)}+tx{digest}", paths, mode)


# --- import and export ---------------------------------------------------------------

def export_taxonomy(session: Session) -> dict[str, Any]:
    """The nested JSON/YAML form of :meth:`centric.text.Taxonomy.to_dict`."""
    taxonomy, _ = load_taxonomy(session)
    return taxonomy.to_dict()


def parse_taxonomy(data: object) -> Taxonomy:
    try:
        return Taxonomy.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise Invalid(f"not a valid taxonomy: {exc}", field="themes") from None


def import_taxonomy(session: Session, data: object) -> int:
    """Replace the stored taxonomy by ``data``; returns the number of themes.

    Themes keep their rows (and tags) when their path is unchanged; themes absent from
    ``data`` are removed with their tags. Items are re-enriched by the stale sweep.
    """
    taxonomy = parse_taxonomy(data)
    ensure_seeded(session)
    _write_taxonomy(session, taxonomy, origin="rule", replace=True)
    return len(taxonomy)


def _rule(theme: TextTheme) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    if theme.label:
        rule["label"] = theme.label
    if theme.description:
        rule["description"] = theme.description
    if theme.keywords:
        rule["keywords"] = {k: list(v) for k, v in theme.keywords}
    if theme.examples:
        rule["examples"] = {k: list(v) for k, v in theme.examples}
    return rule


def _write_taxonomy(session: Session, taxonomy: Taxonomy, *, origin: str, replace: bool = False) -> None:
    existing = {row.name: row for row in session.scalars(select(Theme))}
    ids: dict[str, int] = {}
    for theme in taxonomy.themes:
        parent_id = ids[theme.parent] if theme.parent else None
        row = existing.get(theme.path)
        if row is None:
            row = Theme(name=theme.path, origin=origin)
            session.add(row)
        row.parent_id, row.rule = parent_id, _rule(theme)
        session.flush()
        ids[theme.path] = row.id
    if replace:
        gone = sorted((r for path, r in existing.items() if path not in ids), key=lambda r: -r.name.count("/"))
        for row in gone:
            _remove(session, row)


def _remove(session: Session, row: Theme) -> None:
    from centric.themes.models import ThemeProposal

    session.execute(delete(FeedbackTheme).where(FeedbackTheme.theme_id == row.id))
    session.execute(update(ThemeProposal).where(ThemeProposal.theme_id == row.id).values(theme_id=None))
    session.delete(row)
    session.flush()


# --- one theme at a time -------------------------------------------------------------

def get_theme(session: Session, theme_id: int) -> Theme:
    row = session.get(Theme, theme_id)
    if row is None:
        raise NotFound(f"theme {theme_id} not found")
    return row


def theme_by_path(session: Session, path: str) -> Theme:
    row = session.scalar(select(Theme).where(Theme.name == path))
    if row is None:
        raise NotFound(f"unknown theme {path!r}", field="theme")
    return row


def list_themes(session: Session) -> list[Theme]:
    ensure_seeded(session)
    return _ordered(list(session.scalars(select(Theme))))


def create_theme(session: Session, name: str, parent: str | None, rule: dict[str, Any],
                 origin: str = "rule") -> Theme:
    if not name.strip() or "/" in name:
        raise Invalid("a theme name needs a visible character and no '/'", field="name")
    ensure_seeded(session)
    parent_row = theme_by_path(session, parent) if parent else None
    path = f"{parent_row.name}/{name}" if parent_row else name
    if session.scalar(select(Theme.id).where(Theme.name == path)) is not None:
        raise Conflict(f"theme {path!r} exists already", field="name")
    row = Theme(name=path, parent_id=parent_row.id if parent_row else None, origin=origin, rule=rule)
    session.add(row)
    session.flush()
    return row


def move_theme(session: Session, row: Theme, name: str | None, parent: str | None, *, reparent: bool) -> None:
    """Rename a theme or give it another parent; the paths of its descendants follow."""
    parent_row = row.parent_id and session.get(Theme, row.parent_id)
    if reparent:
        parent_row = theme_by_path(session, parent) if parent else None
        if parent_row is not None and (parent_row.id == row.id or parent_row.name.startswith(row.name + "/")):
            raise Invalid("a theme cannot be its own ancestor", field="parent")
    leaf = name or row.name.rsplit("/", 1)[-1]
    new_path = f"{parent_row.name}/{leaf}" if parent_row else leaf
    if new_path == row.name:
        return
    if session.scalar(select(Theme.id).where(Theme.name == new_path)) is not None:
        raise Conflict(f"theme {new_path!r} exists already", field="name")
    old = row.name
    for child in session.scalars(select(Theme).where(Theme.name.startswith(old + "/", autoescape=True))):
        child.name = new_path + child.name[len(old):]
    row.name, row.parent_id = new_path, parent_row.id if parent_row else None
    session.flush()


def delete_theme(session: Session, theme_id: int) -> None:
    row = get_theme(session, theme_id)
    if session.scalar(select(Theme.id).where(Theme.parent_id == row.id).limit(1)) is not None:
        raise Conflict(f"theme {row.name!r} has sub-themes; delete or move them first")
    _remove(session, row)


def update_rule(session: Session, row: Theme, changes: Mapping[str, Any]) -> None:
    """Replace the label, description, keywords or examples given in ``changes``."""
    rule = dict(row.rule or {})
    for key in RULE_KEYS:
        if key not in changes or changes[key] is None:
            continue
        value = changes[key]
        if isinstance(value, Mapping):
            value = {lang: [v.strip() for v in values if v.strip()] for lang, values in value.items()}
            value = {lang: values for lang, values in value.items() if values}
        if value in ("", {}, []):
            rule.pop(key, None)
        else:
            rule[key] = value
    parse_taxonomy({"themes": [{"name": "check", **rule}]})  # same validation as an import
    row.rule = rule
    session.flush()


# --- documents -------------------------------------------------------------------------

FORMATS = ("json", "yaml")


def dump_document(data: Mapping[str, Any], fmt: str) -> str:
    """The taxonomy as JSON or YAML text (UTF-8, Chinese kept readable)."""
    import yaml

    if fmt == "yaml":
        return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load_document(text: str, fmt: str | None = None) -> Any:
    """Parse JSON or YAML text (``fmt`` None: JSON when it parses, else YAML); ``Invalid`` if neither."""
    import yaml

    if fmt not in (None, *FORMATS):
        raise Invalid(f"format must be one of {', '.join(FORMATS)}", field="format")
    if fmt != "yaml":
        try:
            return json.loads(text)
        except ValueError as exc:
            if fmt == "json":
                raise Invalid(f"not valid JSON: {exc}", field="body") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"not valid YAML: {str(exc).splitlines()[0]}", field="body") from None
