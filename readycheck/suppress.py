"""Suppressions an auditor can trust: each names its rules, gives a reason, may expire.

Inline, on the offending line or alone on the line above it, in any file with
`#` comments (Python, notebook cells, Dockerfiles, YAML, requirements):

    model = joblib.load(path)  # readycheck: ignore[RC-SEC-002] signed artefact, checksum verified

or in the config (`suppressions:`), by rule and optional path pattern. A
suppression without a reason, for an unknown rule, past its `until:` date, or
that matches no finding does not hide anything silently: it becomes a scan
warning. Suppressed findings stay in every report, marked with their reason;
only the gate and SARIF leave them out.

An expiry date is read strictly: `until: YYYY-MM-DD` (or `until YYYY-MM-DD`),
a real calendar date. Anything else written there (`until: 2026-1-5`,
`until: 99999-01-01`, `until: 2099-02-30`) is not folded into the reason, which
would make the suppression permanent: inline, the suppression does not apply
and a warning names the file and line; in the config, it is a config error
(exit 2, file:line), as every other malformed field there is. A suppression's
`path` is a gitignore pattern matched by readycheck.pathmatch, so it cannot hang
the scan either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from readycheck.config import ConfigSuppression
from readycheck.errors import ConfigError
from readycheck.model import FileKind, Finding, Location, RuleResult, ScanWarning, Suppression
from readycheck.pathmatch import PathPatterns
from readycheck.workspace import SourceFile

_INLINE = re.compile(r"#\s*readycheck:\s*ignore\[(?P<ids>[^\]]*)\](?P<rest>.*)$", re.IGNORECASE)
#: An expiry clause, whatever date it holds: `until:` or `until=` and what follows, or
#: `until` and a word that starts with a digit ("until we migrate" is part of a reason).
_UNTIL = re.compile(
    r"\(?\s*\buntil\b(?:\s*[:=]\s*|\s+(?=[0-9]))(?P<date>[^\s),;]*)\s*\)?", re.IGNORECASE
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class InlineSuppression:
    location: Location  # where the comment is written
    rules: tuple[str, ...]
    reason: str
    until: str | None  # as written: a date only if parse_until reads it
    target_line: int  # the line it applies to: its own, or the next code line if it stands alone


def _parse(line: str) -> tuple[tuple[str, ...], str, str | None] | None:
    if "readycheck" not in line:
        return None
    match = _INLINE.search(line)
    if not match:
        return None
    rules = tuple(r.strip().upper() for r in match.group("ids").split(",") if r.strip())
    rest = match.group("rest")
    until = _UNTIL.search(rest)
    reason = re.sub(r" {2,}", " ", _UNTIL.sub(" ", rest)).strip(" -:;,\t")
    return rules, reason, until.group("date").rstrip(".") if until else None


def parse_until(text: str) -> dt.date | None:
    """An expiry date written YYYY-MM-DD that is a real calendar date; None for anything
    else (a missing zero, a five-digit year, February 30th)."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None


def _scan_lines(
    lines: Sequence[str], comments: dict[int, str] | None = None
) -> Iterator[tuple[int, tuple[str, ...], str, str | None, int]]:
    """(line, rules, reason, until, target line) for each suppression comment.

    `comments` maps line numbers to the comment on that line (from the tokenizer, for
    Python); without it, a comment is a `#` at the start of a line or after a space,
    outside quotes. Either way a suppression is read from comments only, never from a
    string or prose that happens to mention one."""
    found = comments if comments is not None else _hash_comments(lines)
    for number, comment in sorted(found.items()):
        parsed = _parse(comment)
        if parsed is None:
            continue
        index = number - 1
        target = number
        if lines[index].lstrip().startswith("#"):  # alone on its line: the next code line
            for following in range(index + 1, len(lines)):
                if lines[following].strip() and not lines[following].lstrip().startswith("#"):
                    target = following + 1
                    break
        yield number, *parsed, target


def _hash_comments(lines: Sequence[str]) -> dict[int, str]:
    """The `#` comment of each line of a YAML, Dockerfile, requirements or TOML file."""
    comments = {}
    for number, line in enumerate(lines, start=1):
        if "readycheck" not in line:
            continue
        quote: str | None = None
        for position, char in enumerate(line):
            if quote is not None:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == "#" and (position == 0 or line[position - 1].isspace()):
                comments[number] = line[position:]
                break
    return comments


