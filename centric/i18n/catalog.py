"""Keeping the catalogs complete: extract messages, find untranslated ones and bare English text.

``python -m centric.i18n.catalog check`` lists what is missing from the Chinese catalog;
``python -m centric.i18n.catalog stub zh/NAME.po PATH…`` appends the missing messages found
under PATH (templates or Python) to a PO file, with empty translations to fill in.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.ext import babel_extract

from centric.i18n import BABEL_LOCALES, CATALOGS, catalog_files

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "web" / "templates"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# Words that read the same in both languages: product names, metric acronyms, file formats.
SAME_IN_EVERY_LANGUAGE = {
    "Centric", "NPS", "CSAT", "CES", "eNPS", "CX", "EX", "ROI", "CSV", "XLSX", "JSON", "SVG", "PNG", "API", "SLA",
    "SLAs", "KPI", "KPIs", "RFM", "CLV", "BG", "NBD", "ID", "URL", "QR", "SMTP", "HTML", "OK", "vs", "e.g.",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")  # single letters are symbols (r, a, k)
_READ_ATTRIBUTES = re.compile(r"""(?<![\w-])(?:title|placeholder|aria-label|alt|label)\s*=\s*["']([^"'\x00]*)["']""")
_HIDDEN_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)


@dataclass(frozen=True)
class Message:
    id: str
    plural: str | None
    context: str | None
    where: str  # path:line


def template_messages(paths: Iterable[Path] = (TEMPLATES,)) -> Iterator[Message]:
    """Every ``_()``, ``gettext``, ``ngettext`` and ``{% trans %}`` message in the Jinja templates."""
    for path in _files(paths, ".html"):
        with path.open("rb") as handle:
            for line, func, message, _comments in babel_extract(
                handle, list(KEYWORDS), [], {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                             "lstrip_blocks": "true"},
            ):
                yield from _messages(message, f"{_relative(path)}:{line}", context_first=func == "pgettext")


def python_messages(paths: Iterable[Path] = (PACKAGE,)) -> Iterator[Message]:
    """Every message marked with ``_``, ``gettext``, ``N_``, ``ngettext`` or ``pgettext`` in the code."""
    for path in _files(paths, ".py"):
        if "migrations" in path.parts:
            continue
        with path.open("rb") as handle:
            for line, func, message, _comments in extract_python(handle, KEYWORDS, [], {}):
                yield from _messages(message, f"{_relative(path)}:{line}", context_first=func == "pgettext")


def _messages(message: object, where: str, context_first: bool = False) -> Iterator[Message]:
    if context_first:  # pgettext("verb", "Change"): the context, then the message
        if isinstance(message, tuple | list) and len(message) == 2 and all(isinstance(m, str) for m in message):
            yield Message(str(message[1]), None, str(message[0]), where)
        return
    if isinstance(message, str):
        if message:
            yield Message(message, None, None, where)
    elif isinstance(message, tuple | list) and message and isinstance(message[0], str):
        plural = message[1] if len(message) > 1 and isinstance(message[1], str) else None
        yield Message(message[0], plural, None, where)


def translated(language: str) -> dict[tuple[str, str | None], bool]:
    """(msgid, context) → whether ``language``'s catalog translates it (all plural forms filled)."""
    known: dict[tuple[str, str | None], bool] = {}
    for path in catalog_files(language):
        with path.open("rb") as handle:
            for entry in read_po(handle, locale=BABEL_LOCALES.get(language, language)):
                if not entry.id:
                    continue
                msgid = entry.id[0] if isinstance(entry.id, tuple | list) else entry.id
                strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
                done = bool(strings) and all(strings) and not entry.fuzzy
                known[(msgid, entry.context)] = known.get((msgid, entry.context), False) or done
    return known


def missing(language: str, messages: Iterable[Message]) -> list[Message]:
    """The messages ``language`` does not translate yet (each msgid once, first place seen)."""
    known = translated(language)
    seen: set[tuple[str, str | None]] = set()
    gaps = []
    for message in messages:
        key = (message.id, message.context)
        if key in seen:
            continue
        seen.add(key)
        if not known.get(key):
            gaps.append(message)
    return gaps


