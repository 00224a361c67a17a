"""Connectors: secrets, saved mappings, inbound webhook items and file imports → feedback."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.connectors import mapping as fields
from centric.connectors.models import Connector
from centric.connectors.schemas import ConnectorIn, InboundResult, ItemError, MappingIn
from centric.db import Database, page_of, utcnow
from centric.errors import CentricError, Conflict, Forbidden, Invalid, NotFound, Unauthorized, first_problem
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.webhooks.signature import verify_header, verify_plain

MAX_ITEMS = 1000
MAX_REPORTED = 100
TOKEN_PREFIX = "cin_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret(connector: Connector) -> str:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if connector.auth == "token":
        connector.token_hash, connector.hmac_secret = _digest(secret), None
    else:
        connector.token_hash, connector.hmac_secret = None, secret
    return secret


def create_connector(session: Session, data: ConnectorIn, user_id: int | None = None, *,
                     may_merge: bool = False) -> tuple[Connector, str]:
    """A new connector and its secret (shown once); only a caller who may merge customers lets it merge."""
    if data.merge_identities and not may_merge:
        raise Forbidden("only a caller with customers:write may let a connector merge customers",
                        field="merge_identities")
    if session.scalar(select(Connector.id).where(Connector.key == data.key)) is not None:
        raise Conflict(f"connector {data.key!r} exists already", field="key")
    connector = Connector(key=data.key, name=data.name, source=data.source or data.key, channel=data.channel,
                          auth=data.auth, mapping=fields.check_mapping(data.mapping), items_path=data.items_path,
                          merge_identities=data.merge_identities)
    secret = _new_secret(connector)
    session.add(connector)
    session.flush()
    audit(session, user_id, "connector.create", "connector", connector.id,
          {"key": data.key, "merge_identities": data.merge_identities})
    return connector, secret


def get_connector(session: Session, key: str) -> Connector:
    connector = session.scalar(select(Connector).where(Connector.key == key))
    if connector is None:
        raise NotFound(f"unknown connector {key!r}", field="key")
    return connector


def list_connectors(session: Session, limit: int | None = None, offset: int = 0) -> tuple[list[Connector], int]:
    """Connectors by key (a slice of them) and how many there are."""
    return page_of(session, select(Connector).order_by(Connector.key), limit, offset)


def _editable(session: Session, key: str) -> Connector:
    """The connector, if still active: a deactivated one is kept as a record, not changed."""
    connector = get_connector(session, key)
    if not connector.active:
        raise Conflict(f"connector {key!r} is deactivated and cannot be changed", field="key")
    return connector


def update_mapping(session: Session, key: str, data: MappingIn, user_id: int | None = None) -> Connector:
    connector = _editable(session, key)
    connector.mapping = fields.check_mapping(data.mapping)
    connector.items_path = data.items_path
    audit(session, user_id, "connector.mapping", "connector", connector.id, {})
    return connector


def rotate_secret(session: Session, key: str, user_id: int | None = None) -> str:
    """A new secret; the old one stops working at once."""
    connector = _editable(session, key)
    secret = _new_secret(connector)
    audit(session, user_id, "connector.rotate", "connector", connector.id, {})
    return secret


def set_active(session: Session, key: str, active: bool, user_id: int | None = None) -> Connector:
    connector = get_connector(session, key)
    if connector.active == active:
        return connector
    connector.active = active
    audit(session, user_id, "connector.activate" if active else "connector.deactivate", "connector", connector.id, {})
    return connector


def authenticate(connector: Connector, headers: Mapping[str, str], body: bytes, query_token: str | None) -> None:
    """Check the caller holds the connector's secret; :class:`Unauthorized` otherwise.

    ``token``: ``Authorization: Bearer …``, ``X-Centric-Token`` or ``?token=`` (for tools
    that only take a URL). ``hmac``: ``X-Centric-Signature: t=…,v1=…`` over ``"<t>.<body>"``
    or ``X-Hub-Signature-256: sha256=…`` over the body.
    """
    if not connector.active:
        raise Unauthorized(f"connector {connector.key!r} is switched off")
    if connector.auth == "token":
        bearer = headers.get("authorization", "")
        sent = (bearer[7:].strip() if bearer.lower().startswith("bearer ") else "") \
            or headers.get("x-centric-token", "") or (query_token or "")
        if sent and connector.token_hash and hmac.compare_digest(_digest(sent), connector.token_hash):
            return
        raise Unauthorized("missing or wrong connector token")
    secret = connector.hmac_secret or ""
    signed = headers.get("x-centric-signature")
    plain = headers.get("x-hub-signature-256")
    if (signed and verify_header(secret, body, signed)) or (plain and verify_plain(secret, body, plain)):
        return
    raise Unauthorized("missing, wrong or expired signature")


def receive(session: Session, key: str, body: bytes, headers: Mapping[str, str],
            query_token: str | None = None) -> InboundResult:
    """Store the items of one inbound call as feedback (each idempotent by its external id)."""
    connector = get_connector(session, key)
    authenticate(connector, headers, body, query_token)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"malformed JSON: {exc}", field="body") from None
    if connector.items_path:
        items = fields.lookup(document, connector.items_path)
        if not isinstance(items, list):
            raise Invalid(f"no list of items at {connector.items_path!r}", field="body")
    else:
        items = document if isinstance(document, list) else [document]
    if len(items) > MAX_ITEMS:
        raise Invalid(f"at most {MAX_ITEMS} items per call", field="body")
    result = ingest(session, connector, enumerate(items))
    if result.failed and not (result.created or result.skipped):
        first = result.errors[0]
        where = f"{first.field}: " if first.field else ""
        raise Invalid(f"item {first.index}: {where}{first.message}", field=first.field)
    return result


def ingest(session: Session, connector: Connector, records: Iterable[tuple[int, Any]]) -> InboundResult:
    """Map and store each record in its own savepoint; bad records are reported, good ones kept."""
    result = InboundResult(created=0, skipped=0, failed=0, feedback_ids=[], errors=[])
    # A write before the first savepoint, so that SQLite opens the caller's transaction first.
    connector.last_received_at = utcnow()
    session.flush()
    for index, record in records:
        try:
            if not isinstance(record, dict):
                raise Invalid("an item must be a JSON object")
            data = to_feedback(connector, record)
            with session.begin_nested():
                out = record_feedback(session, data, may_merge=connector.merge_identities,
                                      origin=f"connector {connector.key}")
        except ValidationError as exc:
            _fail(result, index, *first_problem(exc))
            continue
        except CentricError as exc:
            _fail(result, index, exc.field, exc.message)
            continue
        except IntegrityError:
            _fail(result, index, None, "conflicts with stored data (sent twice at once?); send it again")
            continue
        if out.created:
            result.created += 1
            result.feedback_ids.append(out.id)
        else:
            result.skipped += 1
    connector.received += result.created
    return result


def _fail(result: InboundResult, index: int, field: str | None, message: str) -> None:
    result.failed += 1
    if len(result.errors) < MAX_REPORTED:
        result.errors.append(ItemError(index=index, field=field, message=message))


def to_feedback(connector: Connector, record: dict[str, Any]) -> FeedbackIn:
    """The feedback item a source record becomes under the connector's mapping."""
    values = fields.apply(connector.mapping, record)
    values.setdefault("source", connector.source)
    values.setdefault("channel", connector.channel)
    values.setdefault("external_id", fields.fingerprint(record))
    return FeedbackIn.model_validate(values)


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, record) for each row of a CSV file (header on line 1) or JSON Lines file."""
    name = path.name.lower()
    if name.endswith(".csv"):
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            if None in row:
                yield reader.line_num, "more cells than header columns"
                continue
            cells = {k: v.strip() for k, v in row.items() if v is not None and v.strip() != ""}
            if cells:
                yield reader.line_num, cells
    elif name.endswith((".jsonl", ".ndjson")):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"malformed JSON: {exc.msg}"
    else:
        raise Invalid(f"{path.name}: use a .csv or .jsonl file", field="path")


def import_file(db: Database, key: str, path: Path, batch_size: int = 500) -> InboundResult:
    """Import a file with a connector's saved mapping; committed in batches, safe to re-run."""
    with db.reader() as session:
        get_connector(session, key)
    total = InboundResult(created=0, skipped=0, failed=0, feedback_ids=[], errors=[])
    batch: list[tuple[int, Any]] = []

    def flush() -> None:
        with db.transaction() as session:
            connector = get_connector(session, key)
            good = [(line, r) for line, r in batch if not isinstance(r, str)]
            for line, message in ((line, r) for line, r in batch if isinstance(r, str)):
                _fail(total, line, None, message)
            part = ingest(session, connector, good)
        total.created += part.created
        total.skipped += part.skipped
        total.failed += part.failed
        total.feedback_ids.extend(part.feedback_ids)
        total.errors.extend(part.errors[: max(MAX_REPORTED - len(total.errors), 0)])
        batch.clear()

    try:
        for item in read_records(path):
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path.name}: not UTF-8 text ({exc.reason})", field="path") from None
    if batch:
        flush()
    total.errors.sort(key=lambda e: e.index)
    return total
