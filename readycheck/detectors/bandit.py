"""bandit, used as a library on the tree readycheck already parsed.

bandit's own manager reads and parses every file again; here its node
visitor runs over the shared `ast` tree (notebook code cells included, with
lines mapped back to their cells), with only the tests some rule asks for.
Each file is visited once for the union of those tests, whichever rule asks
first; bandit's issues then become evidence carrying its test id, severity,
confidence and CWE.
"""

from __future__ import annotations

import ast
import io
import logging
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, TypeGuard

from readycheck.detectors.base import file_detector
from readycheck.detectors.common import PLAIN_URL, SECRET_PATH, callee_name, exit_status
from readycheck.model import Evidence, FileKind
from readycheck.parsers.python import PythonCode, keyword_value, parameter_defaults
from readycheck.workspace import SourceFile, mask_secret

_RANKS = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}

#: bandit's hard-coded password tests (B105-B107) flag any `*_token` name given a string.
#: In ML code those are tokenizer vocabulary entries (`pad_token="[PAD]"`,
#: `eos_token="</s>"`, `"<|endoftext|>"`), not credentials.
_PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})
_SPECIAL_TOKEN = re.compile(r"\[[A-Za-z_-]+\]|</?[A-Za-z_|]+>|<\|[\w]+\|>")
_PASSWORD_VALUE = re.compile(r"Possible hardcoded password: '(.*)'", re.DOTALL)
#: Values that name a secret rather than hold one: `"gen_ai.usage.input_tokens"`,
#: `"MLFLOW_TRACKING_TOKEN"`, `"refresh_token"`; and flags and placeholders.
_A_NAME = re.compile(
    r"[A-Z][A-Z_]*"  # an environment variable's name
    r"|[A-Za-z_]+(\.[A-Za-z_]+)+"  # a dotted attribute or metric name
    r"|(?i:[a-z_\-]*(token|password|passwd|secret|key|passphrase|credential)s?[a-z_\-]*)"
)
#: Values no credential is (any case): flags and switches (`eval_pass = "false"`,
#: `"enforce_access_to_default_secret_stores": "enabled"`), empty and masked values.
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_PLACEHOLDERS = frozenset(
    {"", "true", "false", "none", "null", "***", "yes", "no", "on", "off", "enabled", "disabled"}
)
#: Type names: generated API clients (OpenAPI, Kubernetes) map every field to its type,
#: `openapi_types = {"password": "str", "automount_service_account_token": "bool"}`.
_TYPE_NAME = re.compile(
    r"(?:str|bool|int|float|bytes|object|date|datetime|file|string|boolean|integer|number|array)"
    r"|(?:u?int|float|bfloat|complex)(?:8|16|32|64|128)"  # a dtype: `token_encoding_type='int64'`
    r"|(?:list|dict|tuple|set|List|Dict|Tuple|Set|Optional)[\[(][\w\s,.\[\]()]*[\])]"
)

#: A placeholder (`token != "<not set>"`) or an identifier of a token type or grant
#: (`"urn:ietf:params:oauth:grant-type:token-exchange"`); addresses are PLAIN_URL.
_NOT_A_VALUE = re.compile(
    r"<[^<>]*>|urn:\S+"
    r"|\$\{\{?\s*[\w.]+\s*\}\}?"  # a template's variable: `${{HF_TOKEN}}`, `${API_KEY}`
    r"|\w*(?:XXX|xxx)\w*"  # a value to fill in: `hf_XXX`
)
#: Names that describe a secret rather than hold one: `token_type = "bearer"`,
#: `TOKEN_SCOPE = "skills"`, `..._PREFIX`, where a secret or a model's token count comes
#: from (`_token_usage_source = "title"`), and pagination cursors (`next_page_token`).
_DESCRIBING_NAME = re.compile(
    r"(?i)(?:^|_)(?:type|scope|prefix|suffix|name|url|uri|endpoint|header|field|kind|format"
    r"|path|file|dir|env|var|id|budget|count|limit|length|size|total|usage|source|mode"
    r"|strategy|method|provider|backend|status|state|label|role|reason|rule|policy|hint"
    r"|help|message|text|description|error|title)s?$"
    r"|(?:page|next|continuation)_?tokens?$|^(?:max|min|num|n|total)_"
)
#: The name a quoted value is bound to on its line: `name = "`, `"name": "`, `name="`,
#: and `NAME = """` (a triple-quoted text).
_BOUND_NAME = re.compile(
    r"""([A-Za-z_][\w]*)["']?\s*(?::|=|[!=]=)\s*[rbuRBU]{0,2}(?:["']|\"{3}|'{3})$"""
)

#: A regular expression given to a token-named setting: `token_pattern=r"(?u)\b\w\w+\b"`
#: (scikit-learn's vectorisers, tokenizers). Escapes such as \b, \w or \d and inline
#: flags do not occur in generated or chosen passwords.
_A_REGEX = re.compile(r"\\[bBwWdDsS]|\(\?[aiLmsux:=!<P]")
#: A database statement (`GET_SECRET_REFERENCE_SQL = """SELECT secret_reference FROM ..."""`):
#: a query that reads where a secret is kept, not the secret.
_SQL_STATEMENT = re.compile(
    r"(?is)\s*(select\s.+?\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|with\s+\w+\s+as\s*\()\s"
)


