"""Small helpers of the staff pages' forms (shared by the ideas view modules)."""

from __future__ import annotations

from starlette.datastructures import FormData

from centric.errors import Invalid

STATUS_LABELS = {"open": "Open", "under_review": "Under review", "planned": "Planned", "in_progress": "In progress",
                 "done": "Done", "declined": "Declined", "duplicate": "Duplicate"}
SORT_LABELS = {"top": "Most votes", "revenue": "Revenue at stake", "trending": "Trending (7 days)", "new": "Newest"}


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def number(form: FormData, name: str, what: str) -> int:
    value = text(form, name)
    if not value.isdigit() or len(value) > 18 or int(value) < 1:
        raise Invalid(f"give {what} as a number", field=name)
    return int(value)
