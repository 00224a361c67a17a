"""``centric clv fit`` reproduces the published CDNOW fits from a raw transactions file."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from centric.cli.main import app
from tests.conftest import SHARED_DATA

runner = CliRunner()
CDNOW_SAMPLE = SHARED_DATA / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture
def cdnow_csv(tmp_path):
    if not CDNOW_SAMPLE.exists():
        pytest.skip(f"CDNOW data not found at {CDNOW_SAMPLE} (set CENTRIC_SHARED_DATA)")
    path = tmp_path / "cdnow.csv"
    with CDNOW_SAMPLE.open() as source, path.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["customer", "day", "cds", "dollars"])
        for line in source:
            _, sample_id, day, cds, dollars = line.split()
            writer.writerow([sample_id, day, cds, dollars])
    return path


def test_fit_reproduces_fader_hardie_lee(cdnow_csv, tmp_path):
    out = tmp_path / "per_customer.csv"
    result = runner.invoke(app, ["clv", "fit", str(cdnow_csv), "--customer-col", "customer", "--date-col", "day",
                                 "--amount-col", "dollars", "--calibration-end", "1997-09-30", "--json",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    params = json.loads(result.output)
    b, g = params["bgnbd"], params["gamma_gamma"]
    # Published: Fader, Hardie & Lee (2005); Fader & Hardie (2013).
    assert (round(b["r"], 3), round(b["alpha"], 3), round(b["a"], 3), round(b["b"], 3)) == (0.243, 4.414, 0.793, 2.426)
    assert round(b["log_likelihood"], 1) == -9582.4
    assert (round(g["p"], 2), round(g["q"], 2), round(g["gamma"], 2)) == (6.25, 3.74, 15.44)
    assert b["customers"] == 2357 and g["customers"] == 946
    with out.open() as per_customer:
        rows = list(csv.DictReader(per_customer))
    assert len(rows) == 2357
    assert all(0.0 <= float(r["probability_alive"]) <= 1.0 for r in rows)


def test_bad_cells_name_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,10\na,2024-02-01,-5\n", encoding="utf-8")
    result = runner.invoke(app, ["clv", "fit", str(path)])
    assert result.exit_code == 1 and "line 3" in result.output and "negative" in result.output
    path.write_text("customer_id,date,amount\na,2024-13-45,10\n", encoding="utf-8")
    result = runner.invoke(app, ["clv", "fit", str(path)])
    assert result.exit_code == 1 and ":2: field date" in result.output
    result = runner.invoke(app, ["clv", "fit", str(path), "--amount-col", "spend"])
    assert result.exit_code == 1 and "no column 'spend'" in result.output
