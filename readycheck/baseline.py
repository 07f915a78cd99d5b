"""Baselines: today's findings recorded by fingerprint, so a gate fails only on new ones.

A fingerprint hashes the rule, the path and the normalised offending text, not
the line, so the baseline survives unrelated edits and line shifts. Entries
that no longer match a finding are reported as fixed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.errors import ConfigError
from readycheck.model import Report, RuleResult

BASELINE_VERSION = 1
DEFAULT_NAME = ".readycheck-baseline.json"
#: Far above any real baseline; a repository's config may name the file, so never read more.
MAX_BASELINE_SIZE = 64 * 1024 * 1024


def to_json(report: Report) -> str:
    """The baseline file for a report: every finding that is not already suppressed."""
    entries = [
        {
            "fingerprint": finding.fingerprint,
            "rule_id": finding.rule_id,
            "path": finding.location.path if finding.location else None,
            "message": finding.message,
        }
        for finding in report.findings
        if finding.suppression is None
    ]
    entries.sort(key=lambda e: (e["rule_id"], e["path"] or "", e["fingerprint"]))
    document = {
        "readycheck_baseline": BASELINE_VERSION,
        "tool_version": __version__,
        "rulebook_version": report.rulebook_version,
        "created_at": report.scanned_at,
        "findings": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> dict[str, dict[str, Any]]:
    """Fingerprint -> entry. A missing or malformed file is a configuration error (exit 2)."""
    try:
        if path.exists() and not path.is_file():
            raise ConfigError("the baseline is not a regular file", path=str(path))
        if path.exists() and path.stat().st_size > MAX_BASELINE_SIZE:
            raise ConfigError(
                f"the baseline is larger than {MAX_BASELINE_SIZE:,} bytes; is it the right file?",
                path=str(path),
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "baseline file not found; create it with `readycheck baseline create`", path=str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read baseline: {error}", path=str(path)) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"baseline is not valid JSON: {error.msg}", path=str(path), line=error.lineno
        ) from None
    except (ValueError, RecursionError) as error:  # 4,300-digit numbers, absurd nesting
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(f"baseline is not valid JSON: {reason}", path=str(path)) from None
    if not isinstance(data, dict) or data.get("readycheck_baseline") != BASELINE_VERSION:
        raise ConfigError(
            "not a readycheck baseline (expected `readycheck_baseline: 1`)",
            path=str(path),
            field="readycheck_baseline",
        )
    findings = data.get("findings")
    if not isinstance(findings, list) or not all(isinstance(f, dict) and isinstance(f.get("fingerprint"), str)
                                                 for f in findings):  # fmt: skip
        raise ConfigError(
            "`findings` must be a list of entries with a fingerprint",
            path=str(path),
            field="findings",
        )
    return {entry["fingerprint"]: entry for entry in findings}


def mark(
    results: Iterable[RuleResult], known: dict[str, dict[str, Any]]
) -> tuple[list[RuleResult], list[str]]:
    """Flag findings already in the baseline; return the descriptions of baseline entries fixed since."""
    seen: set[str] = set()
    updated = []
    for result in results:
        findings = []
        for finding in result.findings:
            if finding.fingerprint in known:
                seen.add(finding.fingerprint)
                finding = dataclasses.replace(finding, in_baseline=True)
            findings.append(finding)
        updated.append(dataclasses.replace(result, findings=tuple(findings)))
    fixed = sorted(
        f"{entry.get('rule_id', '?')} {entry.get('path') or '(repository)'}: {entry.get('message', '')}"
        for fingerprint, entry in known.items()
        if fingerprint not in seen
    )
    return updated, fixed
