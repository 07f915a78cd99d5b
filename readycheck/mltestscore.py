"""The ML Test Score (Breck et al., IEEE Big Data 2017), estimated from static evidence.

The paper scores executed tests: half a point for a test run by hand with
results documented, a full point for one that runs automatically and
repeatedly; each of its four sections is summed and the final score is the
minimum of the sections. readycheck cannot watch a team work, so it reads
the evidence instead: a test earns a full point when the rules mapped to it
pass and the evidence is automated (CI or a schedule exists), half a point
when they pass without automation or only partly, or when the evidence is a
document (`by_hand`), and nothing when they fail. Tests with no static trace are "not verifiable" and earn nothing, so
the estimate is a floor, never an inflation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from readycheck.model import MLTestItem, MLTestScore, RuleResult, Status
from readycheck.rulebook import MLTestSpec

#: Table V of the paper: (upper bound of the score, interpretation).
BANDS = (
    (0.0, "More of a research project than a productionized system."),
    (
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious holes in reliability.",
    ),
    (
        2.0,
        "There's been first pass at basic productionization, but additional investment may be needed.",
    ),
    (
        3.0,
        "Reasonably tested, but it's possible that more of those tests and procedures may be automated.",
    ),
    (
        5.0,
        "Strong levels of automated testing and monitoring, appropriate for mission-critical systems.",
    ),
    (float("inf"), "Exceptional levels of automated testing and monitoring."),
)


def band(score: float) -> str:
    return next(text for limit, text in BANDS if score <= limit)


def estimate(
    spec: MLTestSpec, results: Iterable[RuleResult], facts: Mapping[str, bool]
) -> MLTestScore:
    by_id = {result.rule.id: result for result in results}
    automated = any(
        facts.get(name.lstrip("!"), False) != name.startswith("!") for name in spec.automated_when
    )
    sections = []
    for name, tests in spec.sections:
        items = tuple(
            _item(test.id, test.title, test.rules, test.note, by_id, automated and not test.by_hand)
            for test in tests
        )
        sections.append((name, sum(i.points or 0.0 for i in items), items))
    score = min(total for _name, total, _items in sections) if sections else 0.0
    return MLTestScore(tuple(sections), score, band(score))


def _item(
    test_id: str,
    title: str,
    rules: tuple[str, ...],
    note: str,
    results: Mapping[str, RuleResult],
    automated: bool,
) -> MLTestItem:
    judged = [
        results[r] for r in rules if r in results and results[r].status.value_earned is not None
    ]
    if not judged:
        reason = note or ("no static trace" if not rules else "its rules do not apply here")
        return MLTestItem(test_id, title, None, rules, f"not verifiable: {reason}")
    if any(r.status is Status.FAIL for r in judged):
        return MLTestItem(test_id, title, 0.0, rules, "evidence missing")
    if all(r.status is Status.PASS for r in judged) and automated:
        return MLTestItem(test_id, title, 1.0, rules, "evidence found, and it runs automatically")
    return MLTestItem(
        test_id, title, 0.5, rules, "evidence found, but not automated or only in part"
    )
