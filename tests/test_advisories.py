"""The advisory list that ships in the wheel: well formed, dated, and read as pip reads
versions (RC-LLM-016 judges exact pins only)."""

from __future__ import annotations

import datetime
from importlib import resources

import yaml

from readycheck import advisories


def test_every_shipped_advisory_is_well_formed_and_dated() -> None:
    shipped = advisories.shipped()
    assert datetime.date.fromisoformat(shipped.as_of) <= datetime.date.today()
    assert shipped.advisories
    raw = yaml.safe_load((resources.files("readycheck") / "data" / "advisories.yaml").read_text())
    for item, advisory in zip(raw["advisories"], shipped.advisories, strict=True):
        assert advisory.url.startswith("https://"), item
        assert advisory.severity in {"critical", "high", "medium", "low"}, item
        # the first fixed version is outside the affected range
        assert not advisory.affected.contains(advisory.fixed, prereleases=True), item


def test_an_exact_version_inside_the_range_is_affected() -> None:
    shipped = advisories.shipped()
    assert [a.id for a in shipped.affecting("langgraph-checkpoint", "2.1.2")] == [
        "GHSA-wwqv-p2pp-99h5"
    ]
    # names are compared as PyPI does: case and separators do not matter
    assert shipped.affecting("LangGraph_Checkpoint", "2.1.2")
    assert not shipped.affecting("langgraph-checkpoint", "3.0.0")
    assert not shipped.affecting("langgraph-checkpoint", "3.0.1")


def test_unknown_packages_and_unreadable_versions_are_not_guessed() -> None:
    shipped = advisories.shipped()
    assert not shipped.affecting("some-unrelated-package", "0.0.1")
    assert not shipped.affecting("langgraph-checkpoint", "not-a-version")
