"""Parsers: bytes from the scanned repository in, plain structures out.

Nothing here imports, executes or evaluates what it reads. Each parser raises
`ParseError` with a reason a person can act on; the workspace turns it into a
scan warning and the scan goes on.
"""

from __future__ import annotations


class ParseError(Exception):
    """A file could not be read as what its name says it is."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        return f"{self.reason} (line {self.line})" if self.line else self.reason
