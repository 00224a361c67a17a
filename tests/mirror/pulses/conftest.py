"""Fixtures of the pulse tests: the API app, tokens per role (hr included), staff and open waves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from centric.accounts.service import create_token
from centric.db import utcnow
from centric.mirror import pulses, staff
from centric.mirror.models import PulseInvitation
from centric.mirror.schemas import EmployeeIn, PulseIn
from tests.api.conftest import app, client, tokens  # noqa: F401
from tests.factories import make_user
from tests.outreach.conftest import smtp  # noqa: F401


@pytest.fixture
def hr_token(db, tokens):  # noqa: F811
    with db.transaction() as s:
        return create_token(s, make_user(s, "hr"), "tests")[1]


def add_staff(db, people: list[tuple[str, str | None, str]], touchpoints: tuple[str, ...] = ()) -> list[int]:
    """Employees (email, team, location); returns their ids."""
    with db.transaction() as s:
        return [staff.create_employee(s, EmployeeIn(email=email, name=email.split("@")[0].title(), team=team,
                                                    location=location, touchpoints=list(touchpoints)), None).id
                for email, team, location in people]


def open_with_links(db, key: str = "pulse", kind: str = "enps", day: date | None = None) -> tuple[int, dict[int, str]]:
    """A pulse and its wave of ``day`` (today), and a working link per employee (employee id → token)."""
    with db.transaction() as s:
        pulse = pulses.create_pulse(s, PulseIn(key=key, kind=kind), None)  # type: ignore[arg-type]
        wave = pulses.open_wave(s, pulse, day or utcnow().date())
        links = {inv.employee_id: pulses.issue_link(s, inv)
                 for inv in s.scalars(select(PulseInvitation).where(PulseInvitation.wave_id == wave.id))}
        return wave.id, links
