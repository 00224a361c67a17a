"""``centric text``: analyse ad-hoc files, re-enrich stored feedback, discover themes, taxonomy files."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from centric import i18n
from centric.cli.common import console, err, errors_as_messages, fail, open_db, settings, spreadsheet_safe

if TYPE_CHECKING:  # the text models load on first use, not when the CLI starts
    from centric.text import Enrichment, Taxonomy

app = typer.Typer(help="Text analytics: sentiment, themes, effort and emotion in English and Chinese.",
                  no_args_is_help=True)
taxonomy_app = typer.Typer(help="Export or import the theme taxonomy as JSON or YAML.", no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")
BATCH = 500
CSV_COLUMNS = ["id", "language", "sentiment", "sentiment_score", "sentiment_confidence", "mixed", "themes",
               "theme_sentiments", "effort", "high_effort", "emotions", "actionable", "version"]


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    text: str


def _read_rows(path: Path, text_col: str, id_col: str | None) -> tuple[list[Row], list[str]]:
    """Rows and line-numbered problems of a CSV or JSON Lines file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(i18n._("cannot read %(path)s: %(value)s") % {"path": path, "value": exc.strerror or exc}, 2)
    lines = raw.decode("utf-8", errors="surrogateescape").lstrip("\ufeff").splitlines()
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl_rows(lines, text_col, id_col)
    return _csv_rows(lines, text_col, id_col)


def _is_clean(value: str) -> bool:
    return not any("\udc80" <= ch <= "\udcff" for ch in value)


def _csv_rows(lines: list[str], text_col: str, id_col: str | None) -> tuple[list[Row], list[str]]:
    reader = csv.DictReader(lines)
    columns = reader.fieldnames or []
    for wanted in filter(None, (text_col, id_col)):
        if wanted not in columns:
            fail(i18n._("line 1: no column %(wanted)s; the columns are %(columns)s")
                 % {"wanted": repr(wanted), "columns": ", ".join(columns) or i18n._("(none)")}, 2)
    rows, problems = [], []
    for record in reader:
        line = reader.line_num
        text = record.get(text_col)
        if text is None:
            problems.append(f"line {line}: missing the {text_col!r} cell")
        elif not all(_is_clean(str(v)) for v in record.values() if v is not None):
            problems.append(f"line {line}: not valid UTF-8")
        else:
            rows.append(Row(line, str(record.get(id_col) if id_col else line), text))
    return rows, problems


def _jsonl_rows(lines: list[str], text_col: str, id_col: str | None) -> tuple[list[Row], list[str]]:
    rows, problems = [], []
    for number, body in enumerate(lines, start=1):
        if not body.strip():
            continue
        if not _is_clean(body):
            problems.append(f"line {number}: not valid UTF-8")
            continue
        try:
            record = json.loads(body)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get(text_col), str):
            problems.append(f"line {number}: no text field {text_col!r}")
            continue
        rows.append(Row(number, str(record.get(id_col, number) if id_col else number), record[text_col]))
    return rows, problems


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


def _enriched(rows: list[Row], taxonomy: Taxonomy | None, mode: str) -> Iterator[tuple[Row, Enrichment]]:
    from centric.text import enrich_many

    with _progress() as progress:
        task = progress.add_task(i18n._('analysing'), total=len(rows))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            yield from zip(chunk, enrich_many([r.text for r in chunk], taxonomy, mode), strict=True)
            progress.advance(task, len(chunk))


def _csv_cells(row: Row, result: Enrichment) -> dict[str, str | int]:
    s = result.sentiment
    return {
        "id": row.id, "language": result.language, "sentiment": s.label,
        "sentiment_score": f"{s.score:.4f}", "sentiment_confidence": f"{s.confidence:.3f}", "mixed": int(s.mixed),
        "themes": ";".join(result.theme_paths),
        "theme_sentiments": ";".join(f"{t.path}={t.sentiment or ''}" for t in result.themes),
        "effort": f"{result.effort.score:.3f}", "high_effort": int(result.effort.high),
        "emotions": ";".join(e.name for e in result.emotions), "actionable": int(result.actionable),
        "version": result.model_version,
    }


@app.command("train")
def train_models(
    data: Path | None = typer.Option(None, "--data", help="Labelled corpora; default: <CENTRIC_SHARED_DATA>/text."),
    out: Path | None = typer.Option(None, "--out", help="Where to write the model artefact; default: the package's."),
) -> None:
    """Retrain the sentiment models (fast and accurate) from the corpora and the service examples; workers re-enrich."""
    from centric.text.artefact import ARTEFACT
    from centric.text.train import train_and_save

    console.print(train_and_save(data or settings().text_corpora, out or ARTEFACT))


