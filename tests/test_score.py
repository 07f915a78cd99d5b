"""The scoring formula, pinned down on hand-made results."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from readycheck import score
from readycheck.model import Pillar, RuleResult, Severity, Status


@dataclass(frozen=True)
class FakeRule:
    id: str
    pillar: Pillar
    severity: Severity

    @property
    def weight(self) -> float:
        return self.severity.weight


def _result(pillar: Pillar, severity: Severity, status: Status, name: str = "R") -> RuleResult:
    return RuleResult(FakeRule(name, pillar, severity), status)


def test_pass_partial_fail_earn_full_half_and_no_weight() -> None:
    results = [
        _result(Pillar.DATA, Severity.CRITICAL, Status.PASS),  # 10 of 10
        _result(Pillar.DATA, Severity.HIGH, Status.PARTIAL),  # 3.75 of 7.5
        _result(Pillar.DATA, Severity.MEDIUM, Status.FAIL),  # 0 of 5
    ]
    data = score.pillar_scores(results)[0]
    assert (data.earned, data.possible) == (13.75, 22.5)
    assert data.score == pytest.approx(61.1)


def test_not_applicable_and_errors_are_left_out_not_counted_as_passes() -> None:
    results = [
        _result(Pillar.SECURITY, Severity.HIGH, Status.FAIL),
        _result(Pillar.SECURITY, Severity.CRITICAL, Status.NOT_APPLICABLE),
        _result(Pillar.SECURITY, Severity.CRITICAL, Status.ERROR),
    ]
    security = next(p for p in score.pillar_scores(results) if p.pillar is Pillar.SECURITY)
    assert security.score == 0.0
    assert security.possible == 7.5


def test_a_pillar_with_no_applicable_rule_has_no_score_and_does_not_drag_the_mean() -> None:
    results = [
        _result(Pillar.DATA, Severity.LOW, Status.PASS),
        _result(Pillar.HYGIENE, Severity.LOW, Status.FAIL),
    ]
    pillars = score.pillar_scores(results)
    assert [p.score for p in pillars] == [100.0, None, None, None, None, 0.0]
    assert score.overall_score(pillars) == 50.0


def _all_pillars(scores: dict[Pillar, Status]) -> list[RuleResult]:
    return [_result(p, Severity.HIGH, s, p.value) for p, s in scores.items()]


def test_the_weakest_pillar_caps_the_level() -> None:
    # five pillars at 100 and monitoring at 0: overall 83, which alone would be production-ready
    results = _all_pillars({p: Status.PASS for p in Pillar} | {Pillar.MONITORING: Status.FAIL})
    pillars = score.pillar_scores(results)
    overall = score.overall_score(pillars)
    level, capped_by = score.readiness(overall, pillars)
    assert overall == pytest.approx(83.3)
    assert level.id == "prototype"
    assert capped_by is Pillar.MONITORING


def test_everything_passing_is_production_ready_and_uncapped() -> None:
    pillars = score.pillar_scores(_all_pillars({p: Status.PASS for p in Pillar}))
    level, capped_by = score.readiness(score.overall_score(pillars), pillars)
    assert (level.id, capped_by) == ("production_ready", None)


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
    pillars = score.pillar_scores([_result(Pillar.DATA, Severity.HIGH, Status.PASS)])
    low = pillars[0].__class__(Pillar.DATA, weakest, 0, 1, {})
    level, _ = score.readiness(overall, [low])
    assert level.id == expected


def test_gain_is_exactly_what_fixing_the_rule_adds() -> None:
    results = [
        _result(Pillar.DATA, Severity.CRITICAL, Status.FAIL, "A"),
        _result(Pillar.DATA, Severity.LOW, Status.PASS, "B"),
        _result(Pillar.HYGIENE, Severity.MEDIUM, Status.PARTIAL, "C"),
    ]
    before = score.overall_score(score.pillar_scores(results))
    for index, result in enumerate(results):
        fixed = list(results)
        fixed[index] = _result(
            result.rule.pillar, result.rule.severity, Status.PASS, result.rule.id
        )
        after = score.overall_score(score.pillar_scores(fixed))
        assert score.gain(result, score.pillar_scores(results)) == pytest.approx(
            after - before, abs=0.11
        )


def test_top_actions_are_the_biggest_gains_first() -> None:
    results = [
        _result(Pillar.DATA, Severity.LOW, Status.FAIL, "small"),
        _result(Pillar.DATA, Severity.CRITICAL, Status.FAIL, "big"),
        _result(Pillar.HYGIENE, Severity.HIGH, Status.PASS, "done"),
    ]
    pillars = score.pillar_scores(results)
    with_gain = [r.__class__(r.rule, r.status, gain=score.gain(r, pillars)) for r in results]
    assert [r.rule.id for r in score.top_actions(with_gain)] == ["big", "small"]


def test_ml_test_score_estimate_takes_the_weakest_section(rulebook) -> None:  # type: ignore[no-untyped-def]
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
        _result(Pillar.DATA, Severity.HIGH, Status.PASS, "A"),
        _result(Pillar.MONITORING, Severity.HIGH, Status.PARTIAL, "B"),
        _result(Pillar.MONITORING, Severity.HIGH, Status.NOT_APPLICABLE, "C"),
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
