"""Measured impact of a done initiative, and the money its effect is worth.

Measured: difference-in-differences (:func:`centric.stats.diff_in_diff`) of the target
metric's per-response values on the initiative's linked touchpoints (treated) against every
other touchpoint with answers in both windows (controls), over ``window`` days before the
day it was done and up to ``window`` days from that day. Observational, not causal: the
assumptions travel with the number (:data:`ASSUMPTIONS`).

Money: the ROI module (:func:`centric.insights.value.roi_report`) gives the churn rate and
mean value of detractors and passives. A change of Δd percentage points in the detractor
share, read as detractors becoming passives, changes churn by Δd × (churn_d − churn_p) and
revenue at risk by Δd × customers × mean value_d × (churn_d − churn_p) per year, where
customers = distinct respondents at the linked touchpoints in a year.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from centric.accounts.models import AppSetting
from centric.db import utcnow
from centric.errors import CentricError, Invalid
from centric.governance.models import Initiative, InitiativeImpact, InitiativeLink
from centric.insights.value import purchases_from_events, roi_report
from centric.stats import diff_in_diff, nps_contributions
from centric.stats.scales import DETRACTOR_MAX
from centric.surveys.models import Answer, Response

WINDOW_DAYS = 90
MEASURED_METRICS = ("nps", "csat", "ces")
CSAT_TOP_BOX = 4  # top-2-box of a 1–5 CSAT scale
ASSUMPTIONS = (
    "Observational, not causal: nobody was randomised to the change.",
    "Parallel trends: without the initiative the linked touchpoints would have moved like the controls.",
    "No spill-over: the change did not reach the control touchpoints.",
    "Stable mix: the kind of respondents at each touchpoint did not change between the windows.",
    "Other changes at the same time are not controlled for.",
)
BASIS_KEY = "governance.value_basis"
UNITS = {"nps": "NPS points", "csat": "percentage points of satisfied (top-2-box)", "ces": "CES points (1–7)"}


@dataclass(frozen=True)
class ValueBasis:
    """Per-customer churn and value of detractors vs passives (from the ROI module), or why there is none."""

    churn_detractor: float | None  # percent
    churn_passive: float | None
    value_detractor: float | None  # mean value of a detractor (revenue of 12 months)
    reason: str

    @property
    def usable(self) -> bool:
        return None not in (self.churn_detractor, self.churn_passive, self.value_detractor)

    def revenue_per_year(self, detractor_pp: float, customers: int) -> float | None:
        """Change in revenue at risk per year when the detractor share moves by ``detractor_pp`` points."""
        if not self.usable:
            return None
        assert self.churn_detractor is not None and self.churn_passive is not None
        assert self.value_detractor is not None
        return (detractor_pp / 100.0) * customers * self.value_detractor * (
            self.churn_detractor - self.churn_passive) / 100.0

    def churn_pp(self, detractor_pp: float) -> float | None:
        if not self.usable:
            return None
        assert self.churn_detractor is not None and self.churn_passive is not None
        return (detractor_pp / 100.0) * (self.churn_detractor - self.churn_passive)


def value_basis(session: Session) -> ValueBasis:
    """The stored basis (refreshed by every impact measurement and the daily governance job), else computed now.

    Computing it reads every purchase (half a second at 20,000 customers), too slow for each
    view of the board; the figures move slowly, so a day-old basis values expected effects well enough.
    """
    stored = session.get(AppSetting, BASIS_KEY)
    if stored is not None:
        try:
            return ValueBasis(**json.loads(stored.value))
        except (TypeError, ValueError):
            pass  # written by another version: compute it afresh
    return compute_value_basis(session)


def refresh_value_basis(session: Session) -> ValueBasis:
    """Compute the basis and store it for :func:`value_basis` (in the caller's transaction)."""
    basis = compute_value_basis(session)
    fields = asdict(basis)
    fields["reason"] = fields["reason"][:300]
    value = json.dumps(fields)
    stored = session.get(AppSetting, BASIS_KEY)
    if stored is None:
        session.add(AppSetting(key=BASIS_KEY, value=value))
    else:
        stored.value = value
    session.flush()
    return basis


def compute_value_basis(session: Session) -> ValueBasis:
    """What a detractor-to-passive move is worth, from the customers' own purchases and NPS answers."""
    try:
        report = roi_report(session, purchases_from_events(session))
    except (CentricError, ValueError) as exc:
        message = exc.message if isinstance(exc, CentricError) else str(exc)
        return ValueBasis(None, None, None, f"no ROI figures: {message}")
    by = {c.category: c for c in report.roi.categories}
    detractor, passive = by["detractor"], by["passive"]
    if detractor.churn_rate.value is None or passive.churn_rate.value is None or detractor.mean_value.value is None:
        return ValueBasis(None, None, None, "no ROI figures: the ROI report needs both detractors and passives")
    return ValueBasis(detractor.churn_rate.value, passive.churn_rate.value, detractor.mean_value.value,
                      f"ROI of CX {report.period_start}–{report.period_end}: detractor churn "
                      f"{detractor.churn_rate.value:.1f}%, passive churn {passive.churn_rate.value:.1f}%, "
                      f"mean detractor value {detractor.mean_value.value:,.0f}")


def respondents_per_year(session: Session, touchpoints: Iterable[int], metric: str,
                         end: date) -> dict[int, set[int]]:
    """Distinct customers who answered ``metric`` at each touchpoint in the 365 days up to ``end`` (one query)."""
    wanted = sorted(set(touchpoints))
    if not wanted:
        return {}
    start = _at(end - timedelta(days=365))
    rows = session.execute(
        select(Response.touchpoint_id, Response.customer_id).distinct()
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.metric == metric, Answer.number.is_not(None), Response.customer_id.is_not(None),
               Response.touchpoint_id.in_(wanted), Response.submitted_at >= start,
               Response.submitted_at < _at(end + timedelta(days=1)))
    ).all()
    out: dict[int, set[int]] = {}
    for touchpoint, customer in rows:
        if touchpoint is not None and customer is not None:
            out.setdefault(touchpoint, set()).add(customer)
    return out


