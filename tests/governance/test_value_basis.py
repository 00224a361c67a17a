"""The board values expected effects with a stored basis, refreshed by measurements and the daily job."""

from __future__ import annotations

from centric.accounts.models import AppSetting
from centric.governance.impact import BASIS_KEY, ValueBasis, compute_value_basis, refresh_value_basis, value_basis


def test_the_basis_is_stored_read_back_and_recomputed_when_unreadable(db) -> None:
    with db.transaction() as s:
        assert s.get(AppSetting, BASIS_KEY) is None
        computed = compute_value_basis(s)  # no purchases here: no figures, and the reason why
        assert not computed.usable and computed.reason.startswith("no ROI figures")
        assert refresh_value_basis(s) == computed
    with db.transaction() as s:
        stored = s.get(AppSetting, BASIS_KEY)
        assert stored is not None
        stored.value = '{"churn_detractor": 40.0, "churn_passive": 25.0, "value_detractor": 300.0, "reason": "x"}'
    with db.transaction() as s:
        basis = value_basis(s)  # read, not recomputed: the stored figures come back
        assert basis == ValueBasis(40.0, 25.0, 300.0, "x") and basis.usable
        assert basis.revenue_per_year(-10.0, 1000) == -(0.10 * 1000 * 300.0 * 0.15)
        s.get(AppSetting, BASIS_KEY).value = "{not json"
    with db.transaction() as s:
        assert value_basis(s) == computed
