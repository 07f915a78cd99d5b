"""Regular expressions over the text of files, notebooks cell by cell."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile, clip, mask_secret

_MAX_LINE = 2000  # minified or generated lines are not worth a regex pass


@dataclass(frozen=True)
class PatternParams:
    pattern: str = field(metadata=REGEX)
    #: What a match is, in words, for the report: "AWS access key", "absolute path".
    label: str = "matching text"
    ignore_case: bool = False
    #: Hide what the pattern matched (or its `secret` group) in the report: for credentials.
    mask: bool = False
    max_matches: int = 20


_TOKEN = re.compile(r"[A-Za-z0-9/+=_\-]{16,}")


def mask_tokens(text: str) -> str:
    """Mask the credential-looking tokens of a match (long, with a digit), keeping the
    words around them (`AWS_SECRET_ACCESS_KEY = "wJal********"`) readable."""
    masked = _TOKEN.sub(
        lambda m: mask_secret(m.group(0)) if any(c.isdigit() for c in m.group(0)) else m.group(0),
        text,
    )
    return masked if masked != text else mask_secret(text)


def _lines(source: SourceFile) -> Iterator[tuple[Location, str]]:
    """Every line of text in a file; for notebooks, cell sources and outputs."""
    if source.kind is FileKind.NOTEBOOK:
        notebook = source.notebook
        if notebook is None:
            return
        for cell in notebook.cells:
            for number, line in enumerate(cell.source.split("\n"), start=1):
                yield notebook.location(source.path, cell.number, number), line
            for output in cell.outputs:
                for line in output.text.split("\n"):
                    yield notebook.location(source.path, cell.number, None), line
        return
    for number, line in enumerate(source.lines, start=1):
        yield Location(source.path, number), line


@file_detector(*FileKind, params=PatternParams)
def text_pattern(source: SourceFile, params: PatternParams) -> Iterator[Evidence]:
    """Lines of text matching a regular expression (in notebooks, cell sources and outputs)."""
    regex = Matcher(params.pattern, params.ignore_case)
    found = 0
    for location, line in _lines(source):
        match = regex.search(line[:_MAX_LINE])
        if not match:
            continue
        snippet = clip(line)
        if params.mask:
            secret = match.group("secret") if "secret" in match.re.groupindex else match.group(0)
            snippet = clip(line.replace(secret, mask_tokens(secret)))
        where = " in a cell output" if location.line is None else ""
        yield Evidence(location, f"{params.label}{where}", snippet)
        found += 1
        if found >= params.max_matches:
            return
