"""The knowledge base's file formats: reading CSV, JSON and Markdown files into entries with
the line each came from, and writing them back.

* JSON: ``{"categories": [{"key", "names", "position"}], "articles": [{"slug", "group",
  "kind", "language", "category", "title", "body", "variants", "status"}]}`` (a bare list of
  articles is read too). A problem names the line where the article's object starts.
* CSV: one row per entry, columns ``slug, group, kind, language, category, title, body,
  variants, status``; variants separated by ``" | "``. A problem names the row's first line.
* Markdown folder: one ``<slug>.md`` per entry, a front-matter block between ``---`` lines
  holding every field but the body (``variants`` as a list), then the Markdown body; the
  categories in ``_categories.yaml``. Front matter is read with YAML's base loader, so
  every value stays text (``title: yes`` is "yes", not true). A problem names the line of
  the field at fault. A ``.zip`` of such files is read like the folder.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from centric.ingest.records import csv_encoding
from centric.kb.schemas import ImportProblem, KbDocument
from centric.kb.validation import FIELDS, VARIANT_SEPARATOR

FORMATS = ("csv", "json", "md")
CATEGORIES_FILE = "_categories.yaml"
CATEGORY_FILES = (CATEGORIES_FILE, "_categories.yml", "_categories.json")
MAX_FRONT_MATTER = 64 * 1024
MAX_FILE_BYTES = 1_000_000
MAX_FILES = 5_000
MAX_ZIP_BYTES = 50_000_000


@dataclass(frozen=True)
class Located:
    """One record of a file (an entry or a category) and where it came from."""

    file: str
    line: int
    record: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str | None) -> int:
        return self.field_lines.get(name or "", self.line)


@dataclass
class Source:
    """What a file or folder holds: categories, entries, and the problems met while reading."""

    categories: list[Located] = field(default_factory=list)
    entries: list[Located] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, file: str, line: int, name: str | None, message: str) -> None:
        self.problems.append(ImportProblem(file=file, line=line, field=name, message=message))

    def extend(self, other: Source) -> None:
        self.categories += other.categories
        self.entries += other.entries
        self.problems += other.problems


def guess_format(name: str) -> str | None:
    """``csv``, ``json`` or ``md`` from a file name (a folder or ``.zip`` is Markdown)."""
    suffix = PurePosixPath(name.lower()).suffix
    return {".csv": "csv", ".json": "json", ".md": "md", ".markdown": "md", ".zip": "md", "": "md"}.get(suffix)


# --- JSON --------------------------------------------------------------------------------

def _decode(data: bytes, name: str, source: Source) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        source.problem(name, data[:exc.start].count(b"\n") + 1, None, f"invalid UTF-8 at byte {exc.start}")
        return None


def read_json(data: bytes, name: str) -> Source:
    source = Source()
    text = _decode(data, name, source)
    if text is None:
        return source
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        source.problem(name, exc.lineno, None, f"malformed JSON: {exc.msg} (column {exc.colno})")
        return source
    if isinstance(document, list):
        document = {"articles": document}
    if not isinstance(document, dict):
        source.problem(name, 1, None, 'expected an object {"categories": [...], "articles": [...]}')
        return source
    for key in sorted(set(document) - {"categories", "articles"}):
        source.problem(name, 1, None, f"unknown key {str(key)[:40]!r}; expected categories and articles")
    lines = _element_lines(text)
    for key, target in (("categories", source.categories), ("articles", source.entries)):
        items = document.get(key) or []
        if not isinstance(items, list):
            source.problem(name, 1, key, "expected a list")
            continue
        where = lines.get(key, [])
        for n, item in enumerate(items):
            line = where[n] if n < len(where) else 1
            if isinstance(item, dict):
                target.append(Located(name, line, item))
            else:
                source.problem(name, line, None, f"item {n + 1} of {key} is not an object")
    return source


def _element_lines(text: str) -> dict[str, list[int]]:
    """For each top-level list of the (valid) JSON document, the line where each element starts."""
    decoder = json.JSONDecoder()
    lines: dict[str, list[int]] = {}
    counted, line = 0, 1

    def line_at(position: int) -> int:
        nonlocal counted, line
        line += text.count("\n", counted, position)
        counted = position
        return line

    def skip(position: int) -> int:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        return position

    try:
        i = skip(0)
        if text[i] != "{":
            return {"articles": _list_lines(text, i, decoder, line_at, skip)} if text[i] == "[" else {}
        i = skip(i + 1)
        while text[i] != "}":
            key, i = decoder.raw_decode(text, i)
            i = skip(skip(i) + 1)
            if text[i] == "[":
                lines[key] = _list_lines(text, i, decoder, line_at, skip)
            i = skip(decoder.raw_decode(text, i)[1])
            if text[i] == ",":
                i = skip(i + 1)
    except (IndexError, ValueError):
        pass  # the lines found so far; the rest are reported at line 1
    return lines


def _list_lines(text: str, i: int, decoder: json.JSONDecoder, line_at: Any, skip: Any) -> list[int]:
    found: list[int] = []
    i = skip(i + 1)
    while text[i] != "]":
        found.append(line_at(i))
        i = skip(decoder.raw_decode(text, i)[1])
        if text[i] == ",":
            i = skip(i + 1)
    return found


def to_json(document: KbDocument) -> str:
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


# --- CSV ---------------------------------------------------------------------------------

def read_csv(data: bytes, name: str) -> Source:
    source = Source()
    text = data.decode(csv_encoding(data), errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as exc:
        source.problem(name, 1, None, f"CSV header: {exc}")
        return source
    if not header or "title" not in header:
        source.problem(name, 1, None, f"the header must name the columns, title among them ({', '.join(FIELDS)})")
        return source
    for column in header:
        if column not in FIELDS:
            source.problem(name, 1, column, f"unknown column {column[:40]!r}; the columns are {', '.join(FIELDS)}")
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            source.problem(name, line, None, f"CSV: {exc}")
            line = reader.line_num + 1
            continue
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header):
                source.problem(name, line, None, f"{len(cells)} cells, but the header names {len(header)} columns")
            else:
                record = {column: cell for column, cell in zip(header, cells, strict=False) if column in FIELDS}
                source.entries.append(Located(name, line, record))
        line = reader.line_num + 1
    return source


def to_csv(document: KbDocument) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for article in document.articles:
        row = article.model_dump()
        row["variants"] = VARIANT_SEPARATOR.join(article.variants)
        writer.writerow(["" if row[name] is None else row[name] for name in FIELDS])
    return out.getvalue()


# --- Markdown with front matter ----------------------------------------------------------

def read_markdown(data: bytes, name: str) -> Source:
    """One entry from ``<slug>.md``: front matter between ``---`` lines, then the body."""
    source = Source()
    text = _decode(data, name, source)
    if text is None:
        return source
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        source.problem(name, 1, None, "the file must start with a front-matter block between two '---' lines")
        return source
    end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
    if end is None:
        source.problem(name, 1, None, "the front matter is not closed by a '---' line")
        return source
    front = "\n".join(lines[1:end])
    if len(front) > MAX_FRONT_MATTER:
        source.problem(name, 2, None, f"the front matter is longer than {MAX_FRONT_MATTER:,} characters")
        return source
    try:
        fields = yaml.load(front, Loader=yaml.BaseLoader)  # the base loader builds no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        source.problem(name, 2 + (mark.line if mark else 0), None, f"front matter: {getattr(exc, 'problem', exc)}")
        return source
    if not isinstance(fields, dict):
        source.problem(name, 2, None, "the front matter must hold 'key: value' lines")
        return source
    field_lines = {key: n + 1 for n in range(1, end) for key in fields
                   if isinstance(key, str) and lines[n].startswith(f"{key}:")}
    for key in sorted(str(k) for k in fields if k not in FIELDS or k == "body"):
        source.problem(name, field_lines.get(key, 2), key, f"unknown field {key[:40]!r} in the front matter")
    record = {key: value for key, value in fields.items() if key in FIELDS and key != "body"}
    record.setdefault("slug", PurePosixPath(name).stem)
    record["body"] = "\n".join(lines[end + 1:]).strip("\n")
    field_lines["body"] = end + 2
    source.entries.append(Located(name, 1, record, field_lines))
    return source


def read_categories_yaml(data: bytes, name: str) -> Source:
    source = Source()
    text = _decode(data, name, source)
    if text is None:
        return source
    try:
        items = yaml.load(text, Loader=yaml.BaseLoader) if len(text) <= MAX_FILE_BYTES else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        source.problem(name, 1 + (mark.line if mark else 0), None, f"YAML: {getattr(exc, 'problem', exc)}")
        return source
    if not isinstance(items, list):
        source.problem(name, 1, None, "expected a list of categories (- key: …, names: …, position: …)")
        return source
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line.startswith("-")]
    for n, item in enumerate(items):
        line = starts[n] if n < len(starts) else 1
        if isinstance(item, dict):
            source.categories.append(Located(name, line, item))
        else:
            source.problem(name, line, None, "each category is an object with key, names and position")
    return source


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def to_markdown(document: KbDocument) -> dict[str, str]:
    """File name → content: one ``<slug>.md`` per entry and ``_categories.yaml``."""
    files: dict[str, str] = {}
    out: list[str] = []
    for category in document.categories:
        out.append(f"- key: {_quoted(category.key)}")
        out.append(f"  position: {category.position}")
        out.append("  names:")
        out.extend(f"    {language}: {_quoted(name)}" for language, name in category.names.items())
    files[CATEGORIES_FILE] = "\n".join(out) + "\n" if out else "[]\n"
    for article in document.articles:
        lines = ["---"]
        for name in ("slug", "group", "kind", "language", "category", "title", "status"):
            value = getattr(article, name)
            if value is not None:
                lines.append(f"{name}: {_quoted(value)}")
        lines.append("variants:" + ("" if article.variants else " []"))
        lines.extend(f"  - {_quoted(variant)}" for variant in article.variants)
        lines += ["---", article.body]
        files[f"{article.slug}.md"] = "\n".join(lines).rstrip("\n") + "\n"
    return files


# --- files, folders, uploads -------------------------------------------------------------

def _markdown_files(named: Iterable[tuple[str, bytes]]) -> Source:
    source = Source()
    for name, data in sorted(named):
        base = PurePosixPath(name).name
        if base in CATEGORY_FILES:
            source.extend(read_json(data, name) if base.endswith(".json") else read_categories_yaml(data, name))
        elif base.lower().endswith((".md", ".markdown")) and not base.startswith("."):
            if len(data) > MAX_FILE_BYTES:
                source.problem(name, 0, None, f"the file is larger than {MAX_FILE_BYTES:,} bytes")
            else:
                source.extend(read_markdown(data, name))
    return source


def _folder(path: Path) -> Iterator[tuple[str, bytes]]:
    for n, item in enumerate(sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())):
        if n >= MAX_FILES:
            break
        yield str(item.relative_to(path)), item.read_bytes() if item.stat().st_size <= MAX_FILE_BYTES else b""


def _zip(data: bytes, name: str, source: Source) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()][:MAX_FILES]
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            source.problem(name, 0, None, f"the archive unpacks to more than {MAX_ZIP_BYTES:,} bytes")
            return []
        return [(m.filename, archive.read(m) if m.file_size <= MAX_FILE_BYTES else b"") for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        source.problem(name, 0, None, f"not a readable .zip archive: {exc}")
        return []


def read_upload(name: str, data: bytes, fmt: str | None = None) -> Source:
    """An uploaded file: CSV, JSON, one Markdown file or a ``.zip`` of Markdown files."""
    fmt = fmt or guess_format(name)
    if fmt == "csv":
        return read_csv(data, name)
    if fmt == "json":
        return read_json(data, name)
    if fmt == "md":
        if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            source = Source()
            source.extend(_markdown_files(_zip(data, name, source)))
            return source
        return _markdown_files([(name, data)])
    source = Source()
    source.problem(name, 0, None, f"unknown format; use {', '.join(FORMATS)} (.csv, .json, .md or a .zip of .md)")
    return source


def read_path(path: Path, fmt: str | None = None) -> Source:
    """A file (CSV, JSON, Markdown, .zip) or a folder of Markdown files."""
    if path.is_dir():
        if fmt not in (None, "md"):
            source = Source()
            source.problem(str(path), 0, None, "a folder holds Markdown files: use --format md")
            return source
        return _markdown_files(_folder(path))
    return read_upload(path.name, path.read_bytes(), fmt)
