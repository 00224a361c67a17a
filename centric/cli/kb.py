"""``centric kb``: the knowledge base — import and export articles, ask the FAQ bot, measure its answers."""

from __future__ import annotations

import typer

app = typer.Typer(help="The knowledge base: import, export, ask the bot, evaluate.", no_args_is_help=True)


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
        fail("--lang must be en or zh", 2)
    db = open_db()
    with errors_as_messages(), db.reader() as session:
        answer = answering.ask(session, question, lang, k=alternatives)
    if json_out:
        console.print_json(bot_answer_out(answer).model_dump_json())
        return
    if answer.best is not None:
        console.print(f"[bold]{answer.best.title}[/bold]  ({answer.best.slug}, confidence {answer.confidence:.2f})")
    else:
        console.print(f"The bot does not know (confidence {answer.confidence:.2f} < threshold "
                      f"{answer.threshold:.2f}): it would offer a person.")
    if answer.cross_lingual:
        console.print(f"No published entry in {answer.language}: answered from the other language's entries.")
    for candidate in answer.alternatives:
        console.print(f"  also: {candidate.title}  ({candidate.slug}, {candidate.score:.2f})")


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
        fail(f"--dataset must be one of {', '.join(evaluation.DATASETS)}", 2)
    try:
        folder = Path(data) if data else (settings().shared_data if dataset != "zh" else None)
        loaded = evaluation.load(dataset, folder)
    except (OSError, KeyError, ValueError) as exc:
        fail(f"cannot read the {dataset} data set: {exc}", 2)
    if variants is not None:
        loaded = evaluation.with_variants(loaded, variants)
    result = evaluation.evaluate(loaded, evaluation.DiskEmbeddings(Path(cache) if cache else None), baselines=baselines,
                                 progress=(lambda _: None) if json_out else (lambda m: err.print(f"... {m}")))
    if json_out:
        console.print_json(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        return
    typer.echo(evaluation.report(result))
