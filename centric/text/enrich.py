"""One call that turns customer text into structured signals: :func:`enrich`.

Pipeline per text: clean (:mod:`~centric.text.clean`) → language → clauses
(:mod:`~centric.text.features`) → sentiment (:mod:`~centric.text.sentiment`) →
themes (:mod:`~centric.text.themes`; a theme takes the sentiment of the clauses that
mention it, and a child theme's hit also counts for its ancestors) → effort, emotions and
actionability (:mod:`~centric.text.cues`). :func:`enrich_many` runs the same pipeline
with the example-based theme classifier batched over all texts. ``mode`` picks the sentiment
model ("fast", the default, or "accurate": see :mod:`~centric.text.sentiment`); the version
string reports the one used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from centric.text.artefact import load_models
from centric.text.clean import clean_text
from centric.text.cues import (
    Effort,
    Emotion,
    assess_actionability,
    detect_effort,
    detect_emotions,
)
from centric.text.features import segments
from centric.text.language import profile_clean
from centric.text.sentiment import Sentiment, check_mode, label_for, mixed_rule_tag, score_clean, sentence_vectors
from centric.text.taxonomy import Taxonomy, default_taxonomy
from centric.text.themes import KeywordMatch, matcher_for

RULES_VERSION = "rules-2"


@dataclass(frozen=True, slots=True)
class ThemeHit:
    """A theme found in a text.

    ``source`` is "keyword" (a keyword matched), "example" (nearest example centroid) or
    "child" (inherited from a matched descendant). ``score``/``sentiment`` are those of
    the clauses mentioning the theme (the whole text for example hits).
    """

    path: str
    label: str
    score: float | None
    sentiment: str | None
    terms: tuple[str, ...]
    source: str
    similarity: float | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything Centric derives from one text; see :func:`enrich`."""

    language: str
    mixed_language: bool
    sentiment: Sentiment
    themes: tuple[ThemeHit, ...]
    effort: Effort
    emotions: tuple[Emotion, ...]
    actionable: bool
    actionable_reasons: tuple[str, ...]
    truncated: bool
    characters: int
    model_version: str

    @property
    def theme_paths(self) -> tuple[str, ...]:
        return tuple(t.path for t in self.themes)

    @property
    def direct_themes(self) -> tuple[ThemeHit, ...]:
        """Hits that matched on their own (not only through a child)."""
        return tuple(t for t in self.themes if t.source != "child")


def enrich(text: str, taxonomy: Taxonomy | None = None, mode: str = "fast") -> Enrichment:
    """Enrich one text with language, sentiment, themes, effort, emotions, actionability."""
    return enrich_many([text], taxonomy, mode)[0]


def model_version(mode: str = "fast") -> str:
    """The version :func:`enrich_many` reports for ``mode``: sentiment model, mixed-flag thresholds and rules."""
    return f"{load_models().version_of(check_mode(mode))}+{mixed_rule_tag()}/{RULES_VERSION}"


def enrich_many(texts: Sequence[str], taxonomy: Taxonomy | None = None, mode: str = "fast") -> list[Enrichment]:
    """Enrich many texts; the example-based theme classifier (and the accurate mode's sentence
    encoder) run once over the batch."""
    taxonomy = taxonomy or default_taxonomy()
    matcher = matcher_for(taxonomy)
    models = load_models()
    version = model_version(mode)
    cleaned_all = [clean_text(raw) for raw in texts]
    profiles = [profile_clean(c.text) for c in cleaned_all]
    vectors = (
        sentence_vectors([c.text for c in cleaned_all], [p.language for p in profiles]) if mode == "accurate" else None
    )
    prepared = []
    for i, (cleaned, profile) in enumerate(zip(cleaned_all, profiles, strict=True)):
        parts = segments(cleaned.text)
        vector = None if vectors is None else vectors[i]
        sentiment = score_clean(cleaned.text, profile.language, parts, models, vector=vector, mode=mode)
        prepared.append((cleaned, profile, sentiment))
    example_hits = matcher.classify(
        [c.text for c, _, _ in prepared], [p.language for _, p, _ in prepared]
    )
    out = []
    for (cleaned, profile, sentiment), example in zip(prepared, example_hits, strict=True):
        text = cleaned.text
        # keywords of an unrecognised language ("service" in French) would mislead
        matches = matcher.keyword_matches(text) if profile.language != "und" else []
        themes = _theme_hits(taxonomy, matches, example, sentiment, models.neutral_band)
        effort = detect_effort(text)
        emotions = detect_emotions(text)
        score = sentiment.score if sentiment.evidence else None
        action = assess_actionability(text, score, effort, emotions)
        out.append(
            Enrichment(
                language=profile.language,
                mixed_language=profile.mixed,
                sentiment=sentiment,
                themes=themes,
                effort=effort,
                emotions=emotions,
                actionable=action.actionable,
                actionable_reasons=action.reasons,
                truncated=cleaned.truncated,
                characters=len(text),
                model_version=version,
            )
        )
    return out


def _theme_hits(
    taxonomy: Taxonomy,
    matches: list[KeywordMatch],
    example: tuple[str, float] | None,
    sentiment: Sentiment,
    band: float,
) -> tuple[ThemeHit, ...]:
    if not matches and example is None:
        return ()
    terms: dict[str, list[str]] = {}
    scores: dict[str, list[float]] = {}
    for m in matches:
        terms.setdefault(m.path, [])
        if m.term not in terms[m.path]:
            terms[m.path].append(m.term)
        clause = _clause_score(sentiment, m.start)
        if clause is not None:
            scores.setdefault(m.path, []).append(clause)
    sources = {path: "keyword" for path in terms}
    similarity: dict[str, float] = {}
    if example is not None:
        path, sim = example
        similarity[path] = sim
        sources.setdefault(path, "example")
        terms.setdefault(path, [])
    whole = sentiment.score if sentiment.evidence else None
    for path in list(sources):
        for ancestor in taxonomy.ancestors(path):
            if ancestor not in sources:
                sources[ancestor] = "child"
                terms[ancestor] = []
            for term in terms[path]:
                if term not in terms[ancestor]:
                    terms[ancestor].append(term)
            scores.setdefault(ancestor, []).extend(scores.get(path, []))
    hits = []
    for theme in taxonomy.themes:
        if theme.path not in sources:
            continue
        values = scores.get(theme.path)
        score = sum(values) / len(values) if values else whole
        hits.append(
            ThemeHit(
                path=theme.path,
                label=theme.display,
                score=None if score is None else round(score, 4),
                sentiment=None if score is None else label_for(score, band),
                terms=tuple(terms[theme.path]),
                source=sources[theme.path],
                similarity=similarity.get(theme.path),
            )
        )
    return tuple(hits)


def _clause_score(sentiment: Sentiment, position: int) -> float | None:
    for clause in sentiment.sentences:
        if clause.start <= position < clause.end:
            return clause.score if clause.label is not None else None
    return None
