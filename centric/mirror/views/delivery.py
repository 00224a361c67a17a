"""HTML pages of the delivery gap and the EX ↔ CX linkage (``mirror:read``)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from centric import i18n
from centric.errors import Invalid
from centric.mirror import gap, linkage
from centric.mirror.report_schemas import DeliveryGap, Figure, TeamLinkage
from centric.web import exports
from centric.web.deps import AppSettings, CanReadMirror, DbSession, form_day
from centric.web.templating import page_locale, render

router = APIRouter()



@router.get("/mirror/gap", response_class=HTMLResponse)
def gap_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
             since: str | None = Query(None, max_length=40),
             until: str | None = Query(None, max_length=40)) -> Response:
    with i18n.use_locale(page_locale(request, caller.user)):  # the headline and notes in the page's language
        report = gap.delivery_gap(session, since=form_day(since, "since"), until=form_day(until, "until"),
                                  k=settings.mirror_min_group)
    if fmt := exports.requested(request):
        return exports.respond(_gap_table(request.query_params.get("table") or "company", report), fmt)
    return render(request, "mirror/gap.html", caller=caller, r=report)


@router.get("/mirror/linkage", response_class=HTMLResponse)
def linkage_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMirror,
                 since: str | None = Query(None, max_length=40),
                 until: str | None = Query(None, max_length=40)) -> Response:
    with i18n.use_locale(page_locale(request, caller.user)):
        report = linkage.linkage(session, since=form_day(since, "since"), until=form_day(until, "until"),
                                 k=settings.mirror_min_group)
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("ex-cx-linkage", report.teams, LINKAGE_COLUMNS), fmt)
    return render(request, "mirror/linkage.html", caller=caller, r=report)


# A staff group under k is never in a file: its row is left out, as the page shows no figure for it.
GAP_COLUMNS: tuple[exports.Column, ...] = (
    "scope", "key", "name", "metric", "predicted", "actual", "gap", "low", "high", "n_staff", "n_customers",
    "overestimates", "clearly_overestimates", "note")
GAP_TABLES = ("company", "teams", "touchpoints")


def _gap_table(name: str, report: DeliveryGap) -> exports.Table:
    """One table of the delivery gap page (``company``, ``teams`` or ``touchpoints``), shown rows only."""
    if name not in GAP_TABLES:
        raise Invalid(f"table: expected company, teams or touchpoints, got {name[:20]!r}", field="table")
    rows = [row for row in getattr(report, name) if row.shown]
    return exports.table_of(f"delivery-gap-{name}", rows, GAP_COLUMNS)


def _figure(name: str, part: str) -> exports.Column:
    def cell(team: TeamLinkage) -> object:
        figure: Figure | None = getattr(team, name)
        return None if figure is None else getattr(figure, part)
    return f"{name}_{part}" if part != "value" else name, cell


# A team's eNPS and engagement are blank where its staff group is under k (the page says "hidden").
LINKAGE_COLUMNS: tuple[exports.Column, ...] = (
    "team_id", "team", "ex_shown",
    *(_figure(name, part) for name in ("enps", "engagement", "nps", "csat") for part in ("value", "low", "high", "n")),
    "cx_change", "cx_trend",
    *(_figure(name, part) for name in ("recovery_rate", "sla_hit_rate", "contacted_48h") for part in ("value", "n")),
    "quadrant", "flagged")