#: bandit B615 flags every `from_pretrained` without a revision; reading a model from a
#: local directory downloads nothing. A path literal, a name that says it holds a path or
#: directory (`self.model_path`, `model_dir`), a path built with os.path or pathlib or
#: returned by a function named for it (`model_file_path(name)`), or
#: `local_files_only=True` is local.
_HUB_TESTS = frozenset({"B615"})
_LOCAL_NAME = re.compile(
    r"(?i)(?:^|_)(?:path|dir|directory|folder|local_dir|checkpoint|ckpt|save_dir|output_dir)s?$"
)
_HUB_LOADS = frozenset(
    {"from_pretrained", "hf_hub_download", "snapshot_download", "load_dataset", "pipeline"}
)
_PATH_CALLS = re.compile(
    r"(^|\.)(join|Path|PurePath|PosixPath|expanduser|abspath|realpath|resolve)$"
)
#: bandit B102/B307 flag every exec and eval. Code read from one of the project's own files
#: (`exec(open("pkg/version.py").read())`) or a literal cannot be injected.
_EXEC_TESTS = frozenset({"B102", "B307"})
#: A shell run (`subprocess.run(..., shell=True)`, `os.system`): no injection when the
#: command is fixed text.
_SHELL_TESTS = frozenset({"B602", "B605"})
_SHELL_RUNS = frozenset({
    "run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput",
    "system", "popen",
})  # fmt: skip


def _calls_by_line(nodes: Iterable[ast.AST]) -> dict[int, list[ast.Call]]:
    found: dict[int, list[ast.Call]] = {}
    for node in nodes:
        if isinstance(node, ast.Call):
            found.setdefault(node.lineno, []).append(node)
    return found


#: The `datasets` library's packaged builders: they read the local files or folder they
#: are given (`load_dataset("imagefolder", data_dir=...)`), nothing from the hub.
_PACKAGED_BUILDERS = frozenset({
    "imagefolder", "audiofolder", "videofolder", "csv", "json", "parquet", "text", "arrow",
    "pandas", "webdataset", "sql",
})  # fmt: skip


def _local_load(call: ast.Call) -> bool:
    """Whether a hub-style load reads from the local disk rather than the hub."""
    for keyword in call.keywords:
        if keyword.arg == "local_files_only" and isinstance(keyword.value, ast.Constant):
            return keyword.value.value is True
    first = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg in ("pretrained_model_name_or_path", "path", "repo_id", "model"):
            first = first or keyword.value
    while isinstance(first, ast.Call) and callee_name(first) in ("str", "fspath") and first.args:
        first = first.args[0]  # `str(model_dir.resolve())`: the path it converts
    if first is None:
        return False
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        if callee_name(call) == "load_dataset" and first.value in _PACKAGED_BUILDERS:
            return True  # the datasets library's own loader of the files it is given
        return first.value.startswith(("/", "./", "../", "~"))
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        return isinstance(head, ast.Constant) and str(head.value).startswith(("/", "./", "../"))
    if isinstance(first, ast.Name | ast.Attribute):
        return bool(_LOCAL_NAME.search(first.id if isinstance(first, ast.Name) else first.attr))
    if isinstance(first, ast.Call):
        # a path builder, or a function named for the path it returns (`model_file_path(name)`)
        callee = callee_name(first)
        return bool(_PATH_CALLS.search(callee) or _LOCAL_NAME.search(callee.rsplit(".", 1)[-1]))
    return isinstance(first, ast.BinOp) and isinstance(first.op, ast.Div)  # Path(...) / "model"


#: Files that hold no code and no weights: a model card, its images, notes.
_DOCUMENT_SUFFIXES = (
    ".md",
    ".txt",
    ".rst",
    ".png",
    ".gif",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".webp",
    ".svg",
)


def _documents_only(call: ast.Call, nodes: Iterable[ast.AST]) -> bool:
    """A hub download that fetches only documents (`hf_hub_download(repo, "README.md")`,
    `snapshot_download(repo, allow_patterns=["*.md", "*.png"])`): no code or weights
    arrive, so there is nothing a moving revision could swap for something harmful."""
    filename = keyword_value(call, "filename") or (call.args[1] if len(call.args) > 1 else None)
    if isinstance(filename, ast.Constant) and isinstance(filename.value, str):
        return filename.value.lower().endswith(_DOCUMENT_SUFFIXES)
    patterns = keyword_value(call, "allow_patterns")
    if isinstance(patterns, ast.Name):
        bound = [
            n.value
            for n in nodes
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == patterns.id for t in n.targets)
        ]
        patterns = bound[0] if len(bound) == 1 else None
    if isinstance(patterns, ast.List | ast.Tuple) and patterns.elts:
        return all(
            isinstance(e, ast.Constant)
            and isinstance(e.value, str)
            and e.value.lower().endswith(_DOCUMENT_SUFFIXES)
            for e in patterns.elts
        )
    return False


def _own_code(call: ast.Call) -> bool:
    """exec/eval of a literal, or of one of the project's files read by a literal path."""
    if not call.args:
        return False
    argument = call.args[0]
    if isinstance(argument, ast.Constant):
        return True
    if isinstance(argument, ast.Call) and callee_name(argument) == "compile" and argument.args:
        argument = argument.args[0]
    if isinstance(argument, ast.Call) and callee_name(argument) in ("read", "read_text"):
        reader = argument.func.value if isinstance(argument.func, ast.Attribute) else None
        return (
            isinstance(reader, ast.Call)
            and callee_name(reader) in ("open", "Path", "io.open")
            and bool(reader.args)
            and isinstance(reader.args[0], ast.Constant)
        )
    return False


