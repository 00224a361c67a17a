"""HTML pages of the closed loop: the loop KPIs and the root causes by revenue at risk (no customer PII)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from centric.accounts.models import Team
from centric.errors import Invalid
from centric.loop import kpis, outer
from centric.loop.kpi_schemas import RootCauseImpact
from centric.web import exports
from centric.web.deps import MAX_ID, CanReadMetrics, DbSession, form_day
from centric.web.templating import render

router = APIRouter()



def _team(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(f"team: expected a team id (a positive whole number), got {value[:40]!r}", field="team")
    return int(value)


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@router.get("/loop", response_class=HTMLResponse)
def loop_page(request: Request, session: DbSession, caller: CanReadMetrics,
              since: str | None = Query(None, max_length=40), until: str | None = Query(None, max_length=40),
              team: str | None = Query(None, max_length=40)) -> Response:
    """The closed loop at a glance: KPIs with intervals, SLA by team, root causes by revenue at risk."""
    first, last, team_id = form_day(since, "since"), form_day(until, "until"), _team(team)
    end = _midnight(last + timedelta(days=1)) if last else None  # the until day counts in full
    figures = kpis.loop_kpis(session, since=_midnight(first), until=end, team_id=team_id)
    causes = outer.root_cause_impact(session, since=figures.since, until=figures.until)
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("root-causes", causes, exports.columns_of(RootCauseImpact)), fmt)
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    shown_until = last or figures.until.date()
    return render(request, "loop/kpis.html", caller=caller, k=figures, causes=causes, teams=teams,
                  team_id=team_id, since=figures.since.date().isoformat(), until=shown_until.isoformat())
