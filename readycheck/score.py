"""Scoring: pure functions from rule results to pillar scores, the overall score and a level.

Readiness is demonstrated practice (the README says the same in a few lines, and a test
keeps the two in step):

* A **practice** earns its weight times its credit: 1 when its evidence is seen in
  production code or configuration, 0.5 when only in a notebook, test, example or
  document, 0 when it is missing. Every pillar has core practices that apply to every
  repository of its kind, so a repository that has not started on a pillar scores 0
  there, never "not applicable".
* A **hazard** earns nothing when absent. When present it costs pillar points in
  proportion to the share of examined files it affects (density, not count, so size is
  not punished): `HAZARD_FACTOR x weight x density`, a quarter of that when it is seen
  only in tests, examples or documents. The gravest hazards also cap their pillar and
  the level while they are present. Suppressing a finding does not change this: an
  accepted risk is still a risk.
* A pillar scores `100 x earned / possible - penalties`, between 0 and its caps.
* The overall score is the mean of the six pillar scores.
* The level needs both the overall score and the weakest pillar to reach its band,
  and no hazard present may cap it lower.
* A finding's gain is how many overall points fixing it adds: the score recomputed with
  that rule passing, minus the score now.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readycheck.model import (
    Basis,
    Level,
    Pillar,
    PillarScore,
    RuleResult,
    RuleType,
    Severity,
    Status,
)

#: The share of a practice's weight each verdict earns: the ML Test Score's full and half point.
CREDIT: dict[Status, float] = {Status.PASS: 1.0, Status.PARTIAL: 0.5, Status.FAIL: 0.0}
#: The penalty (percent of a pillar's practice score) a hazard costs per point of its
#: weight when every examined file holds it: a critical hazard everywhere takes 40 %.
HAZARD_FACTOR = 4.0
#: The share of that penalty charged for a hazard seen only in tests, examples or documents.
WEAK_HAZARD_SHARE = 0.25
#: Statuses that mean a hazard is present (PARTIAL: only outside production code).
PRESENT: dict[Status, float] = {Status.FAIL: 1.0, Status.PARTIAL: WEAK_HAZARD_SHARE}


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
_LEVELS = {band.level.id: band.level for band in LEVEL_BANDS}


def is_practice(result: RuleResult) -> bool:
    return result.rule.type is RuleType.PRACTICE


def credit(result: RuleResult) -> float | None:
    """The share of a practice's weight it earns; None when it is not scored."""
    return CREDIT.get(result.status) if is_practice(result) else None


def penalty(result: RuleResult) -> float:
    """The penalty (percent) a hazard costs as it stands (0 for practices and absent hazards)."""
    if is_practice(result) or result.status not in PRESENT:
        return 0.0
    return HAZARD_FACTOR * result.rule.weight * result.density * PRESENT[result.status]


def caps_pillar(result: RuleResult) -> float | None:
    caps = result.rule.caps
    present = not is_practice(result) and result.status is Status.FAIL
    return caps.pillar if present and caps is not None else None


def caps_level(result: RuleResult) -> str | None:
    caps = result.rule.caps
    present = not is_practice(result) and result.status is Status.FAIL
    return caps.level if present and caps is not None else None


def pillar_scores(results: Iterable[RuleResult]) -> tuple[PillarScore, ...]:
    """One score per pillar, in the pillars' canonical order."""
    by_pillar: dict[Pillar, list[RuleResult]] = {pillar: [] for pillar in Pillar}
    for result in results:
        by_pillar[result.rule.pillar].append(result)
    scores = []
    for pillar, items in by_pillar.items():
        earned = possible = lost = 0.0
        caps: list[tuple[str, float]] = []
        for result in items:
            share = credit(result)
            if share is not None:
                earned += result.rule.weight * share
                possible += result.rule.weight
            lost += penalty(result)
            cap = caps_pillar(result)
            if cap is not None:
                caps.append((result.rule.id, cap))
        counts = Counter(result.status for result in items)
        score = None
        if possible:
            ceiling = min((cap for _, cap in caps), default=100.0)
            kept = 1 - min(100.0, lost) / 100
            score = round(min(ceiling, 100 * earned / possible * kept), 1)
        scores.append(
            PillarScore(pillar, score, earned, possible, dict(counts), round(lost, 1), tuple(caps))
        )
    return tuple(scores)


def overall_score(pillars: Sequence[PillarScore]) -> float:
    scored = [p.score for p in pillars if p.score is not None]
    return round(sum(scored) / len(scored), 1) if scored else 0.0


