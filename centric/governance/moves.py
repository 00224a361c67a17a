"""Biggest moves: NPS, CSAT and CES per touchpoint, this period against the one before, with significance.

Every score comes from the sufficient statistics of :func:`centric.insights.service.metric`
(two queries per metric and period: twelve in all, however many touchpoints). Each
touchpoint × metric is tested against its own previous period of equal length (NPS:
z-test with trinomial variances, Rocks 2016; CSAT: pooled two-proportion z-test with a
Newcombe interval; CES: Welch's t-test). Because many moves are tested at once, the
p-values are adjusted together with Holm's step-down procedure (Holm 1979), which
controls the chance of calling any move significant by luck at ``alpha``.

"Biggest" compares across metrics on a common footing: the absolute difference as a
share of the scale's range (NPS 200 points, CSAT 100 percentage points, CES 6 points).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.governance.digest_schemas import Move, Moves
from centric.insights.comparisons import compare, sufficient
from centric.insights.schemas import MetricKind, MetricRow
from centric.insights.service import MetricFilter, metric
from centric.stats import Comparison, adjust_p_values

METRICS: tuple[MetricKind, ...] = ("nps", "csat", "ces")
RANGES: dict[str, float] = {"nps": 200.0, "csat": 100.0, "ces": 6.0}
COMPANY = "All touchpoints"
ALPHA = 0.05
METHOD = ("Each touchpoint and metric against its previous period of equal length (NPS: z-test, trinomial "
          "variances; CSAT: pooled z-test, Newcombe interval; CES: Welch t-test); p-values Holm-adjusted "
          "across all moves tested together; significant moves first, biggest first (|difference| as a share of the "
          "scale's range), then the others by p-value.")


def _order(move: Move) -> tuple:
    """Significant moves first, biggest first; then the others by the strength of their evidence.

    Sorting noise by size would put a touchpoint with one answer on each side on top.
    """
    size = -abs(move.difference or 0.0) / RANGES[move.metric]
    if move.significant:
        return (0, size, 0.0, move.metric, move.touchpoint)
    return (1, move.p_value, size, move.metric, move.touchpoint)


def biggest_moves(session: Session, *, start: date, end: date, touchpoints: Collection[str] | None = None,
                  metrics: Sequence[MetricKind] = METRICS, limit: int = 5, alpha: float = ALPHA,
                  only_significant: bool = False) -> Moves:
    """The biggest moves of [start, end) against [start − (end − start), start).

    ``touchpoints`` (names) restricts the moves to those touchpoints (an owner's); None
    means every touchpoint plus the company as a whole. A move needs answers in both
    periods (else no test is possible and it is left out of the family). The adjustment
    covers every move tested, also those not returned.
    """
    if end <= start:
        raise Invalid("end must be after start", field="end")
    if limit < 1:
        raise Invalid("limit must be at least 1", field="limit")
    previous_start = start - (end - start)
    tested: list[tuple[str, str, MetricRow | None, MetricRow | None, Comparison]] = []
    for kind in metrics:
        now = metric(session, kind, "touchpoint", MetricFilter(start=start, end=end))
        before = metric(session, kind, "touchpoint", MetricFilter(start=previous_start, end=start))
        current = {r.group: r for r in now.rows}
        previous = {r.group: r for r in before.rows}
        if touchpoints is None:
            current[COMPANY], previous[COMPANY] = now.overall, before.overall
        names = sorted(set(current) | set(previous))
        if touchpoints is not None:
            names = [name for name in names if name in touchpoints]
        for name in names:
            a, b = current.get(name), previous.get(name)
            result = compare(kind, sufficient(kind, a), sufficient(kind, b))
            if result.p_value is not None and result.difference is not None:
                tested.append((kind, name, a, b, result))
    adjusted = adjust_p_values([t[4].p_value or 0.0 for t in tested], method="holm")
    moves = [
        Move(metric=kind, touchpoint=name, current=a.value if a else None, previous=b.value if b else None,
             difference=result.difference, low=result.low, high=result.high, p_value=result.p_value,
             adjusted_p_value=adj, significant=adj < alpha, n_current=a.n if a else 0,
             n_previous=b.n if b else 0, method=result.method)
        for (kind, name, a, b, result), adj in zip(tested, adjusted, strict=True)
    ]
    if only_significant:
        moves = [m for m in moves if m.significant]
    moves.sort(key=_order)
    return Moves(start=start, end=end, previous_start=previous_start, tested=len(tested), alpha=alpha,
                 correction="Holm-Bonferroni", rows=moves[:limit], method=METHOD)

