"""What a detector is, and how its parameters are typed and validated.

A detector is a small function registered under a name. A *file* detector
sees one parsed file and yields evidence; its results can be computed per
file, in parallel and from a cache. A *repository* detector sees the whole
tree (the file list, git) and returns a Detection.

Parameters are a frozen dataclass per detector. Its fields become the JSON
Schema that validates the rulebook, so a typo in a rule's parameters is an
error naming the rule file, line and parameter, never a silent default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from readycheck.model import Detection, Evidence, FileKind
from readycheck.workspace import Repository, SourceFile

P = TypeVar("P")


#: Field metadata marking a parameter as a regular expression: the rulebook compiles
#: it when loading, and detectors match it under a time budget (detectors.patterns).
REGEX: Mapping[str, Any] = {"regex": True}


def regex_params(params: type[Any]) -> tuple[str, ...]:
    """The names of a parameters dataclass's regular-expression fields."""
    return tuple(item.name for item in dataclasses.fields(params) if item.metadata.get("regex"))


class RuleError(Exception):
    """A detector cannot judge a check at all (not just one file's part of it): the
    rules using the check are reported as errors with this reason, never judged on
    what evidence happened to be collected before it."""


@dataclass(frozen=True)
class NoParams:
    """For detectors that take no parameters."""


@dataclass(frozen=True)
class FileDetector(Generic[P]):
    name: str
    kinds: frozenset[FileKind]
    params: type[P]
    run: Callable[[SourceFile, P], Iterable[Evidence]]
    summary: str
    #: What every call of this detector in one scan shares, computed once from all their
    #: parameters (bandit: the union of the tests rules ask for, so each file is visited
    #: once); a detector reads it as `source.context.shared(name)`.
    share: Callable[[Sequence[P]], Any] | None = None
    #: Loads once, before worker processes fork, what is costly to build in each of them
    #: (bandit's plugins), given what `share` computed.
    warm: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class RepoDetector(Generic[P]):
    name: str
    params: type[P]
    run: Callable[[Repository, P], Detection]
    summary: str


Detector = FileDetector[Any] | RepoDetector[Any]


def _summary(func: Callable[..., Any]) -> str:
    return (func.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


def file_detector(
    *kinds: FileKind,
    params: type[P],
    share: Callable[[Sequence[P]], Any] | None = None,
    warm: Callable[[Any], None] | None = None,
) -> Callable[[Callable[[SourceFile, P], Iterable[Evidence]]], FileDetector[P]]:
    """Declare a per-file detector for files of `kinds` (`share`, `warm`: see FileDetector)."""

    def wrap(func: Callable[[SourceFile, P], Iterable[Evidence]]) -> FileDetector[P]:
        return FileDetector(
            func.__name__, frozenset(kinds), params, func, _summary(func), share, warm
        )

    return wrap


def repo_detector(
    *, params: type[P]
) -> Callable[[Callable[[Repository, P], Detection]], RepoDetector[P]]:
    """Declare a detector that looks at the repository as a whole."""

    def wrap(func: Callable[[Repository, P], Detection]) -> RepoDetector[P]:
        return RepoDetector(func.__name__, params, func, _summary(func))

    return wrap


def _type_schema(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        return {"type": "string"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is float:
        return {"type": "number"}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        schema = (
            _type_schema(options[0])
            if len(options) == 1
            else {"anyOf": [_type_schema(a) for a in options]}
        )
        return {"anyOf": [schema, {"type": "null"}]} if type(None) in args else schema
    raise TypeError(f"unsupported parameter type {annotation!r}")


def params_schema(params: type[Any]) -> dict[str, Any]:
    """The JSON Schema of a parameters dataclass: its fields, which are required, nothing else."""
    hints = typing.get_type_hints(params)
    properties = {}
    required = []
    for item in dataclasses.fields(params):
        properties[item.name] = _type_schema(hints[item.name])
        if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            required.append(item.name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def build_params(params: type[P], raw: dict[str, Any]) -> P:
    """Instantiate validated parameters, turning YAML lists into tuples (hashable, immutable)."""
    values = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    return params(**values)
