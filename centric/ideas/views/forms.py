"""Small helpers of the staff pages' forms (shared by the ideas view modules)."""

from __future__ import annotations

from starlette.datastructures import FormData

from centric import i18n
from centric.errors import Invalid

N_ = i18n.N_
# Labels are translated where shown (`_(label)` in the templates), in the page's locale.
STATUS_LABELS = {"open": N_("Open"), "under_review": N_("Under review"), "planned": N_("Planned"),
                 "in_progress": N_("In progress"), "done": N_("Done"), "declined": N_("Declined"),
                 "duplicate": N_("Duplicate")}
SORT_LABELS = {"top": N_("Most votes"), "revenue": N_("Revenue at stake"), "trending": N_("Trending (7 days)"),
               "new": N_("Newest")}
# Words shown as they are stored (moderation states, statuses and skip reasons with "_" read as " ").
SHOWN_AS_STORED = (N_("pending"), N_("approved"), N_("hidden"), N_("open"), N_("under review"), N_("planned"),
                   N_("in progress"), N_("done"), N_("declined"), N_("duplicate"), N_("unsubscribed"),
                   N_("no email"), N_("frequency"), N_("initiative"), N_("theme"), N_("feedback"),
                   N_("case"))


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def number(form: FormData, name: str, what: str) -> int:
    value = text(form, name)
    if not value.isdigit() or len(value) > 18 or int(value) < 1:
        raise Invalid(f"give {what} as a number", field=name)
    return int(value)
