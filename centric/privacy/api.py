"""JSON routes: a customer's data export and erasure (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from centric.privacy import service
from centric.privacy.schemas import CustomerExport, ErasureIn, ErasureReport
from centric.web.deps import CanAdminUsers, DbSession

router = APIRouter(tags=["privacy"])


@router.get("/customers/{customer_id}/export", response_model=CustomerExport)
def export_customer(customer_id: int, session: DbSession, caller: CanAdminUsers) -> CustomerExport:
    """Everything held about the customer (GDPR art. 15); the export itself is audited."""
    return service.export_customer(session, customer_id, caller.user.id)


@router.post("/customers/{customer_id}/erase", response_model=ErasureReport)
def erase_customer(customer_id: int, data: ErasureIn, session: DbSession, caller: CanAdminUsers) -> ErasureReport:
    """Delete or anonymise everything personal (GDPR art. 17); ``confirm`` repeats the id."""
    return service.erase_customer(session, customer_id, data.confirm, caller.user.id)