def expected_value(initiative: Initiative, touchpoints: Sequence[int], reach: dict[int, set[int]],
                   basis: ValueBasis) -> tuple[float | None, str]:
    """The expected NPS gain in revenue protected per year (positive: good), and how (or why not)."""
    if initiative.expected_effect is None:
        return None, "no expected effect given"
    if initiative.metric != "nps":
        return None, f"only NPS effects are valued (the ROI module values NPS categories), not {initiative.metric}"
    if not touchpoints:
        return None, "link touchpoints to value the effect"
    if not basis.usable:
        return None, basis.reason
    customers = len(set().union(*(reach.get(t, set()) for t in touchpoints)))
    at_risk = basis.revenue_per_year(-initiative.expected_effect, customers)
    assert at_risk is not None
    return -at_risk, (f"+{initiative.expected_effect:g} NPS read as detractors becoming passives, over {customers} "
                      f"customers a year at the linked touchpoints; {basis.reason}")


# --- measuring -----------------------------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min)


def per_response(metric: str, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-response values whose mean is the metric: NPS contributions, CSAT 0/100 top-box, CES the score."""
    if metric == "nps":
        return nps_contributions(np.clip(scores, 0, 10))
    if metric == "csat":
        return np.where(scores >= CSAT_TOP_BOX, 100.0, 0.0)
    return scores


def measure(session: Session, initiative: Initiative, *, window: int = WINDOW_DAYS,
            today: date | None = None, n_boot: int = 2000, seed: int = 0) -> InitiativeImpact:
    """Compute (and store, replacing any earlier one) the impact of a done initiative."""
    if initiative.status != "done" or initiative.done_on is None:
        raise Invalid("impact is measured once an initiative is done", field="status")
    if window < 7:
        raise Invalid("the window must be at least 7 days", field="window")
    today = today or utcnow().date()
    done_on = initiative.done_on
    before_start, after_end = done_on - timedelta(days=window), min(done_on + timedelta(days=window),
                                                                     today + timedelta(days=1))
    treated = set(session.scalars(select(InitiativeLink.ref_id).where(
        InitiativeLink.initiative_id == initiative.id, InitiativeLink.kind == "touchpoint")))
    detail: dict = {"window_days": window, "before": [str(before_start), str(done_on - timedelta(days=1))],
                    "after": [str(done_on), str(after_end - timedelta(days=1))], "treated_touchpoints": sorted(treated),
                    "assumptions": list(ASSUMPTIONS), "unit": UNITS.get(initiative.metric, initiative.metric)}
    impact = InitiativeImpact(initiative_id=initiative.id, metric=initiative.metric, n_treated=0, n_control=0,
                              computed_at=utcnow())
    if initiative.metric not in MEASURED_METRICS:
        detail["reason"] = f"{initiative.metric} is not measured from survey answers; only NPS, CSAT and CES are"
    elif not treated:
        detail["reason"] = "link the touchpoints the initiative changed: they are the treated scope"
    elif after_end <= done_on:
        detail["reason"] = "the initiative is done in the future; nothing to measure yet"
    else:
        _estimate(session, initiative, impact, detail, treated, before_start, after_end, n_boot, seed)
    impact.detail = detail
    session.execute(delete(InitiativeImpact).where(InitiativeImpact.initiative_id == initiative.id))
    session.add(impact)
    session.flush()
    return impact


def _estimate(session: Session, initiative: Initiative, impact: InitiativeImpact, detail: dict, treated: set[int],
              before_start: date, after_end: date, n_boot: int, seed: int) -> None:
    done_on = initiative.done_on
    assert done_on is not None
    rows = session.execute(
        select(Response.touchpoint_id, Response.submitted_at, Answer.number)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.metric == initiative.metric, Answer.number.is_not(None), Response.touchpoint_id.is_not(None),
               Response.submitted_at >= _at(before_start), Response.submitted_at < _at(after_end))
    ).all()
    touchpoint = np.asarray([r[0] for r in rows], dtype=np.int64)
    after = np.asarray([r[1] >= _at(done_on) for r in rows], dtype=bool)
    values = per_response(initiative.metric, np.asarray([r[2] for r in rows], dtype=np.float64))
    is_treated = np.isin(touchpoint, sorted(treated))
    # Controls: untouched touchpoints with answers in both windows.
    both = set(touchpoint[~is_treated & ~after].tolist()) & set(touchpoint[~is_treated & after].tolist())
    is_control = np.isin(touchpoint, sorted(both))
    result = diff_in_diff(values[is_treated & ~after], values[is_treated & after], values[is_control & ~after],
                          values[is_control & after], n_boot=n_boot, seed=seed)
    impact.effect, impact.low, impact.high = result.effect, result.low, result.high
    impact.n_treated, impact.n_control = result.n_treated, result.n_control
    impact.method = result.method
    detail.update({"control_touchpoints": sorted(both), "cells": {
        "treated_before": {"mean": result.treated_before, "n": result.n_treated_before},
        "treated_after": {"mean": result.treated_after, "n": result.n_treated_after},
        "control_before": {"mean": result.control_before, "n": result.n_control_before},
        "control_after": {"mean": result.control_after, "n": result.n_control_after}}})
    if result.effect is None:
        detail["reason"] = ("not enough answers: every cell (linked and control touchpoints, before and after) "
                            "needs at least two")
        return
    if initiative.metric != "nps":
        detail["money"] = "churn and revenue are translated from NPS categories only (the ROI module's basis)"
        return
    detractor = np.where(np.asarray([r[2] for r in rows], dtype=np.float64) <= DETRACTOR_MAX, 100.0, 0.0)
    share = diff_in_diff(detractor[is_treated & ~after], detractor[is_treated & after],
                         detractor[is_control & ~after], detractor[is_control & after], n_boot=n_boot, seed=seed)
    detail["detractor_share_change"] = {"effect": share.effect, "low": share.low, "high": share.high}
    basis = refresh_value_basis(session)
    if share.effect is None or not basis.usable:
        detail["money"] = basis.reason
        return
    reach = respondents_per_year(session, treated, initiative.metric, after_end - timedelta(days=1))
    customers = len(set().union(*reach.values())) if reach else 0
    impact.churn_effect = basis.churn_pp(share.effect)
    impact.revenue_effect = basis.revenue_per_year(share.effect, customers)
    detail["money"] = (f"detractor share changed {share.effect:+.1f} points (read as detractors becoming passives) "
                       f"over {customers} customers a year at the linked touchpoints; {basis.reason}")
