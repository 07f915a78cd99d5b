"""Detectors over declared dependencies (requirements, pyproject, Pipfile, setup.*, conda)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from readycheck.detectors.base import file_detector
from readycheck.model import Evidence, FileKind, Location
from readycheck.parsers.dependencies import normalise
from readycheck.workspace import SourceFile

DEPENDENCY_KINDS = (
    FileKind.REQUIREMENTS, FileKind.TOML, FileKind.PYTHON, FileKind.YAML, FileKind.OTHER,
)  # fmt: skip


@dataclass(frozen=True)
class DeclaredParams:
    #: Distribution names as on PyPI (`scikit-learn`, `great-expectations`).
    packages: tuple[str, ...]


@file_detector(*DEPENDENCY_KINDS, params=DeclaredParams)
def dependency_declared(source: SourceFile, params: DeclaredParams) -> Iterator[Evidence]:
    """Declarations of any of the given packages, in any dependency file."""
    wanted = {normalise(p) for p in params.packages}
    for dep in source.dependencies:
        if dep.name in wanted:
            yield Evidence(Location(source.path, dep.line), f"declares {dep.name}", dep.raw)


@dataclass(frozen=True)
class PinnedParams:
    #: Which dependency groups must be pinned: "runtime", or extra/group names.
    groups: tuple[str, ...] = ("runtime",)


@file_detector(*DEPENDENCY_KINDS, params=PinnedParams)
def dependencies_pinned(source: SourceFile, params: PinnedParams) -> Iterator[Evidence]:
    """Each declared dependency: pinned to one exact version (a match) or not (a gap)."""
    for dep in source.dependencies:
        if dep.group not in params.groups:
            continue
        if dep.pinned:
            yield Evidence(Location(source.path, dep.line), f"{dep.name} is pinned", dep.raw)
        else:
            spec = dep.specifier or "any version"
            yield Evidence(
                Location(source.path, dep.line),
                f"{dep.name} is not pinned ({spec})",
                dep.raw,
                missing=True,
            )
