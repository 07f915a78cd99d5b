"""radon, used as a library on the tree readycheck already parsed: cyclomatic
complexity per function, and the maintainability index per module.

Complexity and Halstead volume come from the shared `ast` tree; the index also
needs radon's raw line counts, which tokenize the source, so it is computed
only when a rule asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from readycheck.detectors.base import file_detector
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile


@dataclass(frozen=True)
class ComplexityParams:
    #: Functions above this cyclomatic complexity are reported (radon rank D starts at 21).
    max_complexity: int = 20


@file_detector(FileKind.PYTHON, FileKind.NOTEBOOK, params=ComplexityParams)
def radon_complexity(source: SourceFile, params: ComplexityParams) -> Iterator[Evidence]:
    """Functions and methods whose cyclomatic complexity is above a threshold."""
    code = source.python
    if code is None:
        return
    from radon.complexity import cc_rank, cc_visit_ast

    for block in cc_visit_ast(code.tree):
        if block.complexity > params.max_complexity:
            name = (
                f"{block.classname}.{block.name}"
                if getattr(block, "classname", None)
                else block.name
            )
            yield Evidence(
                source.locate(block.lineno),
                f"{name} has cyclomatic complexity {block.complexity} (rank {cc_rank(block.complexity)})",
                source.snippet(block.lineno),
            )


@dataclass(frozen=True)
class MaintainabilityParams:
    #: Modules whose maintainability index is below this are reported (radon rank C is below 10).
    min_index: float = 10.0
    #: Modules shorter than this many lines are not judged: tiny files have volatile indexes.
    min_lines: int = 50


@file_detector(FileKind.PYTHON, params=MaintainabilityParams)
def radon_maintainability(source: SourceFile, params: MaintainabilityParams) -> Iterator[Evidence]:
    """Modules whose maintainability index (radon mi) is below a threshold."""
    code = source.python
    if code is None or len(code.lines) < params.min_lines:
        return
    from radon.complexity import ComplexityVisitor
    from radon.metrics import h_visit_ast, mi_compute, mi_rank
    from radon.raw import analyze

    volume = h_visit_ast(code.tree).total.volume
    complexity = ComplexityVisitor.from_ast(code.tree).total_complexity
    # radon's raw line counts tokenize the whole file, its costliest step. The index
    # falls as logical lines grow and rises with comments, so the index with no comments
    # and every non-blank line counted as logical is a floor: when even the floor is at
    # the threshold, the file cannot be below it, and it is not tokenized at all.
    code_lines = sum(1 for line in code.lines if line.strip() and not line.lstrip().startswith("#"))
    if mi_compute(volume, complexity, max(1, code_lines), 0) >= params.min_index:
        return
    try:
        raw = analyze("\n".join(code.lines))
    except Exception:  # radon's tokenizer rejects some files Python accepts: no index then
        return
    comments = (raw.comments + raw.multi) / raw.sloc * 100 if raw.sloc else 0
    index = mi_compute(volume, complexity, raw.lloc, comments)
    if index < params.min_index:
        yield Evidence(
            Location(source.path),
            f"maintainability index {index:.1f} (rank {mi_rank(index)}; below {params.min_index:g})",
        )
