"""Regular expressions from rulebooks and configs, matched under a time budget.

A rule's pattern is written by whoever owns the rulebook or config, but it runs
over text from the scanned repository, which may be built to make it
backtrack for hours: `(a|aa)+$` against a long line of `a`s is enough. The
standard `re` module cannot be interrupted, so these patterns are compiled
with the `regex` package (the same syntax, plus a `timeout` argument). A
pattern gets FILE_BUDGET seconds per file; when it runs out, matching stops
with PatternTimeout and the rule is reported as an error instead of hanging
the scan. readycheck's own constant patterns keep using `re`; the rulebook
checks at load time, with this same engine, that every pattern compiles.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import regex

from readycheck.detectors.base import RuleError

#: Seconds one pattern may spend on one file, all its searches together.
FILE_BUDGET = 2.0

#: Patterns that already ran out of time in this process: later files fail at once
#: rather than spend the budget again, so a bad pattern costs a scan seconds, not hours.
_timed_out: set[tuple[str, bool]] = set()


class PatternTimeout(RuleError):
    """A rule's regular expression ran out of its time budget on a file."""

    def __init__(self, pattern: str) -> None:
        super().__init__(
            f"regular expression {pattern!r} ran out of its {FILE_BUDGET:g}-second budget, "
            "most likely by catastrophic backtracking (nested or overlapping repetition such as "
            "(a|aa)+): simplify it"
        )


def check(pattern: str) -> str | None:
    """Why `pattern` cannot be compiled, or None when it can."""
    try:
        compiled(pattern)
    except regex.error as error:
        return str(error)
    return None


@lru_cache(maxsize=1024)
def compiled(
    pattern: str, ignore_case: bool = False, multiline: bool = False
) -> regex.Pattern[str]:
    flags = (regex.IGNORECASE if ignore_case else 0) | (regex.MULTILINE if multiline else 0)
    return regex.compile(pattern, flags)


class Matcher:
    """One pattern's searches over one file, sharing the file's time budget."""

    def __init__(self, pattern: str, ignore_case: bool = False, multiline: bool = False) -> None:
        self.pattern = pattern
        self._key = (pattern, ignore_case)
        if self._key in _timed_out:
            raise PatternTimeout(pattern)
        self.regex = compiled(pattern, ignore_case, multiline)
        self._deadline = time.monotonic() + FILE_BUDGET
        # A timeout costs about a microsecond a call, more than most searches; files repeat
        # lines and names a lot, so each distinct text is matched once.
        self._seen: dict[tuple[bool, str], regex.Match[str] | None] = {}

    def search(self, text: str) -> regex.Match[str] | None:
        return self._run(self.regex.search, False, text)

    def fullmatch(self, text: str) -> regex.Match[str] | None:
        return self._run(self.regex.fullmatch, True, text)

    def _run(
        self, method: Callable[..., regex.Match[str] | None], full: bool, text: str
    ) -> regex.Match[str] | None:
        key = (full, text)
        if key in self._seen:
            return self._seen[key]
        remaining = self._deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            found = self._seen[key] = method(text, timeout=remaining)
        except TimeoutError:
            _timed_out.add(self._key)
            raise PatternTimeout(self.pattern) from None
        return found


_SRE_PARSER: Any = importlib.import_module("re._parser")
_SRE_CONSTANTS: Any = importlib.import_module("re._constants")
#: Syntax only the `regex` engine gives a meaning, where `re` might read literal text.
_REGEX_ONLY = regex.compile(r"\{[edis][<=,}]|\(\?[a-zA-Z]*[Vfr]|\\L<")
#: Literals shorter than this are too common to rule a text out.
_MIN_LITERAL = 3
#: At most this many strings stand for one run of literals and small character classes.
_MAX_EXPANSION = 16


@lru_cache(maxsize=1024)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings (casefolded) at least one of which occurs, casefolded, in any text the
    pattern matches; None when the pattern tells no such string.

    A search over a whole file costs a third of a second for a complex pattern on 5 MB of
    YAML; `literal in text` costs a millisecond. So a text that holds none of these
    strings is known not to match without running the pattern. The strings come from
    the pattern's own parse (the standard library's, which reads the syntax rulebooks
    use): runs of literal characters in sequence, through groups and repetitions that
    must occur at least once, and an alternation only when every branch yields one.
    Comparing casefolded text with casefolded strings keeps the test sound whatever the
    pattern's case flags. A pattern only the `regex` engine reads gets None."""
    if _REGEX_ONLY.search(pattern):
        return None  # fuzzy matching, version 1 sets, named lists: `re` would misread them
    try:
        parsed = _sre_parse(pattern)
    except Exception:  # regex-only syntax, or anything re cannot read
        return None
    return _alternatives(list(parsed))


def folded(text: str) -> str:
    """`text` as required_literals' strings are compared with it: casefolded, with the
    dotted capital I (which a case-insensitive `i` matches, but which folds to i and a
    combining dot) and the dotless i read as `i`."""
    if text.isascii():
        return text.lower()
    return text.casefold().replace("\u0307", "").replace("\u0131", "i")


def _sre_parse(pattern: str) -> Any:
    """The syntax tree `re` itself builds (its parser is internal and has no type stubs)."""
    return _SRE_PARSER.parse(pattern)


def _small_set(items: list[tuple[Any, Any]]) -> list[str] | None:
    """The characters of a character class made only of a few literals (`[pousr]`),
    or None for a range, a category or a negated class."""
    if len(items) > _MAX_EXPANSION or any(op is not _SRE_CONSTANTS.LITERAL for op, _ in items):
        return None
    return [chr(av) for _, av in items]


def _alternatives(items: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    """The most selective set of required strings of one sequence of parsed items."""
    c = _SRE_CONSTANTS
    candidates: list[tuple[str, ...]] = []
    #: The literal run being read, as every string it can be: a small set of characters
    #: (`gh[pousr]_`) multiplies it rather than ending it.
    run: list[str] = [""]

    def flush() -> None:
        if min(map(len, run)) >= _MIN_LITERAL:
            candidates.append(tuple(dict.fromkeys(text.casefold() for text in run)))
        run[:] = [""]

    for op, av in items:
        if op is c.LITERAL:
            run[:] = [text + chr(av) for text in run]
            continue
        choices = _small_set(av) if op is c.IN else None
        if choices and len(run) * len(choices) <= _MAX_EXPANSION:
            run[:] = [text + choice for text in run for choice in choices]
            continue
        flush()
        inner: tuple[str, ...] | None = None
        if op is c.SUBPATTERN:
            inner = _alternatives(list(av[-1]))
        elif op is c.BRANCH:
            branches = [_alternatives(list(branch)) for branch in av[1]]
            if branches and all(branches):
                inner = tuple(s for branch in branches if branch for s in branch)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = _alternatives(list(av[2]))
        elif op is c.ATOMIC_GROUP:
            inner = _alternatives(list(av))
        if inner:
            candidates.append(inner)
    flush()
    if not candidates:
        return None
    # the set whose least selective string is longest: the fewest texts pass it
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))