@app.command("analyze")
def analyze(
    file: Path = typer.Argument(..., help="a CSV file with a header row, or JSON Lines (.jsonl)"),
    text_col: str = typer.Option(..., "--text-col", help="the column (or JSON field) holding the text"),
    id_col: str | None = typer.Option(None, "--id-col", help="a column identifying each row (default: line number)"),
    json_out: bool = typer.Option(False, "--json", help="print one JSON object per row"),
    out: Path | None = typer.Option(None, "--out", help="write one CSV row of results per input row"),
    taxonomy_file: Path | None = typer.Option(
        None, "--taxonomy", help="a JSON or YAML taxonomy instead of the default"
    ),
    model: str | None = typer.Option(
        None, "--model", help="sentiment model: fast or accurate (default: the CENTRIC_TEXT_MODEL setting)"
    ),
) -> None:
    """Enrich the texts of a file, without a database: sentiment, themes, effort, emotion, actionable."""
    from centric.themes.enrichment import enrichment_json

    mode = model or settings().text_model
    if mode not in ("fast", "accurate"):
        fail(i18n._("--model must be fast or accurate, not %(mode)s") % {"mode": f"{mode!r}"}, 2)
    taxonomy = _taxonomy_file(taxonomy_file) if taxonomy_file else None
    rows, problems = _read_rows(file, text_col, id_col)
    for problem in problems:
        err.print(i18n._("[yellow]skipped[/yellow] %(problem)s") % {"problem": problem})
    sentiments: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    writer = None
    handle = out.open("w", newline="", encoding="utf-8") if out else None
    try:
        if handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS)
            writer.writeheader()
        for row, result in _enriched(rows, taxonomy, mode):
            sentiments[result.sentiment.label] += 1
            themes.update(t.path for t in result.direct_themes)
            if json_out:
                sys.stdout.write(json.dumps({"id": row.id, "line": row.line, **enrichment_json(result)},
                                            ensure_ascii=False) + "\n")
            if writer:
                writer.writerow(spreadsheet_safe(_csv_cells(row, result)))
    finally:
        if handle:
            handle.close()
    if not json_out:
        _summary(len(rows), len(problems), sentiments, themes)


def _summary(n: int, skipped: int, sentiments: Counter[str], themes: Counter[str]) -> None:
    table = Table(title=i18n._("%(n)s texts analysed, %(skipped)s skipped") % {"n": n, "skipped": skipped})
    table.add_column(i18n._('sentiment'))
    table.add_column(i18n._('texts'), justify="right")
    for label in ("negative", "neutral", "positive"):
        table.add_row(label, str(sentiments.get(label, 0)))
    console.print(table)
    top = Table(title=i18n._('top themes'))
    top.add_column(i18n._('theme'))
    top.add_column(i18n._('texts'), justify="right")
    for path, count in themes.most_common(15):
        top.add_row(path, str(count))
    console.print(top)


def _taxonomy_file(path: Path) -> Taxonomy:
    from centric.themes.taxonomy import load_document, parse_taxonomy

    with errors_as_messages():
        return parse_taxonomy(load_document(_read_text(path), _format_of(path)))


def _format_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return "yaml" if suffix in (".yaml", ".yml") else "json" if suffix == ".json" else None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(i18n._("cannot read %(path)s: %(exc)s") % {"path": path, "exc": exc}, 2)


@app.command("status")
def status(json_out: bool = typer.Option(False, "--json")) -> None:
    """The current text version, how many items are on it, and the re-enrichment run bringing the rest."""
    from dataclasses import asdict

    from centric.themes.enrichment import reenrichment_status

    db = open_db()
    with db.transaction() as session:  # the taxonomy is seeded on first use
        state = reenrichment_status(session)
    if json_out:
        typer.echo(json.dumps({**asdict(state), "stale": state.stale}, ensure_ascii=False, indent=2))
        return
    run = state.run
    share = f"{100 * state.current / state.total:.1f} %" if state.total else "-"
    table = Table(title=i18n._('text analytics'), show_header=False)
    table.add_row(i18n._('current version'), state.version)
    table.add_row(i18n._('models and rules'), state.label)
    table.add_row(i18n._('items on it'), i18n._("%(current)s of %(total)s (%(share)s)") % {"current": state.current,
                                                                                           "total": state.total,
                                                                                           "share": share})
    table.add_row(i18n._('stale'),
                  i18n._("%(stale)s (%(never)s never enriched, %(failed)s failed)") % {"stale": state.stale,
                                                                                       "never": state.never,
                                                                                       "failed": state.failed})
    job = i18n._("none active")
    if state.job_id:
        job = i18n._("job %(id)s %(status)s") % {"id": state.job_id, "status": state.job_status}
    table.add_row(i18n._('re-enrichment'), job)
    if run.run:
        progress = i18n._('complete') if run.done else i18n._("at id %(cursor)s") % {"cursor": run.cursor}
        table.add_row(i18n._("run %(run)s") % {"run": run.run},
                      i18n._("%(progress)s; %(enriched)s enriched, %(failed)s failed; started %(started)s, finished "
                             "%(finished)s") % {"progress": progress, "enriched": run.enriched, "failed": run.failed,
                                                "started": run.started_at or "-", "finished": run.finished_at or "-"})
    console.print(table)


