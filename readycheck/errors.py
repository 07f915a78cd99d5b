"""Errors that stop a scan, each able to say which file, line and field is wrong.

Problems in the *scanned* repository never raise these: they become scan
warnings. These are for what the user controls (rulebook, config, options),
and the command line turns them into one readable message and exit code 2.
"""

from __future__ import annotations


class ReadycheckError(Exception):
    """A mistake the user can fix, located as precisely as we know."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class RulebookError(ReadycheckError):
    """The rulebook is not valid YAML, breaks its schema, or names unknown things."""


class ConfigError(ReadycheckError):
    """The configuration file or a command-line option is invalid."""
