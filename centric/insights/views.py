"""HTML pages: the overview dashboard and the touchpoint table."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import CentricError, Invalid
from centric.insights import outcomes, reports, value
from centric.insights.comparisons import groups_vs_rest
from centric.insights.drivers import survey_drivers
from centric.insights.schemas import (
    ClvOut,
    Dimension,
    DriverOut,
    MetricKind,
    MetricRow,
    RetentionOut,
    RfmOut,
    RoiOut,
)
from centric.insights.service import metric
from centric.journeys.service import list_touchpoints
from centric.loop.kpi_schemas import RootCauseImpact
from centric.loop.outer import root_cause_impact
from centric.surveys.service import list_surveys
from centric.themes.drivers import theme_drivers
from centric.themes.schemas import InsightFilter
from centric.web import exports
from centric.web.deps import CanReadMetrics, ReadSession
from centric.web.templating import render

router = APIRouter()
KINDS: tuple[MetricKind, ...] = ("nps", "csat", "ces")


def _trend(result) -> dict:
    return {
        "months": [r.group for r in result.rows],
        "value": [r.value for r in result.rows],
        "low": [r.low for r in result.rows],
        "high": [r.high for r in result.rows],
        "n": [r.n for r in result.rows],
    }


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: ReadSession, caller: CanReadMetrics, kind: MetricKind = "nps",
              by: Dimension = "touchpoint") -> Response:
    if fmt := exports.requested(request):
        return exports.respond(breakdown_table(metric(session, kind, by).rows, kind, by), fmt)
    monthly = {k: metric(session, k, "month") for k in KINDS}
    tiles = {k: result.overall for k, result in monthly.items()}
    charts = {k: _trend(result) for k, result in monthly.items()}
    breakdown = metric(session, kind, by)
    return render(request, "dashboard.html", caller=caller, tiles=tiles, charts=charts,
                  breakdown=breakdown.rows, kind=kind, by=by, dimensions=BREAKDOWNS)


METRIC_COLUMNS = ("group", "n", "value", "low", "high", "method", "promoters", "detractors", "satisfied", "mean",
                  "agree_share", "total")


def breakdown_table(rows: list[MetricRow], kind: str, by: str) -> exports.Table:
    """A metric's groups as a table: the score, its interval and the sufficient statistics behind it."""
    return exports.table_of(f"{kind}-by-{by}", rows, METRIC_COLUMNS)


BREAKDOWNS = ("touchpoint", "stage", "journey", "team", "segment", "channel", "survey", "quarter", "month")


@router.get("/touchpoints", response_class=HTMLResponse)
def touchpoints(request: Request, session: ReadSession, caller: CanReadMetrics) -> Response:
    scores = {kind: {r.group: r for r in metric(session, kind, "touchpoint").rows} for kind in KINDS}
    versus = {kind: _attempt(lambda k=kind: {c.group: c for c in groups_vs_rest(session, k, "touchpoint").rows})[0]
              or {} for kind in KINDS}
    rows = [
        {"touchpoint": t, **{kind: scores[kind].get(t.name) for kind in KINDS},
         **{f"{kind}_vs": versus[kind].get(t.name) for kind in KINDS}}
        for t in list_touchpoints(session)
    ]
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("touchpoints", rows, TOUCHPOINT_COLUMNS), fmt)
    return render(request, "touchpoints.html", caller=caller, rows=rows)


TOUCHPOINT_COLUMNS = (
    ("journey", "touchpoint.journey"), ("stage", "touchpoint.stage"), ("touchpoint", "touchpoint.name"),
    ("key", "touchpoint.key"), ("channel", "touchpoint.channel"), ("owner_team", "touchpoint.owner_team"),
    ("owner", "touchpoint.owner"),
    *((f"{kind}_{part}", f"{kind}.{part}") for kind in KINDS for part in ("value", "low", "high", "n")),
    *((f"{kind}_vs_rest", f"{kind}_vs.difference") for kind in KINDS),
    *((f"{kind}_vs_rest_significant", f"{kind}_vs.significant") for kind in KINDS),
)


def _attempt(compute):
    """(result, None) or (None, message): a page shows what it can and says what it cannot."""
    try:
        return compute(), None
    except CentricError as exc:
        return None, exc.message


@router.get("/value", response_class=HTMLResponse)
def customer_value(request: Request, session: ReadSession, caller: CanReadMetrics) -> Response:
    log, problem = _attempt(lambda: value.purchases_from_events(session))
    clv = rfm = churn = retention = None
    if log is not None:
        top = reports.TOP_CUSTOMERS if caller.can(Permission.READ_CUSTOMERS) else 0  # viewers: aggregates only
        clv, problem = _attempt(lambda: reports.clv_out(value.fit_clv(log), top=top))
        rfm = reports.rfm_out(value.rfm_summary(log))
        churn, _ = _attempt(lambda: reports.churn_out(value.churn_report(log)))
        retention = reports.retention_out(value.retention_report(log))
    if fmt := exports.requested(request):
        return exports.respond(_value_table(request.query_params.get("table") or "rfm", clv, rfm, retention,
                                            problem), fmt)
    return render(request, "value.html", caller=caller, problem=problem, clv=clv, rfm=rfm, churn=churn,
                  retention=retention)


