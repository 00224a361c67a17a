"""DICE: the hard factors of a change project (Sirkin, Keenan & Jackson, "The Hard Side of
Change Management", Harvard Business Review, October 2005).

Each factor is rated 1 (best) to 4 (worst):

* **D**uration — time between formal reviews of the project (1: under two months);
* **I**ntegrity — the team's ability to finish on time (1: a capable, respected leader and team);
* senior **C**ommitment (C1) — top management clearly communicates the need for the change;
* local **C**ommitment (C2) — the people affected embrace it;
* **E**ffort — extra work the change asks of staff (1: under 10% more).

Score = D + 2·I + 2·C1 + C2 + E, from 7 to 28. Zones: *win* (7–14, likely to succeed),
*worry* (15–17), *woe* (over 17, unpredictable or doomed).
"""

from __future__ import annotations

from dataclasses import dataclass

from centric.errors import Invalid
from centric.i18n import N_

FACTORS = ("duration", "integrity", "senior_commitment", "local_commitment", "effort")
WEIGHTS = {"duration": 1, "integrity": 2, "senior_commitment": 2, "local_commitment": 1, "effort": 1}
WIN_MAX = 14
WORRY_MAX = 17
METHOD = N_("DICE (Sirkin, Keenan & Jackson, HBR 2005): score = D + 2·I + 2·C1 + C2 + E, each factor 1 (best) "
            "to 4 (worst); win ≤ 14, worry 15–17, woe > 17")


@dataclass(frozen=True)
class Dice:
    duration: int
    integrity: int
    senior_commitment: int
    local_commitment: int
    effort: int
    score: int
    zone: str


def check_factor(name: str, value: object) -> int:
    """``value`` as a whole number 1..4, else :class:`Invalid` naming the factor."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid(f"{name} must be a whole number from 1 to 4", field=name)
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"{name} must be a whole number from 1 to 4, got {value!r}", field=name) from None
    if number != number or number != int(number) or not 1 <= number <= 4:
        raise Invalid(f"{name} must be a whole number from 1 to 4, got {value!r}", field=name)
    return int(number)


def zone(score: int) -> str:
    """``win`` (≤ 14), ``worry`` (15–17) or ``woe`` (> 17) of a score 7..28."""
    if isinstance(score, bool) or not isinstance(score, int) or not 7 <= score <= 28:
        raise Invalid(f"a DICE score runs from 7 to 28, got {score!r}", field="score")
    if score <= WIN_MAX:
        return "win"
    return "worry" if score <= WORRY_MAX else "woe"


def assess(duration: object, integrity: object, senior_commitment: object, local_commitment: object,
           effort: object) -> Dice:
    """Validate the five factors and compute the score and zone."""
    given = {"duration": duration, "integrity": integrity, "senior_commitment": senior_commitment,
             "local_commitment": local_commitment, "effort": effort}
    factors = {name: check_factor(name, given[name]) for name in FACTORS}
    score = sum(WEIGHTS[name] * factors[name] for name in FACTORS)
    return Dice(**factors, score=score, zone=zone(score))