def _fixed_text(node: ast.expr) -> bool:
    """A string literal, or an f-string with nothing interpolated."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.JoinedStr) and all(
        isinstance(part, ast.Constant) for part in node.values
    )


def _fixed_names(nodes: Iterable[ast.AST]) -> frozenset[str]:
    """Names every assignment in the module gives fixed text (`cmd = f"pip show x"`)."""
    fixed: dict[str, bool] = {}
    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    constant = (
                        not isinstance(node, ast.AugAssign)
                        and node.value is not None
                        and _fixed_text(node.value)
                    )
                    fixed[target.id] = fixed.get(target.id, True) and constant
        elif isinstance(node, ast.For | ast.comprehension | ast.With | ast.NamedExpr):
            bound = (
                [node.target]
                if not isinstance(node, ast.With)
                else [i.optional_vars for i in node.items if i.optional_vars is not None]
            )
            for target in bound:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        fixed[name.id] = False
    return frozenset(name for name, constant in fixed.items() if constant)


def _fixed_command(call: ast.Call, fixed: frozenset[str]) -> bool:
    if not call.args:
        return False
    command = call.args[0]
    return _fixed_text(command) or (isinstance(command, ast.Name) and command.id in fixed)


def _password(issue: BanditIssue) -> str | None:
    """The hard-coded password a B105-B107 issue quotes, which the report must not repeat."""
    if issue.test_id not in _PASSWORD_TESTS:
        return None
    match = _PASSWORD_VALUE.match(issue.text)
    return match.group(1) if match else None


def _name_of(value: str, line: str) -> str:
    """The name `value` is bound to on `line`, or '' when it cannot be read from it (a
    triple-quoted value starts on the line with its first line)."""
    first = value.split("\n", 1)[0]
    # the quoted value, not the same letters inside a longer word (`"access_token"`
    # before `token_type="access"`)
    quoted = [i + 1 for q in ('"', "'") if (i := line.find(f"{q}{first}{q}")) >= 0]
    at = min(quoted) if quoted else line.find(first)
    found = _BOUND_NAME.search(line[:at]) if at > 0 else None
    return found.group(1) if found else ""


def _default_not_a_password(code: PythonCode, issue: Any) -> bool:
    """B107 reports a default argument at its function's `def` line, which does not hold
    the value: the parameter's own line does (`runtime_secret_name: str = "recsys-rt"`,
    the name of a Kubernetes Secret)."""
    match = _PASSWORD_VALUE.match(issue.text)
    if match is None:
        return False
    value = match.group(1)
    for node in code.nodes:
        if (
            not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            or node.lineno != issue.lineno
        ):
            continue
        for name, default in parameter_defaults(node.args):
            if isinstance(default, ast.Constant) and default.value == value:
                return _not_a_password(issue.text, f"{name} = {value!r}")
    return False


def _spells_its_name(value: str, name: str) -> bool:
    """A label that spells the name it is bound to in words: `TOP_SECRET = "Top Secret"`
    (a classification level), not a password."""
    words = value.lower().split()
    return len(words) > 1 and words == [w for w in name.lower().split("_") if w]


def _not_a_password(issue_text: str, line: str) -> bool:
    """bandit's B105-B107 flag any string given to a password- or token-like name. Many
    are not credentials: special tokens of a tokenizer, flags, names of settings,
    placeholders, addresses, and values whose name says they describe a token."""
    match = _PASSWORD_VALUE.match(issue_text)
    if match is None:
        return False
    value = match.group(1)
    name = _name_of(value, line)
    return (
        _NOT_A_VALUE.fullmatch(value) is not None
        or _spells_its_name(value, name)
        or PLAIN_URL.match(value) is not None
        or _DESCRIBING_NAME.search(name) is not None
        or value.lower() in _PLACEHOLDERS
        or len(value) < 3
        # no letter or digit: an ellipsis to fill in (`'...'`, `'.. .. ..'`) or a symbol
        # a report prints (`PASS = "  ✓"`)
        or not any(c.isalnum() for c in value)
        # a number the line does not quote: bandit quotes `"max_token": 512` as '512' and
        # `"pass_rate": 0.0` as '0.0'
        or (
            _NUMBER.fullmatch(value) is not None
            and f'"{value}"' not in line
            and f"'{value}'" not in line
        )
        or value.startswith(("/", "./", "~/"))  # a path to where the secret is mounted
        or _SPECIAL_TOKEN.fullmatch(value) is not None
        or _A_NAME.fullmatch(value) is not None
        or _TYPE_NAME.fullmatch(value) is not None
        or _A_REGEX.search(value) is not None
        or _SQL_STATEMENT.match(value) is not None
        or SECRET_PATH.match(value) is not None
    )


#: Exceptions that are not failures: `except ImportError: pass` is how optional dependencies
#: are imported; Ctrl-C or a requested exit ending a server's blocking loop, the end of an
#: iterator and a cancelled task are how control flows, not errors swallowed. An invalid
#: or expired credential is an answer (the caller is not authenticated, and the
#: permission checks that follow refuse it), not data lost.
_NOT_FAILURES = frozenset(
    {
        "ImportError",
        "ModuleNotFoundError",
        "KeyboardInterrupt",
        "SystemExit",
        "GeneratorExit",
        "StopIteration",
        "StopAsyncIteration",
        "CancelledError",
        "InvalidToken",
        "TokenError",
        "InvalidTokenError",
        "ExpiredSignatureError",
        "PyJWTError",
        "JWTError",
        "AuthenticationFailed",
        "NotAuthenticated",
    }
)
_SWALLOW_TESTS = frozenset({"B110", "B112"})


#: A wait that ended with nothing to show (`asyncio.wait_for` timing out, `queue.get` with
#: a timeout finding the queue empty): how a batching window or a polling loop ends.
_WAIT_ENDED = frozenset({"asyncio.TimeoutError", "queue.Empty", "asyncio.QueueEmpty"})
#: ... under the names they are imported as (`from queue import Empty`).
_IMPORTED_WAITS = {"Empty": "queue.Empty", "QueueEmpty": "asyncio.QueueEmpty"}


def _caught_names(handler: ast.ExceptHandler) -> set[str] | None:
    """The names of the exception classes a handler catches (None: a bare or computed one);
    a wait that ended counts as its own name (`asyncio.TimeoutError`)."""
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for node in types:
        if isinstance(node, ast.Name):
            # `from queue import Empty`: the queue's own exception, as queue.Empty
            names.add(_IMPORTED_WAITS.get(node.id, node.id))
        elif isinstance(node, ast.Attribute):
            dotted = f"{node.value.id}.{node.attr}" if isinstance(node.value, ast.Name) else ""
            names.add(dotted if dotted in _WAIT_ENDED else node.attr)
        else:
            return None
    return names


#: A lookup that found nothing (`RecognizerNotFoundError`, `DoesNotExist`, `NoSuchKey`):
#: catching it is how code asks "is it there?", not a failure swallowed.
_LOOKUP_MISS = re.compile(r"(NotFound|DoesNotExist|NoSuch[A-Z]\w*|NotExist)(Error|Exception)?$")


def _control_flow_handlers(tree: ast.AST, nodes: Sequence[ast.AST]) -> frozenset[int]:
    """Lines of `except` clauses that swallow nothing: they catch only exceptions that are
    not failures, or they fall through to a `raise` right after the `try` (a parse attempt
    whose failure ends in the function's own error)."""
    lines = {
        node.lineno
        for node in nodes
        if isinstance(node, ast.ExceptHandler)
        and (names := _caught_names(node)) is not None
        and all(
            name in _NOT_FAILURES or name in _WAIT_ENDED or _LOOKUP_MISS.search(name)
            for name in names
        )
    }
    _falls_into_raise(tree, None, lines)
    releasing = _releasing_tries(nodes)
    for node in nodes:
        if isinstance(node, ast.Try) and (
            _only_releases(node)
            or _only_imports(node)
            or _probes_attribute(node)
            or _reads_optional_setting(node)
            or _creates_if_missing(node)
            or _only_writes_logs(node)
            or id(node) in releasing
        ):
            lines.update(handler.lineno for handler in node.handlers)
        elif isinstance(node, ast.Try) and _waits_with_a_deadline(node):
            # since Python 3.11 asyncio's timeout is the built-in TimeoutError
            lines.update(
                handler.lineno
                for handler in node.handlers
                if (names := _caught_names(handler)) is not None
                and all(name == "TimeoutError" or name in _NOT_FAILURES for name in names)
            )
        elif isinstance(node, ast.Try) and _reads_console(node):
            # EOFError from input() or stdin is the end of what the user types
            lines.update(
                handler.lineno
                for handler in node.handlers
                if _caught_names(handler) == {"EOFError"}
            )
        elif isinstance(node, ast.While | ast.For | ast.AsyncFor):
            lines.update(_retries_until_given_up(node))
    return frozenset(lines)


#: Calls that create something that may already be there (`client.create_registered_model
#: (name)`, `os.makedirs(path)`, `create_collection`): their failure is "it exists".
_CREATES = re.compile(r"(^|\.)_*(create\w*|mkdir|makedirs|make_dirs?)$")


def _creates_if_missing(node: ast.Try) -> bool:
    """A `try` whose whole body is one call that creates something (`try:
    client.create_registered_model(name)` / `except RestException: pass`): the idiom for
    "create it unless it exists". A real failure surfaces at the next use of the thing."""
    if len(node.body) != 1 or not isinstance(node.body[0], ast.Expr):
        return False
    call = node.body[0].value
    if isinstance(call, ast.Await):
        call = call.value
    return isinstance(call, ast.Call) and _CREATES.search(ast.unparse(call.func)) is not None


def _only_writes_logs(node: ast.Try) -> bool:
    """A `try` whose whole body writes log lines (`try: logger.debug(json.dumps(info))`):
    a note that cannot be written loses no data, and telemetry should never fail the
    prediction it describes."""
    return bool(node.body) and all(_only_logs(statement) for statement in node.body)


#: Ways of waiting with a deadline: `asyncio.wait_for(queue.get(), timeout=1)`,
#: `asyncio.timeout(5)`, `async_timeout.timeout(5)`.
_DEADLINE_WAITS = frozenset({"wait_for", "timeout", "timeout_at"})


def _waits_with_a_deadline(node: ast.Try) -> bool:
    """Whether a `try` waits on asyncio with a deadline (`await asyncio.wait_for(q.get(),
    timeout=1.0)`, `async with asyncio.timeout(5)`): its TimeoutError says the wait ended
    with nothing to do, the way a polling loop re-checks whether to stop."""
    for statement in node.body:
        for inner in ast.walk(statement):
            if isinstance(inner, ast.Call) and callee_name(inner) in _DEADLINE_WAITS:
                return True
    return False


def _reads_console(node: ast.Try) -> bool:
    """Whether a `try` reads what a person types: `input()`, `sys.stdin.read(1)`."""
    for statement in node.body:
        for inner in ast.walk(statement):
            if not isinstance(inner, ast.Call):
                continue
            func = inner.func
            if isinstance(func, ast.Name) and func.id in ("input", "prompt"):
                return True
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("read", "readline", "readlines")
                and "stdin" in ast.unparse(func.value)
            ):
                return True
    return False


