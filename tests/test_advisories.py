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


def test_model_loading_advisories_cover_torch_load() -> None:
    shipped = advisories.shipped()
    # CVE-2025-32434: torch.load(..., weights_only=True) runs code before 2.6.0
    assert [a.id for a in shipped.affecting("torch", "2.5.1")] == [
        "GHSA-53q9-r3pm-6pq6",
        "GHSA-63cw-57p8-fm3p",
    ]
    assert [a.id for a in shipped.affecting("torch", "2.6.0")] == ["GHSA-63cw-57p8-fm3p"]
    assert not shipped.affecting("torch", "2.10.0")


def test_a_range_with_a_lower_bound_spares_the_versions_before_it() -> None:
    shipped = advisories.shipped()
    # vLLM's Mooncake and PyNcclPipe RCEs were introduced in 0.6.5
    assert not shipped.affecting("vllm", "0.6.4")
    assert {"GHSA-hj4w-hm2g-p6w5", "GHSA-hjq4-87xh-g4fv"} <= {
        a.id for a in shipped.affecting("vllm", "0.8.4")
    }
    # LiteLLM's MCP stdio command execution: >=1.74.2,<1.83.7
    assert "GHSA-v4p8-mg3p-g94g" not in {a.id for a in shipped.affecting("litellm", "1.74.1")}
    assert "GHSA-v4p8-mg3p-g94g" in {a.id for a in shipped.affecting("litellm", "1.80.0")}
    assert "GHSA-v4p8-mg3p-g94g" not in {a.id for a in shipped.affecting("litellm", "1.83.7")}
    assert not shipped.affecting("litellm", "1.84.0")


def test_an_advisory_with_two_ranges_is_matched_on_each() -> None:
    shipped = advisories.shipped()
    # GHSA-pjwx-r37v-7724: langchain-core <0.3.85 and >=1.0.0,<1.3.3
    assert "GHSA-pjwx-r37v-7724" in {a.id for a in shipped.affecting("langchain-core", "0.3.84")}
    assert "GHSA-pjwx-r37v-7724" not in {
        a.id for a in shipped.affecting("langchain-core", "0.3.85")
    }
    assert [a.id for a in shipped.affecting("langchain-core", "1.2.22")] == ["GHSA-pjwx-r37v-7724"]
    assert not shipped.affecting("langchain-core", "1.3.3")
    # names are normalised as pip normalises them
    assert [a.id for a in shipped.affecting("Llama_Index.Core", "0.10.37")] == [
        "GHSA-fxc2-8m62-m85x"
    ]
