"""Helm chart templates, read statically: the chart's own values substituted, never run.

Most teams deploy models to Kubernetes through a Helm chart, so a chart's
probes, resources and autoscaler live in `templates/*.yaml`, which are Go
templates and not YAML until rendered. readycheck does not run `helm` (it
runs nothing from the scanned tree); it reads the small part of the template
language charts use to place their values (the shape `helm create` writes):

* `{{ .Values.image.tag | default .Chart.AppVersion }}`, `quote`, `required`;
* `{{- toYaml .Values.resources | nindent 12 }}` (and `indent`, `omit`, `pick`), which is how
  probes, resources and security contexts reach a Deployment;
* `if`, `else`, `with` and `range` blocks, judged on the chart's default
  `values.yaml` (`{{- if .Values.autoscaling.enabled }}` around an HPA);
* comments, whitespace trimming (`{{-`, `-}}`), `$` for the root;
* `include` (or `template`) `"<chart>.fullname" .` and `.name`, as the chart's name.

Anything else (`include`, `tpl`, `lookup`, variables) renders as the
placeholder `helm-value`, and a condition it cannot judge counts as true, so a
chart is credited with what it can deploy. Each rendered line remembers the
template line it came from, so findings point into the template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import yaml

from readycheck import yamlload
from readycheck.parsers import ParseError

#: What an expression readycheck cannot evaluate renders as.
PLACEHOLDER = "helm-value"
#: A rendered template may not grow past this (a template can repeat `toYaml .Values`).
MAX_RENDERED = 4_000_000

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|\(|\)|\||[^\s()|]+')
_INTEGER = re.compile(r"-?\d+")
_TEMPLATE_SUFFIXES = (".yaml", ".yml")
_GLUED_MARKER = re.compile(r"^---(?=\S)", re.MULTILINE)
#: `include "churn-api.fullname" .`: the helpers `helm create` writes to name objects.
#: They render to the chart's name (with the release's), which is what a report should
#: call the Deployment, rather than a placeholder.
_NAME_HELPER = re.compile(r'^"[\w.-]+\.(?:fullname|name)"$')


class _Unknown:
    """An expression readycheck does not evaluate; true in a condition."""

    def __repr__(self) -> str:
        return PLACEHOLDER


UNKNOWN: Any = _Unknown()


def chart_companions(paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each template of a chart among `paths`, the files it is rendered with: the
    chart's Chart.yaml and, when there is one, its values.yaml."""
    present = set(paths)
    companions: dict[str, tuple[str, ...]] = {}
    for path in present:
        parts = PurePosixPath(path).parts
        if not path.endswith(_TEMPLATE_SUFFIXES) or "templates" not in parts[:-1]:
            continue
        at = len(parts) - 2 - parts[:-1][::-1].index("templates")
        chart = "/".join(parts[:at])
        prefix = f"{chart}/" if chart else ""
        if f"{prefix}Chart.yaml" not in present:
            continue
        values = f"{prefix}values.yaml"
        companions[path] = (f"{prefix}Chart.yaml",) + ((values,) if values in present else ())
    return companions


@dataclass(frozen=True)
class Rendered:
    text: str
    #: The template line (1-based) each rendered line came from.
    lines: tuple[int, ...]


def _load(text: str | None) -> Any:
    """The first document of a chart's own YAML, read with the same budgeted loader as
    every scanned YAML file (alias bombs, deep nesting), as plain dicts and lists that
    `toYaml` can write; None when it cannot be read (the file's own scan says why)."""
    if not text:
        return None
    try:
        documents = yamlload.load_all(text).documents
    except (yaml.YAMLError, RecursionError):
        return None
    return _plain(documents[0]) if documents else None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


@lru_cache(maxsize=16)
def root_context(chart_yaml: str | None, values_yaml: str | None) -> dict[str, Any]:
    """What `.` is at the top of a template: the chart's values, its metadata and a release.
    Every template of a chart is rendered with the same files: they are read once (the
    context is shared, never changed by rendering)."""
    chart = _load(chart_yaml)
    chart = chart if isinstance(chart, dict) else {}
    values = _load(values_yaml)
    return {
        "Values": values if isinstance(values, dict) else {},
        "Chart": {str(key)[:1].upper() + str(key)[1:]: value for key, value in chart.items()},
        "Release": {"Name": "release", "Namespace": "default", "Service": "Helm"},
        "Capabilities": UNKNOWN,
        "Files": UNKNOWN,
        "Template": UNKNOWN,
    }


