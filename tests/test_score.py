"""The scoring formula, pinned down on hand-made results."""

from __future__ import annotations

import dataclasses

import pytest

from readycheck import score
from readycheck.model import (
    AnyOf,
    Applicability,
    Basis,
    Caps,
    Confidence,
    Pillar,
    Rule,
    RuleResult,
    RuleType,
    Severity,
    Status,
)


def _rule(
    name: str,
    pillar: Pillar,
    severity: Severity,
    kind: RuleType = RuleType.PRACTICE,
    caps: Caps | None = None,
) -> Rule:
    return Rule(
        id=name, title=name, pillar=pillar, severity=severity, weight=severity.weight,
        confidence=Confidence.HIGH, applies_when=Applicability(), check=AnyOf(()),
        problem="p", why="w", fix="f", references=(), tags=(), source="test",
        type=kind, caps=caps,
    )  # fmt: skip


def _practice(pillar: Pillar, severity: Severity, status: Status, name: str = "R") -> RuleResult:
    basis = Basis.EVIDENCE if status in (Status.PASS, Status.PARTIAL) else Basis.NO_EVIDENCE
    return RuleResult(_rule(name, pillar, severity), status, basis=basis)


def _hazard(
    pillar: Pillar,
    severity: Severity,
    affected: int,
    examined: int,
    name: str = "H",
    status: Status = Status.FAIL,
    caps: Caps | None = None,
) -> RuleResult:
    rule = _rule(name, pillar, severity, RuleType.HAZARD, caps)
    basis = Basis.HAZARD if affected else Basis.CLEAR
    return RuleResult(rule, status, basis=basis, affected=affected, examined=examined)


def _pillar(results: list[RuleResult], pillar: Pillar) -> float | None:
    return next(p.score for p in score.pillar_scores(results) if p.pillar is pillar)


def test_a_practice_earns_its_weight_in_full_half_or_not_at_all() -> None:
    results = [
        _practice(Pillar.DATA, Severity.CRITICAL, Status.PASS),  # 10 of 10
        _practice(Pillar.DATA, Severity.HIGH, Status.PARTIAL),  # 3.75 of 7.5
        _practice(Pillar.DATA, Severity.MEDIUM, Status.FAIL),  # 0 of 5
    ]
    data = score.pillar_scores(results)[0]
    assert (data.earned, data.possible) == (13.75, 22.5)
    assert data.score == pytest.approx(61.1)


def test_not_applicable_and_errors_are_left_out_not_counted_as_passes() -> None:
    results = [
        _practice(Pillar.SECURITY, Severity.HIGH, Status.FAIL),
        _practice(Pillar.SECURITY, Severity.CRITICAL, Status.NOT_APPLICABLE),
        _practice(Pillar.SECURITY, Severity.CRITICAL, Status.ERROR),
    ]
    security = next(p for p in score.pillar_scores(results) if p.pillar is Pillar.SECURITY)
    assert (security.score, security.possible) == (0.0, 7.5)


def test_the_absence_of_a_hazard_earns_nothing() -> None:
    """Passes with no evidence were most of the credit of the first score model: a small
    repository looked safe because it had little surface for hazards."""
    practice = _practice(Pillar.SECURITY, Severity.HIGH, Status.FAIL)
    clear = [_hazard(Pillar.SECURITY, s, 0, 40, status=Status.PASS) for s in Severity]
    assert _pillar([practice, *clear], Pillar.SECURITY) == 0.0
    assert _pillar([*clear], Pillar.SECURITY) is None  # hazards alone give a pillar no score


