"""Route lookup cost: the same app with its area routers gated (centric.web.routing) and without.

    .venv/bin/python bench/bench_routing.py [--duration 8] [--connections 100]

Serves the real app twice with Uvicorn on loopback (one fresh SQLite file): once as
``create_app`` builds it, once with every area router included as it is (FastAPI tries
each route in turn), and loads a few paths that need no data from each with ``wrk``
(Debian package ``wrk``), alternating gated, ungated, gated, ungated so that drift falls on
both. The paths: ``/api/health`` (declared after every area), a page near the end of the
list (``/login``), an API list refused for want of a token (``/api/v1/ideas``: found, then
401) and a path no route has (404: tried twice, the second time for a trailing-slash
redirect). Prints requests/s and the server's CPU milliseconds per request side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_respondent import SECRET, _free_port, _measure, _prepare, _serve, _wrk  # noqa: E402

PATHS = ("/api/health", "/login", "/api/v1/ideas", "/no/such/page")


def ungated_app():  # type: ignore[no-untyped-def]
    """The app with each area's router included as it is: the lookup before centric.web.routing."""
    import centric.web.app as app_module

    app_module.GatedRouter = lambda router, prefix="": router  # type: ignore[assignment,misc]
    return app_module.create_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='centric-bench-')) / 'routing.db'}"
    _prepare(url)
    env = {"CENTRIC_DATABASE_URL": url, "CENTRIC_SECRET_KEY": SECRET, "CENTRIC_JOB_WORKERS": "0"}
    targets = {"gated": ["centric.web.app:create_app", "--factory"],
               "ungated": ["bench_routing:ungated_app", "--factory", "--app-dir", str(HERE)]}
    totals: dict[tuple[str, str], dict[str, float]] = {}
    for _ in range(2):
        for name, target in targets.items():
            port = _free_port()
            server = _serve(target, port, env, 1)
            try:
                for path in PATHS:
                    target_url = f"http://127.0.0.1:{port}{path}"
                    _wrk(target_url, args.connections, 1)  # warm up
                    run = _measure(server, target_url, args.connections, args.duration)
                    total = totals.setdefault((name, path), {"requests": 0, "cpu": 0.0})
                    total["requests"] += run["requests"]
                    total["cpu"] += run["cpu_ms"] * run["requests"]
            finally:
                server.terminate()
                server.wait()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{args.connections} connections, 2 × {args.duration} s per path and app, 1 Uvicorn worker, "
          f"{os.cpu_count()} CPUs (load average at the end: {load})\n")
    print("| path | ungated req/s | gated req/s | ungated CPU ms/request | gated CPU ms/request | faster by |")
    print("|---|---:|---:|---:|---:|---:|")
    seconds = 2 * args.duration
    for path in PATHS:
        before, after = totals[("ungated", path)], totals[("gated", path)]
        rps_before, rps_after = before["requests"] / seconds, after["requests"] / seconds
        print(f"| `{path}` | {rps_before:,.0f} | {rps_after:,.0f} | {before['cpu'] / before['requests']:.2f} | "
              f"{after['cpu'] / after['requests']:.2f} | {rps_after / rps_before:.1f}× |")


if __name__ == "__main__":
    main()
