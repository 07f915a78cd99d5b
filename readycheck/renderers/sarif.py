"""SARIF 2.1.0 for GitHub code scanning: every evaluated rule, and every open finding.

The file is shaped by what GitHub does with it, within what the OASIS schema allows:

- suppressed findings are left out, because GitHub ignores SARIF suppressions and
  would show them as open alerts; baseline findings stay, marked `unchanged`;
- GitHub drops a result with no location, so a repository-wide finding ("no
  Dockerfile") points at line 1 of a real file of the scanned tree, README first;
- paths are relative to the top of the git repository (`%SRCROOT%`), also when a
  sub-folder was scanned, since that is how GitHub finds the file;
- the first sentence of each message is the alert's title, and each result carries
  readycheck's stable fingerprint so alerts survive edits that move them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from readycheck import PROJECT_URL, RULES_URL
from readycheck.model import (
    Finding,
    Location,
    Pillar,
    Reference,
    Report,
    RuleResult,
    ScanWarning,
    Severity,
    Status,
)
from readycheck.rulesdoc import rule_anchor

if TYPE_CHECKING:
    from readycheck.model import Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = PROJECT_URL
SOURCE_ROOT = "%SRCROOT%"
#: partialFingerprints key: bump the version if fingerprints.py ever changes its recipe.
FINGERPRINT_KEY = "readycheck/v1"
#: GitHub shows only this much of a rule's short and full description.
DESCRIPTION_LIMIT = 1024
#: GitHub keeps only the first ten tags of a rule.
TAG_LIMIT = 10

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
#: GitHub's security severity score (0-10) behind its critical/high/medium/low labels.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def source_root(target_path: str) -> tuple[Path, str]:
    """The folder SARIF paths are relative to (the top of the git repository holding the
    scanned folder, else the scanned folder), and the scanned folder's prefix within it.

    Looking for `.git` on disk keeps this a function of the report's target: GitHub
    resolves paths from the repository root, whatever folder was scanned.
    """
    try:
        scanned = Path(target_path).resolve()
    except (OSError, RuntimeError):
        return Path(target_path), ""
    for candidate in (scanned, *scanned.parents):
        if (candidate / ".git").exists():
            inner = scanned.relative_to(candidate).as_posix()
            return candidate, "" if inner == "." else inner + "/"
    return scanned, ""


def to_dict(report: Report) -> dict[str, Any]:
    _root, prefix = source_root(report.target.path)
    baseline_used = bool(report.fixed) or any(f.in_baseline for f in report.findings)
    results = [
        _result(result, index, finding, prefix, report.target.anchor, baseline_used)
        for index, result in enumerate(report.results)
        for finding in result.findings
        if finding.suppression is None
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "readycheck",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(result) for result in report.results],
                        "properties": {"rulebookVersion": report.rulebook_version},
                    }
                },
                "automationDetails": {"id": "readycheck/"},
                # No absolute uri: the machine that ran the scan is nobody else's business,
                # and consumers (GitHub code scanning) resolve paths against the checkout.
                "originalUriBaseIds": {
                    SOURCE_ROOT: {
                        "description": {
                            "text": "The top of the git repository that holds the scanned "
                            "folder (the scanned folder itself outside git)."
                        },
                    }
                },
                "invocations": [_invocation(report, prefix)],
                "results": results,
                "properties": {
                    "score": report.score,
                    "level": report.level.id,
                    "scannedFolder": prefix or ".",
                },
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _rule(result: RuleResult) -> dict[str, Any]:
    rule: Rule = result.rule
    why, fix = _text(rule.why), _text(rule.fix)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(
            word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", rule.title)
        ),
        "shortDescription": {"text": _clip(rule.title)},
        "fullDescription": {"text": _clip(f"{_text(rule.problem)} {why}")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "help": {
            "text": _help_text(why, fix, rule.references),
            "markdown": _help_markdown(rule, why, fix),
        },
    }
    # readycheck's own page for the rule; the third-party references are in the help text
    descriptor["helpUri"] = f"{RULES_URL}#{rule_anchor(rule)}"
    properties: dict[str, Any] = {
        "tags": _tags(rule.pillar, rule.tags),
        "precision": rule.confidence.value,
        "pillar": rule.pillar.value,
        "severity": rule.severity.value,
    }
    if rule.pillar is Pillar.SECURITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor["properties"] = properties
    return descriptor


def _tags(pillar: Pillar, extra: tuple[str, ...]) -> list[str]:
    """`security` first for security rules: GitHub reads security-severity only on those."""
    tags = ["security"] if pillar is Pillar.SECURITY else []
    tags += ["readycheck", pillar.value.replace("_", "-"), *extra]
    return list(dict.fromkeys(tags))[:TAG_LIMIT]


def _help_text(why: str, fix: str, references: tuple[Reference, ...]) -> str:
    text = f"Why it matters: {why}\n\nHow to fix it: {fix}"
    if references:
        text += "\n\nReferences:\n" + "\n".join(
            f"- {ref.title}: {ref.url}" if ref.url else f"- {ref.title}" for ref in references
        )
    return text


def _help_markdown(rule: Rule, why: str, fix: str) -> str:
    lines = [
        f"*{rule.pillar.title}* · severity **{rule.severity.value}** · "
        f"confidence {rule.confidence.value}",
        "",
        f"**Why it matters.** {why}",
        "",
        f"**How to fix it.** {fix}",
    ]
    if rule.references:
        lines += ["", "**References**", ""]
        lines += [
            f"- [{ref.title}]({ref.url})" if ref.url else f"- {ref.title}"
            for ref in rule.references
        ]
    return "\n".join(lines)


def _result(
    result: RuleResult,
    index: int,
    finding: Finding,
    prefix: str,
    anchor: str | None,
    baseline_used: bool,
) -> dict[str, Any]:
    rule = result.rule
    location = finding.location
    path = location.path if location is not None else anchor
    notes = []
    if location is not None and location.cell is not None:
        where = f"cell {location.cell}" + (f", line {location.line}" if location.line else "")
        notes.append(f"In notebook {where}.")
    if location is None and anchor is not None:
        notes.append(f"This concerns the whole repository; it is shown on {anchor}.")
    if location is None and result.applies_because:
        reasons = "; ".join(
            seen.detail + (f" ({seen.location})" if seen.location else "")
            for seen in result.applies_because
        )
        notes.append(f"It applies because {reasons}.")
    message = " ".join([_title(finding.message, rule.problem), *notes, _text(rule.why)])
    data: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": index,
        "level": LEVELS[rule.severity],
        "message": {"text": message},
    }
    if path is not None:
        data["locations"] = [_location(prefix + path, location)]
    if finding.fingerprint:
        data["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if baseline_used:
        data["baselineState"] = "unchanged" if finding.in_baseline else "new"
    data["properties"] = {
        "pillar": rule.pillar.value,
        "severity": rule.severity.value,
        "status": result.status.value,
        "repositoryWide": location is None,
    }
    return data


def _location(path: str, location: Location | None) -> dict[str, Any]:
    line = location.physical_line if location is not None else None
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri(path), "uriBaseId": SOURCE_ROOT},
            "region": {"startLine": max(line or 1, 1)},
        }
    }


def uri(path: str) -> str:
    """A relative path as a URI reference: `%`, spaces, `:`, `#` and the like percent-encoded,
    so that no file name can read as a scheme, a query or a fragment."""
    return quote(path, safe="/")


def _title(message: str, problem: str) -> str:
    """A finding's message as one sentence that can stand as an alert's title.

    Located findings often say only what was seen ("calls joblib.load()"); the rule's
    problem in front of them says why that is an alert.
    """
    text = _text(message)
    if not (text[:1].isupper() and text.endswith(".")):
        text = f"{_text(problem).rstrip('.')}: {text}"
    return text if text.endswith((".", "!", "?")) else text + "."


def _invocation(report: Report, prefix: str) -> dict[str, Any]:
    notifications = [_notification(warning, prefix) for warning in report.warnings]
    notifications += [
        {
            "level": "error",
            "message": {
                "text": f"{r.rule.id} could not be evaluated: {r.reason or 'unknown error'}"
            },
            "associatedRule": {"id": r.rule.id, "index": index},
        }
        for index, r in enumerate(report.results)
        if r.status is Status.ERROR
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "endTimeUtc": report.scanned_at,
        "toolExecutionNotifications": notifications,
    }
    if report.gate is not None:
        invocation["properties"] = {
            "gate": {"passed": report.gate.passed, "reasons": list(report.gate.reasons)}
        }
    return invocation


def _notification(warning: ScanWarning, prefix: str) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "warning",
        "message": {"text": str(warning)},
        "descriptor": {"id": warning.code},
    }
    path = warning.path
    if path and _inside(path):
        notification["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(prefix + path), "uriBaseId": SOURCE_ROOT}
                }
            }
        ]
    return notification


def _inside(path: str) -> bool:
    """Whether a warning's path is one of the scanned tree's (not a config file elsewhere)."""
    absolute = PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()
    return not absolute and ".." not in PurePosixPath(path).parts


def _text(value: str) -> str:
    """Rulebook prose is folded YAML: one line, single spaces."""
    return " ".join(value.split())


def _clip(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
