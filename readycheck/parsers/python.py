"""Python source as an `ast` tree with the facts detectors ask for, found in one walk.

Names are resolved through the module's imports, so `np.random.seed(0)` after
`import numpy as np` is seen as `numpy.random.seed`, and `load(f)` after
`from pickle import load` as `pickle.load`. A call on something that is not an
imported name keeps its written form (`model.predict_proba`), and a call on an
expression (`pd.read_csv(p).dropna()`) shows the receiver as `(...)`, so rule
patterns like `*.dropna` still match it.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from readycheck.parsers import ParseError

#: How a call's receiver is written when it is an expression rather than a name.
UNRESOLVED_RECEIVER = "(...)"


#: Python code larger than this (a module, or a notebook's code cells together) is read as
#: text but not parsed: no hand-written module of the calibration corpus reaches 700 KiB,
#: and the syntax tree of a 5 MiB generated module takes a gigabyte and a minute of
#: bandit and the AST detectors.
MAX_PARSED_PYTHON = 1024 * 1024

#: An identifier, as string literals and configuration files name functions
#: (`"app.main:create_app"`).
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: String literals longer than this are text (prompts, templates, SQL), not names.
_REFERENCE_STRING_LIMIT = 200


def parse_module(source: str, filename: str = "<file>") -> ast.Module:
    """Parse without executing anything; every failure becomes a ParseError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
            return ast.parse(source, filename=filename)
    except SyntaxError as error:
        reason = error.msg or "invalid syntax"
        if "print" in reason.lower() or "Missing parentheses" in reason:
            reason += " (Python 2 code?)"
        raise ParseError(f"syntax error: {reason}", error.lineno) from None
    except ValueError as error:  # e.g. "source code string cannot contain null bytes"
        raise ParseError(f"cannot parse: {error}") from None
    except (RecursionError, MemoryError):
        raise ParseError("expressions are nested too deeply to parse") from None


@dataclass(frozen=True)
class ImportRef:
    """One imported name: `module` is the full dotted module (or `module.name`)."""

    module: str
    alias: str
    line: int


@dataclass(frozen=True)
class CallRef:
    name: str
    line: int
    column: int
    node: ast.Call


@dataclass(frozen=True)
class StringRef:
    value: str
    line: int
    column: int


@dataclass(frozen=True)
class NamedString:
    """A string literal and the name it is given: the variable, attribute, key,
    keyword argument or parameter it is bound to (`api_key = "..."`,
    `os.environ["API_KEY"] = "..."`, `Client(api_key="...")`, `{"x-api-key": "..."}`)."""

    name: str
    value: str
    line: int


@dataclass(frozen=True)
class ClassRef:
    name: str
    bases: tuple[str, ...]
    line: int
    node: ast.ClassDef


@dataclass(frozen=True)
class FunctionRef:
    name: str
    decorators: tuple[str, ...]
    line: int
    node: ast.FunctionDef | ast.AsyncFunctionDef