def _python_comments(text: str) -> dict[int, str] | None:
    """The comment on each line of Python source, from the tokenizer (None if it cannot
    read the source: the caller then falls back to reading `#` outside quotes)."""
    comments = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and "readycheck" in token.string:
                comments[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return comments


def inline_suppressions(source: SourceFile) -> list[InlineSuppression]:
    """Every `# readycheck: ignore[...]` comment in a file (notebooks: in code cells).
    Markdown and JSON have no comments, so nothing in them suppresses anything."""
    if source.text is None or "readycheck" not in source.text:
        return []
    if source.kind in (FileKind.MARKDOWN, FileKind.JSON):
        return []
    found = []
    if source.kind is FileKind.NOTEBOOK:
        notebook = source.notebook
        for cell in notebook.code_cells if notebook else ():
            lines = cell.source.split("\n")
            comments = _python_comments(cell.source)
            for line, rules, reason, until, target in _scan_lines(lines, comments):
                assert notebook is not None
                location = notebook.location(source.path, cell.number, line)
                found.append(InlineSuppression(location, rules, reason, until, target))
        return found
    comments = _python_comments(source.text) if source.kind is FileKind.PYTHON else None
    for line, rules, reason, until, target in _scan_lines(source.lines, comments):
        found.append(InlineSuppression(Location(source.path, line), rules, reason, until, target))
    return found


@dataclass
class _Candidate:
    """A suppression being applied, and whether it matched anything."""

    suppression: Suppression
    rules: tuple[str, ...]
    inline: InlineSuppression | None = None
    config: ConfigSuppression | None = None
    spec: PathPatterns | None = None
    #: The scanned folder below the config's folder, which the spec's patterns start from.
    base: str = ""
    used: bool = False

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id not in self.rules:
            return False
        if self.inline is not None:
            where = finding.location
            return (
                where is not None
                and where.path == self.inline.location.path
                and where.cell == self.inline.location.cell
                and where.line == self.inline.target_line
            )
        if self.spec is None:
            return True
        if finding.location is None:
            return False
        path = finding.location.path
        return self.spec.match(f"{self.base}/{path}" if self.base else path)


def apply(
    results: Iterable[RuleResult],
    inline: Iterable[InlineSuppression],
    configured: Iterable[ConfigSuppression],
    known_rules: set[str],
    config_path: str | None,
    config_base: str = "",
    today: dt.date | None = None,
) -> tuple[list[RuleResult], list[ScanWarning]]:
    """Mark suppressed findings, and report every suppression that cannot be trusted.
    A config suppression's `path` is relative to the config's folder, which is
    `config_base` above the scanned folder. Raises ConfigError for a config suppression
    whose `until` is not a real date or whose `path` is not a pattern."""
    today = today or dt.date.today()
    warnings: list[ScanWarning] = []
    candidates: list[_Candidate] = []

    def admit(
        rules: tuple[str, ...],
        reason: str,
        until: str | None,
        where: str,
        path: str | None,
        entry: tuple[int, ConfigSuppression] | None = None,
    ) -> bool:
        unknown = [r for r in rules if r not in known_rules]
        if unknown:
            warnings.append(
                ScanWarning(
                    "suppression-unknown-rule",
                    f"{where} names unknown rule {', '.join(unknown)}",
                    path,
                )
            )
        if not rules:
            warnings.append(
                ScanWarning("suppression-no-rule", f"{where} names no rule; it is ignored", path)
            )
            return False
        if not reason:
            warnings.append(
                ScanWarning(
                    "suppression-no-reason", f"{where} gives no reason, so it is ignored", path
                )
            )
            return False
        if until is None:
            return True
        date = parse_until(until)
        if date is None:
            if entry is not None:
                index, item = entry
                raise ConfigError(
                    f"{until!r} is not a date: write YYYY-MM-DD, a real calendar date",
                    path=config_path,
                    line=item.line,
                    field=f"suppressions[{index}].until",
                )
            warnings.append(
                ScanWarning(
                    "suppression-bad-date",
                    f"{where} has the expiry date {until!r}, which is not a real YYYY-MM-DD "
                    "date, so it is ignored",
                    path,
                )
            )
            return False
        if date < today:
            warnings.append(
                ScanWarning(
                    "suppression-expired", f"{where} expired on {until} and no longer applies", path
                )
            )
            return False
        return True

    for item in inline:
        where = f"suppression at {item.location}"
        if admit(item.rules, item.reason, item.until, where, item.location.path):
            supp = Suppression(item.reason, "inline", item.location, item.until)
            candidates.append(_Candidate(supp, item.rules, inline=item))
    for index, entry in enumerate(configured):
        where = f"config suppression of {entry.rule}" + (
            f" (line {entry.line})" if entry.line else ""
        )
        if admit((entry.rule,), entry.reason, entry.until, where, config_path, (index, entry)):
            location = Location(config_path, entry.line) if config_path else None
            spec = _path_patterns(entry, index, config_path)
            supp = Suppression(entry.reason, "config", location, entry.until)
            candidates.append(
                _Candidate(supp, (entry.rule,), config=entry, spec=spec, base=config_base)
            )

    updated = []
    for result in results:
        findings = []
        for finding in result.findings:
            match = next((c for c in candidates if c.matches(finding)), None)
            if match is not None:
                match.used = True
                finding = dataclasses.replace(finding, suppression=match.suppression)
            findings.append(finding)
        updated.append(dataclasses.replace(result, findings=tuple(findings)))

    for candidate in candidates:
        if candidate.spec is not None:
            warnings += [
                ScanWarning("pattern-dropped", problem.message, config_path)
                for problem in candidate.spec.problems
            ]
        if not candidate.used and all(r in known_rules for r in candidate.rules):
            written = candidate.suppression.location
            warnings.append(ScanWarning(
                "suppression-unused",
                f"suppression of {', '.join(candidate.rules)} at {written} matches no finding; remove it",
                written.path if written else None,
            ))  # fmt: skip
    return updated, warnings


def _path_patterns(
    entry: ConfigSuppression, index: int, config_path: str | None
) -> PathPatterns | None:
    """A config suppression's `path`, or None when it has none (it applies everywhere)."""
    if not entry.path:
        return None
    field = f"suppressions[{index}].path"
    patterns = PathPatterns([entry.path], f"{config_path or 'the config file'} ({field})")
    for problem in patterns.problems:
        if problem.invalid:
            raise ConfigError(
                f"{entry.path!r}: {problem.reason}", path=config_path, line=entry.line, field=field
            )
    return patterns