def weakest(pillars: Sequence[PillarScore]) -> PillarScore | None:
    scored = [p for p in pillars if p.score is not None]
    return min(scored, key=lambda p: (p.score, list(Pillar).index(p.pillar))) if scored else None


def readiness(
    overall: float, pillars: Sequence[PillarScore], results: Iterable[RuleResult] = ()
) -> tuple[Level, Pillar | None, tuple[str, ...]]:
    """The level; the pillar that held it down when the overall score alone would allow
    more; and the hazards present that cap it."""
    low = weakest(pillars)
    low_score = low.score if low and low.score is not None else 0.0
    by_overall = next(b for b in LEVEL_BANDS if overall >= b.min_overall)
    actual = next(b for b in LEVEL_BANDS if overall >= b.min_overall and low_score >= b.min_weakest)
    capped_by = low.pillar if low and actual.level.rank < by_overall.level.rank else None
    level = actual.level
    capping: list[str] = []
    for result in results:
        cap = caps_level(result)
        if cap is not None and _LEVELS[cap].rank < actual.level.rank:
            capping.append(result.rule.id)
            if _LEVELS[cap].rank < level.rank:
                level = _LEVELS[cap]
    return level, capped_by, tuple(sorted(capping))


def fixed(result: RuleResult) -> RuleResult:
    """The result as it would be once its finding is fixed: the practice seen, the hazard gone."""
    if is_practice(result):
        return dataclasses.replace(result, status=Status.PASS, basis=Basis.EVIDENCE)
    return dataclasses.replace(result, status=Status.PASS, basis=Basis.CLEAR, affected=0)


def gains(results: Sequence[RuleResult]) -> list[float]:
    """For each result, how many overall points fixing it adds, exactly: the score
    recomputed with it fixed (and everything else as it is), minus the score now. A
    blocked practice cannot be fixed on its own: its gain is 0, and the practice it
    needs carries the finding."""
    now = overall_score(pillar_scores(results))
    out = []
    for index, result in enumerate(results):
        if result.status not in (Status.FAIL, Status.PARTIAL) or result.basis is Basis.BLOCKED:
            out.append(0.0)
            continue
        changed = list(results)
        changed[index] = fixed(result)
        out.append(round(max(0.0, overall_score(pillar_scores(changed)) - now), 1))
    return out


def with_gains(results: Sequence[RuleResult]) -> list[RuleResult]:
    return [dataclasses.replace(r, gain=g) for r, g in zip(results, gains(results), strict=True)]


def fmt_score(value: float | None) -> str:
    """A score as every output and the gate show it: the one decimal it is computed to,
    without a trailing `.0` (so the gate's "51.6 is under 52" and the table agree)."""
    if value is None:
        return "n/a"
    return f"{value:.1f}".removesuffix(".0")


def status_counts(results: Iterable[RuleResult]) -> dict[Status, int]:
    counts = Counter(result.status for result in results)
    return {status: counts.get(status, 0) for status in Status}


def biggest_gain_first(result: RuleResult) -> tuple[float, int, str]:
    """The order every output lists findings in: biggest gain, then most severe, then id."""
    return (-result.gain, -result.rule.severity.rank, result.rule.id)


def top_actions(results: Iterable[RuleResult], limit: int = 5) -> list[RuleResult]:
    """The rules whose fix would raise the overall score most, biggest gain first.

    Ties go to the more severe rule, then to the rule id, so the order is stable.
    """
    candidates = [r for r in results if r.gain > 0 and r.status in (Status.FAIL, Status.PARTIAL)]
    candidates.sort(key=biggest_gain_first)
    return candidates[:limit]


def hazard_points(severity: Severity) -> float:
    """The penalty (percent) a hazard of this severity costs at full density (for the docs)."""
    return HAZARD_FACTOR * severity.weight


def after_fixing(results: Sequence[RuleResult], rule_ids: Iterable[str]) -> tuple[PillarScore, ...]:
    """The pillar scores once every rule in `rule_ids` is fixed together, everything else
    as it is: what a pillar would reach after a group of actions.

    It is recomputed, never summed from the gains: each gain is rounded and measured alone,
    and a hazard's penalty scales its pillar's practice score, so gains need not add up. A
    blocked practice, like its gain, stays as it is: fixing what blocks it is one step, the
    practice itself the next."""
    chosen = set(rule_ids)
    return pillar_scores(
        fixed(r)
        if r.rule.id in chosen
        and r.status in (Status.FAIL, Status.PARTIAL)
        and r.basis is not Basis.BLOCKED
        else r
        for r in results
    )
