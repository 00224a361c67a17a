"""The CX council's initiative board. PLACEHOLDER until the initiatives work lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from centric.governance.schemas import InitiativeOut


def board(session: Session, *, status: str | None = None) -> list[InitiativeOut]:
    """Initiatives ranked by measured value (done ones) and expected value (the others), best first."""
    return []
