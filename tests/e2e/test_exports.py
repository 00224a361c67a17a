"""Downloads in a real browser: a chart as SVG and PNG from its buttons, a table as CSV from its link."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.test_browser import CHROMIUM, FLAGS, server  # noqa: F401  (the fixture)
from tests.factories import PASSWORD


def test_charts_download_as_svg_and_png_and_tables_as_csv(server, tmp_path: Path):  # noqa: F811
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(accept_downloads=True)
        page.goto(server + "/login")
        page.get_by_label("E-mail").fill("admin@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(server + "/")
        page.wait_for_selector("#chart-nps svg")
        svg_button = page.get_by_role("button", name="Download SVG: NPS by month", exact=True)
        with page.expect_download() as svg:
            svg_button.click()
        assert svg.value.suggested_filename.startswith("centric-chart-nps-")
        assert svg.value.suggested_filename.endswith(".svg")
        svg.value.save_as(tmp_path / "chart.svg")
        assert (tmp_path / "chart.svg").read_text().lstrip().startswith("<svg")
        with page.expect_download() as png:
            page.get_by_role("button", name="Download PNG: NPS by month", exact=True).click()
        png.value.save_as(tmp_path / "chart.png")
        assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with page.expect_download() as table:
            page.get_by_role("link", name="CSV", exact=True).click()
        assert table.value.suggested_filename.startswith("centric-nps-by-touchpoint-")
        table.value.save_as(tmp_path / "table.csv")
        lines = (tmp_path / "table.csv").read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("group,n,value") and lines[1].startswith("Check-in,60,")
        browser.close()
