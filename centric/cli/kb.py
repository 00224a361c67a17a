"""``centric kb``: the knowledge base — import and export articles, ask the FAQ bot, measure its answers."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from centric import i18n
from centric.cli.common import console, err, errors_as_messages, fail, open_db
from centric.kb.articles import ArticleFilter
from centric.kb.formats import FORMATS, guess_format, read_path, to_csv, to_json, to_markdown
from centric.kb.models import LANGUAGES, STATUSES
from centric.kb.transfer import export_document, import_source

app = typer.Typer(help="The knowledge base: import, export, ask the bot, evaluate.", no_args_is_help=True)


def _format(fmt: str | None, path: Path) -> str:
    chosen = fmt or ("md" if path.is_dir() else guess_format(path.name))
    if chosen not in FORMATS:
        fail(i18n._("unknown format %(value)s; use --format %(items)s") % {"value": f"{chosen or path.suffix!r}",
                                                                           "items": ', '.join(FORMATS)}, 2)
    return str(chosen)


@app.command("import")
def import_entries(
    path: Path = typer.Argument(..., exists=True, readable=True,
                                help="a .csv or .json file, a .md file, a folder of .md files or a .zip of them"),
    fmt: str | None = typer.Option(None, "--format", help="csv, json or md (default: from the name)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check the file and report; store nothing"),
    publish: bool = typer.Option(False, "--publish", help="publish every imported entry"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Import entries; bad rows are printed as FILE line N, field F: reason and skipped. Exits 1 if any failed.

    Entries are matched by slug: importing the same file again changes nothing, and a changed
    entry becomes a new version.
    """
    source = read_path(path, _format(fmt, path))
    db = open_db()
    with Progress(TextColumn(i18n._("importing %(name)s") % {"name": path.name}), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(),
                  console=err, disable=as_json) as progress:
        task = progress.add_task(i18n._('entries'), total=len(source.entries))
        with errors_as_messages(), db.transaction() as session:
            report = import_source(session, source, dry_run=dry_run, publish=publish,
                                   on_entry=lambda n: progress.update(task, completed=n))
    if as_json:
        console.print_json(report.model_dump_json())
    else:
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                  "failed": report.failed}
        summary = (i18n._("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s with problems "
                          "(would be checked)") if dry_run else
                   i18n._("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s with problems "
                          "(were stored)")) % counts
        if report.categories_created:
            summary += i18n._("; categories created: %(keys)s") % {"keys": ", ".join(report.categories_created)}
        console.print(summary)
        for problem in report.errors:
            where = i18n._(", field %(field)s") % {"field": problem.field} if problem.field else ""
            typer.echo(i18n._("%(file)s line %(line)s%(where)s: %(message)s") % {"file": problem.file,
                                                                                 "line": problem.line, "where": where,
                                                                                 "message": problem.message}, err=True)
    if report.failed:
        raise typer.Exit(1)


@app.command("export")
def export_entries(
    path: Path = typer.Argument(..., help="the file to write (.csv or .json; - for standard output) or a folder (md)"),
    fmt: str | None = typer.Option(None, "--format", help="csv, json or md (default: from the name)"),
    status: str | None = typer.Option(None, help="draft, published or archived"),
    language: str | None = typer.Option(None, help="en or zh"),
    category: str | None = typer.Option(None, help="a category's key"),
) -> None:
    """Export entries (every category too) in a format ``centric kb import`` reads back."""
    if status is not None and status not in STATUSES:
        fail(i18n._("unknown status %(status)s; use %(items)s") % {"status": f"{status!r}",
                                                                   "items": ', '.join(STATUSES)}, 2)
    if language is not None and language not in LANGUAGES:
        fail(i18n._("unknown language %(language)s; use %(items)s") % {"language": f"{language!r}",
                                                                       "items": ', '.join(LANGUAGES)}, 2)
    chosen = fmt or ("json" if str(path) == "-" else None)
    chosen = _format(chosen, path)
    with errors_as_messages(), open_db().reader() as session:
        document = export_document(session, ArticleFilter(status=status, language=language, category=category))
    if chosen == "md":
        if str(path) == "-" or (path.exists() and not path.is_dir()):
            fail(i18n._("the Markdown export is a folder: give a folder's path"), 2)
        path.mkdir(parents=True, exist_ok=True)
        for name, content in to_markdown(document).items():
            (path / name).write_text(content, encoding="utf-8")
    else:
        text = to_json(document) if chosen == "json" else to_csv(document)
        if str(path) == "-":
            sys.stdout.write(text)
            return
        path.write_text(text, encoding="utf-8")
    err.print(i18n._("exported %(n_articles)s entries and %(n_categories)s categories to "
                     "%(path)s") % {"n_articles": len(document.articles), "n_categories": len(document.categories),
                                    "path": path})


