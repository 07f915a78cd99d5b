"""A team's own resilience code, recognised by what it does.

Not every team uses tenacity: a bounded loop that tries a call, catches the failure
and waits before the next attempt is the same retry policy, written by hand.
`retry_loop` finds such loops: `for attempt in range(n)` (bounded) whose body catches
an exception around a remote call (an HTTP, RPC or cloud client, or the callable a
retry helper wraps), or returns once the call's answer is good, and pauses
(`time.sleep(2 ** attempt)`, `time.sleep(wait)`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from readycheck.detectors.base import REGEX, NoParams, file_detector
from readycheck.detectors.common import name_regex, stands_for_nothing
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind
from readycheck.parsers.python import PythonCode
from readycheck.workspace import SourceFile

_SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep", "anyio.sleep"})
#: Calls that reach another service: an HTTP, RPC or cloud client's module, or a method
#: named for a request (a file operation retried in a loop is not a remote call).
_REMOTE_MODULES = (
    "requests.",
    "httpx.",
    "urllib.",
    "urllib3.",
    "aiohttp.",
    "grpc.",
    "socket.",
    "boto3.",
)
_REMOTE_METHODS = frozenset({
    "get", "post", "put", "patch", "delete", "head", "request", "send", "urlopen", "invoke",
    "invoke_endpoint", "invoke_model", "fetch", "connect", "call", "complete", "create",
    "generate", "chat", "query", "execute", "upload", "upload_file", "download", "download_file",
    "publish", "produce", "get_object", "put_object", "predict",
})  # fmt: skip


def _bounded(loop: ast.For | ast.AsyncFor, source: SourceFile) -> bool:
    call = loop.iter
    return (
        isinstance(call, ast.Call)
        and source.python is not None
        and source.python.resolve(call.func) in {"range", "itertools.islice"}
    )


def _calls_remote(attempts: list[list[ast.stmt]], source: SourceFile, wrapped: set[str]) -> bool:
    """Whether an attempt calls another service, or the callable a retry helper wraps
    (`func(*args, **kwargs)` in a decorator: whatever it is applied to)."""
    code = source.python
    assert code is not None
    for attempt in attempts:
        for statement in attempt:
            for node in ast.walk(statement):
                if not isinstance(node, ast.Call):
                    continue
                if isinstance(node.func, ast.Name) and node.func.id in wrapped:
                    return True
                name = code.resolve(node.func)
                if name.startswith(_REMOTE_MODULES) or name.rpartition(".")[2] in _REMOTE_METHODS:
                    return True
    return False


def _parameters(nodes: Iterable[ast.AST]) -> set[str]:
    """Names of the functions' parameters: a call to one calls what the caller passed."""
    return {
        arg.arg
        for node in nodes
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
    }


