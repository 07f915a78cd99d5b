"""The words every output uses for a verdict, from one table.

A rule's status (pass, partial, fail, ...) reads differently for a practice and for a
hazard: a practice that passes was *seen*, a hazard that passes was *not found*, and
only the first earns points. Renderers ask `verdict(result)` and loop over `VERDICTS`
instead of naming statuses themselves, so the terminal, HTML, Markdown and JUnit
reports count and name the same things.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from readycheck.model import Basis, RuleResult, RuleType, Status


class Verdict(enum.Enum):
    SEEN = "seen"
    PARTLY_SEEN = "partly_seen"
    MISSING = "missing"
    BLOCKED = "blocked"
    RISK = "risk"
    RISK_OUTSIDE = "risk_outside"
    CLEAR = "clear"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


@dataclass(frozen=True)
class Words:
    label: str  # a table column or tally
    phrase: str  # in a sentence: "3 practices seen"
    to_act: bool  # the user has something to do


VERDICTS: dict[Verdict, Words] = {
    Verdict.SEEN: Words("seen", "seen", False),
    Verdict.PARTLY_SEEN: Words("part", "partly seen", True),
    Verdict.MISSING: Words("miss", "missing", True),
    Verdict.BLOCKED: Words("blocked", "blocked", True),
    Verdict.RISK: Words("risk", "risks found", True),
    Verdict.RISK_OUTSIDE: Words("risk*", "risks found outside production code", True),
    Verdict.CLEAR: Words("clear", "risks looked for and not found", False),
    Verdict.NOT_APPLICABLE: Words("n/a", "not applicable", False),
    Verdict.ERROR: Words("error", "could not be checked", False),
}


def verdict(result: RuleResult) -> Verdict:
    """What a result says, in the one vocabulary every output uses."""
    if result.status is Status.NOT_APPLICABLE:
        return Verdict.NOT_APPLICABLE
    if result.status is Status.ERROR:
        return Verdict.ERROR
    if result.rule.type is RuleType.HAZARD:
        return {
            Status.FAIL: Verdict.RISK,
            Status.PARTIAL: Verdict.RISK_OUTSIDE,
        }.get(result.status, Verdict.CLEAR)
    if result.basis is Basis.BLOCKED:
        return Verdict.BLOCKED
    return {Status.PASS: Verdict.SEEN, Status.PARTIAL: Verdict.PARTLY_SEEN}.get(
        result.status, Verdict.MISSING
    )


def counts(results: Iterable[RuleResult]) -> dict[Verdict, int]:
    found = Counter(verdict(r) for r in results)
    return {v: found.get(v, 0) for v in Verdict}


#: The columns of every per-pillar table (terminal, Markdown, HTML tally): a blocked
#: practice is counted as missing and a risk outside production code as a risk, and the
#: line `summary` writes says how many of the missing ones are blocked.
TABLE_COLUMNS = (
    Verdict.SEEN,
    Verdict.PARTLY_SEEN,
    Verdict.MISSING,
    Verdict.RISK,
    Verdict.NOT_APPLICABLE,
)


def table_counts(results: Iterable[RuleResult]) -> dict[Verdict, int]:
    """The counts for TABLE_COLUMNS: each rule in exactly one column."""
    tally = counts(results)
    tally[Verdict.MISSING] += tally.pop(Verdict.BLOCKED)
    tally[Verdict.RISK] += tally.pop(Verdict.RISK_OUTSIDE)
    return {column: tally[column] for column in TABLE_COLUMNS}


def summary(results: Iterable[RuleResult]) -> str:
    """One line for the end of a report: what was judged and how it came out."""
    items = list(results)
    tally = counts(items)
    practices = sum(1 for r in items if r.rule.type is RuleType.PRACTICE)
    shown = [
        f"{tally[v]} {VERDICTS[v].phrase}"
        for v in (Verdict.SEEN, Verdict.PARTLY_SEEN, Verdict.MISSING, Verdict.BLOCKED)
        if tally[v] or v is not Verdict.BLOCKED
    ]
    risks = tally[Verdict.RISK] + tally[Verdict.RISK_OUTSIDE]
    return (
        f"{len(items)} rules: {practices} practices ({', '.join(shown)}), "
        f"{risks} risks found, {tally[Verdict.NOT_APPLICABLE]} not applicable"
    )
