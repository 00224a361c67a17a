"""Language identification by script and vocabulary: "en", "zh" or "und".

Centric analyses English and Chinese. Chinese is recognised by its script (Han characters
without Japanese kana); English by Latin script *and* a vocabulary check (the share of
tokens found in the English vocabulary shipped with the sentiment model), so French or
Indonesian text is reported as "und" rather than mis-scored as English. @mentions and
URLs are not counted as words. Mixed text is
assigned its dominant script, weighting one Han character as 1/1.5 of a Latin word
(the average number of characters per Chinese word), and reported as mixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from centric.text.artefact import load_models
from centric.text.clean import clean_text
from centric.text.features import SOCIAL_NOISE, mask_social
from centric.text.themes import stem

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LATIN_WORD = re.compile(r"[a-zA-Z\u00c0-\u024f]+(?:'[a-z]+)?")
_OTHER_LETTERS = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0eff]")

#: Han characters per word, used to compare the amount of Chinese and Latin text.
HAN_CHARS_PER_WORD = 1.5
#: Share of Latin tokens that must be known English words (after light stemming).
ENGLISH_COVERAGE = 0.4
#: Frequent function words of other Latin-script languages that are not English words.
_FOREIGN = frozenset(
    "le la les des une est et je tres très el los las que muy por para una es der das und ist "
    "nicht sehr ich mit ein eine il di che della het een niet zijn yang dan tidak ini itu dengan "
    "não com um uma muito du au aux avec mais ou où sur dans nous vous ils elle pero como del "
    "auch aber wir sie nein oder".split()
)
#: A minority script above this share of the text makes the text "mixed".
MIXED_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    """The dominant language of a text and the share of each script in it."""

    language: str  # "en" | "zh" | "und"
    mixed: bool
    en_share: float
    zh_share: float


def detect_language(text: str) -> str:
    """Return "en", "zh" or "und" for ``text`` (the dominant language of mixed text)."""
    return language_profile(text).language


def language_profile(text: str) -> LanguageProfile:
    """Detect the dominant language and whether a second script is substantial."""
    return profile_clean(clean_text(text).text)


def profile_clean(text: str) -> LanguageProfile:
    """:func:`language_profile` for text already passed through ``clean_text``."""
    if not text:
        return LanguageProfile("und", False, 0.0, 0.0)
    han = len(_HAN.findall(text)) if not text.isascii() else 0
    # "@USAirways Cancelled Flightled http://t.co/x": handles and links are not words of any language
    words = _LATIN_WORD.findall(mask_social(text) if SOCIAL_NOISE.search(text) else text)
    if not text.isascii():
        kana = len(_KANA.findall(text))
        other = len(_HANGUL.findall(text)) + len(_OTHER_LETTERS.findall(text))
    else:
        kana = other = 0
    zh_units = han / HAN_CHARS_PER_WORD
    other_units = (kana + other) / HAN_CHARS_PER_WORD
    total = zh_units + len(words) + other_units
    if total == 0:
        return LanguageProfile("und", False, 0.0, 0.0)
    zh_share = zh_units / total
    en_share = len(words) / total
    mixed = min(zh_share, en_share) >= MIXED_SHARE or (
        max(zh_share, en_share) > 0 and other_units / total >= MIXED_SHARE
    )
    if other_units >= max(zh_units, len(words)) or (han and kana >= 0.1 * han):
        return LanguageProfile("und", mixed, en_share, zh_share)
    if zh_units >= len(words):
        return LanguageProfile("zh", mixed, en_share, zh_share)
    language = "en" if is_english(words) else "und"
    return LanguageProfile(language, mixed, en_share, zh_share)


def is_english(words: list[str]) -> bool:
    """True when enough of the Latin-script ``words`` are known English words."""
    vocabulary = load_models().english_vocabulary
    lowered = [w.lower() for w in words]
    foreign = sum(1 for w in lowered if w in _FOREIGN or not w.isascii())
    if foreign >= 2 or (foreign and len(words) <= 4):
        return False
    known = sum(1 for w in lowered if _known(w, vocabulary))
    if len(words) <= 2:
        return known >= 1
    return known >= ENGLISH_COVERAGE * len(words)


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    root = stem(word[:-2] if word.endswith("ly") and len(word) > 4 else word)
    return root in vocabulary or root + "e" in vocabulary
