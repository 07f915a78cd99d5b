"""Gitignore-style path patterns that cannot hang the scan.

The scanned repository writes some of these patterns (its .gitignore files, its
config's `exclude`, `roles` and suppression paths), and it names the paths they
are matched against. pathspec translates each pattern into a regular expression
and runs it on Python's backtracking `re`, where a pattern such as
`*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ac` against a long name made of `a`s takes hours.

Here pathspec still translates every pattern and still combines the verdicts
(negation, anchoring, `**`, directory patterns, which pattern wins), so the
meaning of a pattern is exactly pathspec's. Only the expressions run elsewhere.
One whose backtracking is bounded by its shape (nearly every real pattern:
`*.pyc`, `build/`, `data/**/*.csv`; see _repetitions) stays on `re`. Any other
runs on a small engine that tries the same alternatives in the same order as
`re`, but visits each (instruction, position) pair at most once: a search costs
at most (size of the pattern) x (length of the path) steps, however the pattern
is written, and gives the same answer as `re`, the directory marker included.

A pattern is dropped, and reported as a PatternProblem naming it and where it
was written, never as a hang or a crash, when pathspec cannot translate it (a
trailing backslash, a range such as `[z-a]`), or when one search needs more
than STEP_BUDGET steps (only a very long pattern against a very long path
can). Should a future pathspec emit syntax the engine does not know, that
pattern runs on the `regex` package under a time budget instead.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import pathspec
import regex

#: Steps (instruction-position pairs) one search may visit before its pattern is dropped.
#: A pattern of a few hundred characters against the longest path a file system allows
#: stays far below it.
STEP_BUDGET = 1_000_000
#: Seconds one search may take on the fallback engine (syntax this engine does not know).
TIME_BUDGET = 1.0


@dataclass(frozen=True)
class PatternProblem:
    """A pattern that was dropped, where it was written, and why."""

    pattern: str
    source: str  # ".gitignore", "src/.gitignore", "--exclude", the config's file name...
    reason: str
    #: The pattern cannot be read at all (rather than being too costly for one path).
    invalid: bool = False

    @property
    def message(self) -> str:
        return f"ignored the pattern {self.pattern!r} from {self.source}: {self.reason}"


class PathPatterns:
    """Gitignore patterns from one place, matched as pathspec.GitIgnoreSpec matches them."""

    def __init__(self, lines: Iterable[str], source: str) -> None:
        self.source = source
        self.problems: list[PatternProblem] = []
        compiled: list[pathspec.RegexPattern] = []
        for line in lines:
            pattern = self._compile(line)
            if pattern is not None:
                compiled.append(pattern)
        self._count = len(compiled)
        self._spec = _gitignore_spec(compiled)

    def __bool__(self) -> bool:
        return self._count > 0

    def check(self, path: str) -> bool | None:
        """True: the last deciding pattern includes `path`; False: a negation excludes it;
        None: no pattern matches it (pathspec's CheckResult.include)."""
        if not self._count:
            return None
        include: bool | None = self._spec.check_file(path).include
        return include

    def match(self, path: str) -> bool:
        return bool(self.check(path))

    def _compile(self, line: str) -> pathspec.RegexPattern | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # re's FutureWarning about "[[" in a class
                expression, include = _translate(line)
        except (ValueError, re.error) as error:  # pathspec's GitIgnorePatternError is a ValueError
            self._problem(line, _reason(error), invalid=True)
            return None
        if expression is None or include is None:
            return None  # a blank line or a comment
        try:
            program = _Program(expression)
            if program.cheap:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return pathspec.RegexPattern(re.compile(expression), include)
            engine: _Engine = program
        except _Unsupported:
            try:
                engine = _Fallback(expression)
            except regex.error as error:
                self._problem(line, _reason(error), invalid=True)
                return None
        except re.error as error:
            self._problem(line, _reason(error), invalid=True)
            return None
        searcher = _Searcher(engine, lambda reason: self._problem(line, reason))
        return pathspec.RegexPattern(cast(Any, searcher), include)

    def _problem(self, pattern: str, reason: str, invalid: bool = False) -> None:
        self.problems.append(PatternProblem(pattern, self.source, reason, invalid))


def _reason(error: Exception) -> str:
    if isinstance(error, re.error | regex.error):
        detail = str(getattr(error, "msg", error))  # not the position in the translation
    else:
        detail = str(error.__cause__ or error)  # pathspec wraps the reason it found
    return (
        f"it is not a valid pattern ({detail.strip()})"
        if detail.strip()
        else "it is not a valid pattern"
    )


#: The pattern class GitIgnoreSpec uses (GitIgnoreSpecPattern, or GitWildMatchPattern in 0.12).
_PATTERN_TYPE: Any = type(pathspec.GitIgnoreSpec.from_lines(["x"]).patterns[0])


def _translate(line: str) -> tuple[str | None, bool | None]:
    """pathspec's regular expression for one gitignore line, and whether it includes."""
    translate = cast(
        Callable[[str], tuple[str | None, bool | None]], _PATTERN_TYPE.pattern_to_regex
    )
    return translate(line)


def _gitignore_spec(patterns: list[pathspec.RegexPattern]) -> Any:
    """A GitIgnoreSpec over ready-made patterns, on pathspec's plain Python backend (the
    one that calls each pattern's `search`; pathspec 0.12 has no other)."""
    try:
        return pathspec.GitIgnoreSpec(cast(Any, patterns), backend="simple")
    except TypeError:  # pragma: no cover - pathspec 0.12 takes no backend
        return pathspec.GitIgnoreSpec(cast(Any, patterns))


class _Overrun(Exception):
    """A search needed more than its budget."""


class _Engine(Protocol):
    expression: str

    def search(self, text: str) -> Any: ...


class _Searcher:
    """What pathspec takes for a compiled regular expression: an engine, dropped (and
    reported once through `report`) when a search runs over its budget."""

    def __init__(self, engine: _Engine, report: Callable[[str], None]) -> None:
        self._engine = engine
        self._report = report
        self.pattern = engine.expression
        self.dropped = False

    def search(self, text: str) -> Any:
        if self.dropped:
            return None
        try:
            return self._engine.search(text)
        except _Overrun as overrun:
            self.dropped = True
            self._report(str(overrun))
            return None

    def match(self, text: str) -> Any:
        """`re.match`: the leftmost match, if it starts where the text does."""
        found = self.search(text)
        return found if found is not None and found.start() == 0 else None


class _Fallback:
    """Syntax the engine below does not know: the `regex` package, with a time budget."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self._compiled = regex.compile(expression)

    def search(self, text: str) -> Any:
        try:
            return self._compiled.search(text, timeout=TIME_BUDGET)
        except TimeoutError:
            raise _Overrun(
                f"matching it against {_shown(text)} took more than {TIME_BUDGET:g} s"
            ) from None


# The engine. pathspec's expressions use a small part of the syntax: literals (escaped
# as re.escape escapes them), `.`, bracket classes, `^`, `$`, groups `(?:...)` and
# `(?P<name>...)`, alternation, and the greedy quantifiers `*`, `+` and `?`. They are
# parsed into a tree, compiled into instructions, and run by backtracking in `re`'s
# order of preference, remembering every (instruction, position) pair already tried: a
# pair reached again failed the first time (or the search would have ended), and what
# follows it does not depend on how it was reached (there are no back-references), so
# it is not tried again. That is the "bit-state" backtracker of RE2.

_Node = tuple[Any, ...]

_LITERAL, _ANY, _NOT_SLASH, _CLASS, _SPLIT, _JUMP, _START, _END, _SAVE, _MATCH = range(10)


class _Unsupported(Exception):
    """Syntax outside the part of the language pathspec's expressions use."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.names: list[str] = []

    def parse(self) -> _Node:
        node = self._alternation()
        if self.pos != len(self.text):
            raise _Unsupported(self.text)
        return node

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _alternation(self) -> _Node:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def _sequence(self) -> _Node:
        items: list[_Node] = []
        while self._peek() not in ("", "|", ")"):
            items.append(self._quantified(self._atom()))
        return ("seq", items)

    def _quantified(self, atom: _Node) -> _Node:
        quantifier = self._peek()
        if quantifier == "{":
            raise _Unsupported(self.text)
        if quantifier not in ("*", "+", "?"):
            return atom
        self.pos += 1
        if self._peek() in ("*", "+", "?", "{") or atom[0] in ("start", "end"):
            raise _Unsupported(self.text)  # lazy, possessive, or nothing to repeat
        low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[quantifier]
        return ("repeat", atom, low, high)

    def _atom(self) -> _Node:
        char = self.text[self.pos]
        self.pos += 1
        if char == "(":
            return self._group()
        if char == "[":
            return self._class()
        if char == ".":
            return ("any",)
        if char == "^":
            return ("start",)
        if char == "$":
            return ("end",)
        if char == "\\":
            escaped = self._peek()
            if not escaped or (escaped.isascii() and escaped.isalnum()):
                raise _Unsupported(self.text)  # \d, \b, \1 ...: never in pathspec's output
            self.pos += 1
            return ("literal", escaped)
        if char in "*+?{":
            raise _Unsupported(self.text)
        return ("literal", char)

    def _group(self) -> _Node:
        name: str | None = None
        if self.text.startswith("?:", self.pos):
            self.pos += 2
        elif self.text.startswith("?P<", self.pos):
            close = self.text.find(">", self.pos)
            name = self.text[self.pos + 3 : close]
            if close < 0 or not name.isidentifier() or name in self.names:
                raise _Unsupported(self.text)
            self.pos = close + 1
            self.names.append(name)
        elif self._peek() == "?":
            raise _Unsupported(self.text)  # look-arounds, flags, conditionals
        inner = self._alternation()
        if self._peek() != ")":
            raise _Unsupported(self.text)
        self.pos += 1
        return ("group", name, inner)

    def _class(self) -> _Node:
        """A bracket class, which `re` itself decides: only where it ends is found here."""
        start = self.pos - 1
        end = self.pos
        if self.text.startswith("^", end):
            end += 1
        if self.text.startswith("]", end):
            end += 1  # a `]` first in the class is a literal
        while end < len(self.text) and self.text[end] != "]":
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise re.error("unterminated character set", self.text, start)
        self.pos = end + 1
        source = self.text[start : self.pos]
        if source == "[^/]":
            return ("not-slash",)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Possible nested set": `[` is a literal here
            return ("class", re.compile(source).match)


class _Program:
    """One expression compiled to instructions, searched in linear time."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        parser = _Parser(expression)
        tree = parser.parse()
        self.names = parser.names
        self.code: list[list[Any]] = []
        self._emit(tree)
        self.code.append([_MATCH])
        items = tree[1] if tree[0] == "seq" else [tree]
        self.anchored = bool(items) and items[0][0] == "start"
        #: Literal runs every match contains: a path without one of them is not searched.
        self.required = tuple(run for run in _required(tree) if run)
        #: `re` may run it: its backtracking is bounded (see _repetitions).
        cross, within, choices = _repetitions(tree)
        self.cheap = cross <= 1 and within <= 2 and choices <= 3
        self.cheap &= self.anchored or cross + within == 0

    def _emit(self, node: _Node) -> None:
        code = self.code
        kind = node[0]
        if kind == "literal":
            code.append([_LITERAL, node[1]])
        elif kind == "any":
            code.append([_ANY])
        elif kind == "not-slash":
            code.append([_NOT_SLASH])
        elif kind == "class":
            code.append([_CLASS, node[1]])
        elif kind == "start":
            code.append([_START])
        elif kind == "end":
            code.append([_END])
        elif kind == "seq":
            for item in node[1]:
                self._emit(item)
        elif kind == "group":
            if node[1] is None:
                self._emit(node[2])
            else:
                slot = 2 * self.names.index(node[1])
                code.append([_SAVE, slot])
                self._emit(node[2])
                code.append([_SAVE, slot + 1])
        elif kind == "alt":
            jumps = []
            for branch in node[1][:-1]:
                split = [_SPLIT, len(code) + 1, 0]
                code.append(split)
                self._emit(branch)
                jumps.append([_JUMP, 0])
                code.append(jumps[-1])
                split[2] = len(code)
            self._emit(node[1][-1])
            for jump in jumps:
                jump[1] = len(code)
        else:
            self._emit_repeat(node[1], node[2], node[3])

    def _emit_repeat(self, atom: _Node, low: int, high: int | None) -> None:
        code = self.code
        if (low, high) == (0, 1):
            split = [_SPLIT, len(code) + 1, 0]
            code.append(split)
            self._emit(atom)
            split[2] = len(code)
        elif (low, high) == (0, None):
            loop = len(code)
            split = [_SPLIT, loop + 1, 0]
            code.append(split)
            self._emit(atom)
            code.append([_JUMP, loop])
            split[2] = len(code)
        else:  # one or more
            body = len(code)
            self._emit(atom)
            code.append([_SPLIT, body, len(code) + 1])

    def search(self, text: str) -> _Match | None:
        if not all(run in text for run in self.required):
            return None
        code = self.code
        size = len(text)
        width = size + 1
        seen: set[int] = set()
        budget = STEP_BUDGET
        empty = (-1,) * (2 * len(self.names))
        for first in range(1 if self.anchored else width):
            stack: list[tuple[int, int, tuple[int, ...]]] = [(0, first, empty)]
            while stack:
                pc, pos, saved = stack.pop()
                while True:
                    state = pc * width + pos
                    if state in seen:
                        break
                    seen.add(state)
                    budget -= 1
                    if budget < 0:
                        raise _Overrun(
                            f"matching it against {_shown(text)} took more than "
                            f"{STEP_BUDGET:,} steps"
                        )
                    op = code[pc]
                    kind = op[0]
                    if kind == _LITERAL:
                        if pos < size and text[pos] == op[1]:
                            pc += 1
                            pos += 1
                            continue
                        break
                    if kind == _NOT_SLASH:
                        if pos < size and text[pos] != "/":
                            pc += 1
                            pos += 1
                            continue
                        break
                    if kind == _ANY:
                        if pos < size and text[pos] != "\n":
                            pc += 1
                            pos += 1
                            continue
                        break
                    if kind == _CLASS:
                        if pos < size and op[1](text[pos]):
                            pc += 1
                            pos += 1
                            continue
                        break
                    if kind == _SPLIT:
                        stack.append((op[2], pos, saved))
                        pc = op[1]
                    elif kind == _JUMP:
                        pc = op[1]
                    elif kind == _START:
                        if pos != 0:
                            break
                        pc += 1
                    elif kind == _END:  # as `re` has it: at the end, or before a final newline
                        if pos != size and not (pos == size - 1 and text[pos] == "\n"):
                            break
                        pc += 1
                    elif kind == _SAVE:
                        slot = op[1]
                        saved = (*saved[:slot], pos, *saved[slot + 1 :])
                        pc += 1
                    else:
                        return _Match(text, first, pos, self.names, saved)
        return None


def _repetitions(node: _Node) -> tuple[int, int, int]:
    """Unbounded repetitions that can cross a `/`, those that cannot, and other choice
    points (optional parts, alternatives).

    Backtracking tries every way of splitting the path between unbounded repetitions.
    One that cannot cross a `/` spans at most one segment (255 characters on common file
    systems), and the literal `/`s between segments pin the others; so with at most one
    repetition that can cross and two that cannot, in an expression anchored at the
    start, `re` takes at most about (path length) x (segment length) steps: the shape of
    nearly every real pattern (`*.pyc`, `build/`, `data/**/*.csv`). Anything more is
    left to the engine here."""
    kind = node[0]
    if kind in ("seq", "alt"):
        cross = within = 0
        choices = len(node[1]) - 1 if kind == "alt" else 0
        for item in node[1]:
            more = _repetitions(item)
            cross, within, choices = cross + more[0], within + more[1], choices + more[2]
        return cross, within, choices
    if kind == "group":
        return _repetitions(node[2])
    if kind == "repeat":
        cross, within, choices = _repetitions(node[1])
        if node[3] is not None:
            return cross, within, choices + 1
        if _may_match_slash(node[1]):
            return cross + 1, within, choices
        return cross, within + 1, choices
    return 0, 0, 0


def _may_match_slash(node: _Node) -> bool:
    kind = node[0]
    if kind == "literal":
        return bool(node[1] == "/")
    if kind == "class":
        return node[1]("/") is not None
    return bool(kind != "not-slash")


def _required(node: _Node) -> list[str]:
    """Runs of literal text that every match of `node` contains, in order."""
    kind = node[0]
    if kind == "literal":
        return [node[1]]
    if kind == "seq":
        runs = [""]
        for item in node[1]:
            if item[0] == "literal":
                runs[-1] += item[1]
            else:
                inner = _required(item)
                runs += [*inner, ""] if inner else [""]
        return runs
    if kind == "group":
        return _required(node[2])
    if kind == "repeat" and node[2] >= 1:
        return _required(node[1])
    return []


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{text[:60]!r}... ({len(text):,} characters)"


class _Match:
    """The little of `re.Match` that pathspec reads."""

    def __init__(
        self, text: str, start: int, end: int, names: list[str], saved: tuple[int, ...]
    ) -> None:
        self.string = text
        self._span = (start, end)
        self._groups = {
            name: text[saved[2 * i] : saved[2 * i + 1]]
            if saved[2 * i] >= 0 and saved[2 * i + 1] >= 0
            else None
            for i, name in enumerate(names)
        }

    def groupdict(self) -> dict[str, str | None]:
        return dict(self._groups)

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError(index)
        return self.string[self._span[0] : self._span[1]]

    def span(self) -> tuple[int, int]:
        return self._span

    def start(self) -> int:
        return self._span[0]

    def end(self) -> int:
        return self._span[1]
