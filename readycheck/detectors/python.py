"""Detectors over Python code, in modules and in notebooks' code cells alike.

All of them work on names resolved through imports (see parsers/python.py),
so `import pandera as pa; pa.DataFrameSchema(...)` counts as a call to
`pandera.DataFrameSchema`, while the word "validate" in a comment counts
for nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from readycheck.detectors.base import REGEX, NoParams, file_detector
from readycheck.detectors.common import (
    PREDICTION_NAME,
    PYTHON_KINDS,
    matches_any,
    may_hold,
    name_regex,
)
from readycheck.detectors.patterns import Matcher, folded, required_literals
from readycheck.model import Evidence, FileKind
from readycheck.parsers.python import (
    CallRef,
    ImportRef,
    PythonCode,
    has_star_kwargs,
    keyword_value,
    parameter_defaults,
)
from readycheck.workspace import SourceFile

_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"}


@dataclass(frozen=True)
class ImportParams:
    #: Top-level or dotted module names; `sklearn` also matches `sklearn.pipeline`.
    modules: tuple[str, ...]
    #: Leave out a module whose every call into the imported library is a script's request
    #: to this machine (`requests.post("http://127.0.0.1:3000/predict")`), or that never
    #: calls it (an import left behind): neither calls a remote service.
    unless_only_local_calls: bool = False


#: A URL on this machine: the developer's own server or a sidecar, not a remote service.
_LOOPBACK_URL = re.compile(
    r"(?i)^\s*[a-z+]+://(localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1\])(?=[:/?#]|$)"
)


def _literal_prefix(node: ast.expr) -> str | None:
    """The text a string expression starts with, as far as it is written out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _literal_prefix(node.values[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_prefix(node.left)
    return None


def local_smoke_test(code: PythonCode, call: ast.Call) -> bool:
    """Whether a call sends a request to this machine from a script a person runs: a
    call at module level, or in a module with a `__main__` block. A service's own call
    to a model server beside it (Triton on localhost, inside a handler) can still hang."""
    if not local_url(code, call):
        return False
    in_function = any(
        ref.line <= call.lineno <= (ref.node.end_lineno or ref.line) for ref in code.functions
    )
    return not in_function or bool(code.main_blocks)


def local_url(code: PythonCode, call: ast.Call) -> bool:
    """Whether a call's URL (its first two positional arguments or `url=`, as written or
    as every binding of the name in the file gives it) is on this machine."""
    candidates = [*call.args[:2], *(k.value for k in call.keywords if k.arg == "url")]
    for argument in candidates:
        texts = _url_starts(code, argument, 8)
        if texts and all(t is not None and _LOOPBACK_URL.match(t) for t in texts):
            return True
    return False


def _bound_values(code: PythonCode, name: str) -> list[ast.expr]:
    """Every value the module assigns to a plain name (`API_URL = ...`), wherever it does."""
    return [
        binding.value
        for binding in code.bindings
        if isinstance(binding, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in binding.targets)
    ]


_ENVIRONMENT_READS = frozenset({"os.getenv", "os.environ.get"})
#: Request objects built before they are sent, their URL first.
_REQUEST_OBJECTS = frozenset(
    {"urllib.request.Request", "requests.Request", "requests.models.Request"}
)


def _url_starts(code: PythonCode, node: ast.expr, depth: int) -> list[str | None]:
    """The texts a URL expression may start with: a literal, a name's every binding in the
    file, the start of an f-string (`f"{API_URL}/models"`), and the default of an
    environment variable (`os.environ.get("API_URL", "http://localhost:8000")`)."""
    if depth == 0:
        return [None]
    if isinstance(node, ast.JoinedStr) and node.values:
        # the literal parts and the names they interpolate, up to the host:
        # f"{API_URL}/models", f"http://{HOST}:8000/v1/batches"
        prefixes: list[str | None] = [""]
        for index, part in enumerate(node.values[:3]):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces: list[str | None] = [part.value]
            elif isinstance(part, ast.FormattedValue):
                pieces = _url_starts(code, part.value, depth - 1) or [None]
            else:
                pieces = [None]
            if index and None in pieces:
                break  # what follows is unknown (`{path}`): the start read so far stands
            prefixes = [
                p + piece if p is not None and piece is not None else None
                for p in prefixes
                for piece in pieces
            ]
        return prefixes
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _url_starts(code, node.left, depth - 1)
    if isinstance(node, ast.Name):
        values = _bound_values(code, node.id)
        return [text for value in values for text in _url_starts(code, value, depth - 1)]
    if (
        isinstance(node, ast.Call)
        and code.resolve(node.func) in _ENVIRONMENT_READS
        and len(node.args) == 2
    ):
        return _url_starts(code, node.args[1], depth - 1)
    if isinstance(node, ast.Call) and code.resolve(node.func) in _REQUEST_OBJECTS and node.args:
        # `urlopen(req)` where `req = urllib.request.Request(f"{HOST}{path}", ...)`
        return _url_starts(code, node.args[0], depth - 1)
    return [_literal_prefix(node)]


def _imports_by_root(source: SourceFile, code: PythonCode) -> dict[str, list[ImportRef]]:
    """The file's imports by the first part of their module name, in source order: a rule
    naming `sklearn.pipeline` looks only at what is imported from `sklearn` (remembered
    per file; scikit-learn's own tree asks this a hundred thousand times)."""
    key = ("imports", "by root")
    if key not in source.memo:
        grouped: dict[str, list[ImportRef]] = {}
        for ref in code.imports:
            grouped.setdefault(ref.module.split(".")[0], []).append(ref)
        source.memo[key] = grouped
    return source.memo[key]  # type: ignore[no-any-return]


def _own_packages(path: str) -> set[str]:
    """The package a file belongs to, by its folder (`evals/evaluator.py` is in `evals`,
    `src/agents/graph.py` in `agents`): its imports of that name are the project's own
    modules, not the library that shares the name (OpenAI's `evals`, the Agents SDK's
    `agents`)."""
    parts = path.split("/")[:-1]
    if parts and parts[0] in {"src", "lib"}:
        parts = parts[1:]
    return {parts[0]} if parts else set()


@file_detector(*PYTHON_KINDS, params=ImportParams)
def python_import(source: SourceFile, params: ImportParams) -> Iterator[Evidence]:
    """Imports of any of the given modules (or their submodules)."""
    code = source.python
    if code is None:
        return
    grouped = _imports_by_root(source, code)
    roots = {m.split(".")[0] for m in params.modules} - _own_packages(source.path)
    candidates = [ref for root in roots for ref in grouped.get(root, ())]
    if params.unless_only_local_calls and candidates:
        calls = [
            ref
            for name, refs in code.calls_by_name.items()
            if name.split(".")[0] in roots
            for ref in refs
        ]
        if all(local_smoke_test(code, ref.node) for ref in calls):
            return  # every call is to this machine, or the client is imported and never used
    for ref in sorted(candidates, key=lambda r: (r.line, r.module)):
        if any(ref.module == m or ref.module.startswith(m + ".") for m in params.modules):
            yield Evidence(
                source.locate(ref.line), f"imports {ref.module}", source.snippet(ref.line)
            )


@dataclass(frozen=True)
class ImportsTogetherParams:
    #: Modules of which one must be imported ...
    modules: tuple[str, ...]
    #: ... by a module that also imports one of these.
    with_modules: tuple[str, ...]
    label: str = "imported together"


@file_detector(*PYTHON_KINDS, params=ImportsTogetherParams)
def python_imports_together(
    source: SourceFile, params: ImportsTogetherParams
) -> Iterator[Evidence]:
    """Modules that import one of `modules` beside one of `with_modules`: an HTTP client in
    the module that defines the service's routes is a dependency of its request path."""
    code = source.python
    if code is None:
        return

    def imports(names: tuple[str, ...]) -> list[Any]:
        return [
            ref
            for ref in code.imports
            if any(ref.module == m or ref.module.startswith(m + ".") for m in names)
        ]

    first, second = imports(params.modules), imports(params.with_modules)
    if first and second:
        ref = first[0]
        yield Evidence(
            source.locate(ref.line),
            f"{params.label}: {ref.module} beside {second[0].module}",
            source.snippet(ref.line),
        )


@dataclass(frozen=True)
class CallParams:
    #: Resolved call names, fnmatch patterns allowed: `pickle.load`, `mlflow.*`, `*.predict_proba`.
    calls: tuple[str, ...]
    #: Only calls that pass this keyword (optionally with one of `when_values`) ...
    when_keyword: str | None = None
    when_values: tuple[str, ...] = ()
    #: ... or pass it positionally at this 0-based position (`np.random.default_rng(42)`).
    when_position: int | None = None
    #: Ignore calls that pass this keyword (optionally with one of `unless_values`) ...
    unless_keyword: str | None = None
    unless_values: tuple[str, ...] = ()
    #: ... or pass it positionally at this 0-based position.
    unless_position: int | None = None
    #: Only calls whose arguments, as written, match this regular expression (searched in
    #: their source text): `accuracy_score(y_prod, prod_predictions)` scores production data.
    when_arguments: str | None = field(default=None, metadata=REGEX)
    #: Leave out calls under `if __name__ == "__main__":`, a module's run-it-by-hand entry
    #: point (`app.run(debug=True)` there is not how a gunicorn-served app runs).
    outside_main_guard: bool = False
    #: Leave out a load of a file the same module writes with one of these calls (the
    #: path, as written, is the load's first argument and an argument of the writer):
    #: a script that dumps a model and reads it back loads nothing from outside.
    unless_written_by: tuple[str, ...] = ()
    #: Leave out a method called on an object one of these constructors made, in the call
    #: (`umap.UMAP().fit(x)`) or bound to a name or attribute in the file (`reducer =
    #: TSNE(...)`): fitting a projection to draw a chart trains no model.
    unless_made_by: tuple[str, ...] = ()
    #: Leave out calls made where one of these intercepts them: a function decorated with
    #: it (`@responses.activate`) or the body of a `with` block of it
    #: (`with requests_mock.Mocker():`): a mocked HTTP call reaches no network.
    unless_within: tuple[str, ...] = ()
    #: Only calls whose value a function returns (`return SGDClassifier(random_state=42)`):
    #: a factory that hands an unfitted estimator to the framework that trains it.
    when_returned: bool = False
    #: Leave out calls made only when the caller opts in: inside an `if` on a parameter
    #: whose name matches this and whose default is False or None (`elif allow_pickle:
    #: joblib.load(path)`): the function is safe unless its caller asks otherwise.
    unless_opted_in: str | None = field(default=None, metadata=REGEX)
    #: Leave out calls whose resolved name matches one of these, for a wildcard in `calls`
    #: that also catches another library's function: `*.fit` trains, `PIL.ImageOps.fit`
    #: crops an image.
    unless_calls: tuple[str, ...] = ()
    #: Only calls in a module whose text (code, strings, comments) matches each of these
    #: regular expressions: a request filed `PENDING` where the module speaks of its
    #: approval, `accuracy_score` where it reads a prediction log and its ground truth.
    when_module_mentions: tuple[str, ...] = ()
    #: Leave out calls a script sends to this machine (`requests.post("http://127.0.0.1:3000/...")`
    #: at module level or in a module with a `__main__` block): a smoke test of the
    #: developer's own server, not a remote service.
    unless_local_url: bool = False
    #: Leave out a validation whose failure is caught and passed over: the call itself, or
    #: the schema it builds (`SCHEMA = DataFrameSchema(...)`) when every `SCHEMA.validate(df)`
    #: of the file runs in a `try` whose handler neither raises nor stops the run but goes
    #: on with the unvalidated data (`except SchemaErrors: log(...); return df`).
    unless_failure_swallowed: bool = False


#: Calls that end the run from a handler: the failure is not passed over.
_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def _handler_goes_on(code: PythonCode, handler: ast.ExceptHandler, data: set[str]) -> bool:
    """Whether an except handler carries on as if the validation had passed: it raises
    nothing, calls nothing that ends the run, and returns the unvalidated data (`data`)
    or nothing at all (`return False` or `None` tells the caller the check failed)."""
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise):
            return False
        if isinstance(node, ast.Call) and code.resolve(node.func) in _EXITS:
            return False
    returns = [node for node in ast.walk(handler) if isinstance(node, ast.Return)]
    return all(isinstance(r.value, ast.Name) and r.value.id in data for r in returns)


def _swallowed(code: PythonCode, call: ast.Call) -> int | None:
    """The line of the handler that goes on with the data the call was given, when the
    call runs in the body of a `try` that has one."""
    data = {
        a.id for a in [*call.args, *(k.value for k in call.keywords)] if isinstance(a, ast.Name)
    }
    parents = code.parents
    child: ast.AST = call
    node = parents.get(id(call))
    while node is not None and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(node, ast.Try) and any(child is statement for statement in node.body):
            for handler in node.handlers:
                if _handler_goes_on(code, handler, data):
                    return handler.lineno
        child, node = node, parents.get(id(node))
    return None


def _validation_swallowed(source: SourceFile, code: PythonCode, call: ast.Call) -> int | None:
    """Where a validation call, or every use of the schema it builds in this file, has
    its failure caught and passed over (the first such handler's line), or None."""
    itself = _swallowed(code, call)
    if itself is not None:
        return itself
    parents = code.parents
    outermost: ast.AST = call  # `Column(int)` inside `SCHEMA = DataFrameSchema({...})`
    while isinstance(parents.get(id(outermost)), ast.expr | ast.keyword):
        outermost = parents[id(outermost)]
    parent = parents.get(id(outermost))
    if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0]
    if not isinstance(target, ast.Name):
        return None
    key = ("python", "schema passed over", target.id)  # once per schema, not per Column()
    if key not in source.memo:
        source.memo[key] = _uses_passed_over(code, target.id)
    return source.memo[key]  # type: ignore[no-any-return]


