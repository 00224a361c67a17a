"""A Python client of Centric's JSON API for analysts' notebooks: every method returns a pandas DataFrame.

>>> from centric.client import Client
>>> centric = Client("https://cx.example.com", token="ctk_…")
>>> centric.metrics("nps", by="touchpoint", start="2026-01-01", end="2026-07-01")

Lists (``customers``, ``cases``, ``verbatims``…) are read page by page through the API's
``Page`` envelopes (``items``, ``total``, ``limit``, ``offset``), so a frame holds every
matching row; ``max_rows`` stops earlier. A refused or invalid call raises
:class:`CentricError` with the server's problem message (RFC 9457 ``detail``).

This module talks HTTP only (httpx and pandas): it imports nothing of the server, so it
works in any notebook with those two packages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import httpx
import pandas as pd

PAGE_SIZE = 1000  # the API's largest page
DATE_COLUMNS = ("created_at", "updated_at", "submitted_at", "occurred_at", "resolved_at", "closed_at",
                "first_contact_at", "first_contact_due_at", "resolution_due_at", "status_changed_at")
Day = date | str | None


class CentricError(Exception):
    """A call the server refused (4xx) or failed (5xx): the status and the server's message."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.field = field


class Client:
    """Centric's API at ``url`` (the installation's address), authenticated by an API token.

    Create a token with ``centric token create`` or on the staff page; the token's role
    decides what comes back (a viewer's token reads metrics and themes, not customers).
    """

    def __init__(self, url: str, token: str, *, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/") + "/api/v1",
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                                  timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- metrics ---------------------------------------------------------------------------

    def metrics(self, metric: str = "nps", by: str = "touchpoint", *, start: Day = None, end: Day = None,
                segment: str | None = None, touchpoint: str | None = None, survey: str | None = None
                ) -> pd.DataFrame:
        """NPS, CSAT or CES per group of ``by`` (touchpoint, stage, journey, team, segment, channel,
        survey, month, quarter, or none for the overall row): ``group``, ``n``, ``value``, ``low``,
        ``high`` (95% interval) and the sufficient statistics behind them. ``start``/``end``: days,
        ``end`` excluded."""
        body = self._get(f"/metrics/{metric}", {"by": by, "start": start, "end": end, "segment": segment,
                                                 "touchpoint": touchpoint, "survey": survey})
        rows = body["rows"] if by != "none" else [body["overall"]]
        frame = pd.DataFrame(rows, columns=list(body["overall"].keys()))
        frame.attrs.update(metric=body["metric"], by=body["by"], scale=body["scale"], overall=body["overall"])
        return frame

    # --- lists -----------------------------------------------------------------------------

    def responses(self, *, survey: str | None = None, touchpoint: str | None = None, start: Day = None,
                  end: Day = None, customer_id: int | None = None, max_rows: int | None = None) -> pd.DataFrame:
        """Survey responses, newest first; each answer becomes a column ``answer.<question key>``."""
        frame = self._list("/responses", {"survey": survey, "touchpoint": touchpoint, "start": start, "end": end,
                                          "customer_id": customer_id}, max_rows)
        if "answers" in frame.columns:
            answers = pd.json_normalize(frame.pop("answers").tolist()).add_prefix("answer.")
            frame = pd.concat([frame.reset_index(drop=True), answers], axis=1)
        return frame

    def customers(self, *, search: str | None = None, segment: str | None = None,
                  max_rows: int | None = None) -> pd.DataFrame:
        """Customer profiles (needs ``customers:read``): id, name, external id, attributes, identities, segments."""
        return self._list("/customers", {"search": search, "segment": segment}, max_rows)

    def cases(self, *, view: str | None = None, status: str | None = None, priority: str | None = None,
              q: str | None = None, customer_id: int | None = None, max_rows: int | None = None) -> pd.DataFrame:
        """Cases of the closed loop as the token's user may see them (``view``: mine, team, unassigned,
        at_risk, breached, all)."""
        return self._list("/cases", {"view": view, "status": status, "priority": priority, "q": q,
                                     "customer_id": customer_id}, max_rows)

    def verbatims(self, *, q: str | None = None, theme: str | None = None, touchpoint: str | None = None,
                  sentiment: str | None = None, segment: str | None = None, since: Day = None, until: Day = None,
                  max_rows: int | None = None, **filters: Any) -> pd.DataFrame:
        """Feedback text with its sentiment and themes (needs ``customers:read``); ``since``/``until`` are
        days; more filters (``language``, ``min_score``, ``max_score``) as keywords."""
        return self._list("/verbatims", {"q": q, "theme": theme, "touchpoint": touchpoint, "sentiment": sentiment,
                                         "segment": segment, "since": since, "until": until, **filters}, max_rows)

    def themes(self) -> pd.DataFrame:
        """The theme taxonomy with how many feedback items carry each theme."""
        return self._list("/themes", {}, None)

    def ideas(self, *, board: str | None = None, status: str | None = None, sort: str = "top",
              max_rows: int | None = None) -> pd.DataFrame:
        """Ideas with their demand; the ``demand`` figures become columns ``demand.<name>``."""
        frame = self._list("/ideas", {"board": board, "status": status, "sort": sort}, max_rows)
        if "demand" in frame.columns:
            demand = pd.json_normalize(frame.pop("demand").tolist()).add_prefix("demand.")
            frame = pd.concat([frame.reset_index(drop=True), demand], axis=1)
        return frame

    def touchpoints(self) -> pd.DataFrame:
        """Touchpoints with their journey, stage, channel and owners."""
        return self._list("/touchpoints", {}, None)

    # --- HTTP ------------------------------------------------------------------------------

    def _list(self, path: str, params: Mapping[str, Any], max_rows: int | None) -> pd.DataFrame:
        items = list(self._pages(path, params, max_rows))
        frame = pd.DataFrame(items)
        for column in DATE_COLUMNS:
            if column in frame.columns:
                frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce")
        return frame

    def _pages(self, path: str, params: Mapping[str, Any], max_rows: int | None) -> Iterator[dict[str, Any]]:
        offset, given = 0, 0
        while True:
            limit = PAGE_SIZE if max_rows is None else min(PAGE_SIZE, max_rows - given)
            if limit <= 0:
                return
            page = self._get(path, {**params, "limit": limit, "offset": offset})
            items = page["items"]
            yield from items
            given += len(items)
            offset += len(items)
            if not items or offset >= page["total"]:
                return

    def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        query = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items() if v is not None}
        try:
            answer = self._http.get(path, params=query)
        except httpx.HTTPError as exc:
            raise CentricError(0, f"could not reach the server: {exc}") from exc
        if answer.status_code >= 400:
            raise _error(answer)
        return answer.json()


def _error(answer: httpx.Response) -> CentricError:
    """The server's problem message (``detail``), or the status phrase when the body is not a problem."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("detail"):
        return CentricError(answer.status_code, str(body["detail"]), body.get("field"))
    return CentricError(answer.status_code, answer.reason_phrase or "error")
