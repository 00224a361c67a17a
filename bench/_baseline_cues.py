"""FROZEN COPY of centric/text/cues.py as on main before issue 16 (rules-1), kept only so that
bench/bench_cues.py can print before/after figures in one run. Do not edit.

Rule-based cues: customer effort, emotions and actionability, in English and Chinese.

Effort cues follow the Customer Effort Score literature (Dixon, Freeman & Toman 2010,
"Stop Trying to Delight Your Customers"): repeat contacts, transfers, repeating oneself,
long waits, chasing without follow-up and hard processes. Emotions use a small
hand-written lexicon per category in the spirit of the NRC Emotion Lexicon (Mohammad &
Turney 2013), restricted to the emotions that matter in customer experience; a cue
preceded by a negation ("not disappointed", "不满意") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_N = r"(?:two|three|four|five|six|seven|several|multiple|many|numerous|countless|\d+)"
_EFFORT_EN = {
    "repeat_contact": (
        r"\b(?:call|called|calling|phoned|rang|emailed|contacted|chased|wrote|messaged|tried|visited|went back)\b"
        rf"(?:\W+\w+){{0,5}}?\W+(?:twice|{_N} times)"
    ),
    "had_to": (
        r"\b(?:had|have|having|needed) to (?:call|ring|phone|contact|chase|email|explain|repeat|go back|come back|"
        r"follow up|ask again|keep|fill|send|wait|drive)"
    ),
    "transferred": (
        r"\b(?:transferred|passed|bounced|handed|shuffled) "
        r"(?:around|back and forth|between|from|to (?:another|a different|\w+ different))"
    ),
    "on_hold": r"\bon hold\b|\bhold (?:for|music)\b",
    "repeat_self": (
        r"\brepeat(?:ed|ing)? (?:myself|my)|"
        r"\bexplain(?:ed|ing)? (?:it|the \w+|my \w+|everything) (?:all )?(?:again|over)|\bstart(?:ed)? (?:all )?over"
    ),
    "still_waiting": r"\bstill (?:waiting|no\b|not\b|haven't|hasn't|have not|has not|nothing)",
    "long_wait": (
        r"\b(?:took|takes|taking|take) (?:forever|ages|hours|days|weeks)|"
        r"\bwait(?:ed|ing)? (?:for )?(?:over |more than |almost )?"
        rf"(?:an hour|hours|days|weeks|{_N} (?:minutes|mins|hours|days|weeks))"
    ),
    "hard_process": (
        r"\b(?:hard|difficult|impossible|confusing|complicated) to "
        r"(?:find|use|navigate|reach|contact|get|cancel|understand)|"
        r"\bhoops\b|\bhassle\b|\b(?:so|too) many steps|\brun-?around\b"
    ),
    "no_follow_up": (
        r"\b(?:no one|nobody|no-one)\b (?:ever )?(?:got back|replied|responded|answered|called back|helped|picked up)|"
        r"\bnever (?:got back|replied|responded|heard back|called back|got a (?:reply|response))"
    ),
    "repeated": (
        rf"\b{_N} (?:calls|emails|messages|attempts|visits|chats|tickets)\b|\bagain and again\b|\bover and over\b|"
        r"\byet again\b"
    ),
}
_C = r"[一几多两三四五六七八九十半\d]"
_EFFORT_ZH = {
    "transferred": r"转了(?:好|很)?[几多两三]?[次个遍]|转来转去|转接了|踢皮球|推来推去|互相推",
    "repeat_contact": rf"(?:打|催|问|找|联系|跑|去)了(?:好|很)?{_C}+[次遍趟回个]|打了(?:好|很)?{_C}+(?:个|次)?电话",
    "long_wait": (
        rf"等了(?:好|很)?(?:半天|好久|很久|{_C}+个?多?(?:小时|天|分钟|周|星期|月))|"
        r"(?:等|排队)(?:了)?(?:好|很)?久"
    ),
    "still_waiting": r"(?:一直|还是|至今|到现在|迟迟|始终)(?:都)?(?:没|不|未)",
    "repeated": r"反复|再三|一遍又一遍|三番五次|多次",
    "no_follow_up": r"(?:没人|无人|没有人)(?:理|管|回复|处理|接)|不回复|没回复|没有回复",
    "hard_process": r"麻烦死|太麻烦|很麻烦|折腾|繁琐|手续复杂|流程复杂|找不到",
    "repeat_self": r"重复(?:说|解释|描述)|又要(?:说|解释)",
}
_EASE = (
    r"\b(?:easy|effortless|hassle[- ]free|seamless|smooth|straightforward|quick and easy)\b|"
    r"\b(?:first|one) (?:call|contact)|很方便|方便快捷|简单方便|省心|一次就|很快就解决"
)

_EMOTIONS_EN = {
    "anger": (
        r"\bangry\b|\bfurious\b|\boutrag\w*|\blivid\b|\bfuming\b|\bpissed\b|\bridiculous\b|\bunacceptable\b|"
        r"\bdisgust\w*|\binfuriat\w*|\bhow dare\b|\brip-?off\b|\bscam\w*|\bworst\b|\bappalling\b|\bdisgrace\w*"
    ),
    "frustration": (
        r"\bfrustrat\w*|\bannoy\w*|\bfed up\b|\bsick of\b|\btired of\b|\birritat\w*|\bhopeless\b|\buseless\b|"
        r"\bwaste of (?:time|money)|\bnightmare\b|\bugh+\b"
    ),
    "confusion": (
        r"\bconfus\w*|\bdo(?:n't| not) understand\b|\bunclear\b|\bmakes? no sense\b|\bno idea (?:how|what|why|where)|"
        r"\bpuzzl\w*|\bnot sure (?:how|what|why|whether|if|where)|\bwhat does .{1,30} mean\b"
    ),
    "disappointment": (
        r"\bdisappoint\w*|\blet ?down\b|\bexpected (?:more|better)\b|\bnot what i expected\b|\bunderwhelm\w*|"
        r"\bshame\b|\bsadly\b|\bregret\w*"
    ),
    "delight": (
        r"\blove[ds]?\b|\bamazing\b|\bawesome\b|\bfantastic\b|\bwonderful\b|\bexcellent\b|\bdelight\w*|\bthrilled\b|"
        r"\bimpressed\b|\bperfect\b|\bbrilliant\b|\bexceeded\b|\boutstanding\b|\bsuperb\b"
    ),
    "gratitude": r"\bthank\w*|\bthx\b|\bgrateful\b|\bappreciat\w*|\bkudos\b",
    "worry": r"\bworr(?:y|ied|ying)\b|\bconcerned\b|\banxious\b|\bnervous\b|\bscared\b|\bafraid\b",
}
_EMOTIONS_ZH = {
    "anger": r"气死|生气|愤怒|恶心|垃圾|太过分|坑人|骗子|无良|火大|岂有此理|差劲|什么玩意",
    "frustration": r"烦|无语|郁闷|崩溃|受不了|心累|浪费时间|醉了|服了",
    "confusion": r"不明白|搞不懂|看不懂|不清楚|困惑|怎么回事|不知道怎么|啥意思|什么意思",
    "disappointment": r"失望|后悔|遗憾|不如预期|可惜|心寒",
    "delight": r"惊喜|超赞|太棒|很棒|完美|满意|喜欢|好评|爱了|开心|超级好|棒棒",
    "gratitude": r"谢谢|感谢|多谢|辛苦了|点赞",
    "worry": r"担心|着急|害怕|焦虑|不放心",
}
_NEGATED_EN = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bwithout|\bhardly)\W+(?:\w+\W+)?$")
_NEGATED_ZH = re.compile(r"[不没别无未][太很怎那]?$")

_REQUEST = re.compile(
    r"\bplease\b|\b(?:can|could|would|will) (?:you|someone|somebody|anyone)\b|"
    r"\bi (?:want|need|would like|demand|expect|request)\b(?: \w+){0,3} "
    r"(?:refund|replacement|answer|explanation|call ?back|"
    r"manager|someone|to speak|to cancel|money|compensation|response|fix)\b|"
    r"\b(?:call|contact|email|phone) me\b|\bget back to me\b|\bhow (?:do|can|should) i\b|\bwhat should i\b|"
    r"\bwhen will\b|\bwhere is my\b|\bwhy (?:was|is|did|have|has)\b|"
    r"请|麻烦(?:你|您)|希望(?:能|尽快|你们|商家)|要求|怎么(?:办|弄|处理)|尽快|给个说法|联系我|回电|为什么"
)
_CHURN = re.compile(
    r"\bcancel(?:l?ing)? my (?:account|subscription|membership|contract|plan)\b|\bclos(?:e|ing) my account\b|"
    r"\bswitch(?:ing)? to\b|\bnever (?:again|coming back|order(?:ing)? again|buy(?:ing)? again|use them again)\b|"
    r"\btake my business elsewhere\b|\bgo(?:ing)? elsewhere\b|\bwon't be (?:back|returning|coming back)\b|"
    r"再也不(?:买|来|点|用|会)|销户|注销|换一家|不会再(?:买|来|点|用)|拉黑"
)


def _compile(
    table: dict[str, str],
) -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    """One combined pattern (a cheap gate: most texts match nothing) and the per-cue patterns."""
    gate = re.compile("|".join(f"(?:{p})" for p in table.values()))  # run on lower-cased text
    return gate, tuple((name, re.compile(pattern, re.I)) for name, pattern in table.items())


_EFFORT_TABLES = (_compile(_EFFORT_EN), _compile(_EFFORT_ZH))
_EASE_RE = re.compile(_EASE, re.I)
_EMOTION_TABLES = (_compile(_EMOTIONS_EN), _compile(_EMOTIONS_ZH))


@dataclass(frozen=True, slots=True)
class EffortCue:
    """A phrase signalling customer effort: its kind and matched text."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Effort:
    """Effort signals of a text: ``score`` in [0, 1] and ``high`` when cues are clear."""

    score: float
    high: bool
    cues: tuple[EffortCue, ...]
    ease: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Emotion:
    """One detected emotion with an intensity in (0, 1] and the terms that showed it."""

    name: str
    intensity: float
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Actionability:
    """Whether a text needs a reply: reasons among "request", "complaint", "churn_risk"."""

    actionable: bool
    reasons: tuple[str, ...]


