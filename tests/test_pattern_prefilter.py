"""The literal prefilter of text and CI-line patterns only skips searches that could not
match."""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.detectors import common, patterns
from readycheck.detectors.patterns import compiled, required_literals
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers.json_report import to_dict
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES


def _text_patterns(rulebook: Rulebook) -> list[tuple[str, bool]]:
    from readycheck.analyze import file_calls

    return sorted(
        {
            (call.params.pattern, getattr(call.params, "ignore_case", False))
            for call in file_calls(rulebook)
            if call.detector in ("text_pattern", "ci_definition")
            and getattr(call.params, "pattern", None) is not None
        }
    )


@pytest.mark.parametrize(
    ("pattern", "strings"),
    [
        (
            r"AWS::SageMaker::Endpoint\b|resource\s+\"aws_sagemaker_endpoint\"",
            ("aws::sagemaker::endpoint", '"aws_sagemaker_endpoint"'),
        ),
        (r"(?i)\bpytest\b", ("pytest",)),
        (r"(?P<secret>ghp_[A-Za-z0-9]{36})", ("ghp_",)),
        # a small character class multiplies the run instead of ending it
        (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
        (r"xox[ab]-\w+|\bhf_\w+", ("xoxa-", "xoxb-", "hf_")),
        (r"[^x]abc", ("abc",)),  # a negated class ends the run
        (r"ab[a-z]", None),  # so does a range
        (r"a?b", None),  # nothing every match holds
        (r"(x|yy)+z", None),  # a branch too short to tell
        (r"(?:endpoint){e<=1}", None),  # fuzzy matching: only the regex engine reads it
    ],
)
def test_the_strings_every_match_must_hold(pattern: str, strings: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == strings


def test_a_pattern_only_the_regex_engine_reads_gets_no_prefilter() -> None:
    assert required_literals(r"\p{Lu}+model") is None


def test_no_text_the_prefilter_rules_out_matches_a_rulebook_pattern(rulebook: Rulebook) -> None:
    texts = [
        path.read_text(errors="replace")
        for path in sorted(SAMPLES.rglob("*"))
        if path.is_file() and path.stat().st_size < 2_000_000
    ]
    checked = 0
    for pattern, ignore_case in _text_patterns(rulebook):
        needed = required_literals(pattern)
        if needed is None:
            continue
        regex = compiled(pattern, ignore_case, True)
        for content in texts:
            folded = content.casefold()
            if not any(literal in folded for literal in needed):
                assert regex.search(content) is None, (pattern, needed)
                checked += 1
    assert checked > 1000


def test_reports_are_the_same_with_and_without_the_prefilter(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def report(path: Path) -> dict[str, object]:
        data = to_dict(scan(ScanOptions(path=path), rulebook))
        data.pop("scanned_at")
        return data

    for sample in ("credit-risk-service", "rag-assistant-service"):
        with_prefilter = report(SAMPLES / sample)
        monkeypatch.setattr(common, "required_literals", lambda pattern: None)
        without = report(SAMPLES / sample)
        monkeypatch.undo()
        assert with_prefilter == without
    assert patterns.required_literals("(?i)token") == ("token",)


def test_a_title_is_ruled_out_only_when_no_section_pattern_names_it(rulebook: Rulebook) -> None:
    """doc_sections searches a title with one union of the section patterns first; the
    union must match every title any one of them matches, on every rulebook section set."""
    from readycheck.analyze import file_calls
    from readycheck.detectors.documents import _any_of, _titles

    titles = [
        title.strip()[:120]
        for path in sorted(SAMPLES.rglob("*.md"))
        for _, title in _titles(path.read_text(errors="replace").splitlines())
    ] + ["Intended use", "Out-of-scope uses", "Ethical considerations", "Data sources", "Uses"]
    sets = [c.params for c in file_calls(rulebook) if c.detector == "doc_sections"]
    assert sets
    checked = 0
    for params in sets:
        patterns = (*params.sections, *params.distinctive)
        union = _any_of(patterns)
        assert union is not None
        for title in titles:
            each = any(compiled(p, True, False).search(title) for p in patterns)
            assert bool(union.search(title)) == each, (title, patterns)
            checked += each
    assert checked > 10
    assert _any_of((r"(a)\1", "b")) is None  # a backreference would change meaning
