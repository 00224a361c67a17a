"""The closed loop's stored words as staff read them: statuses, priorities, trail entries, SLA states.

The database keeps the English codes (``waiting``, ``at_risk``); pages show them through the
catalog (``{{ _(case.status) }}``). Marking them here puts them in the catalog for translation.
"""

from __future__ import annotations

from centric.i18n import N_

STATUSES = (N_("new"), N_("open"), N_("waiting"), N_("resolved"), N_("closed"), N_("reopened"), N_("active"))
PRIORITIES = (N_("low"), N_("normal"), N_("high"), N_("urgent"))
RECOVERED = (N_("yes"), N_("no"), N_("unknown"))
SOURCES = (N_("response"), N_("feedback"), N_("manual"), N_("chat"))
SLA_STATES = (N_("ok"), N_("met"), N_("at_risk"), N_("breached"), N_("paused"))
SLA_TARGETS = (N_("first contact"), N_("next response"), N_("resolution"))
SLA_STAGES = (N_("at_risk"), N_("breached"))
ESCALATION_ACTIONS = (N_("notify owner"), N_("notify lead"), N_("notify manager"), N_("reassign"))
TRAIL_KINDS = (
    N_("created"), N_("status"), N_("assigned"), N_("note"), N_("contact"), N_("mail"), N_("survey"), N_("sla"),
    N_("escalated"), N_("watcher"), N_("merged"), N_("unmerged"), N_("root cause"), N_("recovered"),
    N_("reopened"), N_("priority"),
)
CALL_OUTCOMES = (N_("reached"), N_("no answer"), N_("left message"), N_("sent"))
DELIVERY = (N_("queued"), N_("sent"), N_("suppressed"), N_("failed"), N_("scheduled"), N_("answered"),
            N_("pending"), N_("delivered"), N_("bounced"), N_("skipped"))
SORTS = (N_("newest"), N_("oldest"), N_("priority"), N_("due"), N_("updated"))
NO_ONE = (N_("unassigned"), N_("no team"))  # workload and KPI rows without an owner or a team
TABS = (N_("Mine"), N_("Team"), N_("Unassigned"), N_("At risk"), N_("Breached"), N_("All"))
BANDS = (N_("medium"),)  # clv and risk bands: low, medium, high (low and high above)
# Shown beside a case: the customer's identities, segments and timeline.
IDENTITY_KINDS = (N_("email"), N_("phone"), N_("external"), N_("social"), N_("device"), N_("account"))
SEGMENT_KINDS = (N_("persona"), N_("segment"))
SENTIMENTS = (N_("positive"), N_("negative"), N_("neutral"), N_("mixed"))
TIMELINE_KINDS = (N_("purchase"), N_("case"))
