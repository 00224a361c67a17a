"""Which groups of anonymous answers may be published: a minimum group size with complementary suppression.

The rules of statistical disclosure control for tables of counts and sums (Hundepool et
al., *Statistical Disclosure Control*, Wiley 2012, ch. 4 and 5: threshold rule, secondary
or "complementary" suppression), applied to survey groups such as teams and locations:

1. **Threshold**: a group is published only with at least ``k`` respondents.
2. **Differencing between two aggregates**: for any two published groups A ⊋ B, the
   respondents in A but not in B number 0 or at least ``k`` — else B is suppressed (the
   sum of A minus the sum of B would describe fewer than ``k`` people, e.g. one).
3. **Totals minus visible siblings**: within a hierarchy (company → team), a published
   group minus all its published sub-groups leaves 0 or at least ``k`` respondents — else
   the smallest published sub-group (and everything under it) is suppressed too, so that
   the hidden ones can only be seen together, as ≥ ``k`` people.

What remains of a published group once its published sub-groups are taken out (rule 3's
"remainder") is itself safe to show: it is how small groups are *merged upwards* ("other
teams combined"). Groups are sets of respondent ids; nothing here sees an answer's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_K = 3


@dataclass(frozen=True)
class Group:
    """A candidate aggregate: its key, its parent (None for a root), its respondents, and its breakdown.

    ``dimension`` names the breakdown the group belongs to ("team", "location"): the
    sub-groups of one dimension partition their parent, so rule 3 is applied per dimension.
    """

    key: str
    parent: str | None
    members: frozenset[int]
    dimension: str = ""


@dataclass(frozen=True)
class Publication:
    """The groups that may be shown, why the others may not, and each published group's safe remainder."""

    k: int
    published: tuple[str, ...]
    suppressed: dict[str, str]
    # published key → dimension → respondents in no published sub-group of that dimension (0 or ≥ k)
    remainders: dict[str, dict[str, int]]

    def allows(self, key: str) -> bool:
        return key in self.remainders


def publishable(groups: Sequence[Group], k: int = 5) -> Publication:
    """Apply the threshold, differencing and complementary-suppression rules (module docstring)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be a whole number of at least {MIN_K}, got {k!r}")
    by_key = {g.key: g for g in groups}
    if len(by_key) != len(groups):
        raise ValueError("group keys must be unique")
    for g in groups:
        if g.parent is not None and g.parent not in by_key:
            raise ValueError(f"group {g.key!r} names an unknown parent {g.parent!r}")
    children: dict[str, list[str]] = {key: [] for key in by_key}
    for g in groups:
        if g.parent is not None:
            children[g.parent].append(g.key)
    suppressed: dict[str, str] = {}
    for g in groups:
        if len(g.members) < k:
            suppressed[g.key] = f"fewer than {k} respondents"
    while True:
        changed = _fix_remainders(by_key, children, suppressed, k) or _fix_pairs(by_key, suppressed, k)
        if not changed:
            break
    published = tuple(g.key for g in groups if g.key not in suppressed)
    remainders = {key: {d: len(_remainder(key, d, by_key, children, suppressed))
                        for d in _dimensions(key, by_key, children)} for key in published}
    return Publication(k=k, published=published, suppressed=suppressed, remainders=remainders)


def _dimensions(key: str, by_key: dict[str, Group], children: dict[str, list[str]]) -> list[str]:
    return sorted({by_key[child].dimension for child in children[key]})


def _frontier(key: str, dimension: str, by_key: dict[str, Group], children: dict[str, list[str]],
              suppressed: dict[str, str]) -> list[str]:
    """The published sub-groups of ``key`` in ``dimension`` not inside another published sub-group."""
    out: list[str] = []
    stack = [c for c in children[key] if by_key[c].dimension == dimension]
    while stack:
        child = stack.pop()
        if child in suppressed:
            stack.extend(children[child])
        else:
            out.append(child)
    return out


def _remainder(key: str, dimension: str, by_key: dict[str, Group], children: dict[str, list[str]],
               suppressed: dict[str, str]) -> frozenset[int]:
    covered: set[int] = set()
    for child in _frontier(key, dimension, by_key, children, suppressed):
        covered |= by_key[child].members
    return by_key[key].members - covered


def _suppress_subtree(key: str, children: dict[str, list[str]], suppressed: dict[str, str], reason: str) -> None:
    stack = [key]
    while stack:
        current = stack.pop()
        suppressed.setdefault(current, reason)
        stack.extend(children[current])


def _fix_remainders(by_key: dict[str, Group], children: dict[str, list[str]], suppressed: dict[str, str],
                    k: int) -> bool:
    """Rule 3, for one published group at a time; True when something was suppressed."""
    for key in by_key:
        if key in suppressed:
            continue
        for dimension in _dimensions(key, by_key, children):
            if _suppress_one(key, dimension, by_key, children, suppressed, k):
                return True
    return False


def _suppress_one(key: str, dimension: str, by_key: dict[str, Group], children: dict[str, list[str]],
                  suppressed: dict[str, str], k: int) -> bool:
    """Rule 3 for one group and dimension: suppress the smallest shown part when the rest is too small."""
    left = len(_remainder(key, dimension, by_key, children, suppressed))
    if not 0 < left < k:
        return False
    frontier = _frontier(key, dimension, by_key, children, suppressed)
    smallest = min(frontier, key=lambda c: (len(by_key[c].members), c))
    _suppress_subtree(smallest, children, suppressed,
                      f"complementary: with it shown, {key} minus its shown parts would describe "
                      f"{left} respondent{'s' if left != 1 else ''}")
    return True


def _fix_pairs(by_key: dict[str, Group], suppressed: dict[str, str], k: int) -> bool:
    """Rule 2, over every pair of published groups (any hierarchy); True when something was suppressed."""
    shown = sorted((g for g in by_key.values() if g.key not in suppressed), key=lambda g: (-len(g.members), g.key))
    for i, big in enumerate(shown):
        for small in shown[i + 1:]:
            if small.members < big.members and len(big.members - small.members) < k:
                suppressed[small.key] = (f"complementary: {big.key} minus it would describe "
                                         f"{len(big.members - small.members)} respondent(s)")
                return True
    return False