def _retries_until_given_up(loop: ast.While | ast.For | ast.AsyncFor) -> set[int]:
    """Lines of `except` clauses of a `try` in a loop that raises once it gives up (a
    timeout, a last attempt): waiting for an index or a server to come up swallows
    nothing, since the loop fails loudly when the wait is over."""
    found: set[int] = set()
    for index, statement in enumerate(loop.body):
        if isinstance(statement, ast.Try) and any(
            isinstance(inner, ast.Raise)
            for later in [*loop.body[index + 1 :], *loop.orelse]
            for inner in ast.walk(later)
        ):
            found.update(handler.lineno for handler in statement.handlers)
    return found


#: Calls that release a resource: deleting a temporary file or folder, closing a handle,
#: stopping or unloading what was started (`engine.abort(id)`, `self._cleanup()`),
#: removing a label that is no longer wanted (`client.delete_registered_model_alias`).
_RELEASES = re.compile(
    r"(^|\.)_*(remove|unlink|rmdir|rmtree|removedirs|close|cleanup|shutdown|terminate|kill"
    r"|abort|unload|release|dispose|stop|delete)(_[a-z]\w*)?$"
)
#: Methods that run while an object or a program goes away (`__del__`, `__exit__`,
#: `_cleanup`): what fails in them cannot be acted on any more, and swallowing it loses
#: no data.
_TEARDOWN = frozenset({"del", "exit", "aexit", "cleanup", "teardown", "shutdown"})