def _uses_passed_over(code: PythonCode, name: str) -> int | None:
    """The first handler that passes over a failed use of the schema bound to `name`
    (`name.validate(df)`, `name(df)`), when every use in the file is passed over."""
    uses = [
        node
        for node in code.nodes
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)  # `schema(df)`
            or (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in {"validate", "validate_df", "check"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
            )
        )
    ]
    handlers = [_swallowed(code, use) for use in uses]
    if not handlers or None in handlers:
        return None
    return min(line for line in handlers if line is not None)


def _returned_calls(source: SourceFile, code: PythonCode) -> frozenset[int]:
    """The calls (by identity) that are the value of a `return` (remembered per file)."""
    key = ("python_call", "returned")
    if key not in source.memo:
        source.memo[key] = frozenset(
            id(node.value)
            for node in code.nodes
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call)
        )
    return source.memo[key]  # type: ignore[no-any-return]


def _maker(code: PythonCode, call: ast.Call) -> str | None:
    """The constructor that made the object a method is called on, where the file shows it."""
    if not isinstance(call.func, ast.Attribute):
        return None
    receiver = call.func.value
    if isinstance(receiver, ast.Call):
        return code.resolve(receiver.func)
    spelled = ast.unparse(receiver)
    for binding in code.bindings:
        if isinstance(binding, ast.Dict) or not isinstance(binding.value, ast.Call):
            continue
        targets = binding.targets if isinstance(binding, ast.Assign) else [binding.target]
        if any(ast.unparse(t) == spelled for t in targets):
            return code.resolve(binding.value.func)
    return None


