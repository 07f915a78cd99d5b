"""Detectors that compare files with each other, from per-file code summaries
(imports and top-level functions) kept after each file's tree is gone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readycheck.detectors.base import repo_detector
from readycheck.discover import classify_role
from readycheck.model import Detection, Evidence, FileKind, Location, Role
from readycheck.pathmatch import PathPatterns
from readycheck.workspace import CodeSummary, Repository, module_names


@dataclass(frozen=True)
class NotebookLogicParams:
    #: Functions shorter than this are helpers for display, not logic worth a module.
    min_lines: int = 5


#: What a notebook's own helpers are for when they draw, print or set up its kernel: the
#: notebook is their home (an EDA plot, a pip bootstrap), not a module's.
_DISPLAY = re.compile(
    r"^_*(plot|show|display|draw|visuali[sz]e|print|render|pretty|install|pip|setup_env)"
)


@repo_detector(params=NotebookLogicParams)
def notebook_only_logic(repo: Repository, params: NotebookLogicParams) -> Detection:
    """Functions defined in notebooks that no Python module defines (as a function or as
    a method of a class): logic whose only copy lives in a notebook, where it cannot be
    imported, tested or reviewed."""
    # Notebooks in docs, examples and tests show how to use the code: they are not its home.
    notebooks = {
        p: s
        for p, s in repo.summaries.items()
        if repo.roles.get(p) is Role.NOTEBOOK and classify_role(p, FileKind.PYTHON) is Role.CODE
    }
    if not notebooks:
        return Detection(
            inapplicable="there is no exploration notebook (notebooks in docs and examples "
            "show how to use the code; they are not its home)"
        )
    modules = [s for p, s in repo.summaries.items() if repo.roles.get(p) is not Role.NOTEBOOK]
    in_modules = {name for summary in modules for name, _where, _length in summary.functions}
    in_modules.update(name for summary in modules for name in summary.methods)
    # the same code under another name (`reduce_columns` copied as `transformacion_columns`)
    bodies_in_modules = {body for summary in modules for body in summary.function_bodies}
    matches = tuple(
        Evidence(where, f"function {name}() ({length} lines) exists only in this notebook")
        for _path, summary in sorted(notebooks.items())
        for (name, where, length), body in zip(summary.functions, _bodies(summary), strict=True)
        if length >= params.min_lines
        and name not in in_modules
        and body not in bodies_in_modules
        and not _DISPLAY.match(name)
    )
    return Detection(matches)


def _bodies(summary: CodeSummary) -> tuple[str | None, ...]:
    """The body digest of each of a summary's functions (None where it has none)."""
    if len(summary.function_bodies) == len(summary.functions):
        return summary.function_bodies
    return (None,) * len(summary.functions)


@dataclass(frozen=True)
class TestedParams:
    #: gitignore-style patterns of the modules that need tests.
    modules: tuple[str, ...] = (
        "**/features/**/*.py", "**/features.py", "**/feature_*.py", "**/preprocess*.py",
        "**/transform.py", "**/transforms.py", "**/transform_*.py", "**/transformation*.py",
        "**/etl/**/*.py", "**/ingest*.py", "**/data.py", "**/validation.py",
    )  # fmt: skip


def _dotted_runs(module: str) -> set[str]:
    """Every run of a dotted name: `sklearn.utils.validation.check_array` names
    utils/validation.py when the scanned folder is the package itself."""
    parts = module.split(".")
    return {".".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}