#: Decorators that register a function as the web framework's error handler (FastAPI's
#: `exception_handler`, Flask's `errorhandler`): it answers a failure already being
#: reported, and what fails while it writes a diagnostic beside the answer loses nothing.
_ERROR_HANDLER = re.compile(r"\.(exception_handler|errorhandler|app_errorhandler)\(")


def _releasing_tries(nodes: Sequence[ast.AST]) -> set[int]:
    """`try` statements (by identity) that run while something goes away: in a `finally`
    block, in `__del__` or `__exit__`, in a function registered with `atexit`, in a web
    framework's error handler, or in an `except` block that ends by raising or exiting
    with an error (the failure it answers is reported already; cleaning up on the way out
    is best effort). `nodes` are all of a module's nodes (the parsed file's walk, made once)."""
    at_exit = {
        node.args[0].id
        for node in nodes
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "register"  # cheap test first: unparsing every call is not
        and ast.unparse(node.func).endswith("atexit.register")
        and node.args
        and isinstance(node.args[0], ast.Name)
    }
    found: set[int] = set()
    for node in nodes:
        scopes: list[ast.AST] = []
        if isinstance(node, ast.Try | ast.TryStar):
            scopes = list(node.finalbody)
        elif isinstance(node, ast.ExceptHandler):
            if _fails_at_the_end(node.body):
                scopes = list(node.body)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _tears_down(
            node, at_exit
        ):
            scopes = list(node.body)
        for scope in scopes:
            found.update(id(inner) for inner in ast.walk(scope) if isinstance(inner, ast.Try))
    return found


def _tears_down(
    node: ast.AST, at_exit: set[str]
) -> TypeGuard[ast.FunctionDef | ast.AsyncFunctionDef]:
    """A function that runs while something goes away: `__del__`, `__exit__`, one
    registered with `atexit`, or a web framework's error handler."""
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
        node.name.strip("_") in _TEARDOWN
        or node.name in at_exit
        or any(ast.unparse(d).endswith("atexit.register") for d in node.decorator_list)
        or any(_ERROR_HANDLER.search(ast.unparse(d)) for d in node.decorator_list)
    )


def _fails_at_the_end(block: list[ast.stmt]) -> bool:
    """Whether a block ends by raising or by exiting the program with an error
    (`sys.exit(1)`, `raise`): nothing after it carries on with what went missing."""
    if not block:
        return False
    return isinstance(block[-1], ast.Raise) or exit_status(block[-1]) is False


def _only_releases(node: ast.Try) -> bool:
    """A `try` that only releases a resource (`os.remove(tmp)`, `handle.close()`), perhaps
    noting it in the log: a temporary file or an empty folder that cannot be deleted loses
    no data, and the rule does not judge releasing a resource."""
    releases = [
        statement
        for statement in node.body
        if isinstance(statement, ast.Expr)
        and isinstance(call := _awaited(statement.value), ast.Call)
        and _RELEASES.search(ast.unparse(call.func)) is not None
    ]
    return bool(releases) and all(
        statement in releases or _only_logs(statement) for statement in node.body
    )


def _probes_attribute(node: ast.Try) -> bool:
    """A feature probe: a `try` that only reads attributes into names or sets attributes,
    its handlers catching AttributeError (`try: unverified = ssl._create_unverified_context`
    / `except AttributeError: pass`; `try: model.device = device` on a model whose
    `device` is read-only). A missing or read-only attribute means "this version or this
    kind of object has no such feature", not a failure."""

    def probes(statement: ast.stmt) -> bool:
        if not isinstance(statement, ast.Assign):
            return False
        reads = isinstance(statement.value, ast.Attribute) and not any(
            isinstance(n, ast.Call) for n in ast.walk(statement.value)
        )
        sets = all(isinstance(t, ast.Attribute) for t in statement.targets)
        return reads or sets

    return (
        bool(node.body)
        and all(probes(s) for s in node.body)
        and all(_caught_names(handler) == {"AttributeError"} for handler in node.handlers)
    )


#: Names that hold configuration: `config`, `self.cfg`, `settings`, `pipeline_config`.
_SETTINGS = re.compile(r"(?i)(\w+_)?(config|configuration|cfg|conf|settings|options)")


def _reads_optional_setting(node: ast.Try) -> bool:
    """A `try` whose body only reads keys of the configuration into a name
    (`try: name = self.config["data"]["prefix"] + name` / `except: pass`): a setting
    left out keeps the default, and no data or decision is lost."""
    if len(node.body) != 1 or not isinstance(node.body[0], ast.Assign):
        return False
    value = node.body[0].value
    subscripts = [n for n in ast.walk(value) if isinstance(n, ast.Subscript)]
    return (
        bool(subscripts)
        and not any(isinstance(n, ast.Call | ast.Await) for n in ast.walk(value))
        and all(_SETTINGS.fullmatch(_root_name(n) or "") for n in subscripts)
    )