def detect_effort(text: str) -> Effort:
    """Effort cues in cleaned ``text``; score = 1 - 0.5^k for k distinct cue kinds, halved by ease cues."""
    cues = []
    lowered = text.lower()
    for gate, table in _EFFORT_TABLES:
        if gate.search(lowered) is None:
            continue
        for kind, pattern in table:
            for m in pattern.finditer(text):
                cues.append(EffortCue(kind, m.group(), m.start(), m.end()))
    ease = tuple(m.group() for m in _EASE_RE.finditer(text) if not _negated(text, m.start()))
    kinds = len({c.kind for c in cues})
    score = 1 - 0.5**kinds
    if ease:
        score *= 0.5
    cues.sort(key=lambda c: c.start)
    return Effort(round(score, 3), score >= 0.5, tuple(cues), ease)


def detect_emotions(text: str) -> tuple[Emotion, ...]:
    """Emotions named in cleaned ``text``, strongest first; negated cues are ignored."""
    found = []
    lowered = text.lower()
    for gate, table in _EMOTION_TABLES:
        if gate.search(lowered) is None:
            continue
        for name, pattern in table:
            terms = tuple(
                m.group() for m in pattern.finditer(text) if not _negated(text, m.start())
            )
            if terms:
                bangs = min(text.count("!"), 3)
                intensity = min(1.0, 0.5 + 0.2 * (len(terms) - 1) + 0.1 * bangs)
                found.append(Emotion(name, round(intensity, 2), terms))
    return tuple(sorted(found, key=lambda e: (-e.intensity, e.name)))


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start]
    if not before:
        return False
    if before.isascii():
        return bool(_NEGATED_EN.search(before.lower()))
    return bool(_NEGATED_ZH.search(before)) or bool(_NEGATED_EN.search(before.lower()))


def assess_actionability(
    text: str, sentiment_score: float | None, effort: Effort, emotions: tuple[Emotion, ...]
) -> Actionability:
    """A complaint (clearly negative, or negative with effort/anger/frustration), a request or a churn threat."""
    reasons = []
    if _REQUEST.search(text):
        reasons.append("request")
    angry = any(e.name in ("anger", "frustration") for e in emotions)
    if sentiment_score is not None and (
        sentiment_score <= -0.5 or (sentiment_score < -0.2 and (effort.high or angry))
    ):
        reasons.append("complaint")
    elif effort.high and (sentiment_score is None or sentiment_score < 0.3):
        reasons.append("complaint")
    if _CHURN.search(text):
        reasons.append("churn_risk")
    return Actionability(bool(reasons), tuple(reasons))
