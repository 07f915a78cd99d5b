"""Detectors over declared dependencies (requirements, pyproject, Pipfile, setup.*, conda)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from readycheck import advisories
from readycheck.detectors.base import NoParams, file_detector
from readycheck.model import Evidence, FileKind, Location
from readycheck.parsers.dependencies import Dependency, from_conda, normalise
from readycheck.workspace import SourceFile

DEPENDENCY_KINDS = (
    FileKind.REQUIREMENTS, FileKind.TOML, FileKind.PYTHON, FileKind.YAML, FileKind.OTHER,
)  # fmt: skip


def is_conda_environment(document: object) -> bool:
    """A conda environment file, by its content: a `dependencies:` list of package specs
    with `channels:` or `name:` beside it (a Helm Chart.yaml's dependencies are mappings,
    a Kubernetes object has an apiVersion)."""
    if not isinstance(document, dict) or "apiVersion" in document:
        return False
    items = document.get("dependencies")
    return (
        isinstance(items, list)
        and any(isinstance(item, str) for item in items)
        and bool({"channels", "name"} & set(document))
    )


#: Folders of MLflow's run store: the environments it saves beside each logged model
#: (`conda.yaml`, `requirements.txt`) record a past run, they declare nothing the project installs.
_RUN_STORES = frozenset({"mlruns", "mlartifacts"})


def declared(source: SourceFile) -> list[Dependency]:
    """Dependencies a file declares: dependency files by name, and conda environments by
    content whatever they are called (`requirements.yml`, `env/train.yaml`)."""
    if _RUN_STORES.intersection(source.path.split("/")[:-1]):
        return []
    if source.dependencies or source.kind is not FileKind.YAML:
        return source.dependencies
    document = source.documents[0] if source.documents else None
    if source.text is None or not is_conda_environment(document):
        return []
    return from_conda(document, source.text)


@dataclass(frozen=True)
class DeclaredParams:
    #: Distribution names as on PyPI (`scikit-learn`, `great-expectations`).
    packages: tuple[str, ...]
    #: Only declarations that require at least this version (`torch>=2.6`, `torch==2.7.1`):
    #: the release from which a behaviour the rule relies on is the default.
    min_version: str | None = None


_LOWER_BOUND = re.compile(r"(?:>=|==|~=|===|>)\s*v?(\d+(?:\.\d+)*)")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _at_least(specifier: str, minimum: str) -> bool:
    """Whether every version the specifier allows is at least `minimum`."""
    bounds = [_version(m.group(1)) for m in _LOWER_BOUND.finditer(specifier)]
    return bool(bounds) and max(bounds) >= _version(minimum)


@file_detector(*DEPENDENCY_KINDS, params=DeclaredParams)
def dependency_declared(source: SourceFile, params: DeclaredParams) -> Iterator[Evidence]:
    """Declarations of any of the given packages, in any dependency file (optionally only
    those that require at least a version)."""
    wanted = {normalise(p) for p in params.packages}
    for dep in declared(source):
        if dep.name not in wanted:
            continue
        if params.min_version and not _at_least(dep.specifier, params.min_version):
            continue
        yield Evidence(Location(source.path, dep.line), f"declares {dep.name}", dep.raw)


@dataclass(frozen=True)
class PinnedParams:
    #: Which dependency groups must be pinned: "runtime", or extra/group names.
    groups: tuple[str, ...] = ("runtime",)


@file_detector(*DEPENDENCY_KINDS, params=PinnedParams)
def dependencies_pinned(source: SourceFile, params: PinnedParams) -> Iterator[Evidence]:
    """Each declared dependency: pinned to one exact version (a match) or not (a gap)."""
    for dep in declared(source):
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


@file_detector(*DEPENDENCY_KINDS, params=NoParams)
def dependency_file(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """Files that declare dependencies (conda environments recognised by content)."""
    deps = declared(source)
    if deps:
        yield Evidence(
            Location(source.path, deps[0].line), f"{source.path} declares dependencies", deps[0].raw
        )


_EXACT_VERSION = re.compile(r"^===?\s*([^*,;\s]+)$")


@file_detector(*DEPENDENCY_KINDS, params=NoParams)
def known_vulnerable_dependency(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """Dependencies pinned to a version a shipped advisory lists as affected. Only exact
    pins are judged: a range (`>=0.1`) may resolve to a fixed version, and saying
    otherwise would guess."""
    shipped = advisories.shipped()
    for dep in declared(source):
        match = _EXACT_VERSION.match(dep.specifier)
        if not match:
            continue
        for advisory in shipped.affecting(dep.name, match.group(1)):
            yield Evidence(
                Location(source.path, dep.line),
                f"{dep.name} {match.group(1)} is affected by {advisory.id} ({advisory.severity}): "
                f"{advisory.summary}; fixed in {advisory.fixed} (advisories as of {shipped.as_of})",
                dep.raw,
            )
