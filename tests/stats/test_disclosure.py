"""Anonymity that holds: no published pair or sum of aggregates describes fewer than k respondents."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centric.stats.disclosure import Group, publishable


def _groups(people: list[tuple[int, int]]) -> list[Group]:
    """Company → teams and company → locations, from (team, location) per respondent."""
    everyone = frozenset(range(len(people)))
    groups = [Group("company", None, everyone)]
    for team in sorted({t for t, _ in people}):
        groups.append(Group(f"team:{team}", "company", frozenset(i for i, (t, _) in enumerate(people) if t == team),
                            "team"))
    for place in sorted({p for _, p in people}):
        groups.append(Group(f"location:{place}", "company",
                            frozenset(i for i, (_, p) in enumerate(people) if p == place), "location"))
    return groups


people_strategy = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), min_size=0, max_size=60)


@settings(max_examples=300, deadline=None)
@given(people=people_strategy, k=st.integers(3, 6))
def test_no_answer_can_be_recovered_from_two_published_aggregates(people, k):
    groups = {g.key: g for g in _groups(people)}
    publication = publishable(list(groups.values()), k)
    shown = [groups[key] for key in publication.published]
    for group in shown:
        assert len(group.members) >= k
    for a, b in combinations(shown, 2):
        big, small = (a, b) if len(a.members) >= len(b.members) else (b, a)
        if small.members <= big.members:
            # sums of the two differ by the answers of big − small: none, or at least k people
            assert len(big.members - small.members) == 0 or len(big.members - small.members) >= k


@settings(max_examples=300, deadline=None)
@given(people=people_strategy, k=st.integers(3, 6))
def test_a_total_minus_any_of_its_visible_parts_describes_none_or_at_least_k(people, k):
    groups = {g.key: g for g in _groups(people)}
    publication = publishable(list(groups.values()), k)
    if not publication.allows("company"):
        return
    company = groups["company"].members
    for dimension in ("team:", "location:"):
        parts = [groups[key].members for key in publication.published if key.startswith(dimension)]
        for size in range(1, len(parts) + 1):
            for chosen in combinations(parts, size):
                left = company - frozenset().union(*chosen)
                assert len(left) == 0 or len(left) >= k
        left = publication.remainders["company"].get(dimension.rstrip(":"), 0)
        assert left == 0 or left >= k


def test_the_classic_attack_on_threshold_only_tables_is_stopped():
    """Team A (6), team B (6) and Ana alone in team C: the company total minus A and B is Ana."""
    people = [(0, 0)] * 6 + [(1, 0)] * 6 + [(2, 0)]
    groups = _groups(people)
    naive = [g.key for g in groups if len(g.members) >= 5]
    assert {"company", "team:0", "team:1"} <= set(naive)  # a threshold alone would show all three
    publication = publishable(groups, 5)
    assert publication.suppressed["team:2"] == "fewer than 5 respondents"
    assert len({"team:0", "team:1"} & set(publication.published)) == 1  # one team hidden as well
    hidden = next(key for key in ("team:0", "team:1") if key not in publication.published)
    assert publication.suppressed[hidden].startswith("complementary")
    assert publication.remainders["company"]["team"] == 7  # the hidden team and Ana, shown only together


def test_a_location_that_is_one_team_plus_one_person_hides_the_team():
    people = [(0, 0)] * 8 + [(1, 0)] + [(1, 1)] * 9
    publication = publishable(_groups(people), 5)
    # location 0 = team 0 plus one person of team 1: showing both would reveal that person
    assert not (publication.allows("location:0") and publication.allows("team:0"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be"):
        publishable([], 2)
    with pytest.raises(ValueError, match="unknown parent"):
        publishable([Group("a", "nowhere", frozenset())], 5)
    with pytest.raises(ValueError, match="unique"):
        publishable([Group("a", None, frozenset()), Group("a", None, frozenset())], 5)