def _value_table(name: str, clv: ClvOut | None, rfm: RfmOut | None, retention: RetentionOut | None,
                 problem: str | None) -> exports.Table:
    """One table of the customer value page: ``customers`` (the most valuable; empty for viewers), ``rfm`` or
    ``retention`` (one row per cohort, a column per month after the first purchase)."""
    if name == "customers" and clv is not None:
        return exports.table_of("top-customers", clv.top_customers, (
            "customer_id", "frequency", "probability_alive", "expected_purchases", "clv"))
    if name == "rfm" and rfm is not None:
        return exports.table_of("rfm", rfm.segments.items(), (
            ("segment", lambda s: s[0]), ("customers", lambda s: s[1]),
            ("mean_spend", lambda s: rfm.mean_monetary.get(s[0]))))
    if name == "retention" and retention is not None:
        months = max((len(row) for row in retention.shares), default=0)
        return exports.table_of("retention", range(len(retention.cohorts)), (
            ("cohort", lambda i: retention.cohorts[i]), ("size", lambda i: retention.sizes[i]),
            *((f"month_{k}", lambda i, k=k: _at(retention.shares[i], k)) for k in range(months))))
    if name not in ("customers", "rfm", "retention"):
        raise Invalid(f"table: expected customers, rfm or retention, got {name[:20]!r}", field="table")
    raise Invalid(problem or f"no {name} table: no purchases yet")


def _at(values: list[float | None], index: int) -> float | None:
    return values[index] if index < len(values) else None


@router.get("/roi", response_class=HTMLResponse)
def roi(request: Request, session: ReadSession, caller: CanReadMetrics) -> Response:
    report, problem = _attempt(lambda: reports.roi_out(
        value.roi_report(session, value.purchases_from_events(session))))
    if fmt := exports.requested(request):
        return exports.respond(_roi_table(session, request.query_params.get("table") or "categories", report,
                                          problem), fmt)
    growth, growth_problem = _attempt(lambda: reports.earned_growth_out(
        value.earned_growth_report(session, value.purchases_from_events(session))))
    return render(request, "roi.html", caller=caller, report=report, problem=problem, growth=growth,
                  growth_problem=growth_problem, root_causes=_top_root_causes(session))


ROI_COLUMNS: tuple[exports.Column, ...] = (
    "category", ("customers", "n"), ("churn_rate", "churn_rate.value"), ("churn_rate_low", "churn_rate.low"),
    ("churn_rate_high", "churn_rate.high"), ("mean_value", "mean_value.value"), ("mean_value_low", "mean_value.low"),
    ("mean_value_high", "mean_value.high"), "total_value")


def _roi_table(session: Session, name: str, report: RoiOut | None, problem: str | None) -> exports.Table:
    """One table of the ROI page: NPS ``categories`` with churn and value, or the top ``root-causes``."""
    if name == "root-causes":
        return exports.table_of("root-causes", _top_root_causes(session), exports.columns_of(RootCauseImpact))
    if name != "categories":
        raise Invalid(f"table: expected categories or root-causes, got {name[:20]!r}", field="table")
    if report is None:
        raise Invalid(problem or "no ROI report: no purchases yet")
    return exports.table_of("roi-categories", report.categories, ROI_COLUMNS)


@router.get("/drivers", response_class=HTMLResponse)
def drivers(request: Request, session: ReadSession, caller: CanReadMetrics,
            survey: str | None = Query(default=None, max_length=80),
            by: Literal["items", "touchpoints", "themes", "churn"] = "items") -> Response:
    surveys, _ = list_surveys(session)
    chosen = survey or _default_driver_survey(surveys, by)
    result, problem = (None, "No survey has rated items besides its main question yet.")
    if by == "themes":
        result, problem = _attempt(lambda: reports.theme_drivers_out(theme_drivers(session, InsightFilter())))
    elif by == "churn":
        result, problem = _attempt(lambda: reports.drivers_out("churn", outcomes.churn_driver_analysis(
            session, value.purchases_from_events(session))))
    elif chosen:
        analyse = survey_drivers if by == "items" else outcomes.touchpoint_drivers
        result, problem = _attempt(lambda: reports.drivers_out(chosen, analyse(session, chosen)))
    if fmt := exports.requested(request):
        if result is None:
            raise Invalid(problem or "no driver analysis for these choices")
        return exports.respond(exports.table_of(f"drivers-{by}", result.drivers, exports.columns_of(DriverOut)), fmt)
    points = [d.model_dump() for d in result.drivers] if result else []
    return render(request, "drivers.html", caller=caller, surveys=surveys, chosen=chosen, result=result,
                  problem=problem, drivers_points=points, by=by, root_causes=_top_root_causes(session))


def _default_driver_survey(surveys: list, by: str) -> str | None:
    """Touchpoints drive the relationship survey (one without a touchpoint); items need several rated questions."""
    if by == "touchpoints":
        return next((s.key for s in surveys if s.kind == "nps" and not s.touchpoint), None)
    return next((s.key for s in surveys if sum(
        q.get("type") in ("rating", "csat", "ces", "nps") for q in s.questions) > 1), None)


TOP_ROOT_CAUSES = 5


def _top_root_causes(session: Session) -> list[RootCauseImpact]:
    """The outer loop beside drivers and ROI: root causes of the last 90 days' closed cases by revenue at risk."""
    return root_cause_impact(session, limit=TOP_ROOT_CAUSES)