def test_a_hazard_costs_in_proportion_to_the_share_of_code_it_affects() -> None:
    """Density, not count: ten files of a thousand cost what one file of a hundred does."""
    practice = _practice(Pillar.DATA, Severity.HIGH, Status.PASS)
    small = _pillar([practice, _hazard(Pillar.DATA, Severity.HIGH, 1, 100)], Pillar.DATA)
    large = _pillar([practice, _hazard(Pillar.DATA, Severity.HIGH, 10, 1000)], Pillar.DATA)
    everywhere = _pillar([practice, _hazard(Pillar.DATA, Severity.HIGH, 5, 5)], Pillar.DATA)
    assert small == large == pytest.approx(100 - score.HAZARD_FACTOR * 7.5 * 0.01, abs=0.05)
    assert everywhere == 100 - score.HAZARD_FACTOR * 7.5


def test_a_hazard_seen_only_in_tests_or_examples_weighs_a_quarter() -> None:
    practice = _practice(Pillar.DATA, Severity.HIGH, Status.PASS)
    weak = _hazard(Pillar.DATA, Severity.HIGH, 2, 2, status=Status.PARTIAL)
    assert _pillar([practice, weak], Pillar.DATA) == 100 - score.HAZARD_FACTOR * 7.5 * 0.25


def test_a_pillar_never_goes_below_zero() -> None:
    results = [
        _practice(Pillar.DATA, Severity.LOW, Status.FAIL),
        _hazard(Pillar.DATA, Severity.CRITICAL, 3, 3),
    ]
    assert _pillar(results, Pillar.DATA) == 0.0


def test_a_grave_hazard_caps_its_pillar_and_the_level() -> None:
    credential = Caps(pillar=40, level="pilot")
    results = [_practice(p, Severity.HIGH, Status.PASS, p.value) for p in Pillar]
    results.append(_hazard(Pillar.SECURITY, Severity.CRITICAL, 1, 1000, caps=credential))
    pillars = score.pillar_scores(results)
    security = next(p for p in pillars if p.pillar is Pillar.SECURITY)
    assert security.score == 40.0
    assert security.caps == (("H", 40),)
    level, capped_by, capping = score.readiness(score.overall_score(pillars), pillars, results)
    # the weakest pillar (security, 40) allows pre-production; the credential caps it at pilot
    assert (level.id, capped_by, capping) == ("pilot", Pillar.SECURITY, ("H",))


def test_a_suppressed_or_weak_hazard_does_not_cap() -> None:
    """Only a hazard present in production code caps; a PARTIAL (tests only) does not."""
    credential = Caps(pillar=40, level="pilot")
    results = [_practice(Pillar.SECURITY, Severity.HIGH, Status.PASS)]
    results.append(
        _hazard(Pillar.SECURITY, Severity.CRITICAL, 1, 1000, "H", Status.PARTIAL, credential)
    )
    pillars = score.pillar_scores(results)
    assert pillars[3].caps == ()


def _all_pillars(statuses: dict[Pillar, Status]) -> list[RuleResult]:
    return [_practice(p, Severity.HIGH, s, p.value) for p, s in statuses.items()]


def test_the_weakest_pillar_caps_the_level() -> None:
    # five pillars at 100 and monitoring at 0: overall 83, which alone would be production-ready
    results = _all_pillars({p: Status.PASS for p in Pillar} | {Pillar.MONITORING: Status.FAIL})
    pillars = score.pillar_scores(results)
    overall = score.overall_score(pillars)
    level, capped_by, _ = score.readiness(overall, pillars, results)
    assert overall == pytest.approx(83.3)
    assert (level.id, capped_by) == ("prototype", Pillar.MONITORING)


def test_everything_passing_is_production_ready_and_uncapped() -> None:
    results = _all_pillars({p: Status.PASS for p in Pillar})
    pillars = score.pillar_scores(results)
    level, capped_by, capping = score.readiness(score.overall_score(pillars), pillars, results)
    assert (level.id, capped_by, capping) == ("production_ready", None, ())


@pytest.mark.parametrize(
    ("overall", "weakest", "expected"),
    [
        (85, 65, "production_ready"),
        (85, 45, "pre_production"),
        (65, 50, "pre_production"),
        (50, 20, "pilot"),
        (50, 10, "prototype"),
        (20, 20, "prototype"),
    ],
)
def test_level_bands(overall: float, weakest: float, expected: str) -> None:
    pillars = score.pillar_scores([_practice(Pillar.DATA, Severity.HIGH, Status.PASS)])
    low = dataclasses.replace(pillars[0], score=weakest)
    level, _, _ = score.readiness(overall, [low])
    assert level.id == expected


