"""Resolution metrics on many conversations: wall time of :func:`centric.chat.metrics.resolution_metrics`.

    .venv/bin/python bench/bench_resolution.py [--conversations 100000] [--database-url URL] [--repeat 5]

Writes ``--conversations`` simulated chats of the last 90 days (every outcome, three
messages each, 70% from 20,000 known customers who also have tickets, e-mails and cases,
post-chat survey answers for a fifth) with Core inserts into a fresh SQLite file or the
given empty database, then times the metrics for the last 30 days and for all 90 days,
and the per-article helpfulness. Prints the median and the statement count.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import event, insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.chat.metrics import article_helpfulness, resolution_metrics  # noqa: E402
from centric.chat.models import ChatMessage, Conversation  # noqa: E402
from centric.customers.models import Customer  # noqa: E402
from centric.db import Database, utcnow  # noqa: E402
from centric.feedback.models import Feedback  # noqa: E402
from centric.kb.models import KbArticle  # noqa: E402
from centric.loop.models import Case  # noqa: E402
from centric.store import upgrade  # noqa: E402
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion  # noqa: E402

OUTCOMES = ("confirmed", "assumed", "handed_off", "abandoned", None)
OUTCOME_P = (0.25, 0.35, 0.2, 0.15, 0.05)
CUSTOMERS = 20_000
BLOCK = 5_000


def _fill(db: Database, n: int, seed: int = 5) -> None:
    rng = np.random.default_rng(seed)
    end = utcnow()
    with db.transaction() as s:
        s.execute(insert(Customer), [{"id": i + 1, "external_id": f"b{i}", "name": f"Guest {i}", "attributes": {}}
                                     for i in range(CUSTOMERS)])
        s.execute(insert(KbArticle), [{"id": i + 1, "slug": f"a{i}", "group_key": f"a{i}", "language": "en",
                                       "title": f"Article {i}", "status": "published"} for i in range(200)])
        survey = Survey(key="post-chat", name="Post-chat", kind="csat")
        s.add(survey)
        s.flush()
        version = SurveyVersion(survey_id=survey.id, version=1, questions=[])
        s.add(version)
        s.flush()
        survey_id, version_id = survey.id, version.id
    message_id = invitation_id = response_id = 0
    for first in range(0, n, BLOCK):
        size = min(BLOCK, n - first)
        started = [end - timedelta(minutes=float(m)) for m in rng.uniform(0, 90 * 1440, size)]
        outcome = rng.choice(len(OUTCOMES), size=size, p=OUTCOME_P)
        known = rng.random(size) < 0.7
        customer = rng.integers(1, CUSTOMERS + 1, size)
        conversations, messages, invitations, responses, answers = [], [], [], [], []
        for k in range(size):
            cid = first + k + 1
            resolution = OUTCOMES[outcome[k]]
            t0 = started[k]
            closed = t0 + timedelta(minutes=6) if resolution else None
            row: dict[str, Any] = {
                "id": cid, "token_hash": f"{cid:064d}", "customer_id": int(customer[k]) if known[k] else None,
                "channel": ("widget", "web", "api")[k % 3], "language": "zh" if k % 3 == 0 else "en",
                "status": "closed" if resolution else "bot", "resolution": resolution,
                "handoff_reason": ("requested", "abstained", "unhelpful")[k % 3]
                if resolution == "handed_off" else None,
                "closed_by": ("customer", "auto")[k % 2] if resolution else None, "started_at": t0,
                "last_message_at": t0 + timedelta(minutes=5), "handed_off_at": None, "closed_at": closed,
                "survey_invitation_id": None, "page_url": "",
            }
            abstain = resolution == "abandoned" or (resolution == "handed_off" and k % 3 == 1)
            for j, author in enumerate(("customer", "bot", "customer")):
                message_id += 1
                is_bot = author == "bot"
                messages.append({"id": message_id, "conversation_id": cid, "author": author, "body": "question",
                                 "language": row["language"], "created_at": t0 + timedelta(minutes=j + 1),
                                 "article_id": int(rng.integers(1, 201)) if is_bot and not abstain else None,
                                 "abstained": bool(is_bot and abstain), "candidates": [],
                                 "helpful": (resolution == "confirmed") if is_bot and not abstain and k % 2 else None})
            if resolution and row["closed_by"] != "auto" and known[k] and k % 5 == 0:
                invitation_id += 1
                response_id += 1
                row["survey_invitation_id"] = invitation_id
                invitations.append({"id": invitation_id, "survey_id": survey_id, "customer_id": row["customer_id"],
                                    "channel": "chat", "token_hash": f"i{invitation_id:063d}", "sent_at": closed})
                responses.append({"id": response_id, "survey_id": survey_id, "version_id": version_id,
                                  "customer_id": row["customer_id"], "invitation_id": invitation_id,
                                  "submitted_at": closed, "channel": "chat", "locale": "en", "completed": True})
                answers += [{"response_id": response_id, "question_key": "csat", "metric": "csat",
                             "number": float(rng.integers(1, 6))},
                            {"response_id": response_id, "question_key": "ces", "metric": "ces",
                             "number": float(rng.integers(1, 8))}]
            conversations.append(row)
        with db.transaction() as s:
            s.execute(insert(Invitation), invitations) if invitations else None
            s.execute(insert(Conversation), conversations)
            s.execute(insert(ChatMessage), messages)
            s.execute(insert(Response), responses) if responses else None
            s.execute(insert(Answer), answers) if answers else None
    with db.transaction() as s:
        moments = [end - timedelta(minutes=float(m)) for m in rng.uniform(0, 90 * 1440, n // 2)]
        s.execute(insert(Feedback), [{"source": "bench", "channel": ("ticket", "email", "call", "survey")[i % 4],
                                      "customer_id": int(rng.integers(1, CUSTOMERS + 1)), "text": "contact",
                                      "occurred_at": when, "enrichment": {}} for i, when in enumerate(moments)])
        s.execute(insert(Case), [{"title": "case", "source": ("feedback", "response")[i % 2], "customer_id":
                                  int(rng.integers(1, CUSTOMERS + 1)), "created_at": when, "priority_reason": {}}
                                 for i, when in enumerate(moments[: n // 10])])


def _time(db: Database, repeat: int, call: Any) -> tuple[float, int]:
    runs: list[float] = []
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    for _ in range(repeat):
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", note)
        start = time.perf_counter()
        with db.reader() as s:
            call(s)
        runs.append(time.perf_counter() - start)
        event.remove(db.engine, "before_cursor_execute", note)
    return statistics.median(runs), sum(1 for q in seen if q.lstrip().upper().startswith("SELECT"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        start = time.perf_counter()
        _fill(db, args.conversations)
        print(f"{db.dialect}: wrote {args.conversations:,} conversations in {time.perf_counter() - start:.0f} s")
        now = utcnow()
        for label, call in (
            ("metrics, last 30 days", lambda s: resolution_metrics(s)),
            ("metrics, last 90 days", lambda s: resolution_metrics(s, since=now - timedelta(days=90))),
            ("metrics, 90 days, zh only", lambda s: resolution_metrics(s, since=now - timedelta(days=90),
                                                                      language="zh")),
            ("article helpfulness, 90 days", lambda s: article_helpfulness(s, since=now - timedelta(days=90))),
        ):
            seconds, statements = _time(db, args.repeat, call)
            print(f"  {label:<32} median {seconds * 1000:8.0f} ms, {statements} SELECT statements")
        with db.reader() as s:
            o = resolution_metrics(s, since=now - timedelta(days=90)).overall
        print(f"  (90 days: {o.conversations:,} conversations, deflection {o.deflection.value:.1f}% of "
              f"{o.checkable:,} checkable, assumed {o.assumed.value:.1f}%)")
        db.dispose()


if __name__ == "__main__":
    main()