def _intercepted(source: SourceFile, interceptors: tuple[str, ...]) -> list[tuple[int, int]]:
    """The line ranges of functions decorated by, and `with` blocks of, an interceptor
    (remembered per file and interceptor list)."""
    key = ("python_call", "intercepted", interceptors)
    if key not in source.memo:
        code = source.python
        ranges: list[tuple[int, int]] = []
        if code is not None:
            for function in code.functions:
                if any(matches_any(d, interceptors) for d in function.decorators):
                    ranges.append((function.line, function.node.end_lineno or function.line))
            for node in code.nodes:
                if isinstance(node, ast.With | ast.AsyncWith) and any(
                    isinstance(item.context_expr, ast.Call)
                    and matches_any(code.resolve(item.context_expr.func), interceptors)
                    for item in node.items
                ):
                    ranges.append((node.lineno, node.end_lineno or node.lineno))
        source.memo[key] = ranges
    return source.memo[key]  # type: ignore[no-any-return]


def _opted_in(source: SourceFile, pattern: str) -> list[tuple[int, int]]:
    """The line ranges of `if` bodies guarded by an opt-in parameter: a function's
    parameter named like `pattern`, defaulting to False or None, tested by the `if`
    (`if allow_pickle:`, `elif allow_pickle and path:`), remembered per file."""
    key = ("python_call", "opted_in", pattern)
    if key not in source.memo:
        code = source.python
        ranges: list[tuple[int, int]] = []
        wanted = Matcher(pattern)
        for function in code.functions if code is not None else []:
            flags = {
                name
                for name, default in parameter_defaults(function.node.args)
                if isinstance(default, ast.Constant)
                and default.value in (False, None)
                and wanted.fullmatch(name)
            }
            if not flags:
                continue
            for node in ast.walk(function.node):
                if (
                    isinstance(node, ast.If)
                    and any(isinstance(n, ast.Name) and n.id in flags for n in ast.walk(node.test))
                    and node.body
                ):
                    ranges.append((node.body[0].lineno, node.body[-1].end_lineno or node.lineno))
        source.memo[key] = ranges
    return source.memo[key]  # type: ignore[no-any-return]


def _arguments_text(call: ast.Call) -> str:
    """The source text of a call's arguments, positional and keyword, one per line."""
    parts = [ast.unparse(arg) for arg in call.args]
    parts += [f"{kw.arg or '**'}={ast.unparse(kw.value)}" for kw in call.keywords]
    return "\n".join(parts)[:4000]