@file_detector(FileKind.PYTHON, FileKind.NOTEBOOK, params=NoParams)
def retry_loop(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """Hand-written retries: a bounded loop that calls a remote service, catches its
    failure (or returns once an answer is good, `if response.status_code != 429: return
    response`) and pauses before the next attempt."""
    code = source.python
    if code is None:
        return
    wrapped = _parameters(code.nodes)
    for loop in code.nodes:
        if not isinstance(loop, ast.For | ast.AsyncFor) or not _bounded(loop, source):
            continue
        tries = [node for node in ast.walk(loop) if isinstance(node, ast.Try) and node.handlers]
        attempts = [attempt.body for attempt in tries]
        if not tries and any(isinstance(node, ast.Return) for node in ast.walk(loop)):
            attempts = [loop.body]  # each round asks again and returns once it is answered
        if not attempts or not _calls_remote(attempts, source, wrapped):
            continue
        for node in ast.walk(loop):
            if isinstance(node, ast.Call) and code.resolve(node.func) in _SLEEPS:
                yield Evidence(
                    source.locate(loop.lineno),
                    "retry loop around a remote call, with a pause between attempts",
                    source.snippet(loop.lineno),
                )
                break


@dataclass(frozen=True)
class DegradedAnswerParams:
    #: The exceptions (class names as written, matched whole) whose handler must answer.
    exceptions: str = field(metadata=REGEX)
    #: Calls (resolved names, fnmatch) whose failure, caught by any handler around them
    #: that answers, is answered too (`try: openai... except Exception: return gemini(...)`).
    around: tuple[str, ...] = ()
    label: str = "a degraded answer when the call fails"


def _caught(handler: ast.ExceptHandler) -> list[str]:
    """The class names an `except` clause names (`openai.RateLimitError` as its last name)."""
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [
        t.attr if isinstance(t, ast.Attribute) else t.id
        for t in types
        if isinstance(t, ast.Attribute | ast.Name)
    ]


def _answers(handler: ast.ExceptHandler) -> bool:
    """The handler returns a value (a default, a canned message), not nothing, not a raise."""
    return any(
        isinstance(node, ast.Return) and not stands_for_nothing(node.value)
        for statement in handler.body
        for node in ast.walk(statement)
    )


def _falls_through_to_answer(code: PythonCode, node: ast.Try, handler: ast.ExceptHandler) -> bool:
    """The handler notes the failure and lets the function go on to the `return` right
    after the `try`, which gives a value: `except httpx.RequestError: log(...)` then
    `return "control", "production"`, the answer for when the dependency is down."""
    if any(
        isinstance(inner, ast.Return | ast.Raise | ast.Continue | ast.Break)
        for statement in handler.body
        for inner in ast.walk(statement)
    ):
        return False
    parent = code.parents.get(id(node))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and node in block:
            index = block.index(node)
            following = block[index + 1] if index + 1 < len(block) else None
            return isinstance(following, ast.Return) and not stands_for_nothing(following.value)
    return False


def _command_entry_points(code: PythonCode) -> set[int]:
    """The `try` statements of a command's entry point (`main`, `cli`), by identity."""
    found: set[int] = set()
    for ref in code.functions:
        if ref.node.name.lstrip("_") in ("main", "cli", "run_cli", "entrypoint"):
            found.update(id(n) for n in ast.walk(ref.node) if isinstance(n, ast.Try))
    return found


def _exit_status(handler: ast.ExceptHandler) -> bool:
    """Every value the handler returns is an integer: the process's exit status."""
    values = [
        node.value
        for statement in handler.body
        for node in ast.walk(statement)
        if isinstance(node, ast.Return) and node.value is not None
    ]
    return bool(values) and all(
        (isinstance(v, ast.Constant) and type(v.value) is int)
        or (isinstance(v, ast.UnaryOp) and isinstance(v.operand, ast.Constant))
        for v in values
    )


@file_detector(FileKind.PYTHON, params=DegradedAnswerParams)
def degraded_answer(source: SourceFile, params: DegradedAnswerParams) -> Iterator[Evidence]:
    """`except` clauses that catch a dependency's failure and still answer: `except
    (OpenAIError, RateLimitError): return Analysis.default(task)` is a defined degraded
    answer, written by the team instead of a framework's fallback."""
    code = source.python
    if code is None:
        return
    wanted = Matcher(params.exceptions)
    around = name_regex(params.around) if params.around else None
    commands = _command_entry_points(code)
    for node in code.nodes:
        if not isinstance(node, ast.Try):
            continue
        guarded = around is not None and any(
            isinstance(n, ast.Call) and around.match(code.resolve(n.func))
            for statement in node.body
            for n in ast.walk(statement)
        )
        for handler in node.handlers:
            if not (_answers(handler) or _falls_through_to_answer(code, node, handler)):
                continue
            if id(node) in commands and _exit_status(handler):
                continue  # a command ending with its failure status, not an answer given
            names = [n for n in _caught(handler) if wanted.fullmatch(n)]
            if names or guarded:
                caught = ", ".join(names or _caught(handler)) or "everything"
                yield Evidence(
                    source.locate(handler.lineno),
                    f"{params.label}: `except {caught}` returns an answer",
                    source.snippet(handler.lineno),
                )