def _root_name(node: ast.expr) -> str | None:
    """The name a subscript chain reads from: `config` of `config["a"]["b"]`, `config` of
    `self.config["a"]`."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _awaited(value: ast.expr) -> ast.expr:
    """What an expression statement runs: `await websocket.close()` runs the close."""
    return value.value if isinstance(value, ast.Await) else value


def _only_imports(node: ast.Try) -> bool:
    """A `try` that imports an optional dependency, whatever the handler catches: its
    body imports first (under one `if` at most: `if os.environ.get(FLAG): import rich`)
    and then only uses what it imported or sets flags (`fcs.register("te", te.Linear)`,
    `console = Console()`, `available = True`)."""
    body = node.body
    if len(body) == 1 and isinstance(body[0], ast.If) and not body[0].orelse:
        body = body[0].body
    imports = [s for s in body if isinstance(s, ast.Import | ast.ImportFrom)]
    if not body or not isinstance(body[0], ast.Import | ast.ImportFrom):
        return False
    imported = {(alias.asname or alias.name).split(".")[0] for s in imports for alias in s.names}
    return all(
        isinstance(statement, ast.Import | ast.ImportFrom)
        or _sets_a_flag(statement)
        or _only_logs(statement)
        or any(isinstance(n, ast.Name) and n.id in imported for n in ast.walk(statement))
        for statement in body
    )


def _only_logs(statement: ast.stmt) -> bool:
    """`logging.getLogger().debug("loaded the extra")`: a note that the import worked."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and _LOG_CALL.match(ast.unparse(statement.value.func)) is not None
    )


_LOG_CALL = re.compile(r"^(logging|logger|log|_logger|LOGGER|warnings|print)\b")


def _sets_a_flag(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)


#: Catching these is catching everything: no fallback is meant for every failure.
_BROAD = frozenset({"Exception", "BaseException"})


def _falls_back(statement: ast.Try) -> list[int]:
    """Lines of typed `except` clauses of a `try` that returns on every path and is
    followed by more code: `try: return json.loads(s) except JSONDecodeError: pass` and
    then parsing `s` another way is a fallback, not a failure dropped; the function still
    answers."""
    if not _always_leaves(statement.body):
        return []
    return [
        handler.lineno
        for handler in statement.handlers
        if (names := _caught_names(handler)) and not names & _BROAD
    ]


def _always_leaves(block: list[ast.stmt]) -> bool:
    """Whether a block returns or raises on every path through it."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, ast.Return | ast.Raise):
        return True
    if isinstance(last, ast.If):
        return _always_leaves(last.body) and _always_leaves(last.orelse)
    if isinstance(last, ast.With | ast.AsyncWith):
        return _always_leaves(last.body)
    return False


def _falls_into_raise(node: ast.AST, after: ast.stmt | None, lines: set[int]) -> None:
    """Mark the handlers of a `try` whose next statement, once the try is done, raises,
    and those of a `try` that falls back to the code after it in its block (`_falls_back`):
    `after` is what runs when the block holding `node` ends (None: the function returns)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        after = None
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        block = getattr(node, field, None)
        if not isinstance(block, list):
            continue
        for index, statement in enumerate(block):
            following = block[index + 1] if index + 1 < len(block) else after
            if field == "body" and isinstance(node, ast.For | ast.While | ast.AsyncFor):
                following = None  # a loop body goes round again, not on
            if isinstance(statement, ast.Try) and (
                isinstance(following, ast.Raise)
                or (_gives_up(following) and _returns_on_success(statement))
            ):
                # `try: ...; return True` then `except: pass` then `return False`: the
                # failure reaches the caller as the function's own "it did not work"
                lines.update(handler.lineno for handler in statement.handlers)
            if isinstance(statement, ast.Try) and index + 1 < len(block):
                lines.update(_falls_back(statement))
            if (
                isinstance(statement, ast.Try)
                and isinstance(node, ast.ExceptHandler)
                and isinstance(block[-1], ast.Raise)
            ):
                # a side task while handling a failure (writing the traceback to a file)
                # whose own failure is passed over: the handler raises all the same
                lines.update(handler.lineno for handler in statement.handlers)
            if isinstance(statement, ast.For | ast.AsyncFor | ast.While) and isinstance(
                following, ast.Raise
            ):
                # trying alternatives (`for encoding in (...): try: return read(encoding)
                # except UnicodeDecodeError: continue`), failing loudly once none worked
                lines.update(
                    handler.lineno
                    for inner in statement.body
                    if isinstance(inner, ast.Try)
                    for handler in inner.handlers
                    if all(isinstance(s, ast.Continue | ast.Pass) for s in handler.body)
                )
            if isinstance(statement, ast.While) and _gives_up(following) and _sleeps(statement):
                # polling until a deadline: each failed try waits and goes round again, and
                # the code after the loop fails (or answers "not ready") when time is up
                lines.update(
                    handler.lineno
                    for inner in statement.body
                    if isinstance(inner, ast.Try)
                    for handler in inner.handlers
                )
            _falls_into_raise(statement, following, lines)


def _returns_on_success(node: ast.Try) -> bool:
    """Whether the `try` returns from its body (or its `else`) when the work succeeds."""
    return any(
        isinstance(inner, ast.Return)
        for statement in (*node.body, *node.orelse)
        for inner in ast.walk(statement)
    )


def _gives_up(statement: ast.stmt | None) -> bool:
    """`raise ...` or `return False`: how a wait tells its caller it is over, unmet."""
    return isinstance(statement, ast.Raise) or (
        isinstance(statement, ast.Return)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is False
    )