def literal_text(node: ast.expr, source: SourceFile) -> str:
    """An argument as comparable text: constants as written, names resolved through imports."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Name | ast.Attribute) and source.python is not None:
        return source.python.resolve(node)
    return ast.unparse(node)


def _argument(call: ast.Call, keyword: str, position: int | None) -> ast.expr | bool | None:
    """The value passed as `keyword` (or at `position`); True if it may hide in **kwargs."""
    value = keyword_value(call, keyword)
    if value is None and position is not None and len(call.args) > position:
        value = call.args[position]
    if value is None and has_star_kwargs(call):
        return True
    return value


def _passes(
    source: SourceFile,
    call: ast.Call,
    keyword: str,
    values: tuple[str, ...],
    position: int | None = None,
    hidden: bool = True,
) -> bool:
    """Whether the call passes `keyword` (with one of `values`). An argument that may hide
    in `**kwargs` counts only when `hidden` is True: `unless_` conditions give the benefit
    of the doubt, `when_` conditions claim only what can be seen (`scorer.run(**options)`
    is no `debug=True`)."""
    value = _argument(call, keyword, position)
    if value is None:
        return False
    if value is True:
        spread = _spread_keys(source, call)
        if spread is not None and keyword not in spread:
            return False  # `**onehot_params` built from dicts that never name it
        return hidden or (spread is not None and not values)
    if not values:
        return True
    assert isinstance(value, ast.expr)
    return any(matches_any(text, values) for text in _class_lineage(value, source))


def _spread_keys(source: SourceFile, call: ast.Call) -> frozenset[str] | None:
    """The keywords a call's `**name` arguments can pass, where the file binds each name
    only to dict literals with string keys (`opts = {"sparse_output": False} if new else
    {"sparse": False}`); None when any of them could hold anything (a parameter, a dict
    built elsewhere)."""
    code = source.python
    if code is None:
        return None
    keys: set[str] = set()
    for keyword in call.keywords:
        if keyword.arg is not None:
            continue
        if not isinstance(keyword.value, ast.Name):
            return None
        values = _bound_values(code, keyword.value.id)
        if not values:
            return None
        for value in values:
            literal = _literal_keys(value)
            if literal is None:
                return None
            keys |= literal
    return frozenset(keys)


def _literal_keys(value: ast.expr) -> set[str] | None:
    """The keys of a dict literal (or of either dict of a conditional expression)."""
    if isinstance(value, ast.IfExp):
        body, orelse = _literal_keys(value.body), _literal_keys(value.orelse)
        return None if body is None or orelse is None else body | orelse
    if isinstance(value, ast.Dict) and all(
        isinstance(key, ast.Constant) and isinstance(key.value, str) for key in value.keys
    ):
        return {key.value for key in value.keys}  # type: ignore[union-attr]
    return None


def _class_lineage(value: ast.expr, source: SourceFile) -> list[str]:
    """An argument's text, then, for a class the file defines, its bases' (resolved): a
    `class SafeNoAliasLoader(yaml.SafeLoader)` passed as `Loader=` is a SafeLoader."""
    texts = [literal_text(value, source)]
    code = source.python
    if isinstance(value, ast.Name) and code is not None:
        for cls in code.classes:
            if cls.name == value.id:
                texts.extend(cls.bases)
    return texts


def _all_call_patterns(calls: Sequence[CallParams]) -> tuple[str, ...]:
    """The call names every rule of the scan looks for, together (but `*`, any call,
    which would make the union rule nothing out: its rules look at every call)."""
    return tuple(sorted({pattern for params in calls for pattern in params.calls} - {"*"}))


def _calls_any_rule_names(source: SourceFile, code: PythonCode) -> dict[str, tuple[CallRef, ...]]:
    """The file's calls whose name some rule of the scan looks for, by name: one match of
    each distinct name against all the rules' patterns at once, then each rule matches only
    these few rather than every name the file calls (remembered per file)."""
    patterns = source.context.shared("python_call")
    if not patterns:
        return code.calls_by_name
    key = ("python_call", "candidates")  # one rulebook per scan, so one set of patterns
    if key not in source.memo:
        wanted = name_regex(patterns)
        source.memo[key] = {
            name: refs for name, refs in code.calls_by_name.items() if wanted.match(name)
        }
    return source.memo[key]  # type: ignore[no-any-return]


@file_detector(*PYTHON_KINDS, params=CallParams, share=_all_call_patterns)
def python_call(source: SourceFile, params: CallParams) -> Iterator[Evidence]:
    """Calls to the given functions, optionally only those passing (or lacking) a keyword."""
    code = source.python
    if code is None:
        return
    if (
        params.when_keyword
        and params.when_position is None
        and params.when_keyword not in code.identifier_names
    ):
        return  # no call in the file passes that keyword: none can be reported
    if params.when_module_mentions and not all(
        Matcher(pattern).search(source.text or "") for pattern in params.when_module_mentions
    ):
        return
    regex = name_regex(params.calls)
    arguments = Matcher(params.when_arguments) if params.when_arguments else None
    guarded = _main_guard_lines(source) if params.outside_main_guard else ()
    written = _written_paths(code, params.unless_written_by) if params.unless_written_by else None
    candidates = code.calls_by_name if "*" in params.calls else _calls_any_rule_names(source, code)
    matched = [
        ref
        for name, refs in candidates.items()
        if regex.match(name)
        and not (params.unless_calls and matches_any(name, params.unless_calls))
        for ref in refs
    ]
    returned = _returned_calls(source, code) if params.when_returned else None
    passed_over: set[int] = set()  # the handlers reported as passing a failure over
    for ref in sorted(matched, key=lambda r: (r.line, r.column)):
        if returned is not None and id(ref.node) not in returned:
            continue
        if written is not None and ref.node.args:
            if _path_of(code, ref.node.args[0], ref.line) in written:
                continue
            if _made_here(code, ref.node.args[0], params.unless_written_by):
                continue
            if written and _in_temporary_dir(code, ref.node.args[0], ref.line):
                continue
        if arguments is not None and not arguments.search(_arguments_text(ref.node)):
            continue
        if params.unless_made_by and matches_any(
            _maker(code, ref.node) or "", params.unless_made_by
        ):
            continue
        if params.unless_within and any(
            start <= ref.line <= end for start, end in _intercepted(source, params.unless_within)
        ):
            continue
        if any(start <= ref.line <= end for start, end in guarded):
            continue
        if params.unless_local_url and local_smoke_test(code, ref.node):
            continue
        if params.unless_failure_swallowed:
            handler = _validation_swallowed(source, code, ref.node)
            if handler is not None:
                if handler not in passed_over:
                    passed_over.add(handler)
                    yield Evidence(
                        source.locate(handler),
                        f"the failure of {ref.name}() is caught here and the run goes on"
                        " with the unvalidated data",
                        source.snippet(handler),
                        missing=True,
                    )
                continue
        if params.unless_opted_in and any(
            start <= ref.line <= end for start, end in _opted_in(source, params.unless_opted_in)
        ):
            continue
        if params.when_keyword and not _passes(
            source, ref.node, params.when_keyword, params.when_values, params.when_position, False
        ):
            continue
        if params.unless_keyword and _passes(
            source, ref.node, params.unless_keyword, params.unless_values, params.unless_position
        ):
            continue
        yield Evidence(source.locate(ref.line), f"calls {ref.name}()", source.snippet(ref.line))


#: Calls that open a file: their first argument is the path.
_OPENERS = frozenset({"open", "io.open", "gzip.open", "bz2.open", "lzma.open", "pathlib.Path.open"})


def _file_bindings(code: PythonCode) -> list[tuple[str, int, int, str]]:
    """`with open(path, "rb") as f:` blocks: the name, the lines it spans, the path."""
    bindings = []
    for node in code.nodes:
        if not isinstance(node, ast.With | ast.AsyncWith):
            continue
        for item in node.items:
            opened = item.context_expr
            if (
                isinstance(opened, ast.Call)
                and opened.args
                and code.resolve(opened.func) in _OPENERS
                and isinstance(item.optional_vars, ast.Name)
            ):
                end = node.end_lineno or node.lineno
                bindings.append(
                    (item.optional_vars.id, node.lineno, end, ast.unparse(opened.args[0]))
                )
    return bindings


def _path_of(code: PythonCode, node: ast.expr, line: int) -> str:
    """The path an argument names, as written: `open(p, "rb")` and a file object bound
    by `with open(p) as f` both name `p`."""
    if isinstance(node, ast.Call) and node.args and code.resolve(node.func) in _OPENERS:
        return ast.unparse(node.args[0])
    if isinstance(node, ast.Name):
        enclosing = [b for b in _file_bindings(code) if b[0] == node.id and b[1] <= line <= b[2]]
        if enclosing:
            return max(enclosing, key=lambda b: b[1])[3]
    return ast.unparse(node)


def _written_paths(code: PythonCode, writers: tuple[str, ...]) -> set[str]:
    """The paths, as written, that the module's writer calls write to."""
    regex = name_regex(writers)
    return {
        _path_of(code, arg, ref.line)
        for ref in code.calls_matching(lambda name: regex.match(name) is not None)
        for arg in [*ref.node.args, *(k.value for k in ref.node.keywords)]
    }


_TEMPORARY_DIRS = frozenset({
    "tempfile.TemporaryDirectory", "tempfile.mkdtemp", "tempfile.NamedTemporaryFile",
    "tempfile.mkstemp", "tempfile.gettempdir",
})  # fmt: skip


