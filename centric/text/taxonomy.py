"""Hierarchical theme taxonomies: named themes with keywords and example phrases.

A :class:`Taxonomy` is a forest of :class:`Theme` values identified by their *path*
("delivery/late"). Each theme has keywords and example phrases per language ("en",
"zh"). ``to_dict`` produces, and ``from_dict`` reads, the nested form below, which is
plain JSON/YAML::

    {"name": "...", "version": 1, "themes": [
        {"name": "delivery", "label": "Delivery & shipping",
         "keywords": {"en": ["delivery", ...], "zh": ["配送", ...]},
         "examples": {"en": ["my package never arrived"], "zh": [...]},
         "children": [{"name": "late", ...}]}]}

English keywords match whole words after light suffix stripping ("refunds" matches
"refund"); Chinese keywords match as substrings. :func:`centric.text.themes.matcher_for`
compiles a taxonomy for matching.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_TAXONOMY = Path(__file__).with_name("data") / "default_taxonomy.json"
LANGUAGES = ("en", "zh")
#: Default cosine similarity needed for an example-based theme assignment.
EXAMPLE_SIMILARITY = 0.35


def _by_language(raw: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected a mapping of language to a list of strings")
    out = []
    for language in sorted(raw):
        values = raw[language]
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise ValueError(f"{where}.{language}: expected a list of strings")
        clean = tuple(str(v).strip() for v in values if str(v).strip())
        if clean:
            out.append((str(language), clean))
    return tuple(out)


@dataclass(frozen=True)
class Theme:
    """One theme. ``path`` is "/"-separated ("delivery/late"); the last part is its name."""

    path: str
    label: str = ""
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()
    examples: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: str = ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str | None:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else None

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def keywords_for(self, language: str) -> tuple[str, ...]:
        return dict(self.keywords).get(language, ())

    def examples_for(self, language: str) -> tuple[str, ...]:
        return dict(self.examples).get(language, ())


@dataclass(frozen=True)
class Taxonomy:
    """An ordered forest of themes (parents before children)."""

    name: str
    themes: tuple[Theme, ...]
    version: int = 1
    example_similarity: float = EXAMPLE_SIMILARITY
    _index: dict[str, Theme] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Theme] = {}
        for theme in self.themes:
            if not theme.path or any(not p for p in theme.path.split("/")):
                raise ValueError(f"invalid theme path {theme.path!r}")
            if theme.path in index:
                raise ValueError(f"duplicate theme {theme.path!r}")
            if theme.parent is not None and theme.parent not in index:
                raise ValueError(f"theme {theme.path!r} comes before its parent")
            index[theme.path] = theme
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, path: object) -> bool:
        return path in self._index

    def get(self, path: str) -> Theme:
        """The theme at ``path``; ``KeyError`` if absent."""
        return self._index[path]

    def roots(self) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.parent is None)

    def children(self, path: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.parent == path)

    def ancestors(self, path: str) -> tuple[str, ...]:
        """Paths of the ancestors of ``path``, nearest first."""
        parts = path.split("/")
        return tuple("/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1))

    # --- serialisation -------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: object) -> Taxonomy:
        """Read the nested dict form (see module docstring) of a parsed JSON or YAML document;
        ``ValueError`` if it is anything else or malformed."""
        if not isinstance(data, Mapping) or not isinstance(data.get("themes"), list):
            raise ValueError("a taxonomy needs a 'themes' list")
        themes: list[Theme] = []

        def walk(nodes: list[Any], parent: str | None) -> None:
            for node in nodes:
                if not isinstance(node, Mapping) or not str(node.get("name", "")).strip():
                    raise ValueError(f"each theme needs a name (under {parent or 'root'})")
                name = str(node["name"]).strip()
                if "/" in name:
                    raise ValueError(f"theme name {name!r} must not contain '/'")
                path = f"{parent}/{name}" if parent else name
                themes.append(
                    Theme(
                        path=path,
                        label=str(node.get("label", "")),
                        keywords=_by_language(node.get("keywords"), f"{path}.keywords"),
                        examples=_by_language(node.get("examples"), f"{path}.examples"),
                        description=str(node.get("description", "")),
                    )
                )
                children = node.get("children") or []
                if not isinstance(children, list):
                    raise ValueError(f"{path}.children must be a list")
                walk(children, path)

        walk(data["themes"], None)
        return cls(
            str(data.get("name", "taxonomy")),
            tuple(themes),
            int(data.get("version", 1)),
            float(data.get("example_similarity", EXAMPLE_SIMILARITY)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The nested, JSON/YAML-serialisable form; ``from_dict(to_dict())`` round-trips."""

        def node(theme: Theme) -> dict[str, Any]:
            out: dict[str, Any] = {"name": theme.name}
            if theme.label:
                out["label"] = theme.label
            if theme.description:
                out["description"] = theme.description
            if theme.keywords:
                out["keywords"] = {k: list(v) for k, v in theme.keywords}
            if theme.examples:
                out["examples"] = {k: list(v) for k, v in theme.examples}
            kids = [node(c) for c in self.children(theme.path)]
            if kids:
                out["children"] = kids
            return out

        return {
            "name": self.name,
            "version": self.version,
            "example_similarity": self.example_similarity,
            "themes": [node(t) for t in self.roots()],
        }

    @classmethod
    def from_examples(
        cls,
        name: str,
        texts: Iterable[str],
        labels: Iterable[str],
        language: str = "en",
        example_similarity: float = 0.0,
    ) -> Taxonomy:
        """A flat taxonomy whose themes are defined only by labelled example texts.

        Matching then uses the nearest-centroid classifier of
        :class:`centric.text.themes.ThemeMatcher` (e.g. built from BANKING77 intents).
        """
        grouped: dict[str, list[str]] = {}
        for text, label in zip(texts, labels, strict=True):
            grouped.setdefault(str(label), []).append(text)
        themes = tuple(
            Theme(path=label.replace("/", "_"), examples=((language, tuple(grouped[label])),))
            for label in sorted(grouped)
        )
        return cls(name, themes, example_similarity=example_similarity)


@cache
def default_taxonomy() -> Taxonomy:
    """Centric's shipped customer-experience taxonomy (English and Chinese keywords)."""
    return Taxonomy.from_dict(json.loads(DEFAULT_TAXONOMY.read_text(encoding="utf-8")))
