"""Safe YAML loading that remembers where every key and item came from.

One loader serves both the scanned repository (Kubernetes manifests, compose
files, CI definitions) and readycheck's own rulebook and config, because both
need line numbers: findings point at the offending key, and rulebook errors
name the line of the bad field.

It only ever builds plain data (dicts, lists, strings, numbers). Tags such as
CloudFormation's `!Ref` or GitLab's `!reference` are read as the plain value
they decorate; a `!!python/object` tag is read the same way and so can never
construct an object. Alias expansion is budgeted ("billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from readycheck.errors import ReadycheckError

__all__ = [
    "MAX_PARSED_YAML",
    "LineDict",
    "LineList",
    "PythonTag",
    "YamlBudgetError",
    "describe_error",
    "error_position",
    "load_all",
    "load_trusted",
    "yaml",
]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C loader is 5-10x faster; fall back when PyYAML was built without it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: How many nodes aliases may add when expanded, per document.
ALIAS_EXPANSION_BUDGET = 100_000

#: YAML larger than this is read as text only. Composing YAML costs about 2 s per MiB
#: even with the C parser (PyYAML resolves every scalar's type in Python), so a 5 MiB
#: rendered manifest took 12 s; YAML this large is generated or vendored (CRD bundles,
#: rendered charts, data), not the configuration a team writes.
MAX_PARSED_YAML = 2 * 1024 * 1024


class LineDict(dict[Any, Any]):
    """A mapping that knows the 1-based line and column of itself and of each key."""

    line: int
    column: int
    key_positions: dict[Any, tuple[int, int]]
    value_positions: dict[Any, tuple[int, int]]

    def line_of(self, key: Any) -> int:
        return self.key_positions.get(key, (self.line, self.column))[0]


class LineList(list[Any]):
    """A sequence that knows the 1-based line and column of itself and of each item."""

    line: int
    column: int
    item_positions: list[tuple[int, int]]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_positions):
            return self.item_positions[index][0]
        return self.line


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int
    column: int


@dataclass(frozen=True)
class PythonTag:
    """A `!!python/...` tag: read as plain data here, but code under yaml.unsafe_load."""

    tag: str
    line: int


class YamlBudgetError(yaml.YAMLError):
    """Raised when aliases would expand a document beyond the budget."""


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(_BaseLoader):
    """SafeLoader that builds LineDict/LineList and records duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []
        self.python_tags: list[PythonTag] = []


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Node count of a composed document as if every alias were copied out.

    An alias is the same node object at each use, so memoising on identity makes this
    cost one visit per distinct node, however large the expansion. It runs on the
    composed graph, before any Python data is built: a document over the budget costs
    its parse, not the construction of a million objects.
    """
    if isinstance(node, ScalarNode):
        return 1
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node inside itself: its construction reports the recursion
    if isinstance(node, MappingNode):
        total = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    else:
        total = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    sizes[id(node)] = total
    return total


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
    result = LineDict()
    result.line, result.column = _position(node)
    result.key_positions = {}
    result.value_positions = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        if key in result:
            line, column = _position(key_node)
            loader.duplicates.append(DuplicateKey(str(key), line, column))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_positions[key] = _position(key_node)
        result.value_positions[key] = _position(value_node)
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.column = _position(node)
    result.item_positions = [_position(child) for child in node.value]
    return result


def _construct_any_tag_scalar(loader: _Loader, node: Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, ScalarNode) else None


def _construct_any_tag(loader: _Loader, _suffix: str, node: Node) -> Any:
    """Read a value under an unknown tag (`!Ref`, `!!python/object`, ...) as plain data."""
    if node.tag.startswith(_PYTHON_TAG):
        short = "!!" + node.tag.removeprefix("tag:yaml.org,2002:")
        loader.python_tags.append(PythonTag(short, _position(node)[0]))
    if isinstance(node, MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, SequenceNode):
        return _construct_sequence(loader, node)
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    return None  # pragma: no cover - every node is one of the three


_PYTHON_TAG = "tag:yaml.org,2002:python/"
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_multi_constructor("", _construct_any_tag)
# Dates stay text, as JSON would have them: `until: 2027-03-31` is compared as an ISO string.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_any_tag_scalar)


@dataclass(frozen=True)
class YamlDocuments:
    documents: list[Any]
    duplicates: list[DuplicateKey]
    python_tags: list[PythonTag]


def load_all(text: str) -> YamlDocuments:
    """Parse every document in `text`.

    Raises yaml.YAMLError (with a problem_mark where PyYAML knows one),
    YamlBudgetError, or RecursionError for pathologically deep nesting.
    """
    loader = _Loader(text)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None and _expanded_size(node, {}) > ALIAS_EXPANSION_BUDGET:
                raise YamlBudgetError(
                    f"aliases expand to more than {ALIAS_EXPANSION_BUDGET:,} nodes"
                )
            documents.append(loader.construct_document(node))
        return YamlDocuments(documents, list(loader.duplicates), list(loader.python_tags))
    finally:
        loader.dispose()


def error_position(error: BaseException) -> tuple[int | None, int | None]:
    """The 1-based line and column PyYAML reports for a parse error, if any."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def describe_error(error: BaseException) -> str:
    """A one-line description of a YAML error without PyYAML's multi-line layout."""
    if isinstance(error, yaml.MarkedYAMLError):
        parts = [p for p in (error.context, error.problem) if p]
        return "; ".join(parts) or "invalid YAML"
    if isinstance(error, RecursionError):
        return "nesting is too deep to read"
    return str(error).splitlines()[0] if str(error) else "invalid YAML"


def load_trusted(text: str, display: str, error: type[ReadycheckError]) -> list[Any]:
    """The documents of a file the user owns (a rulebook, a config): a YAML mistake or a
    key defined twice stops the run with `error`, naming the file, line and column."""
    try:
        loaded = load_all(text)
    except (yaml.YAMLError, RecursionError, ValueError) as problem:
        line, column = error_position(problem)
        raise error(
            f"invalid YAML: {describe_error(problem)}", path=display, line=line, column=column
        ) from None
    if loaded.duplicates:
        duplicate = loaded.duplicates[0]
        raise error(
            "key defined twice",
            path=display,
            line=duplicate.line,
            column=duplicate.column,
            field=duplicate.key,
        )
    return loaded.documents