def bare_text(paths: Iterable[Path] = (TEMPLATES,), env: Environment | None = None) -> list[str]:
    """Template text a reader sees that is not passed through the catalog: ``path:line: words``.

    Text inside ``{% trans %}`` and values of ``title``/``placeholder``/``aria-label``/``alt``
    attributes are checked too; scripts, styles and comments are not shown and are skipped.
    """
    lexer_env = env or Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    problems = []
    for path in _files(paths, ".html"):
        source = _HIDDEN_BLOCKS.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
        scanner = _TextScanner()
        in_trans = False
        previous = ""
        for line, kind, value in lexer_env.lex(source):
            if kind == "name" and previous == "block_begin":
                in_trans = value == "trans" or (in_trans and value != "endtrans")
            if kind != "whitespace":
                previous = kind
            if kind != "data":
                scanner.interrupt()
                continue
            for offset, words in scanner.feed(value, checked=not in_trans):
                problems.append(f"{_relative(path)}:{line + value.count(chr(10), 0, offset)}: {words}")
    return problems


class _TextScanner:
    """Follows whether template data is inside an HTML tag, across Jinja expressions and blocks."""

    def __init__(self) -> None:
        self.in_tag = False
        self.tag_text = ""

    def interrupt(self) -> None:
        if self.in_tag:
            self.tag_text += "\x00"  # a Jinja expression inside a tag: an attribute value that is not literal

    def feed(self, data: str, checked: bool) -> list[tuple[int, str]]:
        """(offset in ``data``, words) for each run of visible English text and read attribute."""
        found: list[tuple[int, str]] = []
        text: list[str] = []
        start = 0
        for index, char in enumerate(data):
            if self.in_tag:
                if char == ">":
                    found += [(index, v) for v in _READ_ATTRIBUTES.findall(self.tag_text) if _english(v)]
                    self.in_tag, self.tag_text = False, ""
                    start = index + 1
                else:
                    self.tag_text += char
            elif char == "<":
                found += self._text(text, start)
                self.in_tag, self.tag_text, text = True, "", []
            else:
                if not text or not "".join(text).strip():
                    start = index if char.strip() else start
                text.append(char)
        found += self._text(text, start)
        return sorted(found) if checked else []

    @staticmethod
    def _text(chars: list[str], start: int) -> list[tuple[int, str]]:
        visible = re.sub(r"&[a-z]+;|&#\d+;", " ", "".join(chars))
        return [(start, " ".join(visible.split()))] if _english(visible) else []


def _english(text: str) -> bool:
    return any(word not in SAME_IN_EVERY_LANGUAGE for word in _WORD.findall(text))


def stub(po_file: Path, language: str, paths: list[Path]) -> int:
    """Append ``paths``' untranslated messages to ``po_file`` with empty translations; returns how many."""
    messages = [*template_messages([p for p in paths if p.suffix != ".py"]),
                *python_messages([p for p in paths if p.is_dir() or p.suffix == ".py"])]
    gaps = missing(language, messages)
    existing = po_file.read_text(encoding="utf-8") if po_file.exists() else _HEADER
    lines = [existing.rstrip("\n"), ""]
    for message in gaps:
        lines.append(f"#: {message.where}")
        if message.context:
            lines.append(f"msgctxt {_quote(message.context)}")
        lines.append(f"msgid {_quote(message.id)}")
        if message.plural:
            lines += [f"msgid_plural {_quote(message.plural)}", 'msgstr[0] ""', ""]
        else:
            lines += ['msgstr ""', ""]
    po_file.parent.mkdir(parents=True, exist_ok=True)
    po_file.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return len(gaps)


_HEADER = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: zh_Hans_CN\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
'''


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _files(paths: Iterable[Path], suffix: str) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob(f"*{suffix}") if p.is_file())
        elif path.suffix == suffix:
            yield path


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PACKAGE.parent))
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    if argv[:1] == ["stub"] and len(argv) >= 3:
        added = stub(CATALOGS / argv[1], argv[1].split("/")[0], [Path(p) for p in argv[2:]])
        print(f"{added} messages added to {argv[1]}")
        return 0
    if argv[:1] == ["check"]:
        gaps = missing("zh", [*template_messages(), *python_messages()])
        bare = bare_text()
        for message in gaps:
            print(f"{message.where}: not translated: {message.id!r}")
        for problem in bare:
            print(f"{problem}  (not in the catalog)")
        print(f"{len(gaps)} untranslated messages, {len(bare)} bare texts")
        return 1 if gaps or bare else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
