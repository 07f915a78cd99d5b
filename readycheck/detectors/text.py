"""Regular expressions over the text of files, notebooks cell by cell."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import may_hold
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile, clip, mask_secret

_MAX_LINE = 2000  # minified or generated lines are not worth a regex pass
#: Files of no kind readycheck knows are read for configuration, infrastructure as code and
#: scripts (Terraform, Bicep, shell, Makefiles, .env, CDK code). Sources of other languages,
#: logs and data are not what any rule is about, and on a large repository they were most
#: of the text the patterns ran over.
_NOT_CONFIG = frozenset({
    ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".cu", ".cuh", ".rs", ".go",
    ".java", ".scala", ".kt", ".swift", ".m", ".mm", ".cs", ".r", ".jl", ".lua", ".pl",
    ".log", ".csv", ".tsv", ".jsonl", ".ndjson", ".svg", ".html", ".htm", ".css", ".map",
    ".lock", ".sum", ".po", ".pot", ".tex", ".bib", ".vtt", ".srt",
})  # fmt: skip
#: A file of no known kind above this size is data, not configuration.
_MAX_OTHER = 512 * 1024


@dataclass(frozen=True)
class PatternParams:
    pattern: str = field(metadata=REGEX)
    #: What a match is, in words, for the report: "AWS access key", "absolute path".
    label: str = "matching text"
    ignore_case: bool = False
    #: Hide what the pattern matched (or its `secret` group) in the report: for credentials.
    mask: bool = False
    max_matches: int = 20
    #: A match whose `secret` group (or whole text) this matches is not one: documented
    #: example keys (`AKIAIOSFODNN7EXAMPLE`), made-up tokens (`ghp_0123456789abcdef...`).
    #: A filter on the match, not a lookahead, so it costs nothing on lines that do not match.
    unless_match: str | None = field(default=None, metadata=REGEX)
    #: A match whose `secret` group (or whole text) matches `header` counts only when what
    #: follows it on the line, or the next line, matches `body`: a PEM private-key header
    #: is a key only with its key material after it, not alone in a detector's test.
    header: str | None = field(default=None, metadata=REGEX)
    body: str | None = field(default=None, metadata=REGEX)
    #: A file whose text matches this (`^`, `$` at line ends) gives no match at all: a
    #: setting its own file switches off (`statsd_host = localhost` beside `statsd_on = False`).
    unless_file: str | None = field(default=None, metadata=REGEX)


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


def _may_match(source: SourceFile, params: PatternParams) -> bool:
    """One search of the whole text (`^` and `$` at line ends) before a search per line:
    most files match none of a rule's patterns, and a line can match only if the text
    does. A match across lines lets the line-by-line search decide."""
    if source.kind is FileKind.OTHER and (
        PurePosixPath(source.path.lower()).suffix in _NOT_CONFIG or source.entry.size > _MAX_OTHER
    ):
        return False
    notebook = source.kind is FileKind.NOTEBOOK
    text = "\n".join(line for _, line in _lines(source)) if notebook else source.text or ""
    if not may_hold(source, params.pattern, text if notebook else None):
        return False  # none of the strings every match holds: no need to search
    if Matcher(params.pattern, params.ignore_case, multiline=True).search(text) is None:
        return False
    return (
        params.unless_file is None
        or Matcher(params.unless_file, multiline=True).search(text) is None
    )


def _matched(match: Any) -> str:
    """What a match is about: its `secret` group when the pattern names one, else all of it."""
    found = match.group("secret") if "secret" in match.re.groupindex else match.group(0)
    return found or ""


def _first_match(regex: Matcher, unless: Matcher | None, line: str) -> Any:
    """The first match in `line` that `unless` does not rule out."""
    start = 0
    while start <= len(line):
        match = regex.search(line[start:])
        if match is None:
            return None
        if unless is None or not unless.search(_matched(match)):
            return match
        start += max(match.end(), 1)
    return None


#: File kinds whose comments start with `#` on their own line.
_HASH_COMMENTED = frozenset({FileKind.YAML, FileKind.TOML, FileKind.DOCKERFILE})


@file_detector(*FileKind, params=PatternParams)
def text_pattern(source: SourceFile, params: PatternParams) -> Iterator[Evidence]:
    """Lines of text matching a regular expression (in notebooks, cell sources and outputs)."""
    if not _may_match(source, params):
        return
    regex = Matcher(params.pattern, params.ignore_case)
    unless = Matcher(params.unless_match) if params.unless_match else None
    header = Matcher(params.header) if params.header else None
    body = Matcher(params.body) if params.body else None
    found = 0
    # A commented-out line of YAML, TOML or a Dockerfile configures nothing (an annotation
    # left as an example); a pattern written to match a comment (`^#\s*syntax=`) still may.
    skip_comments = source.kind in _HASH_COMMENTED and not params.pattern.lstrip("^").startswith(
        ("#", "\\#")
    )
    # each line with the two after it, read lazily: a key's material may follow its
    # header, and a Markdown heading's paragraph follows a blank line
    lines, ahead, further = itertools.tee(_lines(source), 3)
    next(ahead, None)
    next(further, None)
    next(further, None)
    padding = [(None, ""), (None, "")]
    following = itertools.chain(ahead, padding)
    then = itertools.chain(further, padding)
    for (location, line), (_, next_line), (_, line_after) in zip(
        lines, following, then, strict=False
    ):
        if skip_comments and line.lstrip().startswith("#"):
            continue
        match = _first_match(regex, unless, line[:_MAX_LINE])
        if not match:
            continue
        if header is not None and body is not None and header.search(_matched(match)):
            after = line[match.end() : _MAX_LINE]
            below = next_line if next_line.strip() else line_after
            if not (body.search(after) or body.search(below[:_MAX_LINE])):
                continue
        snippet = clip(line)
        if params.mask:
            secret = _matched(match)
            snippet = clip(line.replace(secret, mask_tokens(secret)))
        where = " in a cell output" if location.line is None else ""
        yield Evidence(location, f"{params.label}{where}", snippet)
        found += 1
        if found >= params.max_matches:
            return


@dataclass(frozen=True)
class ScalingBoundsParams:
    #: Names of an upper bound on instances (`autoscaling_maximum_target`, `max_capacity`);
    #: the lower bound is the same name with `max` read as `min`.
    pattern: str = field(metadata=REGEX)
    label: str = "autoscaling bounds"


_ASSIGNED_NUMBER = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)\s*=\s*(?P<value>\d+)\s*(?:#.*)?$")
_MAX_WORD = re.compile(r"(?i)max(imum)?")


def _lower_bound_name(name: str) -> str:
    return _MAX_WORD.sub(lambda m: "min" + ("imum" if m.group(1) else ""), name, count=1)


@file_detector(FileKind.OTHER, params=ScalingBoundsParams)
def scaling_bounds(source: SourceFile, params: ScalingBoundsParams) -> Iterator[Evidence]:
    """Upper bounds on instances above one, and above their block's lower bound, in HCL
    (Terraform) blocks: `autoscaling_maximum_target = 10` lets a service scale, while a
    maximum equal to its minimum (`3` and `3`) pins its size."""
    upper = Matcher(params.pattern)
    if source.entry.size > _MAX_OTHER or "max" not in (source.text or "").lower():
        return
    depth = 0
    bounds: dict[str, tuple[int, int]] = {}  # name -> (value, line) in the current top block

    def scaling() -> Iterator[Evidence]:
        for name, (value, line) in bounds.items():
            if value < 2 or not upper.search(name):
                continue
            lower = bounds.get(_lower_bound_name(name))
            if lower is not None and lower[0] >= value:
                continue
            yield Evidence(Location(source.path, line), params.label, clip(source.lines[line - 1]))

    for number, line in enumerate(source.lines, start=1):
        code = line.split("#", 1)[0]
        assigned = _ASSIGNED_NUMBER.match(code)
        if assigned is not None:
            bounds[assigned.group("name")] = (int(assigned.group("value")), number)
        depth += code.count("{") - code.count("}")
        if depth <= 0:
            yield from scaling()
            bounds.clear()
            depth = 0
    yield from scaling()