def _in_temporary_dir(code: PythonCode, argument: ast.expr, line: int) -> bool:
    """Whether a path comes from a temporary directory the same function made (through
    joins, globs and loops over them): a module that writes files reads back its own
    output there (`split_files(src, tmp)`, then `torch.load(glob(tmp + "/*.bin")[0])`)."""
    function = next(
        (
            f.node
            for f in sorted(code.functions, key=lambda f: -f.node.lineno)
            if f.node.lineno <= line <= (f.node.end_lineno or f.node.lineno)
        ),
        None,
    )
    if function is None:
        return False
    derived: set[str] = set()

    def mentions(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in derived for n in ast.walk(node))

    def bind(target: ast.AST) -> None:
        derived.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))

    for node in ast.walk(function):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                made = item.context_expr
                if (
                    isinstance(made, ast.Call)
                    and code.resolve(made.func) in _TEMPORARY_DIRS
                    and item.optional_vars is not None
                ):
                    bind(item.optional_vars)
    if not derived:
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and code.resolve(node.value.func) in _TEMPORARY_DIRS
            ):
                for target in node.targets:
                    bind(target)
    if not derived:
        return False
    statements = sorted(
        (n for n in ast.walk(function) if isinstance(n, ast.Assign | ast.For | ast.AsyncFor)),
        key=lambda n: n.lineno,
    )
    for statement in statements:
        if statement.lineno > line:
            break
        if isinstance(statement, ast.Assign) and mentions(statement.value):
            for target in statement.targets:
                bind(target)
        elif isinstance(statement, ast.For | ast.AsyncFor) and mentions(statement.iter):
            bind(statement.target)
    return mentions(argument)


def _made_here(code: PythonCode, argument: ast.expr, writers: tuple[str, ...]) -> bool:
    """Data the expression itself makes, so nothing from outside is read: a bytes literal
    or what a writer returns (`pickle.loads(pickle.dumps(obj))`), directly or wrapped in
    an in-memory buffer (`pickle.Unpickler(io.BytesIO(b""))`)."""
    if isinstance(argument, ast.Call) and code.resolve(argument.func) in ("io.BytesIO", "BytesIO"):
        if not argument.args:
            return True
        argument = argument.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, bytes):
        return True
    if isinstance(argument, ast.Call):
        name = code.resolve(argument.func)
        dumps = tuple(f"{w}s" for w in writers if w.endswith(".dump"))
        return name_regex(dumps).match(name) is not None if dumps else False
    return False


def _main_guard_lines(source: SourceFile) -> tuple[tuple[int, int], ...]:
    """The line ranges of a module's `if __name__ == "__main__":` blocks."""
    code = source.python
    if code is None:
        return ()
    return tuple((node.lineno, node.end_lineno or node.lineno) for node in code.main_blocks)


@dataclass(frozen=True)
class ClassParams:
    #: Resolved base-class names, fnmatch patterns allowed: `pydantic.BaseModel`.
    bases: tuple[str, ...]
    #: Regular expression the class's own name must match whole (an ORM model named
    #: for what its table keeps: `Prediction`, `InferenceLog`).
    name: str | None = field(default=None, metadata=REGEX)


@file_detector(*PYTHON_KINDS, params=ClassParams)
def python_class(source: SourceFile, params: ClassParams) -> Iterator[Evidence]:
    """Classes deriving directly from any of the given bases (and named as asked)."""
    code = source.python
    if code is None:
        return
    named = Matcher(params.name) if params.name else None
    for ref in code.classes:
        if named is not None and not named.fullmatch(ref.name):
            continue
        base = next((b for b in ref.bases if matches_any(b, params.bases)), None)
        if base:
            yield Evidence(
                source.locate(ref.line), f"class {ref.name}({base})", source.snippet(ref.line)
            )


@dataclass(frozen=True)
class DecoratorParams:
    #: Resolved decorator names, fnmatch patterns allowed: `bentoml.api`, `*.route`.
    decorators: tuple[str, ...]
    #: Only functions and classes whose name matches this: a scheduled function that
    #: re-indexes (`update_content_index_regularly`), not any scheduled function.
    named: str | None = field(default=None, metadata=REGEX)


@file_detector(*PYTHON_KINDS, params=DecoratorParams)
def python_decorator(source: SourceFile, params: DecoratorParams) -> Iterator[Evidence]:
    """Functions and classes decorated with any of the given decorators, called or bare:
    `@bentoml.service` on a class declares a service where an import does not."""
    code = source.python
    if code is None:
        return
    decorated = [(f.name, f.line, f.node.decorator_list) for f in code.functions]
    decorated += [(c.name, c.line, c.node.decorator_list) for c in code.classes]
    named = Matcher(params.named) if params.named else None
    for name, _line, decorators in sorted(decorated, key=lambda item: item[1]):
        if named is not None and not named.search(name):
            continue
        for decorator in decorators:
            resolved = code.resolve(
                decorator.func if isinstance(decorator, ast.Call) else decorator
            )
            if matches_any(resolved, params.decorators):
                where = decorator.lineno
                yield Evidence(
                    source.locate(where), f"@{resolved} on {name}", source.snippet(where)
                )
                break


@dataclass(frozen=True)
class StringParams:
    pattern: str = field(metadata=REGEX)
    label: str = "string literal"
    ignore_case: bool = False
    #: Leave out keys being written (`os.environ["AWS_SECRET_ACCESS_KEY"] = value` sets a
    #: variable from wherever the value came from; it reads nothing from the environment).
    unless_assigned: bool = False


def _assigned_keys(code: PythonCode) -> set[tuple[int, int]]:
    """(line, column) of string keys of subscripts being assigned: `d["key"] = ...`."""
    found: set[tuple[int, int]] = set()
    for node in code.bindings:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    found.add((target.slice.lineno, target.slice.col_offset))
    return found


@file_detector(*PYTHON_KINDS, params=StringParams)
def python_string(source: SourceFile, params: StringParams) -> Iterator[Evidence]:
    """String literals (docstrings excluded) matching a regular expression."""
    code = source.python
    if code is None:
        return
    regex = Matcher(params.pattern, params.ignore_case)
    needed = required_literals(params.pattern)
    key = ("strings", "folded")
    if needed is not None and key not in source.memo:
        # the values themselves, not the file's text: escapes (`"\x70ickle"`) are decoded
        source.memo[key] = {ref.value[:2000]: folded(ref.value[:2000]) for ref in code.strings}
    assigned = _assigned_keys(code) if params.unless_assigned else set()
    seen: set[int] = set()
    for ref in code.strings:
        value = ref.value[:2000]
        if needed is not None and not any(s in source.memo[key][value] for s in needed):
            continue  # holds none of the strings every match holds
        if regex.search(value) and (ref.line, ref.column) not in assigned:
            seen.add(ref.line)
            yield Evidence(source.locate(ref.line), params.label, source.snippet(ref.line))
    # an f-string read whole, each replacement field as `{}`: `f"INSERT INTO {table} (id,
    # vector) ..."` is one statement, not two pieces
    for line, value in _formatted_strings(source, code):
        if line in seen or (needed is not None and not any(s in folded(value) for s in needed)):
            continue
        if regex.search(value):
            seen.add(line)
            yield Evidence(source.locate(line), params.label, source.snippet(line))


