"""Reading the text version stored on every enriched item.

An item's ``text_version`` is ``<sentiment models>/<rules>+tx<taxonomy hash>`` (see
:func:`centric.text.enrich_many` and ``centric.themes.taxonomy.current_taxonomy``), for
instance ``centric-sentiment-2+ab12cd34+mx1a2b3c/rules-2+tx0123456789ab`` (``mx…``: the
mixed-flag thresholds). :func:`describe_version` turns it into the short label staff pages
show: "model centric-sentiment-2+ab12cd34+mx1a2b3c · rules-2 · taxonomy 012345".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RULES = re.compile(r"/(rules-[\w.-]+)")
_TAXONOMY = re.compile(r"\+tx([0-9a-f]{6,})$")


@dataclass(frozen=True, slots=True)
class TextVersion:
    """The parts of a stored text version; ``None`` for a part the string does not name."""

    model: str
    rules: str | None
    taxonomy: str | None

    @property
    def label(self) -> str:
        parts = [f"model {self.model}"]
        if self.rules:
            parts.append(self.rules)
        if self.taxonomy:
            parts.append(f"taxonomy {self.taxonomy[:6]}")
        return " · ".join(parts)


def parse_version(version: str) -> TextVersion:
    """Split ``version`` into models, rules and taxonomy hash (tolerant of older forms)."""
    taxonomy = _TAXONOMY.search(version)
    body = version[:taxonomy.start()] if taxonomy else version
    rules = _RULES.search(body)
    model = (body[:rules.start()] + body[rules.end():]) if rules else body
    return TextVersion(model.strip("/") or "unknown", rules.group(1) if rules else None,
                       taxonomy.group(1) if taxonomy else None)


def describe_version(version: str | None) -> str | None:
    """The short label of a stored version ("model … · rules-2 · taxonomy 0a1b2c"), None when not enriched."""
    return parse_version(version).label if version else None
