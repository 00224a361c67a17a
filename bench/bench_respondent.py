"""Respondent page throughput: GET and POST of /s/{key} under 100 concurrent respondents.

    .venv/bin/python bench/bench_respondent.py [--duration 10] [--connections 100]
        [--workers 1] [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-postgres]
        [--rules 50]

Serves the real app with Uvicorn on loopback (a fresh SQLite file, then a fresh PostgreSQL
database), and a bare Uvicorn "hello" ASGI endpoint as the yardstick, and loads each from
a separate process with ``wrk`` (Debian package ``wrk``; POST bodies come from a Lua
script that hands every request its own signed form token, so each POST stores a new
response: rate limiter upsert, response, answers, rollup, feedback, jobs, commit). Each
POST names its own client address in ``X-Forwarded-For`` (100 respondents behind a
proxy), so the per-address rate limit neither blocks nor serialises them. Background
jobs are off in the web processes under test (``CENTRIC_JOB_WORKERS=0``): in production
``centric worker`` runs them elsewhere.

Prints requests/s, p50/p99 latency and each throughput as a share of the bare endpoint,
plus the server processes' CPU milliseconds per request, which stays meaningful when
other work shares the machine.

wrk is a closed loop: each connection sends its next request the moment the previous one
returns, so at saturation p99 is mostly queueing. 100 real respondents do not behave
like that; ``--paced-rate`` (default 50 submissions/s: 100 respondents each sending a page
every 2 s) adds an open-loop run in a separate Python process that sends at that steady
rate over up to ``--connections`` connections and measures each latency from the moment
the request was *due* (no coordinated omission).

``--rules N`` stores N varied alert rules — most never match a submission; two match the
one submission in ten that mentions a fault: one notifies by e-mail and webhook, one opens
a case — and measures the submissions side by side with the rules off and on, alternating
off, on, off, on against the same server and database, so that drift (a growing database,
a busy neighbour) falls on both; it prints how much slower stored submissions are with the
rules on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from centric.db import Database  # noqa: E402
from centric.store import upgrade  # noqa: E402
from centric.surveys.respond import FormState  # noqa: E402
from centric.surveys.schemas import SurveyIn, SurveyOptions  # noqa: E402
from centric.surveys.service import create_survey  # noqa: E402

SECRET = "bench-" + secrets.token_urlsafe(24)
SURVEY = "bench"
QUESTIONS = [
    {"key": "nps", "type": "nps", "required": True, "label": {"en": "How likely are you to recommend us?"}},
    {"key": "comment", "type": "text", "label": {"en": "What is the main reason for your score?"}},
]
LUA = """
-- One wrk thread: every request takes the next pre-signed form token (a new response).
local tokens = {}
local counter = 0
function init(args)
  for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
  wrk.method = "POST"
end
-- One submission in ten mentions a fault (what the bench's matching alert rule looks for).
function comment(n)
  if n %% 10 == 0 then return "Great+stay%%2C+but+the+shower+was+broken" end
  return "Great+stay%%2C+thanks"
end
function request()
  counter = counter + 1
  local token = tokens[((counter - 1) %% #tokens) + 1]
  -- Each respondent has an address of their own, as behind a reverse proxy (Uvicorn trusts
  -- X-Forwarded-For from loopback): the rate limiter counts per address.
  local address = "10." .. (counter %% 250) .. "." .. (math.floor(counter / 250) %% 250) .. ".1"
  return wrk.format(nil, "/s/%(survey)s", {["Content-Type"] = "application/x-www-form-urlencoded",
                                                ["X-Forwarded-For"] = address},
                    "f=" .. token .. "&nps=9&comment=" .. comment(counter))
end
"""

async def hello(scope, receive, send):  # type: ignore[no-untyped-def]
    """The yardstick: the least an ASGI endpoint can do."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(target: list[str], port: int, env: dict[str, str], workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def _wrk(url: str, connections: int, duration: int, script: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", output).group(1)) for p in ("50", "99")}
    codes = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "errors": int(codes.group(1)) if codes else 0,
            "requests": total}


