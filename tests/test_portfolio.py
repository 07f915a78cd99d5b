"""`readycheck portfolio` from report files: loading and checking them, folding them into
the organisation's view, and remembering the previous portfolio."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import git
import jsonschema
import pytest
from typer.testing import CliRunner

from readycheck import forge, portfolio, reports
from readycheck.cli import app
from readycheck.errors import ConfigError
from readycheck.model import Report
from readycheck.portfolio_db import History
from readycheck.renderers.json_report import to_dict
from tests.conftest import write_tree


@pytest.fixture(scope="module")
def sample_reports(samples: dict[str, Report]) -> dict[str, dict[str, Any]]:
    return {name: to_dict(report) for name, report in samples.items()}


def _write_reports(folder: Path, found: Mapping[str, Mapping[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, report in found.items():
        (folder / f"{name}.json").write_text(json.dumps(report))
    return folder


def _schema(name: str) -> dict[str, Any]:
    return json.loads((resources.files("readycheck") / "schemas" / name).read_text())  # type: ignore[no-any-return]


# -- reading reports ---------------------------------------------------------------------


def test_a_report_that_is_not_one_is_rejected_with_its_path_and_first_error(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]]
) -> None:
    good = sample_reports["fraud-detector"]
    broken = copy.deepcopy(good)
    broken["summary"]["score"] = "high"
    future = copy.deepcopy(good)
    future["schema_version"] = "3.0.0"
    write_tree(
        tmp_path / "in",
        {
            "good.json": json.dumps(good),
            "broken.json": json.dumps(broken),
            "future.json": json.dumps(future),
            "garbage.json": "{not json",
            "list.json": "[1, 2]",
            "nested/also-good.json": json.dumps(sample_reports["churn-pilot"]),
            "notes.txt": "not a report, not looked at",
        },
    )
    (tmp_path / "in" / "link.json").symlink_to(tmp_path / "in" / "good.json")
    loaded = reports.load_all([tmp_path / "in", tmp_path / "missing.json"])
    assert sorted(Path(s).name for s, _ in loaded.reports) == ["also-good.json", "good.json"]
    reasons = {Path(r.source).name: r.reason for r in loaded.rejected}
    assert "summary/score" in reasons["broken.json"]
    assert "3.0.0" in reasons["future.json"]
    assert "not valid JSON" in reasons["garbage.json"]
    assert "not an object" in reasons["list.json"]
    assert reasons["missing.json"] == "no such file or folder"
    assert "link.json" not in reasons  # links in an artefact folder are not followed


def test_the_fast_checker_agrees_with_jsonschema(sample_reports: dict[str, dict[str, Any]]) -> None:
    schema = _schema("report.schema.json")
    for report in sample_reports.values():
        assert reports.validate(report) is None
        jsonschema.validate(report, schema)
    for mutate in (
        lambda r: r["target"].update(files=-1),
        lambda r: r["results"][0].update(status="maybe"),
        lambda r: r.update(surprise=True),
        lambda r: r["pillars"][0].pop("score"),
    ):
        report = copy.deepcopy(sample_reports["credit-risk-service"])
        mutate(report)
        assert reports.validate(report) is not None
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(report, schema)


def test_reports_of_an_older_rulebook_are_rejected_unless_merging_is_asked_for(
    sample_reports: dict[str, dict[str, Any]],
) -> None:
    old = copy.deepcopy(sample_reports["churn-pilot"])
    old["rulebook"]["version"] = "2026.9.1"
    given = [("new.json", sample_reports["fraud-detector"]), ("old.json", old)]
    kept, rejected, notes = reports.one_rulebook(given, allow_mixed=False)
    assert [s for s, _ in kept] == ["new.json"]  # 2026.12.x is newer than 2026.9.1 (not as text)
    assert "rulebook 2026.9.1" in rejected[0].reason and "--mixed-rulebooks" in rejected[0].reason
    kept, rejected, notes = reports.one_rulebook(given, allow_mixed=True)
    assert len(kept) == 2 and not rejected
    assert "compared by rule id" in notes[0]


# -- folding -------------------------------------------------------------------------------


def test_practices_missing_most_widely_come_first_with_what_fixing_them_adds(
    sample_reports: dict[str, dict[str, Any]],
) -> None:
    given = [(name, report) for name, report in sample_reports.items()]
    result = portfolio.build(given, generated_at="2026-12-06T00:00:00Z", tool_version="t")
    assert len(result.rows) == len(sample_reports)
    scores = [row.snapshot.score for row in result.rows]
    assert scores == sorted(scores, reverse=True)
    widths = [len(p.lacking) + 0.5 * len(p.partial) for p in result.practices]
    assert widths == sorted(widths, reverse=True)
    top = result.practices[0]
    expected_gain = sum(
        r["gain"]
        for report in sample_reports.values()
        for r in report["results"]
        if r["rule_id"] == top.rule_id and r["status"] in ("fail", "partial")
    )
    assert top.gain_total == pytest.approx(expected_gain, abs=0.1)
    assert top.mean_gain == pytest.approx(expected_gain / len(sample_reports), abs=0.1)
    assert sum(level.count for level in result.levels) == len(sample_reports)
    assert [level.rank for level in result.levels] == [4, 3, 2, 1]


def test_examples_to_copy_are_repositories_that_show_the_practice(
    sample_reports: dict[str, dict[str, Any]],
) -> None:
    given = [(name, report) for name, report in sample_reports.items()]
    result = portfolio.build(given, generated_at="x", tool_version="t")
    with_examples = [p for p in result.practices if p.examples]
    assert with_examples
    for practice in with_examples:
        for example in practice.examples:
            report = sample_reports[example.repository]
            verdict = next(r for r in report["results"] if r["rule_id"] == practice.rule_id)
            assert verdict["status"] == "pass" and verdict["basis"] == "evidence"
            assert example.repository not in practice.lacking


def test_an_older_report_of_the_same_repository_is_what_its_row_is_compared_with(
    sample_reports: dict[str, dict[str, Any]],
) -> None:
    now = sample_reports["credit-risk-service"]
    before = copy.deepcopy(now)
    before["scanned_at"] = "2026-01-01T00:00:00Z"
    before["summary"]["score"] = now["summary"]["score"] - 12.0
    rule = next(r for r in before["results"] if r["type"] == "practice" and r["status"] == "pass")
    rule["status"] = "fail"
    result = portfolio.build(
        [("now.json", now), ("before.json", before)], generated_at="x", tool_version="t"
    )
    assert len(result.rows) == 1
    change = result.rows[0].change
    assert change is not None and change.moved
    assert change.score_delta == 12.0
    assert change.newly_met == (rule["rule_id"],)


def test_one_repository_is_one_row_by_its_remote(sample_reports: dict[str, dict[str, Any]]) -> None:
    a = copy.deepcopy(sample_reports["fraud-detector"])
    b = copy.deepcopy(sample_reports["fraud-detector"])
    a["target"].update(name="checkout-1", remote="https://github.com/acme/fraud")
    b["target"].update(name="checkout-2", remote="https://github.com/acme/fraud")
    b["scanned_at"] = "2099-01-01T00:00:00Z"
    result = portfolio.build([("a", a), ("b", b)], generated_at="x", tool_version="t")
    assert [row.snapshot.name for row in result.rows] == ["checkout-2"]


# -- the history database ----------------------------------------------------------------


def test_the_history_remembers_the_previous_portfolio_and_the_scores(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]]
) -> None:
    given = [(name, report) for name, report in sample_reports.items()]
    first = portfolio.build(given, generated_at="2026-12-01T00:00:00Z", tool_version="t")
    with History(tmp_path / "h.db") as history:
        assert history.previous_run() is None
        history.record_run(first)
    with History(tmp_path / "h.db") as history:
        previous = history.previous_run()
        assert previous is not None
        when, snapshots = previous
        assert when == "2026-12-01T00:00:00Z"
        assert snapshots == {row.snapshot.key: row.snapshot for row in first.rows}
        history.record_trend("fraud-detector", "t", [("abc123", "2026-11-01T00:00:00", 10.0)])
        points = history.scores("fraud-detector")
        assert points[0] == ("2026-11-01T00:00:00", 10.0)
        assert len(points) == 2


def test_a_file_that_is_not_a_history_database_is_an_error_naming_it(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("shopping list\n" * 100)
    with pytest.raises(ConfigError, match="history database") as caught:
        History(bogus)
    assert str(bogus) in str(caught.value)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"
    ).connection.execute("INSERT INTO meta VALUES ('schema', '99')").connection.commit()
    with pytest.raises(ConfigError, match="schema 99"):
        History(other)


# -- the command ---------------------------------------------------------------------------


def test_portfolio_command_from_report_files_then_again_shows_what_changed(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]]
) -> None:
    folder = _write_reports(tmp_path / "reports", sample_reports)
    db = tmp_path / "portfolio.db"
    runner = CliRunner()
    result = runner.invoke(app, ["portfolio", str(folder), "--db", str(db), "-f", "json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    jsonschema.validate(first, _schema("portfolio.schema.json"))
    assert first["summary"]["repositories"] == len(sample_reports)
    assert first["previous_run"] is None
    assert first["practices"]

    better = copy.deepcopy(sample_reports["churn-pilot"])
    better["scanned_at"] = "2099-01-01T00:00:00Z"
    better["summary"]["score"] += 5.0
    (folder / "churn-pilot.json").write_text(json.dumps(better))
    page = tmp_path / "portfolio.html"
    result = runner.invoke(app, ["portfolio", str(folder), "--db", str(db), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "churn-pilot" in html and "+5" in html
    result = runner.invoke(app, ["portfolio", str(folder), "--db", str(db), "-f", "json"])
    again = json.loads(result.stdout)
    assert again["previous_run"] is not None


def test_portfolio_command_lists_rejected_inputs_and_goes_on(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]]
) -> None:
    folder = _write_reports(tmp_path / "reports", {"fraud": sample_reports["fraud-detector"]})
    (folder / "junk.json").write_bytes(b"\x00\xff binary")
    result = CliRunner().invoke(app, ["portfolio", str(folder), "--no-history", "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["source"] for r in data["rejected"]] == [str(folder / "junk.json")]
    assert "left out" in result.stderr and "Traceback" not in result.output


def test_portfolio_command_needs_some_input_and_a_known_format(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["portfolio", "--no-history"])
    assert result.exit_code == 2 and "--scan" in result.output
    result = runner.invoke(app, ["portfolio", str(tmp_path), "-o", str(tmp_path / "p.sarif")])
    assert result.exit_code == 2


# -- where a repository lives ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "web"),
    [
        ("https://github.com/acme/churn.git", "https://github.com/acme/churn"),
        (
            "https://x-access-token:ghp_abcdef@github.com/acme/churn.git",
            "https://github.com/acme/churn",
        ),
        ("git@gitlab.com:acme/ml/churn.git", "https://gitlab.com/acme/ml/churn"),
        ("ssh://git@github.com:22/acme/churn.git", "https://github.com/acme/churn"),
        ("/srv/git/churn.git", None),
        ("file:///srv/git/churn.git", None),
        ("https://github.com/acme/../etc", None),
        ('https://github.com/acme/churn"><script>', None),
        ("", None),
    ],
)
def test_a_remote_becomes_a_web_address_without_credentials(remote: str, web: str | None) -> None:
    assert forge.web_remote(remote) == web


def test_links_are_made_only_for_forges_whose_layout_is_known() -> None:
    sha = "a" * 40
    assert forge.file_url("https://github.com/a/b", sha, "src/x.py", 3) == (
        f"https://github.com/a/b/blob/{sha}/src/x.py#L3"
    )
    assert (
        forge.file_url("https://gitlab.com/a/b", sha, "x.py")
        == f"https://gitlab.com/a/b/-/blob/{sha}/x.py"
    )
    assert forge.file_url("https://git.example.org/a/b", sha, "x.py") is None
    assert forge.commit_url("https://github.com/a/b", "not-a-sha") is None


def test_the_report_names_the_remote_without_its_credentials(tmp_path: Path) -> None:
    from readycheck.pipeline import ScanOptions, scan

    root = write_tree(tmp_path / "svc", {"README.md": "# svc\n", "app.py": "print(1)\n"})
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "start", author="Ana Lima <ana@example.com>")
    repo.create_remote("origin", "https://deploy:glpat-SECRET123@gitlab.com/acme/svc.git")
    report = scan(ScanOptions(path=root))
    assert report.target.remote == "https://gitlab.com/acme/svc"
    assert "SECRET" not in json.dumps(to_dict(report))


def test_many_reports_load_alike_on_worker_processes_and_in_one(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]]
) -> None:
    seeds = list(sample_reports.values())
    for index in range(70):
        report = copy.deepcopy(seeds[index % len(seeds)])
        report["target"]["name"] = f"team-{index:02d}"
        (tmp_path / f"{index:02d}.json").write_text(json.dumps(report))
    (tmp_path / "broken.json").write_text("{")
    alone = reports.load_all([tmp_path], workers=1)
    shared = reports.load_all([tmp_path], workers=2)
    assert shared == alone
    assert len(alone.reports) == 70 and len(alone.rejected) == 1
    built = [
        portfolio.build(x.reports, generated_at="x", tool_version="t") for x in (alone, shared)
    ]
    assert built[0] == built[1]
    full = portfolio.build(
        [(name, report) for name, report in sample_reports.items()],
        generated_at="x",
        tool_version="t",
    )
    cut = portfolio.build(
        [(name, reports.summary(report)) for name, report in sample_reports.items()],
        generated_at="x",
        tool_version="t",
    )
    assert cut == full  # the cut keeps everything a portfolio reads


def test_in_github_actions_no_repository_text_reads_as_a_workflow_command(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portfolio prints other repositories' names: in Actions, a name that holds a
    workflow command is fenced (terminal, Markdown) or escaped (JSON, HTML)."""
    hostile = copy.deepcopy(sample_reports["fraud-detector"])
    hostile["target"]["name"] = "x\n::error title=pwned::owned ##[warning]y"
    folder = _write_reports(tmp_path / "reports", {"hostile": hostile})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    runner = CliRunner()
    for fmt in ("terminal", "markdown"):
        result = runner.invoke(app, ["portfolio", str(folder), "--no-history", "-f", fmt])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0].startswith("::stop-commands::")
        token = lines[0].split("::")[2]
        assert lines[-1] == f"::{token}::"
    result = runner.invoke(app, ["portfolio", str(folder), "--no-history", "-f", "json"])
    assert "##[" not in result.stdout and json.loads(result.stdout)["repositories"]
    result = runner.invoke(app, ["portfolio", str(folder), "--no-history", "-f", "html"])
    assert "##[" not in result.stdout
    assert not any(line.lstrip().startswith("::") for line in result.stdout.splitlines())