def _formatted_strings(source: SourceFile, code: PythonCode) -> list[tuple[int, str]]:
    """The module's f-strings as text, each replacement field written `{}` (memoised)."""
    key = ("formatted-strings",)
    if key not in source.memo:
        source.memo[key] = [
            (
                node.lineno,
                "".join(
                    str(part.value) if isinstance(part, ast.Constant) else "{}"
                    for part in node.values
                )[:2000],
            )
            for node in code.nodes
            if isinstance(node, ast.JoinedStr)
            and any(isinstance(part, ast.FormattedValue) for part in node.values)
        ]
    return source.memo[key]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class IdentifierParams:
    #: Regular expression matched against whole identifiers.
    pattern: str = field(metadata=REGEX)
    label: str = "identifier"
    #: Only names being defined (functions and classes): `def test_x` is a test,
    #: a fixture that uses `TestClient` is not.
    definitions_only: bool = False
    #: Only names the code decides on: read in a comparison or the test of an `if`,
    #: `while`, conditional expression, `assert` or `match` (`if choice.finish_reason ==
    #: "length":`), not a value copied into a response (`finish_reason=choice.finish_reason`).
    decided_only: bool = False


@file_detector(*PYTHON_KINDS, params=IdentifierParams)
def python_identifier(source: SourceFile, params: IdentifierParams) -> Iterator[Evidence]:
    """Names of variables, attributes, functions, classes, parameters and keywords
    matching a regular expression (comments and strings never count)."""
    code = source.python
    if code is None:
        return
    if source.kind is FileKind.PYTHON and not may_hold(source, params.pattern, ascii_only=True):
        return  # no name in the file can match: it holds none of the pattern's strings
    regex = Matcher(params.pattern, True)
    seen: set[int] = set()
    if params.definitions_only:
        defined = [(f.name, f.line) for f in code.functions]
        names = sorted(defined + [(c.name, c.line) for c in code.classes], key=lambda n: n[1])
        matched = [(name, line) for name, line in names if regex.fullmatch(name)]
    else:
        matched = _identifiers_matching(source, code, params.pattern, regex)
    if params.decided_only and matched:
        decided = _decided_names(code)
        matched = [(name, line) for name, line in matched if (name, line) in decided]
    if matched:
        if ("log-fields",) not in source.memo:
            source.memo[("log-fields",)] = _log_fields(code)
        fields = source.memo[("log-fields",)]
        matched = [(name, line) for name, line in matched if (name, line) not in fields]
    for name, line in matched:
        if line not in seen:
            seen.add(line)
            yield Evidence(source.locate(line), f"{params.label} `{name}`", source.snippet(line))


#: Methods that write a log record: their keyword arguments are the record's fields.
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "msg", "log"}
)


def _log_fields(code: PythonCode) -> set[tuple[str, int]]:
    """(name, line) of the fields of structured log records (`log.info("stopping",
    prediction_log=stats)`): a field named for something is a value written to the log,
    not the thing itself."""
    return {
        (keyword.arg, keyword.lineno)
        for node in code.nodes
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _LOG_METHODS
        and "log" in ast.unparse(node.func.value).lower()
        for keyword in node.keywords
        if keyword.arg is not None
    }


def _decided_names(code: PythonCode) -> set[tuple[str, int]]:
    """(name, line) of the names and attributes read where the code decides: comparisons
    and the tests of `if`, `while`, conditional expressions, `assert` and `match`."""
    tests: list[ast.AST] = []
    for node in code.nodes:
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            tests.append(node.test)
        elif isinstance(node, ast.Compare):
            tests.append(node)
        elif isinstance(node, ast.Match):
            tests.append(node.subject)
    decided: set[tuple[str, int]] = set()
    for test in tests:
        for inner in ast.walk(test):
            if isinstance(inner, ast.Name):
                decided.add((inner.id, inner.lineno))
            elif isinstance(inner, ast.Attribute):
                decided.add((inner.attr, inner.lineno))
    return decided


def _identifiers_matching(
    source: SourceFile, code: PythonCode, pattern: str, regex: Matcher
) -> list[tuple[str, int]]:
    """The file's identifiers that `regex` matches whole, in their order. Each distinct
    name is tried once, and only when it holds one of the strings every match holds: a
    module names thousands of things, a dozen rules look at them all."""
    key = ("identifiers", "positions")
    if key not in source.memo:
        positions: dict[str, list[int]] = {}
        for index, (name, _line) in enumerate(code.identifiers):
            positions.setdefault(name, []).append(index)
        source.memo[key] = positions, {name: folded(name) for name in positions}
    positions, folded_names = source.memo[key]
    needed = required_literals(pattern)
    hits = [
        index
        for name, indexes in positions.items()
        if (needed is None or any(literal in folded_names[name] for literal in needed))
        and regex.fullmatch(name)
        for index in indexes
    ]
    return [code.identifiers[index] for index in sorted(hits)]


@dataclass(frozen=True)
class RouteParams:
    #: Regular expression searched in the route's URL path, e.g. `^/(health|healthz|livez)$`.
    path_pattern: str = field(default=".*", metadata=REGEX)
    label: str = "HTTP route"


#: Django's URL patterns: a route is a path and the view that answers it.
_DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})


def _route_path(call: ast.Call) -> str | None:
    candidate = (
        call.args[0] if call.args else keyword_value(call, "path") or keyword_value(call, "rule")
    )
    if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
        return candidate.value
    return None


def _router_prefixes(code: PythonCode) -> dict[str, str]:
    """Routers the module makes with a path prefix (`router = APIRouter(prefix="/v1")`,
    `bp = Blueprint("x", __name__, url_prefix="/v1")`): their routes live under it."""
    found: dict[str, str] = {}
    for node in code.tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            continue
        for keyword in node.value.keywords:
            if (
                keyword.arg in ("prefix", "url_prefix")
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
                and keyword.value.value.startswith("/")
            ):
                found[node.targets[0].id] = keyword.value.value
    return found


@file_detector(*PYTHON_KINDS, params=RouteParams)
def http_route(source: SourceFile, params: RouteParams) -> Iterator[Evidence]:
    """HTTP routes declared with FastAPI, Starlette, Flask or Quart decorators
    (`@app.get("/x")`, `@router.post`, `@bp.route`), on a flask-restx or flask-smorest
    resource class (`@ns.route("/x")` over its `get`/`post` methods), with
    `add_api_route`/`add_url_rule`, or in Django's URL patterns (`path("ratings/", view)`)."""
    code = source.python
    if code is None:
        return
    regex = Matcher(params.path_pattern)
    prefixes = _router_prefixes(code)
    for function in code.functions:
        for decorator in function.node.decorator_list:
            if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
                continue
            if decorator.func.attr not in _ROUTE_METHODS:
                continue
            path = _route_path(decorator)
            receiver = decorator.func.value
            if path is not None and isinstance(receiver, ast.Name) and receiver.id in prefixes:
                path = prefixes[receiver.id].rstrip("/") + path
            if path is not None and path.startswith("/") and regex.search(path):
                method = decorator.func.attr.upper()
                yield Evidence(
                    source.locate(decorator.lineno),
                    f"{params.label} {method} {path} ({function.name})",
                    source.snippet(decorator.lineno),
                )
    for cls in code.classes:  # a flask-restx / flask-smorest resource: `@ns.route("/x")`
        for decorator in cls.node.decorator_list:
            if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
                continue
            path = _route_path(decorator) if decorator.func.attr == "route" else None
            if path is None or not path.startswith("/") or not regex.search(path):
                continue
            verbs = [
                f.name.upper()
                for f in cls.node.body
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                and f.name in ("get", "post", "put", "patch", "delete")
            ]
            if verbs:
                yield Evidence(
                    source.locate(decorator.lineno),
                    f"{params.label} {'/'.join(verbs)} {path} ({cls.name})",
                    source.snippet(decorator.lineno),
                )
    for ref in code.calls:
        if ref.name in _DJANGO_ROUTES:  # `path("ratings/<uuid:id>/", rate_message)`
            path = _route_path(ref.node)
            if path is not None and regex.search(path):
                yield Evidence(
                    source.locate(ref.line), f"{params.label} /{path}", source.snippet(ref.line)
                )
            continue
        if ref.name.rsplit(".", 1)[-1] in {"add_api_route", "add_url_rule", "add_route"}:
            path = _route_path(ref.node)
            if path is not None and regex.search(path):
                yield Evidence(
                    source.locate(ref.line), f"{params.label} {path}", source.snippet(ref.line)
                )


