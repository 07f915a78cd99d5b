"""GitLab Code Quality report: the JSON array GitLab's merge-request widget reads.

GitLab shows each entry in the merge request (new and resolved ones against the target
branch) and in the pipeline's Code Quality tab. An entry needs a description, a check
name, a fingerprint unique in the report, a severity (`info`, `minor`, `major`,
`critical`, `blocker`) and a path relative to the repository's root with a line, as in
GitLab's "Code Quality report format". The paths and the place of repository-wide
findings (line 1 of the README, else another top-level file) are those of the SARIF
output, and the fingerprint is readycheck's own, which ignores line numbers: a finding
moved by an edit is not reported as fixed and new again. Suppressed findings are left
out, as GitLab would show them as open. Each entry names readycheck as its `engine_name`
(a field of the Code Climate issue format GitLab's follows), which is also how a later
scan of the same folder knows the file for one of readycheck's own reports.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck.model import Finding, Report, RuleResult, Severity
from readycheck.renderers.sarif import source_root

#: readycheck's severities on GitLab's scale (whose top, `blocker`, is left unused: a
#: readiness finding asks for work, it does not stop the code from running).
SEVERITIES = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "major",
    Severity.MEDIUM: "minor",
    Severity.LOW: "info",
}
#: GitLab shows the description on one line: longer text is cut.
DESCRIPTION_LIMIT = 300


def to_list(report: Report) -> list[dict[str, Any]]:
    """One entry per unsuppressed finding that has a file to point at."""
    _root, prefix = source_root(report.target.path)
    return [
        entry
        for result in report.results
        for finding in result.findings
        if finding.suppression is None
        and (entry := _entry(result, finding, prefix, report.target.anchor)) is not None
    ]


def render(report: Report) -> str:
    return json.dumps(to_list(report), indent=2, ensure_ascii=False) + "\n"


def _entry(
    result: RuleResult, finding: Finding, prefix: str, anchor: str | None
) -> dict[str, Any] | None:
    rule = result.rule
    location = finding.location
    path = location.path if location is not None else anchor
    if path is None:
        return None  # GitLab needs a file; the terminal and JSON reports still list it
    line = location.physical_line if location is not None else None
    where = ""
    if location is not None and location.cell is not None:
        where = f" (notebook cell {location.cell})"
    description = f"{rule.id}: {finding.message or rule.problem}{where}"
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "…"
    return {
        "engine_name": "readycheck",  # first: how a later scan tells the file is ours
        "type": "issue",
        "check_name": rule.id,
        "description": description,
        "content": {
            "body": f"{' '.join(rule.why.split())}\n\nHow to fix: {' '.join(rule.fix.split())}"
        },
        "categories": [rule.pillar.value],
        "severity": SEVERITIES[rule.severity],
        "fingerprint": finding.fingerprint or f"{rule.id}:{path}:{line or 1}",
        "location": {"path": prefix + path, "lines": {"begin": max(line or 1, 1)}},
    }
