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

import time
from collections.abc import Callable
from functools import lru_cache

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
