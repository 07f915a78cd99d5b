"""What an LLM application does with its model, read from the code.

Rules about language models need more than "is this function called": where a
model's answer goes (into `exec`, into SQL, into `json.loads`), whether a model call
sits inside a deadline, whether an agent's loop is bounded, and what its tools do.
Each detector here answers one of those questions inside one function body, without
running anything: a model call is any call whose resolved name matches the rule's
`calls` patterns (the rulebook lists the SDKs, frameworks and gateways).
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from readycheck.detectors.base import REGEX, NoParams, file_detector, repo_detector
from readycheck.detectors.common import PYTHON_KINDS, matches_any
from readycheck.detectors.patterns import Matcher
from readycheck.model import Detection, Evidence, Location, Role
from readycheck.parsers.python import PythonCode
from readycheck.workspace import Repository, SourceFile

_Function = ast.FunctionDef | ast.AsyncFunctionDef


def own_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function body or module, not those of functions defined inside it
    (a nested function runs when it is called, with its own names)."""
    stack = list(ast.iter_child_nodes(root))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _Function | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


def scopes(code: PythonCode) -> list[ast.AST]:
    """The module and each function: the units inside which a value is followed."""
    return [code.tree, *(ref.node for ref in code.functions)]


def is_model_call(node: ast.AST, code: PythonCode, calls: tuple[str, ...]) -> bool:
    return isinstance(node, ast.Call) and matches_any(code.resolve(node.func), calls)


def calls_a_model(code: PythonCode, calls: tuple[str, ...]) -> bool:
    """Whether the module makes any model call: most files make none, and are skipped."""
    return bool(code.calls_matching(lambda name: matches_any(name, calls)))


def contains_model_call(node: ast.AST, code: PythonCode, calls: tuple[str, ...]) -> bool:
    return any(is_model_call(inner, code, calls) for inner in ast.walk(node))


