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
    "gitlab": "readycheck.renderers.gitlab",
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


#: Formats a file's suffix allows besides its own: a GitLab Code Quality report is JSON.
ALSO_ALLOWED: dict[str, frozenset[str]] = {"json": frozenset({"gitlab"})}


def allows(suffix_format: str, wanted: str) -> bool:
    """Whether a file whose suffix names `suffix_format` may hold the `wanted` format."""
    return wanted == suffix_format or wanted in ALSO_ALLOWED.get(suffix_format, frozenset())


def renderer(name: str) -> Callable[[Report], str]:
    module = importlib.import_module(TEXT_FORMATS[name])
    render: Callable[[Report], str] = module.render
    return render


#: file name ending -> format, looked at before the suffix: the names GitLab's
#: documentation gives a Code Quality report.
NAMES: dict[str, str] = {"code-quality-report.json": "gitlab", ".codequality.json": "gitlab"}


def format_for(path: Path) -> str | None:
    """The format a file name asks for, or None when its suffix is not one we know."""
    name = path.name.lower()
    for ending, named in NAMES.items():
        if name.endswith(ending):
            return named
    return SUFFIXES.get(path.suffix.lower())