def _sleeps(loop: ast.While) -> bool:
    """Whether a loop waits between its rounds (`time.sleep(1)`, `await asyncio.sleep(1)`)."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "sleep"
        for statement in loop.body
        for node in ast.walk(statement)
    )


#: What each test needs to find in a file before it can report anything: for each of its
#: call names, every part of the dotted name (bandit resolves a call through the file's
#: imports, so each part is a name the code or an import spells out). A file that holds
#: none of a test's names is not visited for it; a test not listed here always runs.
_TEST_CALLS: dict[str, tuple[str, ...]] = {
    "B102": ("exec",),
    "B113": ("requests", "httpx"),
    "B201": ("debug",),  # `app.run(debug=True)`
    "B506": ("yaml.load",),
    "B602": ("subprocess.shell",),  # a subprocess call given `shell=True`
    "B614": ("torch.load",),
    "B615": ("from_pretrained", "load_dataset", "hf_hub_download", "snapshot_download",
             "repository_id"),
}  # fmt: skip
#: Tests of `except` clauses: each reports a clause whose whole body is one statement of
#: this kind (bandit's try_except_pass and try_except_continue).
_HANDLER_TESTS: dict[str, type[ast.stmt]] = {"B110": ast.Pass, "B112": ast.Continue}
#: bandit's hard-coded password tests: a name or string its own candidate pattern finds.
_CANDIDATE_TESTS = _PASSWORD_TESTS


@lru_cache(maxsize=1)
def _blacklists() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The call names and the imported-name prefixes of bandit's blacklist tests (B3xx,
    B4xx), from bandit's own lists, so they follow whatever bandit version is installed.
    bandit compares a call's resolved name whole, and an import by prefix
    (`import pickletools` is B403's `pickle`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bandit's plugins warn while loading; see _test_set
        from bandit.blacklists import calls, imports
        from bandit.plugins import injection_shell

        lists = (calls.gen_blacklist(), imports.gen_blacklist())
        shell = injection_shell.gen_config("shell_injection")["shell"]
    by_call: dict[str, list[str]] = {"B605": list(shell)}
    by_import: dict[str, list[str]] = {}
    for blacklist in lists:
        for node_type, entries in blacklist.items():
            for entry in entries:
                found = by_call if node_type == "Call" else by_import
                found.setdefault(entry["id"], []).extend(entry["qualnames"])
    return (
        {test: tuple(names) for test, names in by_call.items()},
        {test: tuple(names) for test, names in by_import.items()},
    )


#: Where an API's documentation keeps example payloads: pydantic's `json_schema_extra`
#: (`schema_extra` before v2), `Field(examples=[...])`, FastAPI's `openapi_examples`.
_EXAMPLE_KEYS = frozenset(
    {"json_schema_extra", "schema_extra", "example", "examples", "openapi_examples"}
)


def _documentation_examples(nodes: Iterable[ast.AST]) -> list[tuple[int, int]]:
    """Line ranges of example payloads written for an API's documentation: the password in
    a user-creation example (`"password": "SecurePass123!"`) is shown to readers of the
    OpenAPI page, not used to log in anywhere."""
    ranges = []
    for node in nodes:
        value: ast.expr | None = None
        if isinstance(node, ast.keyword) and node.arg in _EXAMPLE_KEYS:
            value = node.value
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in _EXAMPLE_KEYS for t in targets):
                value = node.value
        elif isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in _EXAMPLE_KEYS:
                    ranges.append((item.lineno, item.end_lineno or item.lineno))
        if value is not None:
            ranges.append((value.lineno, value.end_lineno or value.lineno))
    return ranges


def _words(code: PythonCode) -> frozenset[str]:
    """Every name the code spells: identifiers, the parts of imported modules and the
    string literals (`__import__("pickle")`)."""
    words = set(code.identifier_names)
    for ref in code.imports:
        words.update(ref.module.split("."))
        words.add(ref.alias)
    words.update(ref.value for ref in code.strings)
    return frozenset(words)


def _may_fire(code: PythonCode, tests: frozenset[str]) -> bool:
    """Whether any of `tests` can report anything in this file. bandit visits every node of
    every file whatever it looks for; most files of a large tree call none of the
    functions its tests look for, catch nothing and name no password, and are skipped."""
    by_call, by_import = _blacklists()
    words: frozenset[str] | None = None
    for test in tests:
        if test in _HANDLER_TESTS:
            body = _HANDLER_TESTS[test]
            if any(len(h.body) == 1 and isinstance(h.body[0], body) for h in code.handlers):
                return True
            continue
        if test in _CANDIDATE_TESTS:
            from bandit.plugins.general_hardcoded_password import RE_CANDIDATES

            words = words if words is not None else _words(code)
            if any(RE_CANDIDATES.search(word) for word in words):
                return True
            continue
        names = _TEST_CALLS.get(test) or by_call.get(test, ())
        prefixes = by_import.get(test, ())
        if not names and not prefixes:
            return True  # a test this table does not know: run it
        words = words if words is not None else _words(code)
        if any(all(part in words for part in name.split(".")) for name in names):
            return True
        imported = [ref.module.lstrip(".") for ref in code.imports]
        if any(module.startswith(prefix) for module in imported for prefix in prefixes):
            return True
    return False


@dataclass(frozen=True)
class BanditIssue:
    test_id: str
    severity: str
    confidence: str
    text: str
    line: int
    cwe: int | None


@dataclass(frozen=True)
class BanditParams:
    #: bandit test ids (B301, B506, ...), as `bandit -t` takes them.
    tests: tuple[str, ...]
    #: Leave out issues bandit ranks below these (LOW, MEDIUM, HIGH).
    min_severity: str = "LOW"
    min_confidence: str = "LOW"


@lru_cache(maxsize=8)
def _test_set(tests: frozenset[str]) -> Any:
    """bandit's plugin loading is slow: build each test set once per process."""
    # bandit's log messages and its plugins' deprecation warnings (raised while they are
    # imported and loaded) are not our user's business
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from bandit.core import config, test_set

        settings = config.BanditConfig()
        # In data code, `except ValueError: continue` drops a record as silently as a bare
        # `except: pass`: B110/B112 judge typed handlers too (bandit's default skips them).
        for plugin in ("try_except_pass", "try_except_continue"):
            settings._config[plugin] = {"check_typed_exception": True}
        return test_set.BanditTestSet(settings, profile={"include": sorted(tests)})


