"""Stable fingerprints of findings: the same problem keeps the same fingerprint when
unrelated edits move it to another line.

A fingerprint hashes the rule, the file and the offending text with its
whitespace normalised, never the line number. Two identical offending lines in
one file are told apart by their order (`…:2`), so a baseline can count them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable

from readycheck.model import Finding


def normalise(text: str) -> str:
    return " ".join(text.split())


def base_fingerprint(finding: Finding) -> str:
    path = finding.location.path if finding.location else ""
    content = normalise(finding.snippet) or normalise(finding.message)
    digest = hashlib.sha256(f"{finding.rule_id}\0{path}\0{content}".encode()).hexdigest()
    return digest[:20]


def assign(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings with their fingerprints set, occurrences numbered in order."""
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        base = base_fingerprint(finding)
        seen[base] += 1
        fingerprint = base if seen[base] == 1 else f"{base}:{seen[base]}"
        result.append(dataclasses.replace(finding, fingerprint=fingerprint))
    return result
