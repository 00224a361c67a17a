"""Themes as key drivers of NPS: which topics in comments move the score.

For every NPS response with an enriched comment, the outcome is its 0-10 score and
each driver is a 0/1 indicator "the comment mentions this top-level theme". The
importance is the theme's share of R² by relative weights with bootstrap intervals
(Johnson 2000, :func:`centric.stats.key_drivers`) — the same analysis as survey items.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.stats import key_drivers
from centric.stats.fitting import ConvergenceError
from centric.themes.insight import nps_scores
from centric.themes.schemas import InsightFilter, ThemeDriver, ThemeDriversOut

MAX_DRIVERS = 12
MIN_MENTIONS = 10


def theme_drivers(session: Session, f: InsightFilter, n_boot: int = 200) -> ThemeDriversOut:
    """Relative importance of the top-level themes for NPS; ``Invalid`` when data are too few."""
    scores = nps_scores(session, f)
    rows = session.execute(
        select(scores.c.rid, scores.c.score, FeedbackTheme.theme_id)
        .join(Feedback, Feedback.response_id == scores.c.rid)
        .outerjoin(FeedbackTheme, FeedbackTheme.feedback_id == Feedback.id)
        .where(Feedback.text_version.is_not(None))
    ).all()
    roots = dict(session.execute(select(Theme.id, Theme.name).where(Theme.parent_id.is_(None))).all())
    outcome: dict[int, float] = {}
    mentions: dict[int, set[int]] = {}
    for rid, score, theme_id in rows:
        outcome[rid] = float(score)
        if theme_id in roots:
            mentions.setdefault(theme_id, set()).add(rid)
    # a theme in (nearly) every comment has no variance to explain anything
    chosen = sorted((t for t, m in mentions.items() if MIN_MENTIONS <= len(m) <= len(outcome) - MIN_MENTIONS),
                    key=lambda t: (-len(mentions[t]), roots[t]))[:MAX_DRIVERS]
    if len(chosen) < 2 or len(outcome) < len(chosen) + 10:
        raise Invalid("too few NPS responses with commented themes for a driver analysis", field="survey")
    ids = sorted(outcome)
    y = np.array([outcome[r] for r in ids])
    x = np.array([[1.0 if r in mentions[t] else 0.0 for t in chosen] for r in ids])
    names = [roots[t] for t in chosen]
    try:
        result = key_drivers(x, y, names, n_boot=n_boot)
    except (ValueError, ConvergenceError) as exc:
        raise Invalid(str(exc), field="survey") from None
    shares = x.mean(axis=0)
    return ThemeDriversOut(
        n=len(ids), r_squared=None if result.r_squared is None else float(result.r_squared),
        drivers=[ThemeDriver(name=d.name, importance=float(d.importance), low=d.low, high=d.high,
                             p_value=d.p_value, mentioned=round(float(shares[names.index(d.name)]), 4))
                 for d in result.drivers],
        method="Relative weights (Johnson 2000) of theme mentions (0/1) on the 0-10 NPS score, "
               "bootstrap 95% intervals.",
    )