@dataclass(frozen=True)
class ThresholdParams:
    #: Regular expression for the compared name: a probability, score or confidence (not
    #: a drift score: a distribution's shift against its alert level is monitoring).
    names: str = field(
        default=r"(?i)(?!.*(drift|divergence))"
        r".*(prob|proba|probability|score|confidence|certainty|likelihood).*",
        metadata=REGEX,
    )
    #: Only literals strictly between these bounds look like a probability cut-off.
    low: float = 0.0
    high: float = 1.0
    #: Calls that compute a metric (`roc_auc_score(y, p) < 0.9`, `model.score(X, y)`):
    #: a release gate on model quality, not a decision taken on one prediction.
    metrics: str = field(default=r"(?i)(.*_)?(score|auc|loss|error|accuracy)", metadata=REGEX)
    #: Names of a metric over a whole evaluation set (`metrics["f1_score"] < 0.6`,
    #: `brier_score > 0.22`): a gate on the model's quality, not a cut-off on one case.
    aggregates: str = field(
        default=r"(?i).*(f1|f_beta|fbeta|brier|auc|accuracy|precision|recall|rmse|mse|mae|mape"
        r"|r2|log_?loss|bleu|rouge|silhouette|ndcg|mrr|kappa|mcc|matthews).*",
        metadata=REGEX,
    )


def value_name(node: ast.expr) -> str | None:
    """The name a value goes by: a variable, an attribute, a called function, or the
    column or key a subscript reads (`links["probability"]`)."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        node = node.value
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _cutoff(node: ast.expr | None, params: ThresholdParams) -> float | None:
    """The number a literal holds when it lies between the bounds (a probability cut-off)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, float | int)
        and not isinstance(node.value, bool)
        and params.low < node.value < params.high
    ):
        return float(node.value)
    return None


def _literal_cutoffs(code: PythonCode, params: ThresholdParams) -> dict[str, float]:
    """Names the module binds to a literal between the bounds, as a constant
    (`THRESHOLD = 0.5`) or a parameter's default (`probability_threshold=0.46`): a cut-off
    written in the code under a name is still written in the code."""
    bound: list[tuple[str | None, ast.expr | None]] = []
    for node in code.bindings:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target: ast.expr = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        else:
            continue
        if isinstance(target, ast.Name | ast.Attribute):
            bound.append((value_name(target), node.value))
    for function in code.functions:
        bound.extend(parameter_defaults(function.node.args))
    found: dict[str, float] = {}
    for name, value in bound:
        if name is not None and (number := _cutoff(value, params)) is not None:
            found.setdefault(name, number)
    # a name the module also sets from something else (`self._threshold =
    # manifest["threshold"]`): the literal is only its fallback, the cut-off is configured
    configured = {
        name
        for name, value in bound
        if name in found and value is not None and not isinstance(value, ast.Constant)
    }
    return {name: number for name, number in found.items() if name not in configured}


@file_detector(*PYTHON_KINDS, params=ThresholdParams)
def python_threshold(source: SourceFile, params: ThresholdParams) -> Iterator[Evidence]:
    """Comparisons of a score-like name with a literal cut-off (`proba > 0.5`), or with a
    name the module binds to one (`proba > probability_threshold` where the parameter
    defaults to 0.46): a decision threshold hard-coded instead of calibrated and configured."""
    code = source.python
    if code is None:
        return
    regex = Matcher(params.names)
    metric = Matcher(params.metrics)
    aggregate = Matcher(params.aggregates)
    cutoffs: dict[str, float] | None = None
    for node in code.compares:
        operands = [
            o for o in (node.left, *node.comparators)
            if not (isinstance(o, ast.Call) and metric.fullmatch(value_name(o) or ""))
            and not aggregate.fullmatch(value_name(o) or "")
        ]  # fmt: skip
        named = [(o, n) for o in operands if (n := value_name(o)) and regex.fullmatch(n)]
        if not named:
            continue
        literals = [
            str(o.value)
            for o in operands
            if isinstance(o, ast.Constant) and _cutoff(o, params) is not None
        ]
        subject = named[0][1]
        if any(_hand_made(code, o, node.lineno) for o, _n in named):
            continue
        if not literals:
            cutoffs = _literal_cutoffs(code, params) if cutoffs is None else cutoffs
            for operand in operands:
                name = value_name(operand)
                if isinstance(operand, ast.Name | ast.Attribute) and name in cutoffs:
                    others = [n for o, n in named if o is not operand]
                    if others:
                        subject = others[0]
                        literals = [f"`{name}` = {cutoffs[name]:g}"]
                        break
        if literals:
            yield Evidence(
                source.locate(node.lineno),
                f"`{subject}` compared with the literal {literals[0]}",
                source.snippet(node.lineno),
            )


#: Outcomes that hand a case to a person instead of acting on it.
_REVIEW_OUTCOME = re.compile(
    r"(?i)((manual|human|needs?|pending|for|send|sent|route|routed)[_ -](to[_ -])?)?review"
    r"|(manual|human)[_ -](check|decision|approval)|escalated?|abstain(ed)?"
    r"|refer(red)?[_ -]to[_ -](a[_ -])?(human|person|reviewer|underwriter|analyst)"
)


def _outcomes(node: ast.AST) -> Iterator[ast.expr]:
    """The values a branch of an `if` settles on: what it returns or assigns directly."""
    if isinstance(node, ast.Return | ast.Assign | ast.AnnAssign) and node.value is not None:
        yield node.value


@file_detector(*PYTHON_KINDS, params=NoParams)
def review_outcome(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """A decision that, on a comparison (a score against a cut-off), comes out as a case
    for a person: `decision = "approve" if score < 0.5 else "review"`, or `if p < t:
    return "manual_review"`. The word alone proves nothing (a product may have reviews);
    chosen by a comparison it is the service declining to act on its own."""
    code = source.python
    if code is None or not any(
        _REVIEW_OUTCOME.fullmatch(ref.value.strip()) for ref in code.strings
    ):
        return  # no string names such an outcome: no walk of the whole tree
    for node in code.nodes:
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare):
            branches: list[ast.expr] = [node.body, node.orelse]
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            branches = [v for statement in (*node.body, *node.orelse) for v in _outcomes(statement)]
        else:
            continue
        for value in branches:
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and _REVIEW_OUTCOME.fullmatch(value.value.strip())
            ):
                yield Evidence(
                    source.locate(value.lineno),
                    f"a comparison sends the case to a person: {value.value!r}",
                    source.snippet(value.lineno),
                )


