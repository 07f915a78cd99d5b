"""The CI gate: pure functions from a report and thresholds to pass or fail, with reasons.

Score thresholds (`--fail-under`, `--min-pillar`) judge the whole repository.
`--fail-on` judges findings that can gate: not suppressed, not in the
baseline, and, for diff-aware scans, on a changed line. `--fail-on-weaker-gate`
judges the change itself: a diff-aware scan whose change lowers a threshold,
disables a rule or adds suppressions fails.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from readycheck.model import GateResult, Pillar, Report, Severity
from readycheck.score import fmt_score


@dataclass(frozen=True)
class GateOptions:
    fail_under: float | None = None
    fail_on: Severity | None = None
    min_pillar: dict[Pillar, float] = field(default_factory=dict)
    #: Fail when a diff-aware scan's change weakens its own gate (see policy.py).
    fail_on_weaker_gate: bool = False

    @property
    def active(self) -> bool:
        return (
            self.fail_under is not None
            or self.fail_on is not None
            or bool(self.min_pillar)
            or self.fail_on_weaker_gate
        )


def evaluate(report: Report, options: GateOptions) -> GateResult:
    reasons: list[str] = []
    checked: list[str] = []
    if options.fail_under is not None:
        checked.append(f"score ≥ {options.fail_under:g}")
        if report.score < options.fail_under:
            reasons.append(f"score {fmt_score(report.score)} is under {options.fail_under:g}")
    for pillar, minimum in sorted(
        options.min_pillar.items(), key=lambda item: list(Pillar).index(item[0])
    ):
        score = next(p.score for p in report.pillars if p.pillar is pillar)
        checked.append(f"{pillar.short.lower()} ≥ {minimum:g}")
        if score is not None and score < minimum:
            reasons.append(f"{pillar.title} {fmt_score(score)} is under its minimum {minimum:g}")
    if options.fail_on is not None:
        checked.append(f"no new {options.fail_on.value}+ findings")
        threshold = options.fail_on.rank
        counts: Counter[str] = Counter()
        for result in report.results:
            if result.rule.severity.rank < threshold:
                continue
            for finding in result.findings:
                if finding.gating:
                    counts[result.rule.id] += 1
        if counts:
            total = sum(counts.values())
            listed = ", ".join(
                f"{rule} ({n})" if n > 1 else rule for rule, n in sorted(counts.items())
            )
            reasons.append(
                f"{total} finding{'s' if total > 1 else ''} at or above {options.fail_on.value}: {listed}"
            )
    if options.fail_on_weaker_gate:
        checked.append("the change does not weaken the gate")
        weaker = [change.text for change in report.policy_changes if change.weakens]
        if weaker:
            reasons.append(f"the change weakens its own gate: {'; '.join(weaker)}")
    return GateResult(not reasons, tuple(reasons), tuple(checked), options.fail_on)
