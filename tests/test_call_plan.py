"""The per-file plan of detector calls chooses exactly what matching every call would."""

from __future__ import annotations

from collections import defaultdict

from readycheck.analyze import CallPlan, applies_to, file_calls, paths_applied_to
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


def test_the_files_a_call_applies_to_are_found_by_kind_and_role_groups(rulebook: Rulebook) -> None:
    """A hazard's share is measured against the files its call reads: judging groups of
    files by kind and role must choose exactly the files `applies_to` would."""
    calls = file_calls(rulebook)
    assert any(call.paths for call in calls)
    for sample in sorted(SAMPLES.iterdir()):
        files = discover(sample, DiscoveryOptions()).files
        groups = defaultdict(list)
        for entry in files:
            if entry.readable:
                groups[(entry.kind, entry.role)].append(entry)
        for call in calls:
            expected = {entry.path for entry in files if applies_to(call, entry)}
            assert set(paths_applied_to(call, groups)) == expected, (sample.name, call.key)


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
