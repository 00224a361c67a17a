"""Governance's stored words as staff read them: metric names, scopes, verdicts, zones, frequencies.

The database and the API keep the English codes; pages and e-mails show them through the
catalog (``{{ _(target.cadence) }}``). Marking them here puts them in the catalog.
"""

from __future__ import annotations

from centric.i18n import N_

METRIC_LABELS = (N_("Detractors contacted within 48 h"), N_("SLA hit rate"), N_("Recovery rate"),
                 N_("Closed with a root cause"), N_("Churn"))
METRIC_UNITS = (N_("points, −100…100"), N_("% top-2-box"), N_("mean on 1–7"), N_("%"))
NOT_YET = (N_("eNPS is not available yet: it needs employee surveys (the Mirror domain), which come later"),)
SCOPES = (N_("company"), N_("journey"), N_("stage"), N_("touchpoint"), N_("team"), N_("segment"), N_("attribute"))
CADENCES = (N_("month"), N_("quarter"), N_("year"))
DIRECTIONS = (N_("at least"), N_("at most"))
VERDICTS = (N_("met"), N_("missed"), N_("not distinguishable"), N_("no data"), N_("too few answers"))
DICE_ZONES = (N_("win"), N_("worry"), N_("woe"))
DECISIONS = (N_("Approved"), N_("Rejected"), N_("Approve"), N_("Reject"))
ORIGINS = (N_("manual"), N_("root cause"), N_("theme"), N_("idea"))
FREQUENCIES = (N_("weekly"), N_("daily"), N_("off"))
RUN_STATUSES = (N_("pending"), N_("sending"), N_("sent"), N_("skipped"), N_("unknown"), N_("failed"))
INITIATIVE_STATUSES = (N_("proposed"), N_("approved"), N_("in progress"), N_("done"), N_("dropped"))