class PythonCode:
    """A parsed module and the facts about it, each computed at most once."""

    def __init__(self, tree: ast.Module, source: str) -> None:
        self.tree = tree
        self.lines = source.splitlines()
        self._imports: list[ast.Import | ast.ImportFrom] = []
        self._calls: list[ast.Call] = []
        self._strings: list[ast.Constant] = []
        self._classes: list[ast.ClassDef] = []
        self._functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self._handlers: list[ast.ExceptHandler] = []
        self._bindings: list[ast.Assign | ast.AnnAssign | ast.Dict] = []
        self._compares: list[ast.Compare] = []
        self._names: list[tuple[str, int]] = []
        names = self._names
        #: Every node, in ast.walk's order: detectors that look at all of them read this
        #: list instead of walking the tree again (a walk costs more than their checks).
        self.nodes: list[ast.AST] = list(ast.walk(tree))
        for node in self.nodes:
            kind = type(node)  # exact-type dispatch: this loop sees every node of every file
            if kind is ast.Name:
                names.append((node.id, node.lineno))  # type: ignore[attr-defined]
            elif kind is ast.Attribute:
                names.append((node.attr, node.lineno))  # type: ignore[attr-defined]
            elif kind is ast.Call:
                self._calls.append(node)  # type: ignore[arg-type]
            elif kind is ast.Constant:
                if isinstance(node.value, str):  # type: ignore[attr-defined]
                    self._strings.append(node)  # type: ignore[arg-type]
            elif kind is ast.arg or kind is ast.keyword:
                if node.arg is not None:  # type: ignore[attr-defined]
                    names.append((node.arg, node.lineno))  # type: ignore[attr-defined]
            elif kind is ast.Import or kind is ast.ImportFrom:
                self._imports.append(node)  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self._functions.append(node)  # type: ignore[arg-type]
            elif kind is ast.ClassDef:
                self._classes.append(node)  # type: ignore[arg-type]
            elif kind is ast.Compare:
                self._compares.append(node)  # type: ignore[arg-type]
            elif kind is ast.ExceptHandler:
                self._handlers.append(node)  # type: ignore[arg-type]
            elif kind is ast.Assign or kind is ast.AnnAssign or kind is ast.Dict:
                self._bindings.append(node)  # type: ignore[arg-type]

    def line(self, number: int) -> str:
        """The stripped text of a 1-based line, or '' when out of range."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1].strip()
        return ""

    @cached_property
    def imports(self) -> tuple[ImportRef, ...]:
        refs: list[ImportRef] = []
        for node in self._imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    refs.append(ImportRef(alias.name, bound, node.lineno))
            else:
                base = _from_base(node)
                for alias in node.names:
                    refs.append(
                        ImportRef(_join(base, alias.name), alias.asname or alias.name, node.lineno)
                    )
        return tuple(sorted(refs, key=lambda r: (r.line, r.module)))

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Local name -> what it refers to. `import os.path` binds `os` to `os`."""
        names: dict[str, str] = {}
        for node in self._imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        names[head] = head
            else:
                base = _from_base(node)
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = _join(base, alias.name)
        return names

    def resolve(self, node: ast.expr) -> str:
        """The dotted name an expression refers to, resolved through imports."""
        parts: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name):
            parts.append(self.aliases.get(current.id, current.id))
        else:
            parts.append(UNRESOLVED_RECEIVER)
        return ".".join(reversed(parts))

    @cached_property
    def calls(self) -> tuple[CallRef, ...]:
        refs = [
            CallRef(self.resolve(call.func), call.lineno, call.col_offset, call)
            for call in self._calls
        ]
        return tuple(sorted(refs, key=lambda r: (r.line, r.column)))

    @cached_property
    def strings(self) -> tuple[StringRef, ...]:
        """String literals, docstrings left out (they document, they do not run)."""
        docstrings = {id(node) for node in self._docstrings()}
        refs = [
            StringRef(str(node.value), node.lineno, node.col_offset)
            for node in self._strings
            if id(node) not in docstrings
        ]
        return tuple(sorted(refs, key=lambda r: (r.line, r.column)))

    def _docstrings(self) -> Iterator[ast.expr]:
        for owner in (self.tree, *self._classes, *self._functions):
            body = owner.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                yield body[0].value

    @cached_property
    def identifiers(self) -> tuple[tuple[str, int], ...]:
        """Every name the code defines or uses: variables, attributes, functions,
        classes, parameters and keyword arguments, with their line (comments excluded)."""
        found = list(self._names)
        found.extend((node.name, node.lineno) for node in (*self._functions, *self._classes))
        return tuple(sorted(found, key=lambda item: item[1]))

    @cached_property
    def identifier_names(self) -> frozenset[str]:
        """The distinct names of `identifiers`: detectors ask whether a file names
        something at all before looking for where."""
        return frozenset(name for name, _line in self.identifiers)

    @cached_property
    def referenced_names(self) -> frozenset[str]:
        """The names the code uses (variables, attributes, parameters, keyword arguments),
        not those it defines functions and classes under, with the words of its string
        literals: a function is named as much by `"app.main:create_app"` or
        `getattr(tasks, "retrain")` as by a call."""
        words = {
            word
            for ref in self.strings
            if len(ref.value) < _REFERENCE_STRING_LIMIT
            for word in IDENTIFIER.findall(ref.value)
        }
        return frozenset(name for name, _line in self._names) | words

    @cached_property
    def classes(self) -> tuple[ClassRef, ...]:
        refs = [
            ClassRef(node.name, tuple(self.resolve(b) for b in node.bases), node.lineno, node)
            for node in self._classes
        ]
        return tuple(sorted(refs, key=lambda r: r.line))

    @cached_property
    def parents(self) -> dict[int, ast.AST]:
        """Each node's parent, by the child's identity: built once per file, for the
        checks that look up from a node (the `try` around a call, the call around an
        argument)."""
        return {id(child): node for node in self.nodes for child in ast.iter_child_nodes(node)}

    @cached_property
    def main_blocks(self) -> tuple[ast.If, ...]:
        """The module's `if __name__ == "__main__":` blocks: how it runs as a script."""
        return tuple(
            node
            for node in self.tree.body
            if isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and "__name__" in ast.unparse(node.test)
            and "__main__" in ast.unparse(node.test)
        )

    @cached_property
    def functions(self) -> tuple[FunctionRef, ...]:
        refs = [
            FunctionRef(
                node.name,
                tuple(
                    self.resolve(d.func if isinstance(d, ast.Call) else d)
                    for d in node.decorator_list
                ),
                node.lineno,
                node,
            )
            for node in self._functions
        ]
        return tuple(sorted(refs, key=lambda r: r.line))

    @property
    def handlers(self) -> tuple[ast.ExceptHandler, ...]:
        return tuple(self._handlers)

    @property
    def compares(self) -> tuple[ast.Compare, ...]:
        """Every comparison (`a == b`, `p > 0.5`), in walk order."""
        return tuple(self._compares)

    @property
    def bindings(self) -> tuple[ast.Assign | ast.AnnAssign | ast.Dict, ...]:
        """Every assignment and dict literal, in walk order (collected by the one walk)."""
        return tuple(self._bindings)

    @cached_property
    def named_strings(self) -> tuple[NamedString, ...]:
        """Every string literal bound to a name, in source order."""
        found: list[NamedString] = []

        def add(name: ast.expr | str | None, value: ast.expr | None) -> None:
            key = name if isinstance(name, str) else _bound_name(name)
            if key is not None and isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(NamedString(key, value.value, value.lineno))

        for node in self._bindings:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    add(target, node.value)
            elif isinstance(node, ast.AnnAssign):
                add(node.target, node.value)
            else:
                for key, item in zip(node.keys, node.values, strict=True):
                    add(key, item)
        for call in self._calls:
            for keyword in call.keywords:
                add(keyword.arg, keyword.value)
            if len(call.args) >= 2:  # os.environ.setdefault("API_KEY", "..."), os.putenv
                add(call.args[0], call.args[1])
        for function in self._functions:
            for name, default in parameter_defaults(function.args):
                add(name, default)
        return tuple(sorted(found, key=lambda n: n.line))

    @cached_property
    def calls_by_name(self) -> dict[str, tuple[CallRef, ...]]:
        """Calls grouped by resolved name: rules match patterns against the few distinct
        names rather than against every call."""
        grouped: dict[str, list[CallRef]] = {}
        for ref in self.calls:
            grouped.setdefault(ref.name, []).append(ref)
        return {name: tuple(refs) for name, refs in grouped.items()}

    def calls_matching(self, matches: Callable[[str], bool]) -> list[CallRef]:
        """Calls whose resolved name satisfies `matches`, in source order."""
        found = [ref for name, refs in self.calls_by_name.items() if matches(name) for ref in refs]
        return sorted(found, key=lambda r: (r.line, r.column))


def parameter_defaults(arguments: ast.arguments) -> Iterator[tuple[str, ast.expr]]:
    """(parameter, default) for every parameter that has a default, positional or
    keyword-only: `def f(x, threshold=0.5, *, top_k=3)` gives threshold and top_k."""
    positional = [*arguments.posonlyargs, *arguments.args]
    with_defaults = positional[len(positional) - len(arguments.defaults) :]
    yield from ((a.arg, d) for a, d in zip(with_defaults, arguments.defaults, strict=True))
    for arg, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if kw_default is not None:
            yield arg.arg, kw_default


def _bound_name(target: ast.expr | None) -> str | None:
    """The name a value is bound to: `x`, `obj.x`, `d["x"]` or a dict key `"x"`."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        target = target.slice
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value
    return None


def _from_base(node: ast.ImportFrom) -> str:
    """`from ..pkg import x` -> `..pkg`: relative imports keep their dots."""
    return "." * node.level + (node.module or "")


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base and not base.endswith(".") else base + name


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    """The expression passed as keyword `name`, or None when absent."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """`f(**options)` may pass any keyword: absence of one cannot be proven."""
    return any(keyword.arg is None for keyword in call.keywords)