def names_in(node: ast.AST) -> set[str]:
    """The names whose value an expression carries. A name used only as a subscript
    (`QUERIES[choice]`) selects from a trusted table: the result is not the name's text."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            found.add(current.id)
        elif isinstance(current, ast.Subscript):
            stack.append(current.value)
        else:
            stack.extend(ast.iter_child_nodes(current))
    return found


def assigned_names(node: ast.AST) -> set[str]:
    """The plain names an assignment, a loop or a `with ... as` binds."""
    found: set[str] = set()
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr | ast.For | ast.AsyncFor):
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    for target in targets:
        found |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return found


def bound_value(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
        return node.value
    if isinstance(node, ast.For | ast.AsyncFor):
        return node.iter
    if isinstance(node, ast.withitem):
        return node.context_expr
    return None


def parameters(function: ast.AST) -> set[str]:
    if not isinstance(function, _Function):
        return set()
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {a.arg for a in every} - {"self", "cls"}


def bindings_of(scope: ast.AST) -> list[tuple[set[str], ast.AST]]:
    """(names bound, value) for each assignment, loop or `with ... as` of one scope: what
    a value is followed through, forwards (a model's answer) or backwards (a prompt)."""
    return [
        (targets, value)
        for node in own_nodes(scope)
        if (value := bound_value(node)) is not None and (targets := assigned_names(node))
    ]


def tainted_names(
    scope: ast.AST, code: PythonCode, calls: tuple[str, ...], tools: set[str]
) -> set[str]:
    """Names that hold a model's answer, or text made from it, within one scope: bound
    from a model call, or from an expression using such a name (`reply.choices[0]
    .message.content`, an f-string, `.strip()`), followed until nothing new is bound.
    The parameters of an agent tool are the model's too: it chose their values."""
    bindings = bindings_of(scope)
    is_tool = isinstance(scope, _Function) and scope.name in tools
    tainted: set[str] = parameters(scope) if is_tool else set()
    changed = True
    while changed:
        changed = False
        for targets, value in bindings:
            if targets <= tainted:
                continue
            if contains_model_call(value, code, calls) or names_in(value) & tainted:
                tainted |= targets
                changed = True
    return tainted


@dataclass(frozen=True)
class OutputFlowParams:
    #: Resolved names of the calls that ask a model (the rulebook's list).
    calls: tuple[str, ...]
    #: Where the answer must not (or, for a parse check, does) go: `eval`, `subprocess.*`.
    sinks: tuple[str, ...]
    #: What a match is, in words: "model output reaches".
    label: str = "model output reaches"


@file_detector(*PYTHON_KINDS, params=OutputFlowParams)
def llm_output_flow(source: SourceFile, params: OutputFlowParams) -> Iterator[Evidence]:
    """Calls to a sink that receive a model's answer, directly or through names bound
    from it in the same function (`exec(reply.choices[0].message.content)`), or an agent
    tool's argument (`def calculate(expression): return eval(expression)`)."""
    code = source.python
    if code is None:
        return
    seen: set[int] = set()
    tools = set(source_tools(source, code))
    if not tools and not calls_a_model(code, params.calls):
        return  # nothing in this file holds a model's answer
    for scope in scopes(code):
        tainted = tainted_names(scope, code, params.calls, tools)
        for node in own_nodes(scope):
            if not isinstance(node, ast.Call) or node.lineno in seen:
                continue
            name = code.resolve(node.func)
            if not matches_any(name, params.sinks):
                continue
            arguments = [*node.args, *(kw.value for kw in node.keywords)]
            if any(
                names_in(arg) & tainted or contains_model_call(arg, code, params.calls)
                for arg in arguments
            ):
                seen.add(node.lineno)
                yield Evidence(
                    source.locate(node.lineno),
                    f"{params.label} {name}",
                    source.snippet(node.lineno),
                )


@dataclass(frozen=True)
class AnswerLabelParams:
    #: Resolved names of the calls that ask a model (the rulebook's list).
    calls: tuple[str, ...]
    #: Only a membership test in a closed set of labels (`word in {"yes", "no"}`): the
    #: answer checked against what it may be, not just read.
    closed_set: bool = False
    #: Only labels matching this (whole, case-insensitive): a moderation step's
    #: `safe`/`unsafe`, `appropriate`/`inappropriate`.
    labels: str | None = field(default=None, metadata=REGEX)
    label: str = "model answer read as a label"


def _labels(node: ast.expr, wanted: re.Pattern[str] | None = None) -> list[str]:
    """The non-empty string literals an operand spells: one, or a collection of them;
    with `wanted`, only when one of them is such a label."""
    items = node.elts if isinstance(node, ast.Set | ast.Tuple | ast.List) else [node]
    found = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
    if len(found) != len(items) or not all(found):
        return []
    if wanted is not None and not any(wanted.fullmatch(f.strip()) for f in found):
        return []
    return found


#: How code gets at an answer's words: its text field, or a string method on it. A
#: response's other fields (`stop_reason == "tool_use"`, `chunk.type == "delta"`) are
#: the protocol, not the answer.
_TEXT_FIELDS = frozenset({"content", "text", "output_text"})
_WORD_METHODS = frozenset({"split", "strip", "lower", "upper", "casefold", "rstrip", "lstrip"})


def _answer_text(node: ast.expr, answer: set[str]) -> bool:
    """An expression that reads the words of a model's answer."""
    if not names_in(node) & answer:
        return False
    return any(
        (isinstance(inner, ast.Attribute) and inner.attr in _TEXT_FIELDS)
        or (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr in _WORD_METHODS
        )
        for inner in ast.walk(node)
    )


def _reads_label(
    test: ast.Compare, answer: set[str], closed_set: bool, wanted: re.Pattern[str] | None
) -> bool:
    """`reply.content.split()[0] == "inappropriate"`, `text.strip() in {"yes", "no"}`,
    `"yes" in reply.content.lower()`."""
    operands = [test.left, *test.comparators]
    for op, (left, right) in zip(test.ops, itertools.pairwise(operands), strict=True):
        if closed_set:
            if (
                isinstance(op, ast.In | ast.NotIn)
                and _answer_text(left, answer)
                and not isinstance(right, ast.Constant)
                and len(_labels(right, wanted)) >= 2
            ):
                return True
            continue
        if isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) and (
            (_answer_text(left, answer) and _labels(right, wanted))
            or (_answer_text(right, answer) and _labels(left, wanted))
        ):
            return True
    return False


