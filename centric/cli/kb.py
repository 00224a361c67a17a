"""``centric kb``: the knowledge base — import and export articles, ask the FAQ bot, measure its answers."""

from __future__ import annotations

import typer

app = typer.Typer(help="The knowledge base: import, export, ask the bot, evaluate.", no_args_is_help=True)
