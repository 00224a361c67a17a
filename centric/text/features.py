"""Segmentation and feature extraction shared by training and scoring.

A text is split into *segments* (clauses between sentence punctuation, commas and
contrast words). Each segment yields (feature, value) pairs for a linear model:

* English: lower-cased word unigrams and bigrams. A unigram's value is modified by its
  context, as in rule-based sentiment analysis (Hutto & Gilbert 2014, VADER): inside
  a negation scope (up to three tokens after "not", "never", "n't"…; Das & Chen 2001)
  it is multiplied by :data:`NEGATION`, after an intensifier ("very") by 1.4, after a
  downtoner ("slightly") by 0.6, and in ALL CAPS by 1.3.
* Chinese: Han character unigrams, bigrams and trigrams, which need no word
  segmentation and are strong for Chinese sentiment; n-grams starting within three
  characters after a negator (不, 没, 无, 未, 别…) are multiplied by :data:`NEGATION`.
* Emoji and emoticons are features in both languages.
* Social-media noise carries no sentiment: @mentions and URLs are masked before
  tokenising (a brand's name must not learn the average mood of its mentions), a
  hashtag counts as its word ("#fail" → "fail"), and digit runs become "0", so
  "2 hours" and "90 minutes" share the features "0 hours"/"0 minutes".

Segments carry a *weight* for contrast: clauses before "but"/"但是" count half and the
clause after it 1.5 times (VADER's rule); a concessive clause ("although", "虽然")
counts half and the clause that follows it 1.5 times. The model is linear, so a text's
score is the weighted sum of its segments' scores, which gives per-sentence sentiment
for free.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

NEGATION = -0.8
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
_SCOPE = 3

_SENTENCE = re.compile(r"[^.!?。！？\n…]+[.!?。！？\n…]*")
_CLAUSE = re.compile(r"[,;:，；：、]+")
_CONTRAST = re.compile(
    r"\b(?:but|however|yet|nevertheless|nonetheless|except|whereas)\b|"
    r"但是|(?<!不)但|可是|不过|然而|只是|就是有点"
)
_CONCESSIVE = re.compile(r"^\s*(?:although|though|even though|despite|虽然|虽说|尽管)")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-zA-Z]{2,}")
_EN_TOKEN = re.compile(
    r"[a-z0-9]+(?:'[a-z]+)?|[:;=]-?[()dp]|<3|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27bf]"
)
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: @mentions and URLs, masked (replaced by spaces, so spans keep their offsets) before tokenising.
SOCIAL_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<![\w.])@\w+")
_DIGITS = re.compile(r"\d+")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27bf]|[:;=]-?[()DPp]|<3")

EN_NEGATORS = frozenset(
    "not no never none nothing nobody nowhere neither nor cannot without hardly barely "
    "dont don't doesnt doesn't didnt didn't isnt isn't wasnt wasn't arent aren't werent "
    "weren't cant can't couldnt couldn't wont won't wouldnt wouldn't shouldnt shouldn't "
    "havent haven't hasnt hasn't hadnt hadn't aint ain't lack lacks lacking".split()
)
EN_INTENSIFIERS = frozenset(
    "very really so extremely super too totally absolutely incredibly completely highly "
    "utterly truly especially exceptionally particularly remarkably seriously insanely "
    "most such".split()
)
EN_DOWNTONERS = frozenset("slightly somewhat barely kinda fairly rather little bit partly".split())
ZH_NEGATORS = frozenset("不没无未别莫勿非")
#: Words that begin with a negator character but do not negate what follows.
ZH_NOT_NEGATING = (
    "不过",
    "不但",
    "不仅",
    "不断",
    "不少",
    "不管",
    "不久",
    "不得不",
    "不同",
    "不一样",
    "非常",
    "无论",
    "无线",
    "别人",
    "别的",
    "未来",
    "没想到",
    "无比",
    "莫名",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A clause of a text: its span, script and contrast weight."""

    text: str
    start: int
    end: int
    language: str  # "en" | "zh" | "und" (no letters: emoji, digits)
    weight: float


