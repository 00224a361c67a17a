"""Every message the ``centric`` CLI prints to a person goes through the catalog (``i18n._``).

The check reads the CLI modules' syntax trees: a bare English string literal or f-string
given to a printing or error call (``typer.echo``, ``console.print``, ``fail``,
``typer.BadParameter``, a table column, a progress task…) is a message a Chinese user
would get in English. Machine-readable output (JSON, CSV) is printed from variables and
is not concerned; neither are ``help=`` texts, which Typer reads before the language is set.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import centric.cli

CLI = Path(centric.cli.__file__).parent
# Calls whose text argument a person reads, by the called name (``typer.echo`` → ``echo``): which argument.
PRINTING = {name: 0 for name in ("echo", "secho", "print", "fail", "BadParameter", "confirm", "prompt", "add_column",
                                 "add_task", "TextColumn", "Abort", "UsageError", "Invalid", "NotFound", "Conflict",
                                 "Forbidden")}
PRINTING["report_import"] = 2  # the import's summary line
PRINTING["out"] = 0  # ``out = console.print``
EVERY_ARGUMENT = {"add_row"}  # a table row: its label cells are read too
READ_KEYWORDS = {"title", "description", "caption"}
_MARKUP = re.compile(r"\[/?[a-z #0-9]*\]|\{[\w.]*\}")  # rich markup ([red]…[/red], [/]), rich fields ({task.total})
_WORD = re.compile(r"[A-Za-z]{2,}")
_FORMATS = {"CSV", "JSON", "NPS", "CSAT", "CES", "eNPS", "SQL", "URL", "API", "ID", "OK", "UTC", "CLV", "RFM"}


def _english(text: str) -> bool:
    return any(word not in _FORMATS for word in _WORD.findall(_MARKUP.sub(" ", text)))


def _bare(node: ast.expr) -> bool:
    """Whether ``node`` is English text written in place: a literal, an f-string, or one formatted with % / .format."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _english(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and isinstance(part.value, str) and _english(part.value)
                   for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _bare(node.func.value)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def bare_messages(paths: list[Path]) -> list[str]:
    """``path:line: text`` of each printed or raised message that does not go through ``i18n._``."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            at = PRINTING.get(name)
            shown = list(node.args[at:at + 1]) if at is not None else []
            if name in EVERY_ARGUMENT:
                shown = list(node.args)
            shown += [k.value for k in node.keywords if k.arg in READ_KEYWORDS]
            if name == "Table":
                shown = [k.value for k in node.keywords if k.arg in READ_KEYWORDS]
            for arg in shown:
                if _bare(arg):
                    found.append(f"{path.name}:{arg.lineno}: {ast.unparse(arg)[:80]}")
    return found


def test_cli_messages_go_through_the_catalog():
    bare = bare_messages(sorted(CLI.glob("*.py")))
    assert bare == [], "wrap these in i18n._(…):\n" + "\n".join(bare)


def test_the_check_catches_bare_messages(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "import typer\nfrom centric import i18n\n"
        "typer.echo('Imported rows')\n"                      # bare literal
        "typer.echo(f'{n} rows imported')\n"                 # bare f-string
        "fail('no such survey %s' % key)\n"                  # bare, %-formatted
        "console.print('[red]error:[/red] broken')\n"        # bare behind markup
        "table.add_column('Name')\n"                         # a column header
        "typer.echo(i18n._('Imported rows'))\n"              # translated
        "typer.echo(i18n._('%(n)s rows') % {'n': n})\n"      # translated, formatted
        "typer.echo(f'{path}:{line}: {message}')\n"          # no words of its own
        "console.print_json(data)\n"                         # machine-readable
        "typer.echo(json.dumps(rows))\n")
    assert [line.split(":")[1] for line in bare_messages([module])] == ["3", "4", "5", "6", "7"]
