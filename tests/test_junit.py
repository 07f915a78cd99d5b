"""JUnit XML: one suite per pillar, one case per rule, counts that match the report, and
repository text that can neither break the XML nor hide in it."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path

import xmlschema

from readycheck.model import Location, Pillar, Report, RuleResult, Status
from readycheck.renderers import junit
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]
LOADER = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
SERVICE = {"README.md": "# Scoring\n", "app/main.py": LOADER, "app/batch.py": LOADER}
# Characters XML 1.0 cannot carry, and the bidi overrides behind "Trojan Source".
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\u202a-\u202e]")


def parse(report: Report) -> ET.Element:
    source = junit.render(report)
    assert source.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert not FORBIDDEN.search(source)
    return ET.fromstring(source.encode("utf-8"))


def case_for(root: ET.Element, rule_id: str) -> ET.Element:
    (case,) = [c for c in root.iter("testcase") if c.get("name", "").startswith(rule_id + " ")]
    return case


def failed(result: RuleResult) -> bool:
    if result.status not in (Status.FAIL, Status.PARTIAL):
        return False
    return not result.findings or any(f.suppression is None for f in result.findings)


def test_counts_equal_the_reports_own(samples: dict[str, Report]) -> None:
    for report in samples.values():
        root = parse(report)
        assert root.tag == "testsuites" and root.get("name") == "readycheck"
        assert root.get("time") is not None
        expected = {
            "tests": len(report.results),
            "failures": sum(failed(r) for r in report.results),
            "errors": sum(r.status is Status.ERROR for r in report.results),
        }
        assert {key: int(root.get(key, "-1")) for key in expected} == expected
        skipped = sum(r.status is Status.NOT_APPLICABLE for r in report.results)
        assert sum(int(s.get("skipped", "0")) for s in root.findall("testsuite")) == skipped
        suites = root.findall("testsuite")
        pillars = [p for p in Pillar if any(r.rule.pillar is p for r in report.results)]
        assert [s.get("name") for s in suites] == [f"readycheck.{p.value}" for p in pillars]
        for suite, pillar in zip(suites, pillars, strict=True):
            mine = [r for r in report.results if r.rule.pillar is pillar]
            cases = suite.findall("testcase")
            assert [c.get("name") for c in cases] == [f"{r.rule.id} {r.rule.title}" for r in mine]
            assert {c.get("classname") for c in cases} == {f"readycheck.{pillar.value}"}
            assert int(suite.get("tests", "-1")) == len(cases)
            assert int(suite.get("failures", "-1")) == len(
                [c for c in cases if c.find("failure") is not None]
            )
            assert int(suite.get("skipped", "-1")) == len(
                [c for c in cases if c.find("skipped") is not None]
            )
            assert int(suite.get("errors", "-1")) == len(
                [c for c in cases if c.find("error") is not None]
            )


def test_a_failed_rule_lists_every_finding_with_where_what_why_and_fix(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE)
    result = rule_result(report, "RC-SEC-002")
    failure = case_for(parse(report), "RC-SEC-002").find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert "(2 findings)" in failure.get("message", "")
    text = failure.text or ""
    for finding in result.findings:
        assert f"{finding.location}" in text
    assert "app/batch.py:3" in text and "app/main.py:3" in text
    assert text.count("calls pickle.load()") == 2
    assert "Why: " + " ".join(result.rule.why.split()) in text
    assert "Fix: " + " ".join(result.rule.fix.split()) in text


def test_rules_that_do_not_apply_are_skipped_with_the_reason(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE)
    result = next(r for r in report.results if r.status is Status.NOT_APPLICABLE)
    skipped = case_for(parse(report), result.rule.id).find("skipped")
    assert skipped is not None
    assert skipped.get("message") == " ".join((result.reason or "").split())


def test_a_rule_with_only_suppressed_findings_passes_with_a_note(scan_tree: Scan) -> None:
    line = "model = pickle.load(open('m.pkl', 'rb'))  # readycheck: ignore[RC-SEC-002] signed artefact\n"
    report = scan_tree({"README.md": "# x\n", "app/main.py": "import pickle\n" + line})
    result = rule_result(report, "RC-SEC-002")
    assert result.findings and all(f.suppression is not None for f in result.findings)
    case = case_for(parse(report), "RC-SEC-002")
    assert case.find("failure") is None and case.find("skipped") is None
    note = case.find("system-out")
    assert note is not None and "signed artefact" in (note.text or "")


def test_hostile_file_names_are_escaped(scan_tree: Scan) -> None:
    names = ["app/<script>alert(1)</script>.py", "app/a&b\"c'.py", "app/new\nline.py"]
    names.append("app/ansi\x1b[31m\u202eevil.py")
    report = scan_tree({"README.md": "# x\n"} | dict.fromkeys(names, LOADER))
    source = junit.render(report)
    assert "<script>" not in source and "\x1b" not in source
    failure = case_for(parse(report), "RC-SEC-002").find("failure")
    assert failure is not None
    text = failure.text or ""
    assert "app/<script>alert(1)</script>.py:3" in text
    assert "app/a&b\"c'.py:3" in text
    assert "app/new\nline.py:3" in text
    assert "app/ansi\\u001b[31m\\u202eevil.py:3" in text


def test_names_that_are_not_text_cannot_break_the_xml(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE)
    odd = "app/bad\udcff\x00\ufffe.py"
    results = tuple(
        dataclasses.replace(
            r,
            findings=tuple(dataclasses.replace(f, location=Location(odd, 3)) for f in r.findings),
        )
        for r in report.results
    )
    failure = case_for(parse(dataclasses.replace(report, results=results)), "RC-SEC-002")
    text = failure.findtext("failure") or ""
    assert "app/bad\\udcff\\u0000\\ufffe.py:3" in text


JENKINS_XUNIT = xmlschema.XMLSchema(Path(__file__).parent / "data" / "junit-10.xsd")


def test_every_sample_validates_against_the_jenkins_xunit_schema(
    samples: dict[str, Report],
) -> None:
    for name, report in samples.items():
        errors = list(JENKINS_XUNIT.iter_errors(junit.render(report)))
        assert not errors, f"{name}: {errors[0]}"