def bandit_issues(source: SourceFile, tests: frozenset[str]) -> list[BanditIssue]:
    """Run bandit's visitor once over this file's tree for `tests` (memoised per file)."""
    key = ("bandit", tests)
    if key in source.memo:
        return source.memo[key]  # type: ignore[no-any-return]
    issues: list[BanditIssue] = []
    code = source.python
    if code is not None and _may_fire(code, tests):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # importing bandit loads its plugins; see _test_set
            from bandit.core import metrics, node_visitor

        data = "\n".join(code.lines).encode("utf-8", errors="replace")
        visitor = node_visitor.BanditNodeVisitor(
            source.path, io.BytesIO(data), None, _test_set(tests), False, {}, metrics.Metrics()
        )
        visitor.generic_visit(code.tree)
        visitor.context = {"file_data": io.BytesIO(data), "filename": source.path, "lineno": 0,
                           "linerange": [0, 1], "col_offset": 0}  # fmt: skip
        visitor.tester.run_tests(visitor.context, "File")
        not_failures = (
            _control_flow_handlers(code.tree, code.nodes) if tests & _SWALLOW_TESTS else frozenset()
        )
        calls = (
            _calls_by_line(code.nodes) if tests & (_HUB_TESTS | _EXEC_TESTS | _SHELL_TESTS) else {}
        )
        fixed = _fixed_names(code.nodes) if tests & _SHELL_TESTS else frozenset()
        shell_runs = (
            [c for line in calls.values() for c in line if callee_name(c) in _SHELL_RUNS]
            if tests & _SHELL_TESTS
            else []
        )
        examples: list[tuple[int, int]] | None = None  # read once, for the first password issue
        for issue in visitor.tester.results:
            line = code.line(issue.lineno or 0)
            if issue.test_id in _PASSWORD_TESTS and _not_a_password(issue.text, line):
                continue
            if issue.test_id in _PASSWORD_TESTS:
                examples = _documentation_examples(code.nodes) if examples is None else examples
                if any(start <= (issue.lineno or 0) <= end for start, end in examples):
                    continue
            if issue.test_id == "B107" and _default_not_a_password(code, issue):
                continue
            here = calls.get(issue.lineno or 0, [])
            loads = [c for c in here if callee_name(c) in _HUB_LOADS]
            if (
                issue.test_id in _HUB_TESTS
                and loads
                and all(_local_load(c) or _documents_only(c, code.nodes) for c in loads)
            ):
                continue
            if issue.test_id in _EXEC_TESTS and (
                any(callee_name(c) in ("exec", "eval") and _own_code(c) for c in here)
                # a setup.py runs on the package's own checkout: what it execs (its
                # version file) is the package itself, nothing an outsider supplies
                or PurePosixPath(source.path).name == "setup.py"
            ):
                continue
            if issue.test_id in _SWALLOW_TESTS and issue.lineno in not_failures:
                continue
            if issue.test_id in _SHELL_TESTS:
                # bandit reports a call spread over lines at one of its argument lines
                runs = [
                    c
                    for c in shell_runs
                    if c.lineno <= (issue.lineno or 0) <= (c.end_lineno or c.lineno)
                ]
                if runs and all(_fixed_command(c, fixed) for c in runs):
                    continue
            cwe = getattr(getattr(issue, "cwe", None), "id", None)
            issues.append(
                BanditIssue(
                    issue.test_id,
                    issue.severity,
                    issue.confidence,
                    issue.text,
                    issue.lineno or 0,
                    cwe if isinstance(cwe, int) and cwe else None,
                )
            )
    source.memo[key] = issues
    return issues


def _all_tests(calls: Sequence[BanditParams]) -> frozenset[str]:
    """The union of the tests every rule asks for: bandit visits each file once for all."""
    return frozenset(test for params in calls for test in params.tests)


@file_detector(
    FileKind.PYTHON, FileKind.NOTEBOOK, params=BanditParams, share=_all_tests, warm=_test_set
)
def bandit(source: SourceFile, params: BanditParams) -> Iterator[Evidence]:
    """Issues bandit's tests find (B301 pickle, B506 yaml.load, B113 no timeout, ...)."""
    tests = source.context.shared("bandit") or frozenset(params.tests)
    wanted = set(params.tests)
    for issue in bandit_issues(source, frozenset(tests)):
        if issue.test_id not in wanted:
            continue
        if _RANKS.get(issue.severity, 0) < _RANKS[params.min_severity.upper()]:
            continue
        if _RANKS.get(issue.confidence, 0) < _RANKS[params.min_confidence.upper()]:
            continue
        cwe = f", CWE-{issue.cwe}" if issue.cwe else ""
        text, secret = issue.text, _password(issue)
        if secret:
            text = text.replace(secret, mask_secret(secret))
        detail = (
            f"bandit {issue.test_id} ({issue.severity.lower()} severity, "
            f"{issue.confidence.lower()} confidence{cwe}): {text}"
        )
        yield Evidence(source.locate(issue.line), detail, source.snippet(issue.line, secret))
