"""Writing guest comments, tickets, call notes, reviews and posts from templates.

A text is a frame (how people phrase things) filled with one or two aspects of a
touchpoint (what they talk about) and details (minutes waited, amounts, staff names,
the hotel). The tone follows the score: detractors complain about specific things,
passives mix praise and a complaint, promoters praise.
"""

from __future__ import annotations

import random

from centric.demo.company import COMPANY, COMPANY_ZH, STAY_TPS, Hotel
from centric.demo.phrases import (
    ASKS,
    ASPECTS,
    CALL_ACTIONS,
    CALL_NOTES,
    CONSEQUENCES,
    FRAMES,
    PRAISE,
    SOCIAL_TAGS,
    STAFF_EN,
    STAFF_ZH,
    TICKET_CLOSERS,
    TICKET_OPENERS,
    TIMES_EN,
    TIMES_ZH,
)

TONES = ("neg", "mixed", "pos")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tidy(text: str) -> str:
    return " ".join(text.split()).replace(" .", ".").replace("..", ".").replace("!.", "!").strip()


class CommentWriter:
    """Seeded text generation; the same seed writes the same texts in the same order."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def _details(self, hotel: Hotel, nights: int) -> dict[str, object]:
        r = self._random
        amount = r.choice((45, 60, 85, 120, 150, 180, 240, 320, 410))
        return {
            "minutes": r.choice((20, 25, 30, 35, 40, 45, 50, 60, 75)), "n": r.choice((2, 3, 4, 5)),
            "days": r.choice((3, 5, 7, 10, 12, 14, 21)), "amount": amount, "amount_cny": amount * 9,
            "time": r.choice(TIMES_EN), "time_zh": r.choice(TIMES_ZH), "staff_en": r.choice(STAFF_EN),
            "staff_zh": r.choice(STAFF_ZH), "room": r.randint(3, 28) * 100 + r.randint(1, 40),
            "nights": nights, "hotel": hotel.name, "hotel_zh": hotel.name_zh,
            "company": COMPANY, "company_zh": COMPANY_ZH,
        }

    def _aspects(self, touchpoint: str, tone: str, language: str, details: dict, count: int) -> list[str]:
        """``count`` different clauses; small pools borrow from another part of the stay."""
        pool = list(ASPECTS[touchpoint][tone][language])
        self._random.shuffle(pool)
        chosen = pool[:1] if len(pool) < 4 else pool[:count]
        while len(chosen) < count:
            other = self._random.choice([k for k in STAY_TPS if k != touchpoint])
            chosen.append(self._random.choice(ASPECTS[other][tone][language]))
        return [a.format(**details) for a in chosen]

    def comment(self, touchpoint: str, tone: str, language: str, hotel: Hotel, nights: int = 2) -> str:
        """An answer to "what is the main reason for your score?"."""
        r = self._random
        details = self._details(hotel, nights)
        negative = "pos" if tone == "pos" else "neg"
        a, a2 = self._aspects(touchpoint, negative, language, details, 2)
        # Passives praise another part of the stay and complain about this one.
        elsewhere = r.choice([k for k in STAY_TPS if k != touchpoint])
        b = self._aspects(elsewhere, "pos", language, details, 1)[0] if tone == "mixed" else ""
        text = r.choice(FRAMES[tone][language]).format(
            a=a, A=_capital(a), a2=a2, A2=_capital(a2), b=b, B=_capital(b),
            consequence=r.choice(CONSEQUENCES[language]), ask=r.choice(ASKS[language]),
            praise=r.choice(PRAISE[language]), **details,
        )
        return _tidy(text)

    def ticket(self, touchpoint: str, language: str, hotel: Hotel, reference: str) -> str:
        """A message opened on the helpdesk or in live chat (mostly a complaint)."""
        r = self._random
        details = self._details(hotel, r.randint(1, 5))
        tone = "neg" if r.random() < 0.88 else "pos"  # now and then someone writes to say thanks
        opener = r.choice(TICKET_OPENERS[language])
        aspect = self._aspects(touchpoint, tone, language, details, 1)[0]
        if not opener and language == "en":
            aspect = _capital(aspect)
        stop = "。" if language == "zh" else ". "
        closer = r.choice(TICKET_CLOSERS[tone][language]).format(ref=reference)
        return _tidy(f"{opener}{aspect}{stop}{closer}")

    def call_note(self, touchpoint: str, language: str, hotel: Hotel) -> str:
        """A call-centre agent's note about the call."""
        r = self._random
        details = self._details(hotel, r.randint(1, 5))
        aspect = self._aspects(touchpoint, "neg", language, details, 1)[0]
        action = r.choice(CALL_ACTIONS[language]).format(**details)
        return _tidy(r.choice(CALL_NOTES[language]).format(a=aspect, action=action))

    def review(self, touchpoints: tuple[str, str], tone: str, language: str, hotel: Hotel, nights: int) -> str:
        """A public review: two comments about two parts of the stay."""
        first = self.comment(touchpoints[0], tone, language, hotel, nights)
        second = self.comment(touchpoints[1], tone if tone != "mixed" else "pos", language, hotel, nights)
        return first + ("" if language == "zh" else " ") + second

    def social(self, touchpoint: str, tone: str, language: str, hotel: Hotel) -> str:
        """A short public post mentioning the brand."""
        r = self._random
        text = self.comment(touchpoint, tone, language, hotel)
        tag = r.choice(SOCIAL_TAGS["neg" if tone == "neg" else "pos"][language])
        if language == "zh":
            return _tidy(f"{tag}{text}")
        return _tidy(f"@HarbourPine {text} {tag}")
