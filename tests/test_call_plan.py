"""The per-file plan of detector calls chooses exactly what matching every call would."""

from __future__ import annotations

from readycheck.analyze import CallPlan, applies_to, file_calls
from readycheck.discover import DiscoveryOptions, discover
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES


def test_the_plan_chooses_the_calls_that_apply_to_each_file_in_order(rulebook: Rulebook) -> None:
    calls = file_calls(rulebook)
    plan = CallPlan(calls)
    checked = 0
    for sample in sorted(SAMPLES.iterdir()):
        for entry in discover(sample, DiscoveryOptions()).files:
            expected = tuple(call for call in calls if applies_to(call, entry))
            assert plan.calls_for(entry) == expected, entry.path
            checked += bool(expected)
    assert checked > 50  # the samples exercise many kinds, roles and path patterns


def test_a_detector_shares_what_its_calls_have_in_common_through_its_own_hook(
    rulebook: Rulebook,
) -> None:
    """bandit visits each file once for every rule's tests: the union comes from the
    detector's `share` hook, and `warm_up` builds its test set before workers fork,
    without the core naming bandit."""
    from readycheck.analyze import analysis_context, warm_up
    from readycheck.detectors import bandit

    calls = file_calls(rulebook)
    asked = {test for call in calls if call.detector == "bandit" for test in call.params.tests}
    context = analysis_context(calls)
    assert context.shared("bandit") == frozenset(asked) and len(asked) > 3
    assert context.shared("python_import") is None  # a detector without the hook shares nothing
    bandit._test_set.cache_clear()
    warm_up(context)
    assert bandit._test_set.cache_info().currsize == 1