# ---- the FAQ bot: ask it, measure it (answers helper) ----
# Imports stay inside the commands: the engine's libraries load only when the bot is used.

@app.command("ask")
def ask_bot(question: str = typer.Argument(..., help="the question, as a customer would ask it"),
            lang: str | None = typer.Option(None, "--lang", help="en or zh; detected when left out"),
            alternatives: int = typer.Option(3, "--k", min=0, max=10, help="alternatives to show"),
            json_out: bool = typer.Option(False, "--json")) -> None:
    """Ask the FAQ bot a question: the published entry it answers with, or its abstention."""
    from centric.cli.common import console, errors_as_messages, fail, open_db
    from centric.kb import answering
    from centric.kb.answer_schemas import bot_answer_out

    if lang is not None and lang not in ("en", "zh"):
        fail(i18n._('--lang must be en or zh'), 2)
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        answer = answering.ask(session, question, lang, k=alternatives)
    if json_out:
        console.print_json(bot_answer_out(answer).model_dump_json())
        return
    if answer.best is not None:
        console.print(i18n._("[bold]%(title)s[/bold]  (%(slug)s, confidence "
                             "%(confidence)s)") % {"title": answer.best.title, "slug": answer.best.slug,
                                                   "confidence": f"{answer.confidence:.2f}"})
    else:
        console.print(i18n._("The bot does not know (confidence %(confidence)s < threshold %(threshold)s): it would "
                             "offer a person.") % {"confidence": f"{answer.confidence:.2f}",
                                                   "threshold": f"{answer.threshold:.2f}"})
    if answer.cross_lingual:
        console.print(i18n._("No published entry in %(language)s: answered from the other language's "
                             "entries.") % {"language": answer.language})
    for candidate in answer.alternatives:
        console.print(i18n._("  also: %(title)s  (%(slug)s, %(score)s)") % {"title": candidate.title,
                                                                            "slug": candidate.slug,
                                                                            "score": f"{candidate.score:.2f}"})


@app.command("evaluate")
def evaluate_bot(dataset: str = typer.Option("clinc150", "--dataset", help="clinc150, banking77 or zh"),
                 data: str | None = typer.Option(None, "--data", help="shared data folder (for zh: the folder of "
                                                                       "faq_zh.json); default: the checkout's"),
                 cache: str | None = typer.Option(None, "--cache", help="folder of the cached embeddings"),
                 variants: int | None = typer.Option(None, "--variants", min=1,
                                                     help="keep at most this many question texts per entry"),
                 baselines: bool = typer.Option(True, "--baselines/--no-baselines"),
                 json_out: bool = typer.Option(False, "--json")) -> None:
    """Measure the bot on a benchmark through the same engine as ``centric kb ask`` (see docs)."""
    import dataclasses
    import json
    from pathlib import Path

    from centric.cli.common import console, err, fail, settings
    from centric.kb import evaluation

    if dataset not in evaluation.DATASETS:
        fail(i18n._("--dataset must be one of %(items)s") % {"items": ', '.join(evaluation.DATASETS)}, 2)
    try:
        folder = Path(data) if data else (settings().shared_data if dataset != "zh" else None)
        loaded = evaluation.load(dataset, folder)
    except (OSError, KeyError, ValueError) as exc:
        fail(i18n._("cannot read the %(dataset)s data set: %(exc)s") % {"dataset": dataset, "exc": exc}, 2)
    if variants is not None:
        loaded = evaluation.with_variants(loaded, variants)
    result = evaluation.evaluate(loaded, evaluation.DiskEmbeddings(Path(cache) if cache else None), baselines=baselines,
                                 progress=(lambda _: None) if json_out else (lambda m: err.print(f"... {m}")))
    if json_out:
        console.print_json(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        return
    typer.echo(evaluation.report(result))
