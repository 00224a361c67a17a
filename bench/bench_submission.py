"""In-process cost of one stored API submission: SQL statements and CPU milliseconds.

    .venv/bin/python bench/bench_submission.py [--count 600] [--compare PATH ...]

Calls ``submit_response`` (an NPS answer, a comment, a new customer, an external id) in
its own unit of work on a fresh SQLite file, ``--count`` times, and prints the median
statements per submission and the median CPU time (``time.process_time``, which stays
meaningful when other work shares the machine; the first 100 submissions warm up).
``--compare PATH`` runs the same measurement on another checkout of Centric (e.g. a
``git worktree`` of an older commit) in a subprocess, so both figures come from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 100


def measure(count: int) -> dict[str, float]:
    from sqlalchemy import event

    from centric.db import Database
    from centric.store import upgrade
    from centric.surveys.schemas import ResponseIn
    from centric.surveys.service import submit_response
    from tests.factories import make_journey

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.db")
        upgrade(db)
        with db.transaction() as session:
            make_journey(session)
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        counts, seconds = [], []
        for i in range(count):
            statements[0] = 0
            started = time.process_time()
            with db.transaction() as session:
                submit_response(session, ResponseIn(
                    survey="rnps", answers={"nps": i % 11, "comment": f"Lovely stay number {i}"},
                    customer={"email": f"guest{i}@example.com"}, external_id=f"bench-{i}"))
            seconds.append(time.process_time() - started)
            counts.append(statements[0])
        db.dispose()
    return {"statements": statistics.median(counts), "cpu_ms": 1000 * statistics.median(seconds[WARM_UP:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--compare", type=Path, action="append", default=[], help="another checkout to measure")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one checkout, for --compare
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.count)))
        return
    rows = [("this checkout", REPO)] + [(str(path), path.resolve()) for path in args.compare]
    print(f"{args.count} API submissions each, SQLite, medians (CPU after {WARM_UP} warm-up submissions)\n")
    print("| checkout | SQL statements per submission | CPU ms per submission |\n|---|---:|---:|")
    for name, root in rows:
        env = {**os.environ, "PYTHONPATH": str(root)}
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", "--count", str(args.count)],
                             cwd=root, env=env, check=True, capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        print(f"| {name} | {figures['statements']:.0f} | {figures['cpu_ms']:.2f} |")


if __name__ == "__main__":
    main()
