"""Retrieval-augmented generation, read from the code: provenance and indexing checks.

Two questions a reviewer of a RAG service asks, each answered inside one function or
module without running anything:

* Does an answer come back with the material it was built from? A function that asks
  a model and returns, beside the answer, the retrieved context it put into the
  prompt (`return {"answer": result, "context": docs}`) lets the reader check it.
* Does the indexing job check what it indexed? A module that writes to a retrieval
  index and refuses a result that does not hold (`if indexed < expected: raise`)
  fails loudly instead of serving answers from a half-built index.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import PYTHON_KINDS, matches_any
from readycheck.detectors.llm import (
    bindings_of,
    calls_a_model,
    contains_model_call,
    dict_keys,
    is_model_call,
    names_in,
    own_nodes,
    scopes,
)
from readycheck.detectors.python import value_name
from readycheck.model import Evidence
from readycheck.parsers.python import PythonCode
from readycheck.workspace import SourceFile

#: Keys and names under which retrieved material is returned with an answer.
CONTEXT_KEYS = (
    r"(.*_)?(context|contexts|docs|documents|chunks|passages|snippets|matches|hits|"
    r"search_results|retrieved(_.*)?|evidence|sources|source_documents|citations|references)"
    r"(_(segments|chunks|passages|docs|documents|items|list|nodes))?"
)


@dataclass(frozen=True)
class ContextReturnedParams:
    #: Resolved names of the calls that ask a model (the rulebook's list).
    calls: tuple[str, ...]
    #: Regular expression matched against whole keys and names of what is returned.
    keys: str = field(default=CONTEXT_KEYS, metadata=REGEX)
    label: str = "retrieved context returned with the answer as"


def _asking_helpers(code: PythonCode, calls: tuple[str, ...]) -> frozenset[str]:
    """Functions and methods of the module that ask a model themselves
    (`def generate_response(self, prompt, context)`): a call to one asks the model."""
    return frozenset(
        ref.name for ref in code.functions if contains_model_call(ref.node, code, calls)
    )


def _asks(
    node: ast.Call, code: PythonCode, calls: tuple[str, ...], helpers: frozenset[str]
) -> bool:
    """A model call, or a call to one of the module's own functions that makes one
    (`generate(...)`, `self.generate(...)`)."""
    if is_model_call(node, code, calls):
        return True
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in helpers
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
        and func.attr in helpers
    )


def _fed_to_model(
    scope: ast.AST, code: PythonCode, calls: tuple[str, ...], helpers: frozenset[str]
) -> set[str]:
    """Names whose values reach a model call in this scope, directly, through the names
    bound from them (`prompt = build(context)` then `ask(prompt)`), or through one of the
    module's functions that asks the model (`self.generate_response(prompt, context)`)."""
    fed: set[str] = set()
    for node in own_nodes(scope):
        if isinstance(node, ast.Call) and _asks(node, code, calls, helpers):
            for argument in [*node.args, *(kw.value for kw in node.keywords)]:
                fed |= names_in(argument)
    bindings = bindings_of(scope) if fed else []
    changed = True
    while changed:
        changed = False
        for targets, value in bindings:
            if targets & fed and not names_in(value) <= fed:
                fed |= names_in(value)
                changed = True
    return fed


def _returned_context(value: ast.AST, keys: re.Pattern[str], fed: set[str]) -> str | None:
    """The key or name under which a returned value carries what was fed to the model."""
    if isinstance(value, ast.Dict):
        for key, item in dict_keys(value).items():
            if keys.fullmatch(key) and names_in(item) & fed:
                return key
    elif isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg and keys.fullmatch(keyword.arg) and names_in(keyword.value) & fed:
                return keyword.arg
    elif isinstance(value, ast.Tuple):
        for item in value.elts:
            if isinstance(item, ast.Name) and keys.fullmatch(item.id) and item.id in fed:
                return item.id
    return None


@file_detector(*PYTHON_KINDS, params=ContextReturnedParams)
def retrieved_context_returned(
    source: SourceFile, params: ContextReturnedParams
) -> Iterator[Evidence]:
    """Functions that ask a model and return the retrieved material they gave it
    beside the answer, under whatever key (`"context"`, `docs=`, a `(answer, sources)`
    tuple)."""
    code = source.python
    if code is None or not calls_a_model(code, params.calls):
        return
    keys = re.compile(params.keys, re.IGNORECASE)
    helpers = _asking_helpers(code, params.calls)
    for scope in scopes(code)[1:]:
        fed = _fed_to_model(scope, code, params.calls, helpers)
        if not fed:
            continue
        for node in own_nodes(scope):
            if isinstance(node, ast.Return | ast.Yield) and node.value is not None:
                key = _returned_context(node.value, keys, fed)
                if key is not None:
                    yield Evidence(
                        source.locate(node.lineno),
                        f"{params.label} `{key}`",
                        source.snippet(node.lineno),
                    )
                    break