def test_gain_is_exactly_what_fixing_the_rule_adds() -> None:
    results = [
        _practice(Pillar.DATA, Severity.CRITICAL, Status.FAIL, "A"),
        _practice(Pillar.DATA, Severity.LOW, Status.PASS, "B"),
        _practice(Pillar.HYGIENE, Severity.MEDIUM, Status.PARTIAL, "C"),
        _hazard(Pillar.DATA, Severity.HIGH, 2, 10, "D"),
        _hazard(Pillar.SECURITY, Severity.CRITICAL, 1, 50, "E", caps=Caps(pillar=40)),
        _practice(Pillar.SECURITY, Severity.HIGH, Status.PASS, "F"),
    ]
    before = score.overall_score(score.pillar_scores(results))
    gains = score.gains(results)
    for index, result in enumerate(results):
        after = list(results)
        after[index] = score.fixed(result)
        assert gains[index] == pytest.approx(
            score.overall_score(score.pillar_scores(after)) - before, abs=1e-9
        )
    assert gains[1] == gains[5] == 0.0  # passing rules have nothing to gain
    assert gains[4] > 0  # removing the capping hazard lifts the cap


def test_a_blocked_practice_promises_no_gain_of_its_own() -> None:
    tests = _practice(Pillar.HYGIENE, Severity.CRITICAL, Status.FAIL, "tests")
    ci = dataclasses.replace(
        _practice(Pillar.HYGIENE, Severity.CRITICAL, Status.FAIL, "ci"),
        basis=Basis.BLOCKED,
        blocked_by="tests",
    )
    # hygiene is the only pillar scored: fixing the tests takes it from 0 to 10 of 20
    assert score.gains([tests, ci]) == [50.0, 0.0]


def test_top_actions_are_the_biggest_gains_first() -> None:
    results = score.with_gains(
        [
            _practice(Pillar.DATA, Severity.LOW, Status.FAIL, "small"),
            _practice(Pillar.DATA, Severity.CRITICAL, Status.FAIL, "big"),
            _practice(Pillar.HYGIENE, Severity.HIGH, Status.PASS, "done"),
        ]
    )
    assert [r.rule.id for r in score.top_actions(results)] == ["big", "small"]


def test_ml_test_score_estimate_takes_the_weakest_section() -> None:
    from readycheck import mltestscore
    from readycheck.rulebook import MLTest, MLTestSpec

    spec = MLTestSpec(
        ("ci",),
        (
            ("Data", (MLTest("Data 1", "schema", ("A",)), MLTest("Data 2", "beneficial", ()))),
            (
                "Monitor",
                (MLTest("Monitor 1", "deps", ("B",)), MLTest("Monitor 2", "invariants", ("C",))),
            ),
        ),
    )
    results = [
        _practice(Pillar.DATA, Severity.HIGH, Status.PASS, "A"),
        _practice(Pillar.MONITORING, Severity.HIGH, Status.PARTIAL, "B"),
        _practice(Pillar.MONITORING, Severity.HIGH, Status.NOT_APPLICABLE, "C"),
    ]
    automated = mltestscore.estimate(spec, results, {"ci": True})
    assert [(name, points) for name, points, _ in automated.sections] == [
        ("Data", 1.0),
        ("Monitor", 0.5),
    ]
    assert automated.score == 0.5
    assert automated.band.startswith("Not totally untested")
    items = {t.id: t for _, _, tests in automated.sections for t in tests}
    assert items["Data 2"].points is None and items["Monitor 2"].points is None  # not verifiable
    by_hand = mltestscore.estimate(spec, results, {"ci": False})
    assert [points for _, points, _ in by_hand.sections] == [0.5, 0.5]