def test_a_rejected_reports_reason_is_one_inert_line_on_standard_error(
    tmp_path: Path, sample_reports: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = copy.deepcopy(sample_reports["fraud-detector"])
    broken["target"]["files"] = "x\n::error::pwned ##[warning]y"  # quoted by the schema error
    good = sample_reports["churn-pilot"]
    folder = _write_reports(tmp_path / "reports", {"broken": broken, "good": good})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(app, ["portfolio", str(folder), "--no-history", "-f", "json"])
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "left out" in line]
    assert len(notes) == 1 and "##[" not in notes[0]
    assert not any(line.startswith("::") for line in result.stderr.splitlines())


def test_folders_without_any_report_are_an_error_that_says_what_to_give(tmp_path: Path) -> None:
    """A new user who passes repositories instead of reports gets a hint, not an empty
    portfolio claiming every practice is in place."""
    write_tree(tmp_path / "repo", {"train.py": "print('hi')\n", "config.json": "{}\n"})
    result = CliRunner().invoke(app, ["portfolio", str(tmp_path / "repo"), "--no-history"])
    assert result.exit_code == 2
    assert "--scan FILE" in result.output and "in place everywhere" not in result.output


def test_azure_devops_remotes_get_links_of_their_own_form() -> None:
    sha = "b" * 40
    web = forge.web_remote("git@ssh.dev.azure.com:v3/contoso/Fraud%20Models/scoring")
    assert web == "https://dev.azure.com/contoso/Fraud%20Models/_git/scoring"
    assert forge.file_url(web, sha, "src/app.py", 7) == (
        f"{web}?path=/src/app.py&version=GC{sha}&line=7&lineEnd=7&lineStartColumn=1&lineEndColumn=1"
    )
    assert forge.commit_url(web, sha) == f"{web}/commit/{sha}"