def _truthy(value: Any) -> bool:
    return value is UNKNOWN or bool(value)


def _text(value: Any) -> str:
    if value is UNKNOWN or isinstance(value, _UnknownBlock):
        return PLACEHOLDER
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return _to_yaml(value).strip()
    return str(value)


def _to_yaml(value: Any) -> str:
    if value is UNKNOWN:
        return PLACEHOLDER
    if value is None or value == {} or value == []:
        return "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else "null"
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=False).rstrip("\n")


@dataclass(frozen=True)
class _UnknownBlock:
    """`include "common.resources.preset" ... | nindent 12`: a block of YAML readycheck
    cannot evaluate, written where it goes (see `render`'s `blocks`)."""

    width: int
    newline: bool

    def text(self, blocks: str, mid_line: bool) -> str:
        """The marker for this block; after text on the same line (`indent` of a helper
        whose output starts with its own newline), only a comment keeps the line valid."""
        entry = blocks == "entry" and (self.newline or not mid_line)
        marker = f"{PLACEHOLDER}: {PLACEHOLDER}" if entry else f" # {PLACEHOLDER}"
        return ("\n" if self.newline else "") + " " * self.width + marker


def _indent(width: Any, value: Any, newline: bool) -> Any:
    """`indent`/`nindent`."""
    if not isinstance(width, int):
        return UNKNOWN
    if value is UNKNOWN:
        return _UnknownBlock(width, newline)
    pad = " " * width
    body = "\n".join(pad + line if line else line for line in _text(value).split("\n"))
    return ("\n" + body) if newline else body


class _Scope:
    """Where an expression is evaluated: the root context and the current `.`."""

    def __init__(self, root: dict[str, Any], dot: Any) -> None:
        self.root = root
        self.dot = dot

    def term(self, word: str) -> Any:
        if word.startswith('"') or word.startswith("`"):
            return word[1:-1].replace('\\"', '"')
        if word in ("true", "false"):
            return word == "true"
        if word == "nil":
            return None
        if _INTEGER.fullmatch(word):
            return int(word)
        if word == ".":
            return self.dot
        if word == "$":
            return self.root
        if word.startswith("$."):
            return _lookup(self.root, word[2:])
        if word.startswith("."):
            return _lookup(self.dot, word[1:])
        return UNKNOWN  # a variable ($name) or a function we do not know