@file_detector(*PYTHON_KINDS, params=AnswerLabelParams)
def llm_answer_label(source: SourceFile, params: AnswerLabelParams) -> Iterator[Evidence]:
    """Decisions taken on a model's answer read as a label: a comparison of it (or of a
    word of it) with string literals, as a moderation or routing step makes
    (`if reply.split()[0] in {"appropriate", "inappropriate"}:`). The answer is data the
    code acts on, and with `closed_set`, data checked against the labels it may take."""
    code = source.python
    if code is None or not calls_a_model(code, params.calls):
        return
    wanted = re.compile(params.labels, re.IGNORECASE) if params.labels else None
    for scope in scopes(code)[1:]:
        answer = tainted_names(scope, code, params.calls, set())
        if not answer:
            continue
        for node in own_nodes(scope):
            if isinstance(node, ast.Compare) and _reads_label(
                node, answer, params.closed_set, wanted
            ):
                yield Evidence(
                    source.locate(node.lineno), params.label, source.snippet(node.lineno)
                )
                break


@dataclass(frozen=True)
class DeadlineParams:
    #: Resolved names of the calls that ask a model.
    calls: tuple[str, ...]
    #: Calls that bound the time of what they wrap: `asyncio.wait_for`, `asyncio.timeout`.
    deadlines: tuple[str, ...]
    label: str = "model call under a deadline"


@file_detector(*PYTHON_KINDS, params=DeadlineParams)
def llm_call_under_deadline(source: SourceFile, params: DeadlineParams) -> Iterator[Evidence]:
    """Model calls passed to a deadline (`asyncio.wait_for(client.chat..., 30)`) or made
    inside one (`async with asyncio.timeout(30):`)."""
    code = source.python
    if code is None or not calls_a_model(code, params.calls):
        return
    for node in code.nodes:
        guarded: list[ast.AST] = []
        if isinstance(node, ast.Call) and matches_any(code.resolve(node.func), params.deadlines):
            guarded = [*node.args, *(kw.value for kw in node.keywords)]
        elif isinstance(node, ast.With | ast.AsyncWith) and any(
            is_model_call(item.context_expr, code, params.deadlines) for item in node.items
        ):
            guarded = list(node.body)
        else:
            continue
        if any(contains_model_call(part, code, params.calls) for part in guarded):
            yield Evidence(source.locate(node.lineno), params.label, source.snippet(node.lineno))


#: Names of loop counters and limits: a comparison with one bounds the loop.
_COUNTER = re.compile(
    r"(?i)(.*_)?(steps?|iter(ation)?s?|turns?|rounds?|attempts?|tries|count(er)?|hops?|depth|"
    r"loops?|calls?|budget|limit|remaining)(_.*)?|max_.*|[ijkn]"
)


def _compared_counter(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Compare):
            for operand in (inner.left, *inner.comparators):
                name = operand.id if isinstance(operand, ast.Name) else None
                if isinstance(operand, ast.Attribute):
                    name = operand.attr
                if name is not None and _COUNTER.fullmatch(name):
                    return True
    return False


@dataclass(frozen=True)
class AgentLoopParams:
    #: Resolved names of the calls that ask a model.
    calls: tuple[str, ...]


#: Calls that wait for a person at the terminal.
_READS_A_PERSON = frozenset(
    {"input", "click.prompt", "typer.prompt", "rich.prompt.Prompt.ask", "prompt_toolkit.prompt"}
)