def test_a_finding_links_to_its_line_on_the_forge_in_html_and_markdown(tmp_path: Path) -> None:
    """Report paths are relative to the scanned folder, the forge's to the repository:
    scanning a service inside a monorepo links to the service's file."""
    from readycheck.pipeline import ScanOptions, scan
    from readycheck.renderers import html, markdown

    root = write_tree(
        tmp_path / "mono",
        {
            "services/scoring/README.md": "# scoring\n",
            "services/scoring/load.py": "import pickle\n\nmodel = pickle.load(open('m.pkl', 'rb'))\n",
        },
    )
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "start", author="Ana Lima <ana@example.com>")
    repo.create_remote("origin", "git@github.com:acme/mono.git")
    sha = repo.head.commit.hexsha
    report = scan(ScanOptions(path=root / "services" / "scoring"))
    assert report.target.repository_path == "services/scoring"
    url = f"https://github.com/acme/mono/blob/{sha}/services/scoring/load.py#L3"
    assert f'href="{url}"' in html.render(report)
    assert f"({url})" in markdown.render(report)
    unknown = scan(
        ScanOptions(
            path=write_tree(
                tmp_path / "plain",
                {"load.py": "import pickle\n\npickle.load(open('m.pkl', 'rb'))\n"},
            )
        )
    )
    assert "/blob/" not in html.render(unknown)  # no remote: plain paths
    assert "/blob/" not in markdown.render(unknown)
