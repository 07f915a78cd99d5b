"""Command-line options more than one command takes (`scan`, `baseline create`,
`portfolio`, `trend`), declared once so they read the same in every `--help`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Keep the incremental cache here \\[default: ~/.cache/readycheck].",
        file_okay=False,
        show_default=False,
        rich_help_panel="Performance",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Analyse every file again; read and write no cache.",
        rich_help_panel="Performance",
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes \\[default: one per available core].",
        show_default=False,
        rich_help_panel="Performance",
    ),
]
