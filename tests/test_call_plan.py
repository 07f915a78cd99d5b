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
