"""GitHub Actions workflow commands: an annotation on the pull request for each finding
that can fail the gate.

Only gating findings are annotated (not suppressed, not in the baseline, on a
changed line for `--since` scans), most severe first, because GitHub shows only
the first few annotations of each kind per step. Paths are relative to the top
of the git repository, as the runner expects. Everything interpolated is escaped
the way GitHub's own toolkit does, so a file name or message holding `%`, a
newline, `:` or `,` can neither break the command nor start another one.

Everything else readycheck prints in a workflow run (the terminal or Markdown report,
which quote file names and code from the repository) goes between `stop_commands()`'s
two lines, so that none of its lines is read as a command.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from readycheck.model import Finding, PolicyChange, Report, RuleResult, Severity
from readycheck.renderers.markup import visible
from readycheck.renderers.sarif import source_root

COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
}


def escape_data(text: str) -> str:
    """The message after `::` (actions/toolkit `escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property (actions/toolkit `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + listed if listed else ''}::{escape_data(message)}"


def stop_commands() -> tuple[str, str]:
    """The lines to print before and after text the runner must not obey: a line of the
    text that starts with `::` (or holds `##[`) is then shown, not run. The runner
    resumes only at `::TOKEN::`, and the token is random, so the text cannot end the
    block early. GitHub's documented `stop-commands` mechanism."""
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n", f"::{token}::\n"


def render(report: Report) -> str:
    """The gate's verdict, the findings that can fail it, and what the change does to its
    own gate. With `--fail-on`, a finding below that severity cannot fail the gate and is
    not annotated, and one at or above it is an error, whatever its own severity: the
    annotations say exactly what the gate says."""
    root, prefix = source_root(report.target.path)
    lines = []
    gate = report.gate
    if gate is not None and not gate.passed:
        lines.append(command("error", {"title": "readycheck gate failed"}, "\n".join(gate.reasons)))
    gating = [(r, f) for r in report.results for f in r.findings if f.gating]
    threshold = gate.fail_on if gate is not None else None
    if threshold is not None:
        gating = [(r, f) for r, f in gating if r.rule.severity.rank >= threshold.rank]
    gating.sort(key=lambda pair: -pair[0].rule.severity.rank)
    lines += [
        _annotation(result, finding, prefix, "error" if threshold is not None else None)
        for result, finding in gating
    ]
    lines += [
        _policy_annotation(report, change, root)
        for change in report.policy_changes
        if change.weakens
    ]
    return "".join(line + "\n" for line in lines)


def _policy_annotation(report: Report, change: PolicyChange, root: Path) -> str:
    """A weakening of the gate, on the config file that holds it: an error when the gate
    fails on weakenings (`--fail-on-weaker-gate`), a warning otherwise."""
    failed = report.gate is not None and any(
        "weakens its own gate" in reason for reason in report.gate.reasons
    )
    properties = {"title": "readycheck: this change weakens its own gate"}
    if change.where and not change.where.startswith("inline"):
        with contextlib.suppress(ValueError, OSError):
            properties["file"] = visible(Path(change.where).resolve().relative_to(root).as_posix())
    return command("error" if failed else "warning", properties, visible(change.text))


def _annotation(result: RuleResult, finding: Finding, prefix: str, level: str | None) -> str:
    rule = result.rule
    properties: dict[str, str] = {}
    location = finding.location
    if location is not None:
        # Newlines survive (escaped, then decoded by the runner); other controls would act
        # on the log, so a path holding them is shown, not matched.
        properties["file"] = visible(prefix + location.path)
        if location.physical_line is not None:
            properties["line"] = str(location.physical_line)
    properties["title"] = visible(f"{rule.id} {rule.title}")
    where = f" (cell {location.cell})" if location is not None and location.cell else ""
    message = (
        f"{finding.message}{where}\n\n"
        f"Why: {' '.join(rule.why.split())}\n"
        f"Fix: {' '.join(rule.fix.split())}"
    )
    return command(level or COMMANDS[rule.severity], properties, visible(message))
