"""`readycheck init`: write a commented starter configuration (.readycheck.yml) into a
repository, to edit before its first scan.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from readycheck.commands._output import fail, standard_output, write_file


def init(
    path: Annotated[
        Path, typer.Argument(help="Repository root to write .readycheck.yml into.")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing config file.")
    ] = False,
) -> None:
    """Write a commented starter configuration (.readycheck.yml)."""
    from readycheck.config import STARTER

    target = path / ".readycheck.yml"
    if os.path.lexists(target) and not force:  # a symlink, even a broken one, is replaced
        fail(f"{target} already exists; use --force to overwrite it")
    if not path.is_dir():
        fail(f"{path} is not a folder")
    write_file(target, STARTER, "the config file", scanned=path)
    with standard_output("the summary"):
        typer.echo(f"Wrote {target}. Edit it, then run `readycheck scan {path}`.")