@file_detector(*PYTHON_KINDS, params=AgentLoopParams)
def unbounded_agent_loop(source: SourceFile, params: AgentLoopParams) -> Iterator[Evidence]:
    """Hand-written agent loops with no bound: a `while` loop (or a loop over
    `itertools.count()`) that calls a model and compares no step counter or limit, so
    only the model decides when it stops. A loop that reads the next message from a
    person (`input()`) is their chat, not the model's loop."""
    code = source.python
    if code is None or not calls_a_model(code, params.calls):
        return
    for node in code.nodes:
        if isinstance(node, ast.While):
            bounded = _compared_counter(node.test)
        elif isinstance(node, ast.For | ast.AsyncFor):
            if not (
                isinstance(node.iter, ast.Call)
                and code.resolve(node.iter.func) in {"itertools.count", "count"}
            ):
                continue
            bounded = False
        else:
            continue
        body = ast.Module(body=list(node.body), type_ignores=[])
        if bounded or not any(is_model_call(n, code, params.calls) for n in own_nodes(body)):
            continue
        if any(_compared_counter(n) for n in own_nodes(body) if isinstance(n, ast.If)):
            continue
        if any(
            isinstance(n, ast.Call) and code.resolve(n.func) in _READS_A_PERSON
            for n in own_nodes(body)
        ):
            continue  # a chat a person drives: each turn waits for them, they end it
        yield Evidence(
            source.locate(node.lineno),
            "loop that calls a model until the model stops, with no step limit",
            source.snippet(node.lineno),
        )


#: Decorators that make a function an agent tool (resolved names, patterns allowed).
TOOL_DECORATORS = (
    "langchain.tools.tool",
    "langchain_core.tools.tool",
    "langchain.agents.tool",
    "agents.function_tool",
    "crewai.tools.tool",
    "smolagents.tool",
    "llama_index.core.tools.*",
    "*.tool_plain",
    "*.mcp.tool",
    "mcp.server.fastmcp.*.tool",
)
#: Calls that declare a tool under the name they are given: `pydantic_function_tool(M,
#: name="send_email")`, `StructuredTool.from_function(fn, name=...)`, `Tool(name=...)`.
_NAMED_TOOL_CALLS = ("*.pydantic_function_tool", "*Tool", "*.from_function", "*.from_defaults")
#: Names of registries that map tool names to tools: `TOOLS = {"send_email": ...}`.
_TOOL_REGISTRY = re.compile(r"(?i)(.*_)?tools?(_(specs?|registry|map|table|handlers?))?")


