"""Jinja2 templates with autoescaping always on; customer text is never trusted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates ship with the package; no stat() of every file per page
)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


environment.filters["fmt"] = _fmt


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    caller = context.pop("caller", None)
    html = environment.get_template(name).render(
        request=request, caller=caller, user=caller.user if caller else None,
        csrf_token=caller.csrf_token if caller else None, path=request.url.path, **context,
    )
    return HTMLResponse(html, status_code=status_code)
