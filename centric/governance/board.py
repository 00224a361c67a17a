"""The CX council's initiative board: ranked by measured value (done ones) and expected value (the others)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.governance.initiatives import list_initiatives
from centric.governance.schemas import InitiativeOut

STATUS_ORDER = {"in_progress": 0, "approved": 1, "proposed": 2, "done": 3, "dropped": 4}


def value_of(item: InitiativeOut) -> float | None:
    """Measured value for done and measured initiatives, expected value otherwise (revenue protected a year)."""
    if item.status == "done" and item.measured_value is not None:
        return item.measured_value
    return item.expected_value


def board(session: Session, *, status: str | None = None, user: User | None = None) -> list[InitiativeOut]:
    """Initiatives ranked by measured value (done ones) and expected value (the others), best first.

    Dropped initiatives only when asked for by status. Those without a value follow, by
    status then newest; each carries its rank (1 = best) and its current DICE zone.
    """
    items = list_initiatives(session, status=status, user=user)
    if status is None:
        items = [i for i in items if i.status != "dropped"]
    valued = sorted((i for i in items if value_of(i) is not None), key=lambda i: (-(value_of(i) or 0.0), i.id))
    rest = sorted((i for i in items if value_of(i) is None),
                  key=lambda i: (STATUS_ORDER.get(i.status, 9), -i.id))
    ranked = [*valued, *rest]
    return [item.model_copy(update={"rank": n}) for n, item in enumerate(ranked, start=1)]