def _lookup(node: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if node is UNKNOWN:
            return UNKNOWN
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _split_pipeline(tokens: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    depth = 0
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        if token == "|" and depth == 0:
            commands.append([])
        else:
            commands[-1].append(token)
    return commands


def _arguments(tokens: list[str], scope: _Scope) -> list[Any]:
    args: list[Any] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "(":
            depth, end = 1, index + 1
            while end < len(tokens) and depth:
                depth += {"(": 1, ")": -1}.get(tokens[end], 0)
                end += 1
            args.append(_pipeline(tokens[index + 1 : end - 1], scope))
            index = end
            continue
        args.append(scope.term(token))
        index += 1
    return args


def _call(name: str, args: list[Any]) -> Any:
    """One template function, applied to already evaluated arguments."""
    if name in ("nindent", "indent") and len(args) == 2:
        return _indent(args[0], args[1], newline=name == "nindent")
    if name in ("and", "or") and args:
        return _logic(name, args)
    if any(arg is UNKNOWN for arg in args) and name not in ("default", "required", "not"):
        return UNKNOWN
    if name == "toYaml" and len(args) == 1:
        return _to_yaml(args[0])
    if name in ("quote", "squote") and args:
        mark = '"' if name == "quote" else "'"
        return " ".join(f"{mark}{_text(arg)}{mark}" for arg in args)
    if name == "default" and len(args) == 2:
        return args[1] if _truthy(args[1]) and args[1] is not UNKNOWN else args[0]
    if name == "required" and len(args) == 2:
        return args[1]
    if name == "not" and len(args) == 1:
        return UNKNOWN if args[0] is UNKNOWN else not args[0]
    if name in ("eq", "ne") and len(args) == 2:
        return (args[0] == args[1]) == (name == "eq")
    if name in ("toString", "trim", "lower", "upper") and len(args) == 1:
        text = _text(args[0])
        return {"trim": text.strip(), "lower": text.lower(), "upper": text.upper()}.get(name, text)
    if name in ("int", "int64", "float64") and len(args) == 1:
        return args[0]
    if name in ("omit", "pick") and args and isinstance(args[0], dict):
        keys = {str(key) for key in args[1:]}
        return {k: v for k, v in args[0].items() if (str(k) in keys) == (name == "pick")}
    return UNKNOWN  # include, tpl, lookup, printf, ...: not evaluated


def _logic(name: str, args: list[Any]) -> Any:
    """`and`/`or` with some operands unknown: a known false operand decides `and`
    (`and .Values.autoscaling.enabled (semverCompare ...)` with autoscaling off is false),
    a known true one decides `or`; otherwise the result is unknown."""
    known = [bool(arg) for arg in args if arg is not UNKNOWN]
    decisive = name == "or"
    if decisive in known:
        return decisive
    if len(known) < len(args):
        return UNKNOWN
    return not decisive


def _pipeline(tokens: list[str], scope: _Scope) -> Any:
    """`a | f x | g`: each command gets the previous value as its last argument."""
    value: Any = None
    for position, command in enumerate(_split_pipeline(tokens)):
        if not command:
            return UNKNOWN
        head, rest = command[0], command[1:]
        piped = [] if position == 0 else [value]
        literal = head in ("true", "false", "nil") or _INTEGER.fullmatch(head) is not None
        if literal or head.startswith((".", "$", '"', "`", "(")):
            if rest or piped:
                return UNKNOWN
            value = _arguments(command, scope)[0]
        elif head in ("include", "template") and rest and _NAME_HELPER.search(rest[0]):
            value = _lookup(scope.root, "Chart.Name") or UNKNOWN
        else:
            value = _call(head, _arguments(rest, scope) + piped)
    return value


def evaluate(expression: str, scope: _Scope) -> Any:
    """The value of an action's expression, UNKNOWN where it cannot be read statically."""
    tokens = _TOKEN.findall(expression)
    if any(t in (":=", "=") for t in tokens):
        return None  # a variable assignment writes nothing
    return _pipeline(tokens, scope) if tokens else UNKNOWN


@dataclass
class _Frame:
    """An open block: whether its text is written, whether an earlier branch of its
    if/else chain was taken, and what `.` is inside it."""

    kind: str
    active: bool
    taken: bool
    dot: Any


class _Output:
    """The rendered text, each character tagged with the template line it came from."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.lines: list[int] = []

    def write(self, text: str, line: int, advance: bool) -> None:
        for char in text:
            self.chars.append(char)
            self.lines.append(line)
            if advance and char == "\n":
                line += 1
        if len(self.chars) > MAX_RENDERED:
            raise ParseError("the template renders to more than 4 MB")

    def _split_document_markers(self) -> None:
        """`---` followed by `{{- ... -}}` renders as `---apiVersion: v1`; helm splits
        documents on `---` lines regardless, so put the newline back."""
        text = "".join(self.chars)
        for match in reversed(list(_GLUED_MARKER.finditer(text))):
            after = match.end()
            self.chars.insert(after, "\n")
            self.lines.insert(after, self.lines[after])

    def mid_line(self) -> bool:
        """Whether the line being written already holds something other than spaces."""
        for char in reversed(self.chars):
            if char == "\n":
                return False
            if not char.isspace():
                return True
        return False

    def trim_right(self) -> None:
        while self.chars and self.chars[-1].isspace():
            self.chars.pop()
            self.lines.pop()

    def result(self) -> Rendered:
        self._split_document_markers()
        text = "".join(self.chars)
        starts = [self.lines[0] if self.lines else 1]
        starts += [self.lines[i + 1] for i, c in enumerate(self.chars[:-1]) if c == "\n"]
        return Rendered(text, tuple(starts))


def _control(words: list[str]) -> str | None:
    head = words[0] if words else ""
    if head in ("if", "else", "end", "with", "range", "define", "block"):
        return head
    return None


def render(
    template: str, chart_yaml: str | None, values_yaml: str | None, blocks: str = "entry"
) -> Rendered:
    """Render a chart template with the chart's default values, as far as it can be read.

    A block readycheck cannot evaluate (`securityContext: {{- include ... | nindent 12 }}`)
    is written as the entry `helm-value: helm-value` (`blocks="entry"`), so the key holds
    a mapping that rules treat as set by the chart; where that cannot parse (the block
    sits in a list), render again with `blocks="comment"`, which leaves the key empty.
    An action alone on its line whose value is unknown writes nothing: in charts such
    lines are validations and helpers that emit whole documents or nothing.
    """
    root = root_context(chart_yaml, values_yaml)
    frames: list[_Frame] = [_Frame("root", True, True, root)]
    out = _Output()
    position, line, trim_next = 0, 1, False
    for match in _ACTION.finditer(template):
        before, line = _trimmed(template[position : match.start()], line, trim_next)
        if frames[-1].active:
            out.write(before, line, advance=True)
        line += before.count("\n")
        if match.group(1) and frames[-1].active:
            out.trim_right()
        body = match.group(2).strip()
        trim_next = bool(match.group(3))
        action_line = line
        line += match.group(0).count("\n")
        position = match.end()
        if body.startswith("/*"):
            continue
        _act(body, frames, out, action_line, blocks, _alone(template, match.start(), match.end()))
    rest, line = _trimmed(template[position:], line, trim_next)
    if frames[-1].active:
        out.write(rest, line, advance=True)
    return out.result()


def _alone(template: str, start: int, end: int) -> bool:
    """Whether an action is the only thing on its template line."""
    line_start = template.rfind("\n", 0, start) + 1
    line_end = template.find("\n", end)
    after = template[end:] if line_end < 0 else template[end:line_end]
    return not template[line_start:start].strip() and not after.strip()


def _trimmed(text: str, line: int, trim: bool) -> tuple[str, int]:
    """Text after an action, without its leading whitespace when the action ended in
    `-}}`, and the template line it now starts on."""
    if not trim:
        return text, line
    stripped = text.lstrip()
    return stripped, line + text[: len(text) - len(stripped)].count("\n")


def _act(
    body: str, frames: list[_Frame], out: _Output, line: int, blocks: str, alone: bool
) -> None:
    """Apply one action: open or close a block, or write an expression's value."""
    words = body.split(None, 1)
    kind = _control(words)
    frame = frames[-1]
    scope = _Scope(frames[0].dot, frame.dot)
    argument = words[1] if len(words) > 1 else ""
    if kind == "end":
        if len(frames) > 1:
            frames.pop()
    elif kind == "else":
        if frame.kind not in ("if", "with", "range") or len(frames) < 2:
            return
        parent_active = frames[-2].active
        condition = argument.split(None, 1)
        if condition and condition[0] in ("if", "with"):
            holds = _truthy(evaluate(condition[1] if len(condition) > 1 else "", scope))
        else:
            holds = True
        frame.active = parent_active and not frame.taken and holds
        frame.taken = frame.taken or frame.active
        frame.dot = frames[-2].dot
    elif kind in ("if", "with", "range"):
        # `range $key, $value := .Values.queues`: judge the collection, not the assignment
        collection = argument.split(":=", 1)[1] if ":=" in argument else argument
        value = evaluate(collection, _Scope(frames[0].dot, frame.dot))
        holds = frame.active and _truthy(value)
        dot = frame.dot
        if kind == "with":
            dot = value
        elif kind == "range":
            dot = UNKNOWN
        frames.append(_Frame(kind, holds, holds, dot))
    elif kind in ("define", "block"):
        frames.append(_Frame(kind, False, True, frame.dot))
    elif frame.active:
        value = evaluate(body, scope)
        if isinstance(value, _UnknownBlock):
            out.write(value.text(blocks, out.mid_line()), line, advance=False)
        elif value is not UNKNOWN or not alone:
            out.write(_text(value), line, advance=False)


def remap(node: Any, lines: tuple[int, ...]) -> None:
    """Point the positions the YAML loader recorded on rendered lines back at the template."""

    def at(rendered: int) -> int:
        return lines[rendered - 1] if 1 <= rendered <= len(lines) else rendered

    for item in _containers(node):
        if hasattr(item, "line"):
            item.line = at(item.line)
        for attribute in ("key_positions", "value_positions"):
            positions = getattr(item, attribute, None)
            if positions is not None:
                for key, (row, column) in positions.items():
                    positions[key] = (at(row), column)
        items = getattr(item, "item_positions", None)
        if items is not None:
            item.item_positions = [(at(row), column) for row, column in items]


def _containers(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            yield current
            stack.extend(current)