#: Names of what an indexing run counts or collects: a check on one, where the index is
#: written, checks the run.
_TALLY = re.compile(
    r"(?i)(.*_)?(counts?|total|indexed|failed|failures|errors|missing|skipped|written|"
    r"upserted|inserted|stale|docs|documents|chunks|nodes|articles|records|pages|texts|ids|"
    r"vectors|embeddings|ntotal)(_.*)?|(num|n)_.*"
)
#: ... and names of an indexing run's outcome: a check on one checks the run wherever it
#: is (`if report.failed: sys.exit(1)` in the job's entry point).
_OUTCOME = re.compile(
    r"(?i)(.*_)?(indexed|failed|failures|errors|written|upserted|inserted|skipped|ntotal)(_.*)?"
)
#: Calls that ask an index how much it holds.
_INDEX_SIZE = ("*.count", "*.describe_index_stats", "*.count_documents", "*.get_document_count")


@dataclass(frozen=True)
class IndexCheckParams:
    #: Resolved names of the calls that write to a retrieval index (`*.add_documents`).
    writes: tuple[str, ...]
    label: str = "the indexing run checks its result"


def _checks_a_tally(test: ast.AST, code: PythonCode, names: re.Pattern[str], lengths: bool) -> bool:
    """Whether a condition looks at what was indexed, failed or read: the index's own
    size, a name of such a tally (`failed`, `report.failed`, `report["failed"]`), or,
    where `lengths` (the index is written right there), any `len(...)`."""
    for inner in ast.walk(test):
        if isinstance(inner, ast.Call):
            called = code.resolve(inner.func)
            if (lengths and called == "len") or matches_any(called, _INDEX_SIZE):
                return True
        elif isinstance(inner, ast.Name | ast.Attribute | ast.Subscript):
            name = value_name(inner)
            if name is not None and names.fullmatch(name):
                return True
    return False


def _fails(body: list[ast.stmt], code: PythonCode) -> bool:
    """Whether a block stops the run: raises, or exits with a status."""
    for statement in body:
        if isinstance(statement, ast.Raise):
            return True
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and code.resolve(statement.value.func) in ("sys.exit", "exit", "os._exit")
        ):
            return True
    return False


@lru_cache(maxsize=16)
def _last_parts(writes: tuple[str, ...]) -> frozenset[str] | None:
    """The last dotted part of each write call (`upsert` of `*.upsert`), and `add`; None
    when a pattern's last part is itself a wildcard, and no shortcut holds."""
    parts = {pattern.rpartition(".")[2] for pattern in writes}
    if any(c in part for part in parts for c in "*?["):
        return None
    return frozenset(parts | _WRITES_WITH_KEYWORDS)


#: Calls that store an object with its embedding when given one (`vector=`): Weaviate's
#: `data_object.create`, `collection.data.insert`, `batch.add_object`.
_STORED_WITH_VECTOR = frozenset({"create", "insert", "add_object", "add_data_object"})
#: Last names of the calls that write an index only with the right keywords (`add` given
#: documents or embeddings, the calls above given a vector): `_writes` decides.
_WRITES_WITH_KEYWORDS = _STORED_WITH_VECTOR | {"add"}


def _writes(call: ast.Call, code: PythonCode, writes: tuple[str, ...]) -> bool:
    """Whether a call writes to a retrieval index: one of the rule's calls, an `add`
    given documents or embeddings (Chroma's `collection.add`, not a set's), or an object
    stored with its vector (`client.data_object.create(..., vector=embedding)`)."""
    name = code.resolve(call.func)
    if matches_any(name, writes):
        return True
    keywords = {keyword.arg for keyword in call.keywords}
    last = name.rpartition(".")[2]
    return (last == "add" and bool(keywords & {"documents", "embeddings"})) or (
        last in _STORED_WITH_VECTOR and "vector" in keywords
    )


@file_detector(*PYTHON_KINDS, params=IndexCheckParams)
def indexing_self_check(source: SourceFile, params: IndexCheckParams) -> Iterator[Evidence]:
    """In a module that writes to a retrieval index, a check that fails the run on what
    it counted: `if report.failed > limit: raise`, `assert collection.count() == n`,
    `if not documents: sys.exit(1)`. Where the index is written, any count of what was
    read or written is such a check; elsewhere in the module only the run's outcome
    (failed, indexed, written) is: `if num_specified == 0: raise` validates arguments."""
    code = source.python
    if code is None:
        return
    last_parts = _last_parts(params.writes)
    if not any(
        (last_parts is None or name.rpartition(".")[2] in last_parts)
        and (name.rpartition(".")[2] in _WRITES_WITH_KEYWORDS or matches_any(name, params.writes))
        for name in code.calls_by_name
    ):
        return  # most modules write to no index: one set lookup per distinct call name
    for scope in scopes(code):
        nodes = list(own_nodes(scope))
        writes = any(
            isinstance(node, ast.Call) and _writes(node, code, params.writes) for node in nodes
        )
        names = _TALLY if writes else _OUTCOME
        for node in nodes:
            if isinstance(node, ast.If) and not _fails(node.body, code):
                continue
            if isinstance(node, ast.If | ast.Assert) and _checks_a_tally(
                node.test, code, names, lengths=writes
            ):
                yield Evidence(
                    source.locate(node.lineno), params.label, source.snippet(node.lineno)
                )