def _reached(
    repo: Repository, imported: set[str], spec: PathPatterns, inits_only: bool = False
) -> set[str]:
    """Modules a test reaches through a module it imports, one hop:

    - a package's `__init__.py` that re-exports them (`from .feature_importance import ...`);
    - a module the test imports a name from that is itself imported from them (the test's
      `merge_shard_groups` comes from `data_prep_utils` through `convert_text_to_mds`);
    - a feature or data module whose own functions call theirs (a test of `build_features`
      runs `features/core.py`). A training script's smoke test does not unit-test the
      feature code it happens to run."""
    found: set[str] = set()
    for path, summary in repo.summaries.items():
        if repo.roles.get(path) is not Role.CODE:
            continue
        if inits_only and not path.endswith("__init__.py"):
            continue
        names = module_names(path) & imported
        if not names:
            continue
        package = ".".join(PurePosixPath(path).parent.parts)
        init, feature = path.endswith("__init__.py"), spec.match(path)
        for module in summary.imports:
            if module.startswith(".."):
                continue
            if module.startswith("."):
                absolute = ".".join([package, *module[1:].split(".")])
            else:
                absolute = module
            origin, _, name = absolute.rpartition(".")
            if init or feature:
                found |= _dotted_runs(absolute)
            elif origin and any(f"{n}.{name}" in imported for n in names):
                found |= _dotted_runs(origin)
    return found


@repo_detector(params=TestedParams)
def tested_modules(repo: Repository, params: TestedParams) -> Detection:
    """For each data or feature module: imported by a test (a match) or by none (a gap)."""
    spec = PathPatterns(params.modules, "the rule's modules")
    found = [p for p in repo.summaries if repo.roles.get(p) is Role.CODE and spec.match(p)]
    if not found:
        return Detection(inapplicable="no feature or data-processing modules were found")
    # a module that only declares (sources, schemas, constants) has no logic to test
    targets = [p for p in found if not repo.summaries[p].declares_only]
    if not targets:
        return Detection(
            inapplicable="the feature and data modules only declare sources, schemas and"
            " constants: there is no processing logic to test"
        )
    imported: set[str] = set()
    for path, summary in repo.summaries.items():
        if repo.roles.get(path) is Role.TEST:
            for module in summary.imports:
                imported |= _dotted_runs(module)
    reached = _reached(repo, imported, spec)
    # packages that re-export other packages' names (`evaluation/__init__.py` from
    # `evaluation.retrieval`, which re-exports its loaders): followed to the module
    for _ in range(8):
        deeper = _reached(repo, imported | reached, spec, inits_only=True) - reached
        if not deeper:
            break
        reached |= deeper
    matches, gaps = [], []
    for path in sorted(targets):
        if module_names(path) & imported:
            matches.append(Evidence(Location(path), f"{path} is imported by a test"))
        elif module_names(path) & reached:
            matches.append(
                Evidence(Location(path), f"{path} is imported by a module a test imports")
            )
        else:
            gaps.append(Evidence(Location(path), f"no test imports {path}", missing=True))
    return Detection(tuple(matches), tuple(gaps))


@dataclass(frozen=True)
class ReachedClientsParams:
    #: Modules of clients that call a remote service on every use (a hosted model, a
    #: vector or graph store), matched as the module or a submodule of it.
    clients: tuple[str, ...]
    #: Modules that make a file a serving module (web and model-server frameworks).
    serving: tuple[str, ...]
    #: How many hops of the repository's own imports are followed from a serving module.
    depth: int = 3
    label: str = "a remote client in the request path"


def _within(module: str, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if module == n or module.startswith(n + ".")), None)


@repo_detector(params=ReachedClientsParams)
def serving_reaches_clients(repo: Repository, params: ReachedClientsParams) -> Detection:
    """Serving modules that import, themselves or through the repository's own modules
    they import, a client of a remote service: a route that answers with a hosted model
    or a vector store has that service in its request path, wherever the call is written."""
    matches = []
    for path, summary in sorted(repo.summaries.items()):
        if repo.roles.get(path) is not Role.CODE:
            continue
        framework = next((m for m in summary.imports if _within(m, params.serving)), None)
        if framework is None:
            continue
        for level in repo.imported_modules(path, params.depth):
            reached = next(
                (
                    (current, client)
                    for current in level
                    if (client := next(
                        (m for m in repo.summaries[current].imports if _within(m, params.clients)),
                        None,
                    )) is not None
                ),
                None,
            )  # fmt: skip
            if reached is not None:
                via = "" if reached[0] == path else f" through {reached[0]}"
                matches.append(
                    Evidence(
                        Location(path),
                        f"{params.label}: {path} serves with {framework} and reaches {reached[1]}{via}",
                    )
                )
                break
    return Detection(tuple(matches))
