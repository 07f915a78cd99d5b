"""Renderers: each output format is one module with `render(report) -> str`.

The terminal renderer prints to a rich Console instead; every other format
is text, so the command line can send any of them to stdout or to a file.
Modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from readycheck.model import Report

#: format name -> module holding `render(report: Report) -> str`
TEXT_FORMATS: dict[str, str] = {
    "json": "readycheck.renderers.json_report",
    "html": "readycheck.renderers.html",
    "markdown": "readycheck.renderers.markdown",
    "sarif": "readycheck.renderers.sarif",
    "junit": "readycheck.renderers.junit",
    "github": "readycheck.renderers.github",
}

#: file suffix -> format, for `-o report.html`
SUFFIXES: dict[str, str] = {
    ".sarif": "sarif",
    ".xml": "junit",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "terminal",
    ".log": "terminal",
}


def renderer(name: str) -> Callable[[Report], str]:
    module = importlib.import_module(TEXT_FORMATS[name])
    render: Callable[[Report], str] = module.render
    return render


def format_for(path: Path) -> str | None:
    """The format a file name asks for, or None when its suffix is not one we know."""
    return SUFFIXES.get(path.suffix.lower())
