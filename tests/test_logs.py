"""Log lines: JSON or text, the request id in every record, ids checked before they are believed."""

from __future__ import annotations

import json
import logging
import os

from centric import logs


def _record(message: str = "job %s done", **fields: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "centric.jobs", "levelname": "INFO", "levelno": logging.INFO,
                                    "msg": message, "args": (7,), **fields})
    logs.RequestIdFilter().filter(record)
    return record


def test_json_and_text_lines_carry_the_request_id_and_the_fields():
    with logs.request_context("abc-1"):
        record = _record(task="themes.enrich", duration_ms=3.5)
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["message"] == "job 7 done" and entry["request_id"] == "abc-1"
    assert entry["task"] == "themes.enrich" and entry["duration_ms"] == 3.5 and entry["level"] == "info"
    text = logs.TextFormatter().format(record)
    assert "[abc-1] job 7 done" in text and "task=themes.enrich" in text
    assert logs.current_request_id() is None  # the context ended with the block


def test_only_short_safe_request_ids_are_believed():
    assert logs.valid_request_id("a1B2.c3:d4-e_5") == "a1B2.c3:d4-e_5"
    for bad in ("", "x" * 65, "a b", "a\nb", "<x>", "ü", None):
        assert logs.valid_request_id(bad) is None


def test_configuring_twice_keeps_one_handler_and_the_format_follows_the_setting():
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        logs.configure("json", "warning")
        logs.configure("text", "INFO")
        ours = [h for h in root.handlers if h.get_name() == "centric-log"]
        assert len(ours) == 1 and isinstance(ours[0].formatter, logs.TextFormatter) and root.level == logging.INFO
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)
    assert logs.log_format("JSON") == "json" and logs.log_format("text") == "text"


def test_new_request_ids_are_valid_distinct_and_differ_in_a_forked_child() -> None:
    ids = {logs.new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(len(i) == 32 and int(i, 16) >= 0 and logs.valid_request_id(i) == i for i in ids)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child draws its first id: the same as the parent's next one unless reseeded
        os.write(write, logs.new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 64).decode() != logs.new_request_id()