def _paced(url: str, rate: float, duration: int, connections: int, tokens: Path) -> dict[str, float]:
    """Open-loop POSTs at ``rate`` per second, from a separate process (``--paced-client``)."""
    command = [sys.executable, __file__, "--paced-client", url, str(rate), str(duration), str(connections),
               str(tokens)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


async def _paced_client(url: str, rate: float, duration: int, connections: int, tokens: Path) -> dict[str, float]:
    import httpx

    lines = tokens.read_text().split()[-int(rate * duration) - 1:]  # the end of the file: unused by wrk
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            try:
                answer = await client.post(url, data={"f": lines[i], "nps": "9", "comment": "Great stay, thanks"},
                                           headers={"X-Forwarded-For": f"10.9.{i % 250}.{i // 250 % 250}"})
                failed = answer.status_code >= 400
            except httpx.HTTPError:  # a timeout or a refused connection is an error, and its wait counts
                failed = True
            if failed:
                errors += 1
            latencies.append(1000 * (loop.time() - due))

        count = int(rate * duration)
        await asyncio.gather(*(one(i) for i in range(count)))
    latencies.sort()
    return {"rps": len(latencies) / duration, "p50": latencies[len(latencies) // 2],
            "p99": latencies[int(len(latencies) * 0.99) - 1], "errors": errors, "requests": len(latencies)}


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a server process and its worker processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _measure(server: subprocess.Popen, url: str, connections: int, duration: int,
             script: Path | None = None) -> dict[str, float]:
    """wrk figures plus the server's CPU milliseconds per request (steady under a loaded machine)."""
    before = _cpu_s(server.pid)
    result = _wrk(url, connections, duration, script)
    result["cpu_ms"] = 1000 * (_cpu_s(server.pid) - before) / max(result["requests"], 1)
    return result


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _prepare(url: str) -> None:
    db = Database(url)
    upgrade(db)
    with db.transaction() as session:
        create_survey(session, SurveyIn(key=SURVEY, name="Bench NPS", questions=QUESTIONS,
                                        options=SurveyOptions(rate_limit_per_hour=1_000_000)))
    db.dispose()


def _tokens(path: Path, count: int) -> None:
    key = SECRET.encode()
    with path.open("w") as out:
        for _ in range(count):
            state = FormState(survey_key=SURVEY, nonce=secrets.token_urlsafe(16), locale="en", page=("nps", "comment"))
            out.write(state.token(key) + "\n")


def _count_responses(url: str) -> int:
    from sqlalchemy import func, select

    from centric.surveys.models import Response

    db = Database(url)
    with db.reader() as session:
        count = session.scalar(select(func.count()).select_from(Response)) or 0
    db.dispose()
    return count


RULE_FIELDS = [  # conditions that never hold for the bench's submissions (NPS 9, a comment, no customer)
    {"field": "nps", "op": "lte", "value": 6},
    {"field": "nps_category", "op": "eq", "value": "detractor"},
    {"field": "comment", "op": "contains", "value": "refund"},
    {"field": "answer.comment", "op": "contains", "value": "leak"},
    {"field": "segment", "op": "eq", "value": "vip"},
    {"field": "risk_band", "op": "eq", "value": "high"},
    {"field": "attributes.plan", "op": "in", "value": ["gold", "platinum"]},
    {"field": "touchpoint", "op": "eq", "value": "check-in"},
    {"field": "channel", "op": "eq", "value": "sms"},
    {"field": "csat", "op": "lte", "value": 2},
]


def _store_rules(url: str, count: int) -> None:
    """``count`` varied rules, inactive until :func:`_switch_rules`; two match one submission in ten."""
    from centric.loop.alerts import create_rule
    from centric.loop.rule_schemas import RuleIn

    db = Database(url)
    with db.transaction() as session:
        for i in range(max(count - 2, 0)):
            first, second = RULE_FIELDS[i % len(RULE_FIELDS)], RULE_FIELDS[(i * 7 + 3) % len(RULE_FIELDS)]
            condition = {"all": [first]} if i % 3 == 0 else {"any": [first, second]} if i % 3 == 1 else \
                {"all": [{"field": "nps", "op": "lte", "value": i % 7}, {"any": [first, second]}]}
            create_rule(session, RuleIn(name=f"bench rule {i}", condition=condition, severity=1 + i % 4,
                                        active=False))
        if count >= 1:
            create_rule(session, RuleIn(name="bench fault", active=False, actions={
                "open_case": False, "notify": {"emails": ["team@example.com"], "webhook": True}},
                condition={"all": [{"field": "nps", "op": "gte", "value": 9},
                                   {"field": "comment", "op": "contains", "value": "broken"}]}))
        if count >= 2:
            create_rule(session, RuleIn(name="bench fault case", active=False, dedupe_hours=0,
                                        condition={"all": [{"field": "comment", "op": "contains", "value": "broken"}]}))
    db.dispose()


def _switch_rules(url: str, active: bool) -> None:
    from sqlalchemy import update

    from centric.loop.models import AlertRule

    db = Database(url)
    with db.transaction() as session:
        session.execute(update(AlertRule).values(active=active))
    db.dispose()


def _rules_side_by_side(server: subprocess.Popen, url: str, base: str, args: argparse.Namespace,
                        workdir: Path, name: str) -> dict[str, dict[str, float]]:
    """Stored submissions with the rules off and on, alternating (off, on, off, on), summed per setting.

    Every round has form tokens of its own: a token already used stores nothing.
    """
    _store_rules(url, args.rules)
    totals: dict[str, dict[str, float]] = {}
    for round_, setting in enumerate(("off", "on", "off", "on")):
        tokens = workdir / f"tokens-{name}-rules-{round_}.txt"
        _tokens(tokens, args.tokens)
        script = workdir / f"post-{name}-rules-{round_}.lua"
        script.write_text(LUA % {"tokens": tokens, "survey": SURVEY})
        _switch_rules(url, setting == "on")
        before = _count_responses(url)
        part = _measure(server, f"{base}/s/{SURVEY}", args.connections, args.duration, script)
        part["stored"] = _count_responses(url) - before
        total = totals.setdefault(setting, {"seconds": 0.0, "stored": 0, "cpu_total": 0.0, "requests": 0,
                                            "errors": 0, "p50": 0.0, "p99": 0.0})
        total["seconds"] += args.duration
        total["stored"] += part["stored"]
        total["requests"] += part["requests"]
        total["errors"] += part["errors"]
        total["cpu_total"] += part["cpu_ms"] * part["requests"]
        total["p50"] = max(total["p50"], part["p50"])
        total["p99"] = max(total["p99"], part["p99"])
    for total in totals.values():
        total["rps"] = total["requests"] / total["seconds"]
        total["cpu_ms"] = total["cpu_total"] / max(total["requests"], 1)
    _switch_rules(url, False)
    return totals


def run_backend(name: str, url: str, args: argparse.Namespace, workdir: Path) -> list[tuple[str, dict]]:
    _prepare(url)
    tokens = workdir / f"tokens-{name}.txt"
    _tokens(tokens, args.tokens)
    script = workdir / f"post-{name}.lua"
    script.write_text(LUA % {"tokens": tokens, "survey": SURVEY})
    port = _free_port()
    # Background jobs (text enrichment of comments, webhooks) run in `centric worker`, not
    # in the web processes under test, as in a production set-up.
    env = {"CENTRIC_DATABASE_URL": url, "CENTRIC_SECRET_KEY": SECRET, "CENTRIC_JOB_WORKERS": "0"}
    server = _serve(["centric.web.app:create_app", "--factory"], port, env, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        _wrk(f"{base}/s/{SURVEY}", args.connections, 2)  # warm up
        page = _measure(server, f"{base}/s/{SURVEY}", args.connections, args.duration)
        before = _count_responses(url)
        submit = _measure(server, f"{base}/s/{SURVEY}", args.connections, args.duration, script)
        stored = _count_responses(url) - before
        rules = _rules_side_by_side(server, url, base, args, workdir, name) if args.rules else None
        paced = None
        if args.paced_rate:
            cpu = _cpu_s(server.pid)
            paced = _paced(f"{base}/s/{SURVEY}", args.paced_rate, args.duration, args.connections, tokens)
            paced["cpu_ms"] = 1000 * (_cpu_s(server.pid) - cpu) / max(paced["requests"], 1)
    finally:
        server.terminate()
        server.wait()
    submit["stored"] = stored
    rows = [(f"GET /s/{{key}} ({name})", page), (f"POST /s/{{key}} ({name})", submit)]
    if paced:
        rows.append((f"POST /s/{{key}} ({name}), paced at {args.paced_rate:g}/s, open loop", paced))
    if rules:
        rows.append((f"POST /s/{{key}} ({name}), alert rules off", rules["off"]))
        rows.append((f"POST /s/{{key}} ({name}), {args.rules} alert rules on", rules["on"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=60_000, help="distinct form tokens (new responses) per run")
    parser.add_argument("--postgres", default=os.environ.get("CENTRIC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--rules", type=int, default=0,
                        help="also measure submissions with N active alert rules, side by side with none")
    parser.add_argument("--paced-rate", type=float, default=50.0,
                        help="submissions per second of the open-loop run (0: skip)")
    if len(sys.argv) > 1 and sys.argv[1] == "--paced-client":
        url, rate, duration, connections, tokens = sys.argv[2:7]
        print(json.dumps(asyncio.run(_paced_client(url, float(rate), int(duration), int(connections), Path(tokens)))))
        return
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="centric-bench-"))
    rows: list[tuple[str, dict]] = []

    port = _free_port()
    bare = _serve(["bench_respondent:hello", "--app-dir", str(Path(__file__).parent)], port, {}, args.workers)
    try:
        _wrk(f"http://127.0.0.1:{port}/", args.connections, 2)
        rows.append(("bare Uvicorn hello",
                     _measure(bare, f"http://127.0.0.1:{port}/", args.connections, args.duration)))
    finally:
        bare.terminate()
        bare.wait()

    rows += run_backend("SQLite", f"sqlite:///{workdir / 'bench.db'}", args, workdir)
    if not args.no_postgres:
        import psycopg

        name = f"centric_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            rows += run_backend("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/" + name, args, workdir)
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    yardstick = rows[0][1]["rps"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{args.connections} concurrent clients, {args.duration} s each, {args.workers} Uvicorn worker(s), "
          f"{os.cpu_count()} CPUs shared by server, wrk, PostgreSQL and anything else running "
          f"(load average at the end: {load})\n")
    print("| endpoint | requests/s | share of bare | p50 ms | p99 ms | server CPU ms/request | non-2xx/3xx "
          "| responses stored |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        stored = r.get("stored", "")
        print(f"| {label} | {r['rps']:,.0f} | {100 * r['rps'] / yardstick:.0f}% | {r['p50']:.1f} | {r['p99']:.1f} | "
              f"{r['cpu_ms']:.2f} | {r['errors']} | {stored} |")
    if args.rules:
        print(f"\nAlert rules, side by side (off, on, off, on; {args.duration} s each):\n")
        print("| backend | stored/s rules off | stored/s rules on | slower by | CPU ms/request off | on "
              "| more CPU by |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        by_label = dict(rows)
        for backend in ("SQLite", "PostgreSQL"):
            off = by_label.get(f"POST /s/{{key}} ({backend}), alert rules off")
            on = by_label.get(f"POST /s/{{key}} ({backend}), {args.rules} alert rules on")
            if off and on:
                off_rate, on_rate = off["stored"] / off["seconds"], on["stored"] / on["seconds"]
                print(f"| {backend} | {off_rate:,.0f} | {on_rate:,.0f} | {100 * (1 - on_rate / off_rate):.1f}% | "
                      f"{off['cpu_ms']:.2f} | {on['cpu_ms']:.2f} | {100 * (on['cpu_ms'] / off['cpu_ms'] - 1):.1f}% |")


if __name__ == "__main__":
    main()
