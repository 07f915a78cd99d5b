"""A kind's own checklist, read from the rule results.

The ML Test Score (mltestscore.py) judges classic ML: features, training, model
staleness. An LLM application has none of those and needs other things (evaluations,
guardrails, approval before an agent acts), so the rulebook can give a kind its own
checklist, and a report of that kind shows it instead. Each item is met when every
rule mapped to it that applies passes, partly met when some evidence is missing or
partial, missing when no evidence is there or a hazard behind it is present, and not
applicable when no rule applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from readycheck.model import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    KindVerdict,
    RuleResult,
    RuleType,
    Status,
    with_article,
)
from readycheck.rulebook import ChecklistEntry, ChecklistSpec


def _status(entry: ChecklistEntry, by_id: dict[str, RuleResult]) -> str:
    applicable = [
        by_id[rule_id]
        for rule_id in entry.rules
        if rule_id in by_id and by_id[rule_id].status is not Status.NOT_APPLICABLE
    ]
    if not applicable:
        return "not_applicable"
    if any(r.rule.type is RuleType.HAZARD and r.status is Status.FAIL for r in applicable):
        return "missing"  # a hazard that is present is not half of a safeguard
    statuses = [result.status for result in applicable]
    if all(status is Status.PASS for status in statuses):
        return "met"
    if any(status in (Status.PASS, Status.PARTIAL) for status in statuses):
        return "partly"
    return "missing"


def evaluate(spec: ChecklistSpec, results: Iterable[RuleResult], kind: KindVerdict) -> Checklist:
    """The checklist with each item's standing, and why this checklist was chosen."""
    by_id = {result.rule.id: result for result in results}
    sections = tuple(
        ChecklistSection(
            name,
            tuple(
                ChecklistItem(entry.id, entry.title, _status(entry, by_id), entry.rules)
                for entry in entries
            ),
        )
        for name, entries in spec.sections
    )
    reason = (
        f"shown instead of the ML Test Score because the repository is "
        f"{'declared' if kind.declared else 'recognised as'} {with_article(kind.title)}"
    )
    return Checklist(spec.id, spec.name, spec.reference, reason, sections)