@app.command("reenrich")
def reenrich(
    everything: bool = typer.Option(False, "--all", help="re-enrich every item, not only stale ones"),
    queue: bool = typer.Option(False, "--queue", help="queue a background run instead of running here"),
) -> None:
    """Re-enrich stored feedback whose model or taxonomy version is out of date, in batches.

    Not needed after an upgrade or a taxonomy edit: workers start such a run by themselves
    (see `centric text status`); this is the explicit trigger.
    """
    from centric.themes.enrichment import enrich_items, schedule_reenrichment, stale_ids
    from centric.themes.taxonomy import current_taxonomy

    db = open_db()
    if queue:
        with db.transaction() as session:
            job = schedule_reenrichment(session)
            typer.echo(i18n._("re-enrichment run: job %(id)s (%(status)s)") % {"id": job.id, "status": job.status})
        return
    mode = settings().text_model
    with db.reader() as session:
        version = current_taxonomy(session, mode).version
        todo = stale_ids(session, "" if everything else version)
    done, failed = 0, 0
    with _progress() as progress:
        task = progress.add_task(i18n._('re-enriching'), total=len(todo))
        for start in range(0, len(todo), BATCH):
            with db.transaction() as session:
                outcome = enrich_items(session, todo[start:start + BATCH], current_taxonomy(session, mode),
                                       force=everything)
            done, failed = done + outcome.enriched, failed + len(outcome.errors)
            progress.advance(task, len(todo[start:start + BATCH]))
    typer.echo(i18n._("%(done)s item(s) enriched, %(failed)s failed (see their enrichment.error), version "
                      "%(version)s") % {"done": done, "failed": failed, "version": version})
    if failed:
        raise typer.Exit(1)


@app.command("discover")
def discover(
    limit: int = typer.Option(5000, min=20, max=20_000, help="newest untagged items to cluster"),
    n_themes: int | None = typer.Option(None, "--n-themes", min=2, max=30, help="default: chosen by silhouette"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Cluster untagged feedback into proposed themes (accept them in the web app or API)."""
    from centric.themes.proposals import run_discovery
    from centric.themes.schemas import ProposalOut

    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        found = [ProposalOut.model_validate(p) for p in run_discovery(session, limit=limit, n_themes=n_themes)]
    if json_out:
        typer.echo(json.dumps([p.model_dump(mode="json") for p in found], ensure_ascii=False, indent=2))
        return
    table = Table(title=i18n._("%(n_found)s proposed themes") % {"n_found": len(found)})
    for column in (i18n.N_("id"), i18n.N_("label"), i18n.N_("language"), i18n.N_("size"), i18n.N_("cohesion")):
        table.add_column(i18n._(column))
    for p in found:
        table.add_row(str(p.id), p.label, p.language, str(p.size), f"{p.cohesion:.2f}")
    console.print(table)


@taxonomy_app.command("export")
def taxonomy_export(
    fmt: str = typer.Option("yaml", "--format", help="yaml or json"),
    out: Path | None = typer.Option(None, "--out", help="file to write (default: standard output)"),
) -> None:
    """Write the stored taxonomy as YAML or JSON."""
    from centric.themes.service import export_document

    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        text = export_document(session, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(i18n._("taxonomy written to %(out)s") % {"out": out})
    else:
        sys.stdout.write(text)


@taxonomy_app.command("import")
def taxonomy_import(file: Path = typer.Argument(..., help="a .yaml/.yml or .json taxonomy")) -> None:
    """Replace the stored taxonomy; unchanged themes keep their items; stale items are re-enriched by a job."""
    from centric.themes.service import import_document
    from centric.themes.taxonomy import load_document

    text = _read_text(file)
    db = open_db()
    with errors_as_messages(), db.transaction() as session:
        result = import_document(session, load_document(text, _format_of(file)))
    typer.echo(i18n._("%(themes)s themes imported; taxonomy version %(version)s") % {"themes": result.themes,
                                                                                     "version": result.version})
