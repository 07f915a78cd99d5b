"""JUnit XML for CI test reports: one test suite per pillar, one test case per rule.

CI systems (GitLab, Jenkins, Azure Pipelines, test-report actions) already know
how to show failed tests, so a failed rule becomes a failed test whose text says
where, what, why and how to fix it. A rule that did not apply is skipped, a rule
whose check broke is an error, and a rule whose findings are all suppressed
passes with a note, so the counts match the report's own.

Scanned repositories are untrusted: control and bidi characters in a path or a
snippet are shown as `\\uXXXX`, since XML 1.0 cannot carry most of them at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from readycheck.model import Finding, Pillar, Report, RuleResult, Status
from readycheck.renderers.markup import visible

# What `visible` leaves and XML 1.0 still forbids: lone surrogates (undecodable
# bytes in file names) and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="readycheck")
    # The suites' totals: `skipped` stays on each <testsuite>, where the Jenkins xUnit
    # schema allows it, and off <testsuites>, where that schema rejects it.
    totals = dict.fromkeys(("tests", "failures", "errors"), 0)
    for pillar in Pillar:
        results = [r for r in report.results if r.rule.pillar is pillar]
        if not results:
            continue
        suite = _suite(report, pillar, results)
        suites.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _suite(report: Report, pillar: Pillar, results: list[RuleResult]) -> ET.Element:
    suite = ET.Element("testsuite", name=f"readycheck.{pillar.value}")
    properties = ET.SubElement(suite, "properties")
    pillar_score = next((p.score for p in report.pillars if p.pillar is pillar), None)
    for name, value in (
        ("pillar", pillar.title),
        ("pillar.score", "n/a" if pillar_score is None else f"{pillar_score:g}"),
        ("score", f"{report.score:g}"),
        ("level", report.level.title),
        ("target", report.target.name),
        ("commit", report.target.commit or ""),
        ("readycheck.version", report.tool_version),
        ("rulebook.version", report.rulebook_version),
    ):
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    counts = dict.fromkeys(("failures", "errors", "skipped"), 0)
    for result in results:
        case, outcome = _case(result)
        suite.append(case)
        if outcome:
            counts[outcome] += 1
    suite.set("tests", str(len(results)))
    for key, count in counts.items():
        suite.set(key, str(count))
    suite.set("time", "0")
    suite.set("timestamp", report.scanned_at)
    return suite


def _case(result: RuleResult) -> tuple[ET.Element, str | None]:
    """The test case for one rule, and which count it adds to (None: it passed)."""
    rule = result.rule
    case = ET.Element(
        "testcase",
        classname=f"readycheck.{rule.pillar.value}",
        name=_line(f"{rule.id} {rule.title}"),
        time="0",
    )
    open_findings = [f for f in result.findings if f.suppression is None]
    suppressed = [f for f in result.findings if f.suppression is not None]
    if result.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", message=_line(result.reason or "not applicable"))
        return case, "skipped"
    if result.status is Status.ERROR:
        ET.SubElement(
            case, "error", message=_line(result.reason or "the check failed"), type="error"
        )
        return case, "errors"
    if result.status in (Status.FAIL, Status.PARTIAL) and (open_findings or not suppressed):
        count = len(open_findings)
        summary = f"{_one_line(rule.problem)} ({count} finding{'s' if count != 1 else ''})"
        failure = ET.SubElement(case, "failure", message=_line(summary), type=rule.severity.value)
        failure.text = _clean(_failure_text(result, open_findings, suppressed))
        return case, "failures"
    if suppressed:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(
            "Passes because every finding is suppressed:\n" + "\n".join(_suppressed(suppressed))
        )
    return case, None


def _failure_text(
    result: RuleResult, open_findings: list[Finding], suppressed: list[Finding]
) -> str:
    rule = result.rule
    what = _one_line(rule.problem)
    status = " · partial credit" if result.status is Status.PARTIAL else ""
    lines = [
        f"{rule.id} · {rule.pillar.title} · severity {rule.severity.value} · "
        f"confidence {rule.confidence.value}{status}",
        f"What: {what}",
        "",
    ]
    for number, finding in enumerate(open_findings, 1):
        known = " [in baseline]" if finding.in_baseline else ""
        lines.append(f"{number}. {_where(finding)}{known}")
        if _one_line(finding.message) != what:
            lines.append(f"   {finding.message}")
        if finding.snippet:
            lines.append(f"   > {_one_line(finding.snippet)}")
    if suppressed:
        lines += ["", "Suppressed:", *_suppressed(suppressed)]
    lines += ["", f"Why: {_one_line(rule.why)}", f"Fix: {_one_line(rule.fix)}"]
    if rule.references:
        lines.append("References:")
        lines += [f"- {r.title}" + (f": {r.url}" if r.url else "") for r in rule.references]
    return "\n".join(lines)


def _suppressed(findings: Iterable[Finding]) -> list[str]:
    return [
        f"- {_where(f)}: {f.message} (reason: {f.suppression.reason if f.suppression else ''})"
        for f in findings
    ]


def _where(finding: Finding) -> str:
    return str(finding.location) if finding.location is not None else "the whole repository"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    """Text XML 1.0 can carry, with nothing in it that acts instead of reads."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", visible(text))


def _line(text: str) -> str:
    """An attribute value: cleaned, on one line."""
    return _one_line(_clean(text))
