"""Scoring: pure functions from rule results to pillar scores, the overall score and a level.

The formula (also in the README):

* A rule earns its weight times 1 (pass), 0.5 (partial) or 0 (fail): the ML
  Test Score's full and half point. Not-applicable and errored rules are left
  out of both sums; they never count as a pass or a fail.
* A pillar's score is 100 x earned / possible over its applicable rules, or
  none when no rule applies.
* The overall score is the mean of the pillar scores that exist, the five
  pillars and engineering hygiene counting equally.
* The readiness level needs both a high enough overall score and a high
  enough *weakest* pillar: like the ML Test Score, which takes the minimum
  over its sections, a great story in four pillars cannot hide a missing fifth.
* A rule's gain is how many overall points fixing it would add, exactly,
  since pillars are independent: weight x (1 - earned) / possible x 100 / pillars.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readycheck.model import Level, Pillar, PillarScore, RuleResult, Status


@dataclass(frozen=True)
class LevelBand:
    level: Level
    min_overall: float
    min_weakest: float


LEVEL_BANDS = (
    LevelBand(Level("production_ready", "Production-ready", 4,
                    "Every pillar is covered well enough to take production traffic."), 80, 60),
    LevelBand(Level("pre_production", "Pre-production", 3,
                    "Close: the remaining gaps should be fixed before real traffic."), 60, 40),
    LevelBand(Level("pilot", "Pilot", 2,
                    "Some foundations are in place, but serious gaps remain."), 35, 15),
    LevelBand(Level("prototype", "Prototype", 1,
                    "A demo: most production practices are missing."), 0, 0),
)  # fmt: skip


def pillar_scores(results: Iterable[RuleResult]) -> tuple[PillarScore, ...]:
    """One score per pillar, in the pillars' canonical order."""
    by_pillar: dict[Pillar, list[RuleResult]] = {pillar: [] for pillar in Pillar}
    for result in results:
        by_pillar[result.rule.pillar].append(result)
    scores = []
    for pillar, items in by_pillar.items():
        earned = possible = 0.0
        for result in items:
            value = result.status.value_earned
            if value is not None:
                earned += result.rule.weight * value
                possible += result.rule.weight
        counts = Counter(result.status for result in items)
        score = round(100 * earned / possible, 1) if possible else None
        scores.append(PillarScore(pillar, score, earned, possible, dict(counts)))
    return tuple(scores)


def overall_score(pillars: Sequence[PillarScore]) -> float:
    scored = [p.score for p in pillars if p.score is not None]
    return round(sum(scored) / len(scored), 1) if scored else 0.0


def weakest(pillars: Sequence[PillarScore]) -> PillarScore | None:
    scored = [p for p in pillars if p.score is not None]
    return min(scored, key=lambda p: (p.score, list(Pillar).index(p.pillar))) if scored else None


def readiness(overall: float, pillars: Sequence[PillarScore]) -> tuple[Level, Pillar | None]:
    """The level, and the pillar that held it down when the overall score alone would allow more."""
    low = weakest(pillars)
    low_score = low.score if low and low.score is not None else 0.0
    by_overall = next(b for b in LEVEL_BANDS if overall >= b.min_overall)
    actual = next(b for b in LEVEL_BANDS if overall >= b.min_overall and low_score >= b.min_weakest)
    capped_by = low.pillar if low and actual.level.rank < by_overall.level.rank else None
    return actual.level, capped_by


def gain(result: RuleResult, pillars: Sequence[PillarScore]) -> float:
    """Overall points earned by making this rule pass."""
    value = result.status.value_earned
    if value is None or value >= 1:
        return 0.0
    pillar = next(p for p in pillars if p.pillar is result.rule.pillar)
    scored = sum(1 for p in pillars if p.score is not None)
    if not pillar.possible or not scored:
        return 0.0
    weight: float = result.rule.weight
    return round(100 * weight * (1 - value) / pillar.possible / scored, 1)


def status_counts(results: Iterable[RuleResult]) -> dict[Status, int]:
    counts = Counter(result.status for result in results)
    return {status: counts.get(status, 0) for status in Status}


def top_actions(results: Iterable[RuleResult], limit: int = 5) -> list[RuleResult]:
    """The rules whose fix would raise the overall score most, biggest gain first.

    Ties go to the more severe rule, then to the rule id, so the order is stable.
    """
    candidates = [r for r in results if r.gain > 0 and r.status in (Status.FAIL, Status.PARTIAL)]
    candidates.sort(key=lambda r: (-r.gain, -r.rule.severity.rank, r.rule.id))
    return candidates[:limit]