def dict_keys(node: ast.Dict) -> dict[str, ast.expr]:
    return {
        key.value: value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def source_tools(
    source: SourceFile, code: PythonCode, decorators: tuple[str, ...] = TOOL_DECORATORS
) -> dict[str, int]:
    """`tool_names` of a file, worked out once per set of decorators: several rules and
    facts ask about the same file's tools."""
    key = ("tool_names", decorators)
    if key not in source.memo:
        source.memo[key] = tool_names(code, decorators)
    found: dict[str, int] = source.memo[key]
    return found


def tool_names(code: PythonCode, decorators: tuple[str, ...] = TOOL_DECORATORS) -> dict[str, int]:
    """The names of the tools a module gives a model, each with the line that declares it:
    functions decorated as tools, functions listed in a `tools=[...]` argument, JSON tool
    schemas (`{"name": "send_email", "parameters": {...}}`), tools declared by name, and
    the keys of a tool registry (`TOOL_SPECS = {"issue_refund": ...}`)."""
    found: dict[str, int] = {}
    for function in code.functions:
        if any(matches_any(d, decorators) for d in function.decorators):
            found.setdefault(function.name, function.line)
    for ref in code.calls:
        for keyword in ref.node.keywords:
            if keyword.arg == "tools" and isinstance(keyword.value, ast.List | ast.Tuple):
                for item in keyword.value.elts:
                    if isinstance(item, ast.Name):
                        found.setdefault(item.id, item.lineno)
            elif (
                keyword.arg == "name"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
                and matches_any(ref.name, _NAMED_TOOL_CALLS)
            ):
                found.setdefault(keyword.value.value, ref.line)
    for node in code.bindings:
        if isinstance(node, ast.Dict):
            keys = dict_keys(node)
            name = keys.get("name")
            if (
                ("parameters" in keys or "input_schema" in keys)
                and isinstance(name, ast.Constant)
                and isinstance(name.value, str)
            ):
                found.setdefault(name.value, name.lineno)  # the line naming the tool
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(isinstance(t, ast.Name) and _TOOL_REGISTRY.fullmatch(t.id) for t in targets):
                continue
            if isinstance(node.value, ast.Dict):
                for key in dict_keys(node.value):
                    found.setdefault(key, node.lineno)
            elif isinstance(node.value, ast.List | ast.Tuple):  # tools = [send_email, Question]
                _add_names(found, node.value.elts)
    for ref in code.calls_matching(lambda name: name.endswith(".bind_tools")):
        if ref.node.args and isinstance(ref.node.args[0], ast.List | ast.Tuple):
            _add_names(found, ref.node.args[0].elts)
    return found


def _add_names(found: dict[str, int], items: list[ast.expr]) -> None:
    for item in items:
        if isinstance(item, ast.Name):
            found.setdefault(item.id, item.lineno)


def words_of(name: str) -> str:
    """A tool's name as snake_case words: a tool declared as a schema class
    (`SendCalendarInvite`) is matched like a function (`send_calendar_invite`)."""
    if name.islower() or "_" in name:
        return name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class AgentToolParams:
    #: Regular expression matched against whole tool names: what makes a tool matter.
    pattern: str = field(metadata=REGEX)
    decorators: tuple[str, ...] = TOOL_DECORATORS
    label: str = "agent tool"


@file_detector(*PYTHON_KINDS, params=AgentToolParams)
def agent_tool(source: SourceFile, params: AgentToolParams) -> Iterator[Evidence]:
    """Agent tools whose names match (see `tool_names` for how tools are recognised)."""
    code = source.python
    if code is None:
        return
    regex = re.compile(params.pattern, re.IGNORECASE)
    by_line: dict[int, str] = {}
    for name, line in source_tools(source, code, params.decorators).items():
        if regex.fullmatch(words_of(name)):
            by_line.setdefault(line, name)
    for line, name in sorted(by_line.items()):
        yield Evidence(source.locate(line), f"{params.label} `{name}`", source.snippet(line))


@dataclass(frozen=True)
class ConfusedDeputyParams:
    #: Regular expression matched against whole tool names: tools that read untrusted content.
    reads: str = field(metadata=REGEX)
    #: Regular expression matched against whole tool names: tools with a side effect.
    acts: str = field(metadata=REGEX)
    #: Ready-made tools (constructors) that read untrusted content or act.
    reading_calls: tuple[str, ...] = ()
    acting_calls: tuple[str, ...] = ()
    decorators: tuple[str, ...] = TOOL_DECORATORS


def _tools_of(
    code: PythonCode, names: dict[str, int], pattern: str, calls: tuple[str, ...]
) -> dict[str, int]:
    """The tools, named or ready-made, that match: each with the line declaring it."""
    regex = re.compile(pattern, re.IGNORECASE)
    found = {name: line for name, line in names.items() if regex.fullmatch(words_of(name))}
    for ref in code.calls_matching(lambda name: matches_any(name, calls)):
        found.setdefault(ref.name.rsplit(".", 1)[-1], ref.line)
    return found


@file_detector(*PYTHON_KINDS, params=ConfusedDeputyParams)
def confused_deputy(source: SourceFile, params: ConfusedDeputyParams) -> Iterator[Evidence]:
    """A module that gives a model both a tool reading content other people control
    (a web page, an e-mail, a ticket) and a tool acting on the world (sending, paying,
    deleting): the prompt-injection "confused deputy". Reported at each acting tool."""
    code = source.python
    if code is None:
        return
    names = source_tools(source, code, params.decorators)
    reading = _tools_of(code, names, params.reads, params.reading_calls)
    if not reading:
        return
    reader, read_line = min(reading.items(), key=lambda item: item[1])
    for name, line in sorted(
        _tools_of(code, names, params.acts, params.acting_calls).items(), key=lambda i: i[1]
    ):
        if name == reader and len(reading) == 1:
            # a toolkit that both reads and acts (a mailbox) is its own deputy
            detail = f"agent tool `{name}` reads untrusted content and acts on it"
        else:
            detail = f"agent tool `{name}` can act on what `{reader}` (line {read_line}) read"
        yield Evidence(source.locate(line), detail, source.snippet(line))


@dataclass(frozen=True)
class ModelShareParams:
    #: Modules that ask a language model: SDKs, gateways, frameworks (prefixes of imports).
    modules: tuple[str, ...]
    #: Modules that run a team's own models: ML frameworks and model-server clients.
    versus: tuple[str, ...]
    #: Parts of those frameworks that run no model (metrics, encoders, splitters): a
    #: module importing only these scores or prepares, it does not run a model.
    runs_no_model: tuple[str, ...] = ()
    #: Parts of an LLM application's own stack that run on those frameworks: embedding
    #: models for retrieval, a language model run locally. A module importing one of these,
    #: or kept in a folder or file named for embeddings, runs them for the LLM application.
    language_stack: tuple[str, ...] = ()


@lru_cache(maxsize=64)
def _module_set(modules: tuple[str, ...]) -> frozenset[str]:
    return frozenset(modules)


def _imports_any(imports: tuple[str, ...], modules: tuple[str, ...]) -> bool:
    """Whether any import is one of `modules` or inside one (`openai.types` is `openai`)."""
    wanted = _module_set(modules)
    return any(
        prefix in wanted
        for name in imports
        for prefix in itertools.accumulate(name.split("."), lambda a, b: f"{a}.{b}")
    )


#: A folder or file named for embeddings (`embedding_engine/`, `embeddings.py`, `embedder.py`).
_EMBEDDINGS = re.compile(r"(?i)(^|/)[^/]*embed")


@repo_detector(params=ModelShareParams)
def language_models_dominate(repo: Repository, params: ModelShareParams) -> Detection:
    """Whether language models are what the code is built on: more of its modules ask a
    language model (through an LLM SDK or framework, or its HTTP API) than import a
    framework that runs the team's own models. A classic-ML service with one batch job
    that asks an LLM stays an ML service."""
    llm: list[str] = []
    classic = 0
    for path, summary in sorted(repo.summaries.items()):
        if repo.roles.get(path) is not Role.CODE:
            continue
        if _imports_any(summary.imports, params.modules) or summary.asks_models_over_http:
            llm.append(path)
        own = tuple(
            name for name in summary.imports if not _imports_any((name,), params.runs_no_model)
        )
        if not _imports_any(own, params.versus):
            continue
        if _imports_any(summary.imports, params.language_stack) or _EMBEDDINGS.search(path):
            if path not in llm:
                llm.append(path)  # torch or TensorFlow computing the retrieval's embeddings
        else:
            classic += 1
    if not llm:
        return Detection(inapplicable="no module imports a language-model SDK or framework")
    if len(llm) <= classic:
        return Detection(())
    detail = f"{len(llm)} modules ask language models, {classic} run models of their own"
    return Detection((Evidence(Location(llm[0]), detail),))


#: Names of values that must never be put into a prompt: the model (and whoever talks it
#: into repeating its instructions) would see them.
_SECRET_NAME = re.compile(
    r"(?i)(.*_)?(api_?key|secret|password|passwd|pwd|token|credentials?|private_key|conn(ection)?_str(ing)?)(_.*)?"
)
#: ... but a count, a limit or a name of one is not a secret: `max_tokens`, `token_count`.
_NOT_SECRET = re.compile(
    r"(?i)(max|min|num|n)_.*|.*_(count|counts|limit|budget|len|length|usage|size|type|name|names|id|ids|url|endpoint|env|var|field|header)"
)
_ENVIRON = ("os.environ", "os.getenv", "os.environ.get", "os.environ.__getitem__")


def _secret_in(node: ast.AST, code: PythonCode) -> str | None:
    """The secret-looking value an expression interpolates into text, if any."""
    for inner in ast.walk(node):
        if isinstance(
            inner, ast.FormattedValue | ast.Call | ast.Subscript | ast.Name | ast.Attribute
        ):
            target: ast.AST = inner.value if isinstance(inner, ast.FormattedValue) else inner
            if isinstance(target, ast.Call) and code.resolve(target.func) in _ENVIRON:
                return "an environment variable"
            if isinstance(target, ast.Subscript) and code.resolve(target.value) == "os.environ":
                return "an environment variable"
            name = target.id if isinstance(target, ast.Name) else None
            if isinstance(target, ast.Attribute):
                name = target.attr
            if (
                name is not None
                and _SECRET_NAME.fullmatch(name)
                and not _NOT_SECRET.fullmatch(name)
            ):
                return f"`{name}`"
    return None


def is_built_text(node: ast.AST) -> bool:
    """Text built from parts: an f-string, a concatenation, `.format()` or `%`."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


def system_prompts(code: PythonCode) -> Iterator[ast.expr]:
    """The contents of system messages: `{"role": "system", "content": ...}`, a
    SystemMessage(...), or an SDK's `system=` / `instructions=` argument."""
    for node in code.bindings:
        if isinstance(node, ast.Dict):
            keys = dict_keys(node)
            role = keys.get("role")
            if (
                isinstance(role, ast.Constant)
                and role.value in ("system", "developer")
                and "content" in keys
            ):
                yield keys["content"]
    for ref in code.calls:
        if (
            ref.name.endswith(("SystemMessage", "SystemMessagePromptTemplate.from_template"))
            and ref.node.args
        ):
            yield ref.node.args[0]
        for keyword in ref.node.keywords:
            if keyword.arg in ("system", "instructions", "system_prompt", "system_message"):
                yield keyword.value


@file_detector(*PYTHON_KINDS, params=NoParams)
def secret_in_system_prompt(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """System prompts built with a secret-looking value or an environment variable
    interpolated into them: `f"Use the admin token {ADMIN_TOKEN} ..."`."""
    code = source.python
    if code is None:
        return
    seen: set[int] = set()
    for content in system_prompts(code):
        if not is_built_text(content) or content.lineno in seen:
            continue
        what = _secret_in(content, code)
        if what is not None:
            seen.add(content.lineno)
            yield Evidence(
                source.locate(content.lineno),
                f"the system prompt is built with {what}",
                source.snippet(content.lineno),
            )


@dataclass(frozen=True)
class CachedCallParams:
    #: Resolved names of the calls that ask a model (or compute embeddings).
    calls: tuple[str, ...]
    #: Decorators that memoise a function: `functools.lru_cache`, `cachetools.cached`.
    decorators: tuple[str, ...] = (
        "functools.lru_cache",
        "functools.cache",
        "functools.cached_property",
        "cachetools.cached",
        "cachetools.func.*",
        "aiocache.cached",
        "async_lru.alru_cache",
        "diskcache.*.memoize",
    )
    #: Cache objects a module keeps answers in (`llm_cache = TTLCache(maxsize=100, ttl=300)`).
    cache_objects: tuple[str, ...] = (
        "cachetools.Cache",
        "cachetools.*Cache",
        "diskcache.Cache",
        "diskcache.FanoutCache",
    )


@file_detector(*PYTHON_KINDS, params=CachedCallParams)
def cached_model_call(source: SourceFile, params: CachedCallParams) -> Iterator[Evidence]:
    """Functions that call a model and are memoised: a team's own response or embedding
    cache (`@lru_cache def embed_question(...)`)."""
    code = source.python
    if code is None:
        return
    for function in code.functions:
        if not any(matches_any(d, params.decorators) for d in function.decorators):
            continue
        if any(is_model_call(n, code, params.calls) for n in own_nodes(function.node)):
            yield Evidence(
                source.locate(function.line),
                f"{function.name}() caches what the model returns",
                source.snippet(function.line),
            )
    yield from _answer_caches(source, code, params)


def _answer_caches(
    source: SourceFile, code: PythonCode, params: CachedCallParams
) -> Iterator[Evidence]:
    """A module that calls a model and keeps answers in a cache object of its own
    (`llm_cache = TTLCache(...)`, later `llm_cache[key] = response`): the lookup and the
    call may sit in different methods, the cache is the module's."""
    caches = {
        target.id: node.lineno
        for node in code.tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and matches_any(code.resolve(node.value.func), params.cache_objects)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    if not caches or not calls_a_model(code, params.calls):
        return
    stored = {
        target.value.id
        for node in code.nodes
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
    }
    for name, line in sorted(caches.items(), key=lambda item: item[1]):
        if name in stored:
            yield Evidence(
                source.locate(line),
                f"{name} keeps the model's answers",
                source.snippet(line),
            )


@dataclass(frozen=True)
class ModelAliasParams:
    #: Regular expression a model name matches (whole) when it is a moving alias.
    pattern: str = field(metadata=REGEX)
    #: The arguments that name the model.
    keywords: tuple[str, ...] = ("model", "model_name", "model_id", "modelId")
    #: Names of settings and constants that hold a model's name (`OPENAI_CHAT_LLM_NAME`,
    #: `chat_model`, a `model=` default): the model is chosen there, not at the call.
    settings: str = field(default=r"(?i)(.*_)?(model|llm)(_?(name|id|deployment))?", metadata=REGEX)


@file_detector(*PYTHON_KINDS, params=ModelAliasParams)
def model_alias(source: SourceFile, params: ModelAliasParams) -> Iterator[Evidence]:
    """Calls that name a model by a literal the pattern calls a moving alias, reported
    with the name, so the finding says which model to pin."""
    code = source.python
    if code is None:
        return
    regex = re.compile(params.pattern)

    def alias(line: int, model: str) -> Evidence:
        return Evidence(
            source.locate(line),
            f"model {model} is a moving alias, not a dated snapshot",
            source.snippet(line),
        )

    reported: set[int] = set()  # lines of the values already reported at their call
    for ref in code.calls:
        for keyword in ref.node.keywords:
            value = keyword.value
            if (
                keyword.arg in params.keywords
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and regex.fullmatch(value.value)
            ):
                reported.add(value.lineno)
                yield alias(ref.line, f"`{value.value}`")
                break
    settings = re.compile(params.settings)
    for named in code.named_strings:
        if (
            named.line not in reported
            and settings.fullmatch(named.name)
            and regex.fullmatch(named.value)
        ):
            reported.add(named.line)
            yield alias(named.line, f"`{named.value}` (`{named.name}`)")


@dataclass(frozen=True)
class PhraseCheckParams:
    #: Regular expression (searched, case-insensitive) of the phrases a model answers with
    #: when it cannot answer.
    pattern: str = field(metadata=REGEX)
    label: str = "the answer is checked for a cannot-answer phrase"


@file_detector(*PYTHON_KINDS, params=PhraseCheckParams)
def answer_phrase_check(source: SourceFile, params: PhraseCheckParams) -> Iterator[Evidence]:
    """Membership tests of a cannot-answer phrase in a text (`"couldn't find" in answer`,
    or `any(p in answer.lower() for p in NO_CONTEXT_PHRASES)`): the code notices the model
    saying it does not know and takes another path, instead of passing that on as an answer."""
    code = source.python
    if code is None:
        return
    regex = Matcher(params.pattern, ignore_case=True)
    lists: dict[str, tuple[str, ...]] | None = None  # built for the first `name in text`
    for node in code.compares:
        if not any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            continue
        left = node.left
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            phrases: tuple[str, ...] = (left.value,)
        elif isinstance(left, ast.Name):
            lists = _string_lists(code) if lists is None else lists
            phrases = lists.get(left.id, ())
        else:
            continue
        if any(regex.search(phrase) for phrase in phrases):
            yield Evidence(source.locate(node.lineno), params.label, source.snippet(node.lineno))


def _string_lists(code: PythonCode) -> dict[str, tuple[str, ...]]:
    """For each loop or comprehension variable that runs over a literal list of strings
    (directly, or through the name the list is bound to), those strings."""
    bound: dict[str, tuple[str, ...]] = {}
    for node in code.bindings:
        if isinstance(node, ast.Assign) and (strings := _strings_of(node.value)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = strings
    loops: dict[str, tuple[str, ...]] = {}
    for loop in code.nodes:
        if isinstance(loop, ast.comprehension | ast.For) and isinstance(loop.target, ast.Name):
            iterated = loop.iter
            strings = (
                bound.get(iterated.id, ())
                if isinstance(iterated, ast.Name)
                else _strings_of(iterated)
            )
            if strings:
                loops[loop.target.id] = loops.get(loop.target.id, ()) + strings
    return loops


def _strings_of(node: ast.expr) -> tuple[str, ...]:
    if not isinstance(node, ast.List | ast.Tuple | ast.Set):
        return ()
    return tuple(
        e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
    )
