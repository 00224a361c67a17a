"""``centric kb evaluate`` and the benchmark protocol: held-out calibration only, floors on bounded subsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.config import Settings
from centric.kb import evaluation
from centric.text.answers import AnswerEngine

SHARED = Settings().shared_data or evaluation.CHECKOUT.parent / "shared" / "data"
CLINC = SHARED / "faq" / "clinc150" / "data_full.json"


def test_the_chinese_set_through_the_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["kb", "evaluate", "--dataset", "zh", "--json", "--no-baselines",
                                      "--cache", str(tmp_path)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["dataset"] == "zh" and figures["entries"] == 43 and figures["test_out_of_scope"] == 150
    engine = figures["rows"][0]
    assert engine["calibration"] == "self"
    assert engine["in_scope_accuracy"] >= 0.85 and engine["oos_recall"] >= 0.80, engine
    assert 0 <= engine["ece"] <= 0.15


def test_calibration_never_sees_the_test_questions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = evaluation.load("zh")
    test_questions = {q for q, _ in dataset.test} | set(dataset.test_out)
    phase = ["start"]
    scored_in: dict[str, set[str]] = {}
    score = AnswerEngine.score

    def spy(self: AnswerEngine, questions, vectors=None):  # type: ignore[no-untyped-def]
        scored_in.setdefault(phase[0], set()).update(questions)
        return score(self, questions, vectors)

    monkeypatch.setattr(AnswerEngine, "score", spy)
    result = evaluation.evaluate(dataset, evaluation.DiskEmbeddings(tmp_path), baselines=False,
                                 progress=lambda message: phase.__setitem__(0, message))
    calibrating = [p for p in scored_in if p.startswith("calibrating")]
    assert calibrating and all(not (scored_in[p] & test_questions) for p in calibrating)
    assert test_questions <= scored_in[next(p for p in scored_in if p.startswith("answering"))]
    assert result.rows[0].threshold == result.fusion["self"]["threshold"]  # type: ignore[index]


@pytest.mark.skipif(not CLINC.exists(), reason="CLINC150 not present")
def test_clinc150_on_twenty_intents(tmp_path: Path) -> None:
    full = evaluation.load("clinc150", SHARED)
    keep = {e.id for e in full.entries[::7][:20]}
    dataset = evaluation.Dataset(
        "clinc150-20", [e for e in full.entries if e.id in keep], [r for r in full.test if r[1] in keep],
        full.test_out[:300], [r for r in full.calibration if r[1] in keep], full.calibration_out)
    result = evaluation.evaluate(dataset, evaluation.DiskEmbeddings(tmp_path), baselines=False)
    validated = next(r for r in result.rows if r.calibration == "validation" and r.method == "engine (hybrid)")
    assert validated.in_scope_accuracy >= 0.85 and validated.oos_recall is not None and validated.oos_recall >= 0.70
    assert "Larson" in evaluation.report(result)
