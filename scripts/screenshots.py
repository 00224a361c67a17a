"""Screenshots of the staff UI in Chinese for the README (docs/screenshots/zh-*.png).

Usage: .venv/bin/python scripts/screenshots.py [--customers 400]
Builds a small demo company in a temporary SQLite database, serves it on a free port,
logs in as the demo admin with the browser asking for Chinese, and captures a few pages
in Debian's Chromium (the same one the browser tests use). Chinese text needs a CJK font on
the machine taking the pictures (e.g. Debian's fonts-wqy-microhei or fonts-noto-cjk); the
app itself ships no font and downloads none.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES = {"zh-overview": "/", "zh-inbox": "/inbox", "zh-touchpoints": "/touchpoints", "zh-scorecards": "/scorecards"}
PASSWORD = "screenshots-only-1"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    centric = str(Path(sys.executable).with_name("centric"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CENTRIC_DATABASE_URL": f"sqlite:///{tmp}/demo.db"}
        subprocess.run([centric, "db", "upgrade"], env=env, check=True)
        server = subprocess.Popen([centric, "demo", "--customers", str(args.customers), "--password", PASSWORD,
                                   "--port", str(args.port)], env=env)
        try:
            base = f"http://127.0.0.1:{args.port}"
            _wait_until_up(base, server)
            _capture(base)
        finally:
            server.terminate()
            server.wait(30)
    return 0


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the demo server stopped before answering")
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)  # polling a starting process; no event to wait on
    raise SystemExit("the demo server did not answer within 10 minutes")


def _capture(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                      extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#email", "admin@centric.local")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for name, path in PAGES.items():
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            print(f"wrote docs/screenshots/{name}.png")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
