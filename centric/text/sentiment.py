"""Sentence-aware sentiment for English and Chinese customer text.

A text's score is ``tanh(logit / 2)`` (= 2p - 1 for the model's probability p of
"positive"), where the logit is the language model's intercept plus the
contrast-weighted sum of its segments' feature contributions (see
:mod:`centric.text.features`). Scores inside ``±neutral_band`` are "neutral". Each
segment is also scored alone, so "great food but the delivery was late" reports both a
positive and a negative sentence and ``mixed=True`` rather than a bland average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from centric.text.artefact import SentimentModels, load_models
from centric.text.clean import clean_text
from centric.text.features import Segment, segment_features, segments
from centric.text.language import profile_clean

#: A text is mixed when one segment scores at least this and another at most minus this.
MIXED_POLARITY = 0.35
_EMOJI_PREFIXES = (":", ";", "=", "<")


@dataclass(frozen=True, slots=True)
class SentenceSentiment:
    """Sentiment of one clause: its span in the cleaned text, score in [-1, 1], label."""

    text: str
    start: int
    end: int
    language: str
    score: float
    label: str | None
    weight: float


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Sentiment of a whole text.

    ``label`` is "negative", "neutral" or "positive", or ``None`` when nothing in the
    text carries evidence (empty, unknown language without emoji). ``score`` is in
    [-1, 1]. ``mixed`` is true when clearly positive and clearly negative sentences
    coexist.
    """

    label: str | None
    score: float
    mixed: bool
    language: str
    sentences: tuple[SentenceSentiment, ...]
    model_version: str

    @property
    def positive_sentences(self) -> tuple[SentenceSentiment, ...]:
        return tuple(s for s in self.sentences if s.label == "positive")

    @property
    def negative_sentences(self) -> tuple[SentenceSentiment, ...]:
        return tuple(s for s in self.sentences if s.label == "negative")


def analyze_sentiment(text: str, language: str | None = None) -> Sentiment:
    """Score the sentiment of ``text``; ``language`` ("en"/"zh"/"und") skips detection."""
    cleaned = clean_text(text).text
    if language not in ("en", "zh", "und"):
        language = profile_clean(cleaned).language
    return score_clean(cleaned, language, segments(cleaned))


def label_for(score: float, band: float) -> str:
    if score >= band:
        return "positive"
    if score <= -band:
        return "negative"
    return "neutral"


def score_clean(
    text: str, language: str, parts: list[Segment], models: SentimentModels | None = None
) -> Sentiment:
    """Score cleaned ``text`` already split into ``parts`` (the enrich fast path)."""
    models = models or load_models()
    band = models.neutral_band
    if not parts:
        return Sentiment(None, 0.0, False, language, (), models.version)
    intercept = models.for_language(language).intercept
    total = intercept
    evidence = 0
    sentences = []
    for seg in parts:
        model = models.for_language(seg.language)
        weights = model.weights
        contribution = 0.0
        hits = 0
        for feat, value in segment_features(seg):
            if language == "und" and not _is_symbolic(feat):
                continue
            w = weights.get(feat)
            if w is not None:
                contribution += w * value
                hits += 1
        evidence += hits
        total += seg.weight * contribution
        if hits:
            s = math.tanh((model.intercept + contribution) / 2)
            sentences.append(
                SentenceSentiment(
                    seg.text, seg.start, seg.end, seg.language, s, label_for(s, band), seg.weight
                )
            )
        else:
            sentences.append(
                SentenceSentiment(seg.text, seg.start, seg.end, seg.language, 0.0, None, seg.weight)
            )
    if evidence == 0:
        return Sentiment(None, 0.0, False, language, tuple(sentences), models.version)
    score = math.tanh(total / 2)
    mixed = any(s.score >= MIXED_POLARITY for s in sentences) and any(
        s.score <= -MIXED_POLARITY for s in sentences
    )
    return Sentiment(
        label_for(score, band), score, mixed, language, tuple(sentences), models.version
    )


def _is_symbolic(feature: str) -> bool:
    """Emoji and emoticons: the only evidence used for text in an unknown language."""
    return (
        len(feature) <= 3
        and (feature.startswith(_EMOJI_PREFIXES) or ord(feature[0]) >= 0x2600)
        and not ("\u3400" <= feature[0] <= "\u9fff")
    )
