"""Property tests: no file content crashes a scan, and scores behave like scores.

The scan properties write hypothesis-made content under each name readycheck
parses (arbitrary bytes, and text built from the characters each syntax cares
about, and documents of the right shape with arbitrary values in every field) and
require a complete report with no `internal-error` or `detector-error` warning: a
parser or detector may refuse a file, never fail on it. The scoring properties drive
readycheck.score with the real rulebook's rules and arbitrary verdicts.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readycheck import score
from readycheck.errors import ConfigError
from readycheck.model import Pillar, RuleResult, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook, load_rulebook

RULEBOOK = load_rulebook()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: The tokens each syntax gives meaning to, so that generated text gets past the tokenizer.
_SYNTAX = {
    "python": [*"()[]{}:;,.=+-*/%@!<>&|^~#'\"\\\n\t ", "def ", "class ", "import ", "if ", "else",
               "for ", " in ", "return ", "lambda ", "x", "0", "1", "    "],
    "json": [*'{}[]:,"\\ \n0123456789.eE-+', "true", "false", "null"],
    "yaml": [*"-:?,[]{}&*!|>'\"%@`#\n ", "  ", "abc", "123", "<<", "!!python/object:os.system", "&a", "*a"],
    "toml": [*"[]{}=.,\"'#\n -_+:", "abc", "123", "[tool.readycheck]", "[[x]]", "1979-05-27T07:32:00Z"],
    "dockerfile": [*"\\`#=\n \t$[]{}\"", "FROM ", "RUN ", "COPY ", "USER ", "CMD ", "EXPOSE ",
                   "HEALTHCHECK ", "<<EOF", "EOF", " AS ", "# escape=`", "# escape=\\"],
    "requirements": [*"=<>!~;[],.@#\\\n ", "-r ", "-e ", "git+https://x", "abc", "1.0"],
}  # fmt: skip
KINDS = {
    "src/module.py": "python",
    "notebooks/analysis.ipynb": "json",
    "deploy/service.yaml": "yaml",
    "Dockerfile": "dockerfile",
    "requirements.txt": "requirements",
    "pyproject.toml": "toml",
    "data/schema.json": "json",
    "config/settings.toml": "toml",
}


def _text(syntax: str) -> st.SearchStrategy[str]:
    tokens = st.sampled_from([*_SYNTAX[syntax], "é", "\x00", "\x1b[31m"])
    return st.lists(tokens, max_size=300).map("".join)


def _content(syntax: str) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2000), _text(syntax).map(str.encode))


def _notebooks() -> st.SearchStrategy[bytes]:
    """Notebooks that are mostly well formed, with arbitrary JSON wherever one has structure:
    a parser must survive any field being the wrong type, not just a broken file."""
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=10,
    )  # fmt: skip

    def either(usual: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(usual, usual, usual, values)  # the usual shape three times in four

    output = st.fixed_dictionaries(
        {"output_type": either(st.sampled_from(["error", "stream", "execute_result", "display_data"])),
         "text": either(st.lists(_text("python"), max_size=2)), "traceback": values,
         "data": either(st.fixed_dictionaries({"text/plain": values})),
         "ename": values, "evalue": values},
    )  # fmt: skip
    cell = st.fixed_dictionaries(
        {"cell_type": either(st.sampled_from(["code", "markdown", "raw"])),
         "source": either(st.lists(_text("python"), max_size=3)),
         "execution_count": values, "outputs": either(st.lists(output, min_size=1, max_size=3))},
    )  # fmt: skip
    notebook = st.fixed_dictionaries(
        {"nbformat": either(st.just(4)), "metadata": values, "cells": either(st.lists(either(cell), min_size=1, max_size=4))},
    )  # fmt: skip
    return notebook.map(lambda n: json.dumps(n).encode())


def _manifests() -> st.SearchStrategy[bytes]:
    """Kubernetes-shaped documents (JSON is YAML too) with arbitrary values in every field."""
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
        max_leaves=6,
    )  # fmt: skip
    container = st.fixed_dictionaries(
        {"name": values, "image": values, "resources": values, "livenessProbe": values,
         "securityContext": values, "env": values}
    )  # fmt: skip
    pod = st.fixed_dictionaries({"containers": st.lists(container, max_size=2) | values, "initContainers": values})  # fmt: skip
    workload = st.fixed_dictionaries(
        {"apiVersion": st.just("apps/v1") | values,
         "kind": st.sampled_from(["Deployment", "CronJob", "Pod", "List"]) | values,
         "metadata": values, "items": values,
         "spec": st.fixed_dictionaries({"template": st.fixed_dictionaries({"spec": pod}) | values,
                                        "jobTemplate": values, "containers": values}) | values},
    )  # fmt: skip
    return st.lists(workload | values, min_size=1, max_size=2).map(
        lambda docs: "\n---\n".join(json.dumps(d) for d in docs).encode()
    )


def _scan_one(path: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        try:
            report = scan(ScanOptions(path=Path(folder)), RULEBOOK)
        except ConfigError:
            # Only a root pyproject.toml can be a config, and a broken one that names
            # [tool.readycheck] is meant to stop readycheck (exit code 2).
            assert path == "pyproject.toml" and b"readycheck" in content
            return
    assert {r.rule.id for r in report.results} == {rule.id for rule in RULEBOOK.rules}
    assert [w for w in report.warnings if w.code in {"internal-error", "detector-error"}] == []
    assert 0 <= report.score <= 100


@pytest.mark.parametrize("path", list(KINDS))
def test_no_content_crashes_the_scan(path: str) -> None:
    strategy = _content(KINDS[path])
    if path.endswith(".ipynb"):
        strategy = st.one_of(strategy, _notebooks())
    elif path.endswith((".yaml", ".json")):
        strategy = st.one_of(strategy, _manifests())

    @FUZZ
    @given(content=strategy)
    def check(content: bytes) -> None:
        _scan_one(path, content)

    check()


# Scoring: the real rules, arbitrary verdicts and weights.

_JUDGED = [Status.PASS, Status.PARTIAL, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR]


@st.composite
def _results(draw: st.DrawFn, rulebook: Rulebook = RULEBOOK) -> list[RuleResult]:
    rules = draw(st.lists(st.sampled_from(rulebook.rules), min_size=1, max_size=40, unique_by=lambda r: r.id))  # fmt: skip
    results = []
    for rule in rules:
        weight = draw(st.floats(min_value=0.5, max_value=20, allow_nan=False))
        status = draw(st.sampled_from(_JUDGED))
        examined = draw(st.integers(min_value=0, max_value=500))
        affected = (
            draw(st.integers(min_value=0, max_value=examined))
            if status in (Status.FAIL, Status.PARTIAL)
            else 0
        )
        results.append(RuleResult(dataclasses.replace(rule, weight=weight), status,
                                  affected=affected, examined=examined))  # fmt: skip
    return results


def _pillar(results: list[RuleResult], pillar: Pillar) -> float | None:
    return next(p.score for p in score.pillar_scores(results) if p.pillar is pillar)


@settings(max_examples=200, deadline=None)
@given(results=_results())
def test_scores_stay_between_0_and_100(results: list[RuleResult]) -> None:
    pillars = score.pillar_scores(results)
    assert all(p.score is None or 0 <= p.score <= 100 for p in pillars)
    assert 0 <= score.overall_score(pillars) <= 100


@settings(max_examples=200, deadline=None)
@given(results=_results(), data=st.data())
def test_fixing_a_rule_never_lowers_a_score(results: list[RuleResult], data: st.DataObject) -> None:
    improvable = [i for i, r in enumerate(results) if r.status in (Status.FAIL, Status.PARTIAL)]
    if not improvable:
        return
    index = data.draw(st.sampled_from(improvable))
    fixed = [*results[:index], score.fixed(results[index]), *results[index + 1 :]]
    pillar = results[index].rule.pillar
    before, after = score.pillar_scores(results), score.pillar_scores(fixed)
    assert (_pillar(fixed, pillar) or 0.0) >= (_pillar(results, pillar) or 0.0)
    assert score.overall_score(after) >= score.overall_score(before)
    others = [(p.pillar, p.score) for p in before if p.pillar is not pillar]
    assert others == [(p.pillar, p.score) for p in after if p.pillar is not pillar]


@settings(max_examples=200, deadline=None)
@given(results=_results(), data=st.data())
def test_a_rules_gain_is_what_fixing_it_earns(
    results: list[RuleResult], data: st.DataObject
) -> None:
    failing = [i for i, r in enumerate(results) if r.status in (Status.FAIL, Status.PARTIAL)]
    if not failing:
        return
    index = data.draw(st.sampled_from(failing))
    fixed = [*results[:index], score.fixed(results[index]), *results[index + 1 :]]
    before = score.overall_score(score.pillar_scores(results))
    earned = score.overall_score(score.pillar_scores(fixed)) - before
    assert score.gains(results)[index] == pytest.approx(max(0.0, earned), abs=1e-9)
