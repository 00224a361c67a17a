"""Pure text analytics for customer feedback in English and Chinese.

No database, web or network access: functions take strings and return frozen
dataclasses. The sentiment model artefact (``data/sentiment_models.npz``) is loaded
lazily, once per process. See ``docs/text-analytics.md`` for methods and accuracy.
"""

from centric.text.clean import MAX_CHARS, CleanText, clean_text
from centric.text.cues import (
    Actionability,
    Effort,
    EffortCue,
    Emotion,
    assess_actionability,
    detect_effort,
    detect_emotions,
)
from centric.text.discovery import ProposedTheme, discover_themes
from centric.text.enrich import Enrichment, ThemeHit, enrich, enrich_many, model_version
from centric.text.impact import EmergingTheme, ThemeImpact, emerging_themes, theme_impact
from centric.text.language import LanguageProfile, detect_language, language_profile
from centric.text.sentiment import SentenceSentiment, Sentiment, analyze_many, analyze_sentiment
from centric.text.taxonomy import Taxonomy, Theme, default_taxonomy
from centric.text.themes import ThemeMatcher, matcher_for

__all__ = [
    "MAX_CHARS",
    "Actionability",
    "CleanText",
    "Effort",
    "EffortCue",
    "EmergingTheme",
    "Emotion",
    "Enrichment",
    "LanguageProfile",
    "ProposedTheme",
    "SentenceSentiment",
    "Sentiment",
    "Taxonomy",
    "Theme",
    "ThemeHit",
    "ThemeImpact",
    "ThemeMatcher",
    "analyze_many",
    "analyze_sentiment",
    "assess_actionability",
    "clean_text",
    "default_taxonomy",
    "detect_effort",
    "detect_emotions",
    "detect_language",
    "discover_themes",
    "emerging_themes",
    "enrich",
    "enrich_many",
    "language_profile",
    "matcher_for",
    "model_version",
    "theme_impact",
]
