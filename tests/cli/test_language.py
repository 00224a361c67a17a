"""The CLI speaks the operator's language: ``CENTRIC_LANG``, else the POSIX locale; English by default."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centric.cli.main import app
from tests.factories import make_journey

runner = CliRunner()
NO_LANGUAGE = {"CENTRIC_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def run(db, env: dict[str, str | None], *args: str):
    return runner.invoke(app, ["--database-url", db.url, *args], env={**NO_LANGUAGE, **env})


def test_an_import_with_a_bad_row_reports_in_chinese_or_english(db, tmp_path):
    with db.transaction() as s:
        make_journey(s)
    path = tmp_path / "responses.csv"
    path.write_text("external_id,survey,email,touchpoint,nps\n"
                    "a,rnps,a@x.org,check-in,10\n"
                    "b,rnps,b@x.org,check-in,12\n", encoding="utf-8")
    chinese = run(db, {"CENTRIC_LANG": "zh"}, "import", "responses", str(path))
    assert chinese.exit_code == 1
    assert "新建 1，更新 0，已存在 0，拒绝 1" in chinese.output
    assert f"{path}:3: 字段 nps：" in chinese.output  # file and line as they are
    english = run(db, {}, "import", "responses", str(path))
    assert english.exit_code == 1
    assert "0 created, 0 updated, 1 already stored, 1 rejected" in english.output
    assert f"{path}:3: field nps:" in english.output
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.output.replace(str(path), ""))
    # machine-readable output does not change with the language
    as_json = run(db, {"CENTRIC_LANG": "zh"}, "import", "responses", str(path), "--json")
    assert json.loads(as_json.output[as_json.output.index("{"):])["skipped"] == 1


def test_the_posix_locale_chooses_chinese_and_errors_are_translated(db):
    ran = run(db, {"LANG": "zh_CN.UTF-8"}, "jobs", "run")
    assert ran.exit_code == 0, ran.output
    assert "已运行 0 个任务" in ran.output
    wrong = run(db, {"CENTRIC_LANG": "zh-CN"}, "import", "colours", __file__)
    assert wrong.exit_code == 2 and "错误：" in wrong.output and "未知类型 'colours'" in wrong.output
    plain = run(db, {"LANG": "C.UTF-8"}, "jobs", "run")
    assert plain.exit_code == 0 and "0 job(s) run" in plain.output
