"""SARIF for GitHub code scanning: valid against the official OASIS schema, and shaped so
GitHub shows the right alerts at the right lines and keeps them across edits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import git
import jsonschema

from readycheck import PROJECT_URL, RULES_URL, baseline
from readycheck.model import Pillar, Report, Severity
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import sarif
from readycheck.rulebook import Rulebook
from readycheck.rulesdoc import rule_anchor
from tests.conftest import write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]
DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(
    SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
)
# RFC 3986 relative reference with a path only: unreserved, sub-delims, "@", "/" and
# %-escapes; no ":" (it could read as a scheme), "?" or "#".
RELATIVE_URI = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})+")

SERVICE = {
    "README.md": "# Scoring service\n",
    "pyproject.toml": "[project]\nname = 'svc'\ndependencies = ['fastapi==0.110.0']\n",
    "app/main.py": "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n",
}
SECRET = 'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"'


def sarif_of(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sarif.render(report))
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return document


def results(document: dict[str, Any], rule_id: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["runs"][0]["results"]
    return [r for r in found if rule_id is None or r["ruleId"] == rule_id]


def physical(result: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = result["locations"][0]["physicalLocation"]
    return location


def refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_vendored_schema_is_the_official_one_and_needs_no_network() -> None:
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/")
    assert all(ref.startswith("#/") for ref in refs(SCHEMA))
    # The validator is live: a result without its required message is rejected.
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}
    assert not VALIDATOR.is_valid(broken)


def test_sample_projects_give_valid_sarif_with_every_rule(samples: dict[str, Report]) -> None:
    for report in samples.values():
        document = sarif_of(report)
        run = document["runs"][0]
        driver = run["tool"]["driver"]
        assert (driver["name"], driver["version"]) == ("readycheck", report.tool_version)
        assert driver["semanticVersion"] == report.tool_version
        assert driver["informationUri"] == PROJECT_URL
        assert [rule["id"] for rule in driver["rules"]] == [r.rule.id for r in report.results]
        assert run["automationDetails"]["id"] == "readycheck/"
        # no absolute path of the machine that ran the scan
        assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
        assert run["invocations"][0]["executionSuccessful"] is True
        open_findings = [f for f in report.findings if f.suppression is None]
        assert len(results(document)) == len(open_findings)
        for result in results(document):
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
            location = physical(result)
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert RELATIVE_URI.fullmatch(location["artifactLocation"]["uri"])
            assert location["region"]["startLine"] >= 1
            assert result["message"]["text"].split(". ")[0]


def test_rules_carry_what_github_shows(samples: dict[str, Report]) -> None:
    report = samples["churn-pilot"]
    descriptors = {d["id"]: d for d in sarif_of(report)["runs"][0]["tool"]["driver"]["rules"]}
    for result in report.results:
        rule = result.rule
        descriptor = descriptors[rule.id]
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"].startswith(" ".join(rule.problem.split()))
        assert " ".join(rule.fix.split()) in descriptor["help"]["text"]
        assert "**How to fix it.**" in descriptor["help"]["markdown"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", descriptor["name"])
        properties = descriptor["properties"]
        assert properties["precision"] == rule.confidence.value
        assert rule.pillar.value.replace("_", "-") in properties["tags"]
        # every rule's help page is readycheck's own; third-party references are in the text
        assert descriptor["helpUri"] == f"{RULES_URL}#{rule_anchor(rule)}"
        for ref in rule.references:
            if ref.url:
                assert ref.url in descriptor["help"]["text"]
        if rule.pillar is Pillar.SECURITY:
            assert properties["tags"][0] == "security"
            expected = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
            assert properties["security-severity"] == expected[rule.severity.value]
        else:
            assert "security-severity" not in properties


def test_levels_follow_severity(samples: dict[str, Report]) -> None:
    expected = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    report = samples["churn-pilot"]
    severities = {r.rule.id: r.rule.severity.value for r in report.results}
    levels = {result["ruleId"]: result["level"] for result in results(sarif_of(report))}
    assert {severities[rule] for rule in levels} >= {"critical", "high", "medium"}
    for rule_id, level in levels.items():
        assert level == expected[severities[rule_id]]


def test_suppressed_findings_are_left_out(scan_tree: Scan) -> None:
    line = f"{SECRET}  # readycheck: ignore[RC-SEC-001] AWS documentation example key\n"
    report = scan_tree(SERVICE | {"app/settings.py": line})
    secret = [f for f in report.findings if f.rule_id == "RC-SEC-001"]
    assert secret and all(f.suppression is not None for f in secret)
    document = sarif_of(report)
    assert results(document, "RC-SEC-001") == []
    assert results(document, "RC-SEC-002"), "unsuppressed findings must stay"
    assert "suppressions" not in json.dumps(document)


def test_repository_wide_findings_are_anchored_to_the_readme(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE)
    no_tests = [f for f in report.findings if f.rule_id == "RC-HYG-001"]
    assert no_tests and no_tests[0].location is None
    (result,) = results(sarif_of(report), "RC-HYG-001")
    location = physical(result)
    assert location["artifactLocation"]["uri"] == "README.md"
    assert location["region"]["startLine"] == 1
    assert "whole repository" in result["message"]["text"]
    assert result["properties"]["repositoryWide"] is True


def test_without_a_readme_the_anchor_is_still_a_real_file(scan_tree: Scan) -> None:
    files = {k: v for k, v in SERVICE.items() if k != "README.md"}
    (result,) = results(sarif_of(scan_tree(files)), "RC-HYG-001")
    assert physical(result)["artifactLocation"]["uri"] == "pyproject.toml"


def test_an_empty_repository_gives_results_without_locations(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    (tmp_path / "empty").mkdir()
    document = sarif_of(scan(ScanOptions(path=tmp_path / "empty"), rulebook))
    assert results(document)
    assert all("locations" not in result for result in results(document))


def test_paths_are_relative_to_the_git_root_when_a_subfolder_is_scanned(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(
        tmp_path / "monorepo", {f"services/scoring/{k}": v for k, v in SERVICE.items()}
    )
    git.Repo.init(root)
    document = sarif_of(scan(ScanOptions(path=root / "services" / "scoring"), rulebook))
    (pickle_load,) = results(document, "RC-SEC-002")
    assert physical(pickle_load)["artifactLocation"]["uri"] == "services/scoring/app/main.py"
    (no_tests,) = results(document, "RC-HYG-001")
    assert physical(no_tests)["artifactLocation"]["uri"] == "services/scoring/README.md"
    assert str(root.resolve()) not in json.dumps(document)


def test_fingerprints_are_stable_across_a_line_shift(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    before = results(sarif_of(scan(ScanOptions(path=root), rulebook)), "RC-SEC-002")
    source = root / "app" / "main.py"
    source.write_text('"""Scoring."""\n\n# Loaded once at start-up.\n' + source.read_text())
    after = results(sarif_of(scan(ScanOptions(path=root), rulebook)), "RC-SEC-002")
    assert len(before) == len(after) == 1
    assert (
        physical(after[0])["region"]["startLine"] == physical(before[0])["region"]["startLine"] + 3
    )
    assert after[0]["partialFingerprints"] == before[0]["partialFingerprints"]
    assert set(after[0]["partialFingerprints"]) == {"readycheck/v1"}


def test_a_notebook_finding_points_at_the_ipynb_line(scan_tree: Scan) -> None:
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["# Churn model\n", "Trained weekly.\n"],
        },
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["import pickle\n", "\n", "model = pickle.load(open('m.pkl', 'rb'))\n"],
        },
    ]
    notebook = json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )
    report = scan_tree({"README.md": "# Churn\n", "notebooks/model.ipynb": notebook})
    expected = next(
        number for number, line in enumerate(notebook.splitlines(), 1) if "pickle.load" in line
    )
    (result,) = results(sarif_of(report), "RC-SEC-002")
    location = physical(result)
    assert location["artifactLocation"]["uri"] == "notebooks/model.ipynb"
    assert location["region"]["startLine"] == expected
    assert "cell 2, line 3" in result["message"]["text"]


def test_baseline_findings_are_kept_as_unchanged_and_new_ones_are_new(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    known = tmp_path / "baseline.json"
    known.write_text(baseline.to_json(scan(ScanOptions(path=root), rulebook)), encoding="utf-8")
    plain = sarif_of(scan(ScanOptions(path=root), rulebook))
    assert all("baselineState" not in result for result in results(plain))
    write_tree(root, {"app/settings.py": SECRET + "\n"})
    document = sarif_of(scan(ScanOptions(path=root, baseline=known), rulebook))
    states = {result["ruleId"]: result["baselineState"] for result in results(document)}
    assert states["RC-SEC-002"] == "unchanged"
    assert states["RC-SEC-001"] == "new"


def test_hostile_file_names_become_uri_references(scan_tree: Scan) -> None:
    names = [
        "app/100% <script>.py",
        "app/a b#c?d.py",
        "app/x:y,z.py",
        "app/new\nline.py",
        "app/é.py",
    ]
    loader = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
    report = scan_tree({"README.md": "# x\n"} | dict.fromkeys(names, loader))
    uris = [physical(r)["artifactLocation"]["uri"] for r in results(sarif_of(report), "RC-SEC-002")]
    assert sorted(unquote(uri) for uri in uris) == sorted(names)
    for uri in uris:
        assert RELATIVE_URI.fullmatch(uri), uri


def test_the_first_sentence_of_a_message_is_a_title(scan_tree: Scan) -> None:
    (result,) = results(sarif_of(scan_tree(SERVICE)), "RC-SEC-002")
    title = result["message"]["text"].split(". ")[0]
    assert title.startswith("A model or data file is loaded with a deserialiser")
    assert "pickle.load()" in title


def test_scan_warnings_become_tool_notifications(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE | {"notebooks/broken.ipynb": "{not json"})
    notifications = sarif_of(report)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (broken,) = [n for n in notifications if "broken.ipynb" in n["message"]["text"]]
    assert broken["level"] == "warning"
    uri = broken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "notebooks/broken.ipynb"


def test_security_severity_mapping_covers_every_severity() -> None:
    assert set(sarif.SECURITY_SEVERITY) == set(Severity)
    for value in sarif.SECURITY_SEVERITY.values():
        assert 0 < float(value) <= 10


def test_every_help_uri_lands_on_its_rules_heading_in_the_generated_docs(
    rulebook: Rulebook,
) -> None:
    """GitHub's anchor of a heading: lower case, punctuation other than hyphens dropped,
    spaces as hyphens."""
    docs = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in docs.splitlines()
        if line.startswith("### ")
    }
    assert {rule_anchor(rule) for rule in rulebook.rules} <= anchors