def segments(text: str) -> list[Segment]:
    """Split cleaned ``text`` into weighted clauses (see the module docstring)."""
    out: list[Segment] = []
    for sentence in _SENTENCE.finditer(text):
        parts = list(_sentence_parts(sentence.group(), sentence.start()))
        weights = [1.0] * len(parts)
        for i, (_, _, contrast, concessive) in enumerate(parts):
            if contrast:
                for j in range(i):
                    weights[j] *= BEFORE_CONTRAST
                weights[i] *= AFTER_CONTRAST
            if concessive and i + 1 < len(parts):
                weights[i] *= BEFORE_CONTRAST
                weights[i + 1] *= AFTER_CONTRAST
        for (start, chunk, _, _), weight in zip(parts, weights, strict=True):
            out.append(Segment(chunk, start, start + len(chunk), _script(chunk), weight))
    return out


def _sentence_parts(sentence: str, offset: int) -> Iterator[tuple[int, str, bool, bool]]:
    """Yield (start, clause, starts with contrast, is concessive) for one sentence."""
    cuts = {0}
    contrast_at = set()
    for m in _CLAUSE.finditer(sentence):
        cuts.add(m.end())
    for m in _CONTRAST.finditer(sentence):
        cuts.add(m.start())
        contrast_at.add(m.start())
    bounds = sorted(cuts) + [len(sentence)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        chunk = sentence[a:b]
        stripped = chunk.strip(" ,;:，；：、")
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip(" ,;:，；：、"))
        yield (
            offset + a + lead,
            stripped,
            a in contrast_at,
            bool(_CONCESSIVE.match(stripped)),
        )


def _script(chunk: str) -> str:
    han = len(_HAN.findall(chunk)) if not chunk.isascii() else 0
    latin = len(_LATIN.findall(chunk))
    if han == 0 and latin == 0:
        return "und"
    return "zh" if han / 1.5 >= latin else "en"


def segment_features(segment: Segment) -> list[tuple[str, float]]:
    """Features of one segment for the model of its script (emoji-only: English)."""
    if segment.language == "zh":
        return zh_features(segment.text)
    return en_features(segment.text)


def en_features(text: str) -> list[tuple[str, float]]:
    """English word unigrams with context modifiers, plus plain bigrams."""
    if "@" in text or "http" in text or "www." in text:
        text = mask_social(text)
    raw = [_DIGITS.sub("0", t) for t in _EN_TOKEN.findall(text.lower())]
    if not raw:
        return []
    caps = _caps_words(text) if any(c.isupper() for c in text) else ()
    out: list[tuple[str, float]] = []
    scope = 0
    boost = 1.0
    prev = ""
    for tok in raw:
        value = boost
        boost = 1.0
        if scope:
            value *= NEGATION
            scope -= 1
        if caps and tok in caps:
            value *= 1.3
        out.append((tok, value))
        if prev:
            out.append((prev + " " + tok, 1.0))
        prev = tok
        if tok in EN_NEGATORS:
            scope = _SCOPE
        elif tok in EN_INTENSIFIERS:
            boost = 1.4
        elif tok in EN_DOWNTONERS:
            boost = 0.6
    return out


def mask_social(text: str) -> str:
    """``text`` with @mentions and URLs replaced by spaces of the same length."""
    return SOCIAL_NOISE.sub(lambda m: " " * len(m.group()), text)


def _caps_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"\b[A-Z]{3,}\b", text))


def zh_features(text: str) -> list[tuple[str, float]]:
    """Chinese character 1-3-grams with negation scope; emoji and Latin words too."""
    out: list[tuple[str, float]] = []
    for run in _HAN_RUN.findall(text):
        mods = _zh_modifiers(run)
        n = len(run)
        for i in range(n):
            m = mods[i]
            out.append((run[i], m))
            if i + 1 < n:
                out.append((run[i : i + 2], m))
                if i + 2 < n:
                    out.append((run[i : i + 3], m))
    if not text.isascii():
        out.extend((e, 1.0) for e in _EMOJI.findall(text))
    return out


def _zh_modifiers(run: str) -> list[float]:
    mods = [1.0] * len(run)
    for i, ch in enumerate(run):
        if ch in ZH_NEGATORS and not run.startswith(ZH_NOT_NEGATING, i):
            for j in range(i + 1, min(i + 1 + _SCOPE, len(run))):
                mods[j] *= NEGATION
    return mods


def document_features(text: str) -> dict[str, dict[str, float]]:
    """Contrast-weighted feature sums of a whole text, per language (for training)."""
    sums: dict[str, dict[str, float]] = {}
    for seg in segments(text):
        lang = "zh" if seg.language == "zh" else "en"
        bucket = sums.setdefault(lang, {})
        for feat, value in segment_features(seg):
            bucket[feat] = bucket.get(feat, 0.0) + value * seg.weight
    return sums
