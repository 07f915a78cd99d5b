"""Detectors for notebook hygiene: what makes a notebook impossible to rerun or review."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from readycheck.detectors.base import file_detector
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile, clip

NotebookIssue = Literal["out_of_order", "error_output", "shell_install", "too_long", "unexecuted"]
_INSTALLERS = ("pip install", "pip3 install", "conda install", "mamba install", "apt-get install",
               "apt install", "python -m pip install", "uv pip install")  # fmt: skip


#: What an install line may name without installing an undeclared dependency: the
#: installer itself (`pip install -U pip`), the project's declared requirements
#: (`-r requirements.txt`, `-c constraints.txt`) or the project (`-e .`, `.[dev]`).
_DECLARED_INSTALL = re.compile(
    r"^(-(-upgrade|U|q|-quiet|-user|-no-cache-dir)|pip|setuptools|wheel"
    r"|-(r|c|-requirement|-constraint)\s*\S+|-e|-(-editable)|\.(\[[\w,-]+\])?|\.\.?/?)$"
)


def _declared_install(command: str) -> bool:
    """An install of what the project already declares: its requirement files, the
    project itself, or the installer (`pip install --upgrade pip`)."""
    for installer in ("pip install", "pip3 install", "uv pip install"):
        if installer in command:
            arguments = command.split(installer, 1)[1]
            words = re.sub(r"(-r|-c|--requirement|--constraint)\s+", r"\1", arguments).split()
            return bool(words) and all(_DECLARED_INSTALL.match(w) for w in words)
    return False


def _installs_only(source: str) -> bool:
    """A setup cell: every line that does something is a shell or magic command
    (`!pip install ...`, `%pip install ...`), at least one of them an install."""
    lines = [line.strip() for line in source.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    return (
        bool(lines)
        and all(line.startswith(("!", "%")) for line in lines)
        and any(installer in " ".join(line.split()) for line in lines for installer in _INSTALLERS)
    )


@dataclass(frozen=True)
class NotebookParams:
    issue: NotebookIssue
    #: For `too_long`: the most cells a notebook should have.
    max_cells: int = 50


@file_detector(FileKind.NOTEBOOK, params=NotebookParams)
def notebook_issue(source: SourceFile, params: NotebookParams) -> Iterator[Evidence]:
    """Notebook problems: cells run out of order, error outputs committed, shell
    installs, too many cells, code cells never run."""
    notebook = source.notebook
    if notebook is None:
        return
    if params.issue == "out_of_order":
        counts = [
            (c, c.execution_count) for c in notebook.code_cells if c.execution_count is not None
        ]
        for index, ((_previous, before), (cell, count)) in enumerate(pairwise(counts)):
            if count is not None and before is not None and count < before:
                if all(_installs_only(earlier.source) for earlier, _ in counts[: index + 1]):
                    continue  # the kernel restarted after the install cells, as it must
                yield Evidence(
                    notebook.location(source.path, cell.number, None),
                    f"cell ran as [{count}] after a cell that ran as [{before}]",
                    clip(cell.source.split("\n")[0]),
                )
                return  # one is enough to say the notebook cannot be trusted to rerun
    elif params.issue == "error_output":
        for cell in notebook.code_cells:
            for output in cell.outputs:
                if output.type == "error":
                    yield Evidence(
                        notebook.location(source.path, cell.number, None),
                        f"committed error output: {output.ename}: {clip(output.evalue, 80)}",
                        clip(cell.source.split("\n")[0]),
                    )
    elif params.issue == "shell_install":
        for line in notebook.shell_lines:
            command = " ".join(line.command.split())
            if any(installer in command for installer in _INSTALLERS) and not _declared_install(
                command
            ):
                yield Evidence(
                    notebook.location(source.path, line.cell, line.line),
                    "installs packages from a cell",
                    clip(line.command),
                )
    elif params.issue == "too_long" and len(notebook.cells) > params.max_cells:
        yield Evidence(
            Location(source.path), f"{len(notebook.cells)} cells (more than {params.max_cells})"
        )
    elif params.issue == "unexecuted":
        ran = any(c.execution_count is not None for c in notebook.code_cells)
        for cell in notebook.code_cells:
            if ran and cell.execution_count is None and cell.source.strip():
                yield Evidence(
                    notebook.location(source.path, cell.number, None),
                    "code cell was never run",
                    clip(cell.source.split("\n")[0]),
                )
