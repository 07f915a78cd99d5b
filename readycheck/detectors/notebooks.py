"""Detectors for notebook hygiene: what makes a notebook impossible to rerun or review."""

from __future__ import annotations

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
        for (_previous, before), (cell, count) in pairwise(counts):
            if count is not None and before is not None and count < before:
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
            if any(installer in " ".join(line.command.split()) for installer in _INSTALLERS):
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