def _hand_made(code: PythonCode, operand: ast.expr, line: int) -> bool:
    """Whether a score is one the function adds up itself from fixed points
    (`anomaly_score += 0.3` for nulls, `+= 0.2` per extreme value): a rule of thumb whose
    bands are the rule itself, not a cut-off on a model's output."""
    if not isinstance(operand, ast.Name):
        return False
    enclosing = [
        f.node
        for f in code.functions
        if f.node.lineno <= line <= (f.node.end_lineno or f.node.lineno)
    ]
    if not enclosing:
        return False
    function = max(enclosing, key=lambda n: n.lineno)
    return any(
        isinstance(node, ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == operand.id
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, int | float)
        for node in ast.walk(function)
    )


_NAN_NAMES = {
    "numpy.nan",
    "numpy.NaN",
    "numpy.NAN",
    "math.nan",
    "pandas.NA",
    "float('nan')",
    'float("nan")',
}


@file_detector(*PYTHON_KINDS, params=NoParams)
def python_nan_comparison(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """`x == np.nan` (or `!=`, `is`): always False, so the missing values it means to
    catch slip through (ML code smell 2; use `isna()` / `np.isnan`)."""
    code = source.python
    if code is None:
        return
    for node in code.compares:
        operands = [node.left, *node.comparators]
        if not any(isinstance(op, ast.Eq | ast.NotEq | ast.Is | ast.IsNot) for op in node.ops):
            continue
        for operand in operands:
            text = (
                code.resolve(operand)
                if isinstance(operand, ast.Name | ast.Attribute)
                else ast.unparse(operand)
            )
            # pandas.NA and NaT are singletons: `x is pd.NA` is the right test for them
            identity = all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops)
            if text in _NAN_NAMES and not (identity and text in {"pandas.NA", "pandas.NaT"}):
                yield Evidence(
                    source.locate(node.lineno), f"compares with {text}", source.snippet(node.lineno)
                )
                break


_SPLITTERS = ("sklearn.model_selection.train_test_split", "*.train_test_split", "train_test_split")


@dataclass(frozen=True)
class LeakageParams:
    #: Calls that split data; fitting before them in the same file is leakage.
    splits: tuple[str, ...] = _SPLITTERS
    #: Fitting calls that learn statistics from the data they see.
    fits: tuple[str, ...] = ("*.fit_transform", "*.fit")
    #: Encoders of the target's classes: they learn the class names, no statistic of the
    #: rows, so fitting them before the split leaks nothing.
    label_encoders: tuple[str, ...] = (
        "sklearn.preprocessing.LabelEncoder", "sklearn.preprocessing.LabelBinarizer",
        "sklearn.preprocessing.MultiLabelBinarizer", "sklearn.preprocessing._label.*",
    )  # fmt: skip


@file_detector(*PYTHON_KINDS, params=LeakageParams)
def python_fit_before_split(source: SourceFile, params: LeakageParams) -> Iterator[Evidence]:
    """A transformer fitted (`scaler.fit_transform(X)`) before the data is split in
    the same module or notebook: test rows leak into the training statistics."""
    code = source.python
    if code is None:
        return
    functions = [(f.node.lineno, f.node.end_lineno or f.node.lineno) for f in code.functions]

    def scope(line: int) -> int:
        """The innermost function holding `line` (its first line), 0 for module level:
        a fit in a helper that only ever receives the training split is no leak."""
        return max((start for start, end in functions if start <= line <= end), default=0)

    first_split: dict[int, int] = {}
    for call in code.calls_matching(lambda name: matches_any(name, params.splits)):
        where = scope(call.line)
        first_split[where] = min(call.line, first_split.get(where, call.line))
    if not first_split:
        return
    for ref in code.calls_matching(lambda name: matches_any(name, params.fits)):
        split = first_split.get(scope(ref.line))
        if split is None or ref.line >= split:
            continue
        if (
            ref.name.rsplit(".", 1)[0]
            .lower()
            .endswith(("model", "clf", "classifier", "regressor", "estimator"))
        ):
            continue  # fitting a model before splitting is a different bug, not leakage of statistics
        if matches_any(_maker(code, ref.node) or "", params.label_encoders):
            continue
        yield Evidence(
            source.locate(ref.line),
            f"{ref.name}() learns from the data before it is split (line {source.locate(split).line})",
            source.snippet(ref.line),
        )


@dataclass(frozen=True)
class HandlerLoadParams:
    #: Calls that load a model from storage.
    loads: tuple[str, ...] = (
        "joblib.load", "pickle.load", "torch.load", "*.from_pretrained", "mlflow.*.load_model",
        "tensorflow.keras.models.load_model", "keras.models.load_model", "onnxruntime.InferenceSession",
        "skops.io.load", "xgboost.*.load_model", "*.load_model",
    )  # fmt: skip


#: A route that replaces the model in service, by its path or its handler's name:
#: `POST /train`, `/models/{id}/reload`, `def promote_model()`.
_REPLACES_MODEL = re.compile(
    r"(?i)(^|[/_\-\s])(re)?(train(ing)?|load|fit)([/_\-\s]|$)|reload|refresh|swap|promot|rollback"
    r"|(^|[/_\-\s])(deploy|switch|activate)"
)


def _replaces_the_model(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a route replaces the model in service (retrains, reloads, promotes or rolls
    back) and is not named for predicting: it loads the new model when someone asks for
    it, not on every prediction (`load_and_predict` still loads per request)."""
    paths = [
        d.args[0].value
        for d in function.decorator_list
        if isinstance(d, ast.Call)
        and d.args
        and isinstance(d.args[0], ast.Constant)
        and isinstance(d.args[0].value, str)
    ]
    named = (function.name, *paths)
    return any(_REPLACES_MODEL.search(t) for t in named) and not any(
        PREDICTION_NAME.search(t) for t in named
    )


@file_detector(*PYTHON_KINDS, params=HandlerLoadParams)
def model_load_in_handler(source: SourceFile, params: HandlerLoadParams) -> Iterator[Evidence]:
    """Model loads inside an HTTP route handler: the model is read from disk on every request."""
    code = source.python
    if code is None:
        return
    for function in code.functions:
        is_route = any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr in _ROUTE_METHODS
            for d in function.node.decorator_list
        )
        if not is_route or _replaces_the_model(function.node):
            continue
        for node in ast.walk(function.node):
            if isinstance(node, ast.Call) and matches_any(code.resolve(node.func), params.loads):
                yield Evidence(
                    source.locate(node.lineno),
                    f"{code.resolve(node.func)}() runs on every request to {function.name}",
                    source.snippet(node.lineno),
                )
