"""`readycheck trend`: a repository's score over its history, read from git objects."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import git
import jsonschema
import pytest
from typer.testing import CliRunner

from readycheck import trend
from readycheck.cli import app
from readycheck.errors import ConfigError
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES, write_tree

CI = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install -e '.[test]'
      - run: pytest -q
"""


def _repository(root: Path) -> git.Repo:
    """fraud-detector's history in three commits: without its tests, with them, with CI."""
    shutil.copytree(SAMPLES / "fraud-detector", root)
    tests = root / "tests"
    kept = root.parent / "kept-tests"
    shutil.move(tests, kept)
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Ana Lima")
        config.set_value("user", "email", "ana@example.com")
    repo.git.add(A=True)
    repo.git.commit("-m", "Fraud model as a package")
    shutil.move(kept, tests)
    repo.git.add(A=True)
    repo.git.commit("-m", "Unit tests for the feature pipeline")
    repo.create_tag("v0.1")
    write_tree(root, {".github/workflows/ci.yml": CI})
    repo.git.add(A=True)
    repo.git.commit("-m", "Run the tests in CI")
    repo.create_tag("v0.2", message="second release")  # an annotated tag
    return repo


@pytest.fixture()
def history(tmp_path: Path) -> tuple[Path, git.Repo]:
    root = tmp_path / "fraud-detector"
    return root, _repository(root)


def test_each_commit_is_scanned_oldest_first_and_adding_tests_raises_the_score(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, repo = history
    result = trend.compute(root, trend.Selection(last=10), cache_dir=tmp_path / "cache")
    subjects = [p.subject for p in result.points]
    assert subjects == [
        "Fraud model as a package",
        "Unit tests for the feature pipeline",
        "Run the tests in CI",
    ]
    scores = [p.score for p in result.points]
    assert scores[0] < scores[1] <= scores[2]
    assert result.points[-1].commit == repo.head.commit.hexsha
    assert result.selection == "the last 3 commits of main"
    hygiene = [next(c.score for c in p.pillars if c.id == "hygiene") for p in result.points]
    assert any(m.pillar == "hygiene" and m.delta > 0 for m in result.movers), hygiene


def test_the_newest_point_equals_a_scan_of_the_same_commit(
    history: tuple[Path, git.Repo], tmp_path: Path, rulebook: Rulebook
) -> None:
    """Reading files from git objects and asking history about the commit must give the
    verdicts a scan of the checked-out commit gives: trend is not a different scanner."""
    root, _ = history
    result = trend.compute(root, trend.Selection(last=1), cache_dir=None)
    report = scan(ScanOptions(path=root), rulebook)
    point = result.points[-1]
    assert point.score == report.score
    assert {c.id: c.score for c in point.pillars} == {
        p.pillar.value: p.score for p in report.pillars
    }


def test_history_rules_read_history_as_of_the_scanned_commit(
    history: tuple[Path, git.Repo], tmp_path: Path, rulebook: Rulebook
) -> None:
    root, repo = history
    first = repo.commit("HEAD~2")
    export = tmp_path / "export"
    export.mkdir()
    exporter = trend.Exporter(repo, "", export, 10_000_000)
    tracked = exporter.move_to(first.hexsha)
    from readycheck.pipeline import AtCommit

    report = scan(
        ScanOptions(path=export, at_commit=AtCommit(root, first.hexsha, tracked)), rulebook
    )
    assert report.target.commit == first.hexsha
    assert report.target.name == "fraud-detector"
    assert not (export / "tests").exists()
    assert all(not path.startswith("tests/") for path in tracked)


def test_trend_leaves_the_work_tree_and_index_untouched(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, repo = history
    (root / "README.md").write_text("work in progress\n")
    (root / "scratch.py").write_text("print('not committed')\n")
    status = repo.git.status("--porcelain")
    head = repo.head.commit.hexsha
    trend.compute(root, trend.Selection(last=3), cache_dir=tmp_path / "cache")
    assert repo.git.status("--porcelain") == status
    assert repo.head.commit.hexsha == head
    assert (root / "README.md").read_text() == "work in progress\n"


def test_tags_select_the_tagged_commits_annotated_or_not(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, repo = history
    result = trend.compute(root, trend.Selection(last=None, tags=True), cache_dir=None)
    assert [p.tag for p in result.points] == ["v0.1", "v0.2"]
    assert result.points[-1].commit == repo.head.commit.hexsha
    assert result.selection.startswith("its 2 tags")


def test_a_commit_with_a_broken_config_is_listed_and_the_others_are_scanned(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, repo = history
    write_tree(root, {".readycheck.yml": "kind: [not, a, kind\n"})
    repo.git.add(A=True)
    repo.git.commit("-m", "A config with a typo")
    write_tree(root, {".readycheck.yml": "exclude: [notebooks/]\n"})
    repo.git.add(A=True)
    repo.git.commit("-m", "Fix the config")
    result = trend.compute(root, trend.Selection(last=5), cache_dir=None)
    assert [f.commit for f in result.failed] == [repo.commit("HEAD~1").hexsha]
    assert ".readycheck.yml" in result.failed[0].reason
    assert len(result.points) == 4


def test_a_folder_that_is_not_a_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="history"):
        trend.compute(tmp_path, trend.Selection(), cache_dir=None)


def test_paths_that_would_leave_the_export_are_refused() -> None:
    assert trend._safe("src/model.py")
    for hostile in (
        "../outside.py",
        "src/../../x",
        "/etc/passwd",
        ".git/config",
        "a/.GIT/hooks/x",
        "",
    ):
        assert not trend._safe(hostile), hostile


def test_a_blob_over_the_size_limit_is_exported_as_a_sparse_file_of_its_size(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"data/big.csv": "x" * 5000, "README.md": "# r\n"})
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "data", author="Ana Lima <ana@example.com>")
    export = tmp_path / "export"
    export.mkdir()
    trend.Exporter(repo, "", export, max_size=1000).move_to("HEAD")
    big = export / "data/big.csv"
    assert big.stat().st_size == 5000
    assert big.read_bytes() == bytes(5000)  # its content was never read from git
    assert (export / "README.md").read_text() == "# r\n"


def test_moving_to_the_next_commit_rewrites_only_what_changed_and_deletes_what_went(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    _root, repo = history
    export = tmp_path / "export"
    export.mkdir()
    exporter = trend.Exporter(repo, "", export, 10_000_000)
    exporter.move_to("HEAD")
    readme = export / "README.md"
    before = readme.stat().st_mtime_ns
    exporter.move_to("HEAD~2")
    assert readme.stat().st_mtime_ns == before  # unchanged between the commits: not rewritten
    assert not (export / ".github/workflows/ci.yml").exists()
    assert not any((export / "tests").glob("*.py"))


def test_trend_command_writes_json_that_validates_and_html(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, _ = history
    runner = CliRunner()
    result = runner.invoke(app, ["trend", str(root), "--last", "2", "-f", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    schema = json.loads(
        (resources.files("readycheck") / "schemas" / "trend.schema.json").read_text()
    )
    jsonschema.validate(data, schema)
    assert len(data["points"]) == 2
    page = tmp_path / "trend.html"
    result = runner.invoke(app, ["trend", str(root), "-n", "3", "-o", str(page), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Run the tests in CI" in page.read_text()


def test_trend_command_refuses_a_plain_folder_with_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["trend", str(tmp_path)])
    assert result.exit_code == 2
    assert "history" in result.output
    assert "Traceback" not in result.output


def test_the_scorecard_draws_the_trend_line_from_the_history_trend_stored(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, _ = history
    db = tmp_path / "history.db"
    runner = CliRunner()
    result = runner.invoke(app, ["trend", str(root), "-n", "3", "--db", str(db), "-f", "json"])
    assert result.exit_code == 0, result.output
    card = tmp_path / "card.html"
    result = runner.invoke(app, ["scan", str(root), "-o", str(card), "--history", str(db), "-q"])
    assert result.exit_code == 0, result.output
    # the two commits before HEAD, then this scan of HEAD (not HEAD's trend point again)
    assert "Score over the last 3 scans" in card.read_text()
    plain = tmp_path / "plain.html"
    runner.invoke(app, ["scan", str(root), "-o", str(plain), "-q"])
    assert "Score over the last" not in plain.read_text()


def test_commits_scanned_in_parallel_give_the_points_of_one_process(
    history: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, _ = history
    alone = trend.compute(root, trend.Selection(last=3), cache_dir=tmp_path / "a", workers=1)
    shared = trend.compute(root, trend.Selection(last=3), cache_dir=tmp_path / "b", workers=2)
    assert shared.points == alone.points
    assert shared.movers == alone.movers


def test_a_blob_git_no_longer_holds_is_a_note_not_a_crash(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"README.md": "# r\n", "data/cassette.yaml": "x: 1\n"})
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "start", author="Ana Lima <ana@example.com>")
    sha = repo.git.rev_parse("HEAD:data/cassette.yaml")
    (root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()  # as a partial clone lacks it
    result = trend.compute(root, trend.Selection(last=1), cache_dir=None)
    assert len(result.points) == 1
    assert "data/cassette.yaml" in result.warnings[0]


def test_large_files_at_each_commit_match_a_scan_of_that_commit_alone(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """trend works out what each commit reaches from the commit scanned before it: a model
    added then removed, and a data file from a branch merged later, must read the same as
    a scan of each commit on its own."""
    from readycheck import pipeline
    from readycheck.detectors import history as history_detectors

    root = tmp_path / "repo"
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Ana Lima")
        config.set_value("user", "email", "ana@example.com")

    def commit(message: str, files: dict[str, bytes] | None = None, remove: str = "") -> None:
        write_tree(root, files or {})
        if remove:
            repo.index.remove([remove], working_tree=True)
        repo.git.add(A=True)
        repo.git.commit("-m", message, "--allow-empty")

    commit("start", {"train.py": b"print('train')\n"})
    commit("a model committed", {"models/model.pkl": bytes(range(256)) * 5000})
    commit("the model removed", remove="models/model.pkl")
    repo.git.checkout("-b", "data")
    commit("data on a branch", {"data/train.parquet": bytes(reversed(range(256))) * 6000})
    repo.git.checkout("main")
    commit("docs", {"README.md": b"# churn\n"})
    repo.git.merge("data", "--no-ff", "-m", "merge data")
    commit("v2", {"train.py": b"print('train v2')\n"})
    commits = repo.git.rev_list("--first-parent", "HEAD").split()  # newest first, as trend

    def large_files(sha: str, folder: Path, exporter: trend.Exporter) -> list[str]:
        tracked = exporter.move_to(sha)
        at = pipeline.AtCommit(root, sha, tracked)
        report = scan(ScanOptions(path=folder, at_commit=at), rulebook)
        result = next(r for r in report.results if r.rule.id == "RC-DATA-011")
        return sorted(f.message for f in result.findings)

    def exporter(name: str) -> tuple[Path, trend.Exporter]:
        folder = tmp_path / name
        folder.mkdir()
        return folder, trend.Exporter(repo, "", folder, 5 * 1024 * 1024)

    history_detectors._REACHED.clear()
    folder, one_after_another = exporter("trend")
    in_sequence = [large_files(sha, folder, one_after_another) for sha in commits]
    alone = []
    for index, sha in enumerate(commits):
        history_detectors._REACHED.clear()
        folder, fresh = exporter(f"alone-{index}")
        alone.append(large_files(sha, folder, fresh))
    assert in_sequence == alone
    history_detectors._REACHED.clear()
    folder, oldest_first = exporter("forward")
    assert [large_files(sha, folder, oldest_first) for sha in reversed(commits)] == alone[::-1]
    assert alone[0] and any(not found for found in alone)  # the history has both cases


def test_analyses_reused_from_the_commit_before_give_the_points_of_fresh_scans(
    history: tuple[Path, git.Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose blob, role and calls are those of the commit scanned before keeps its
    analysis; every point must be what scanning each commit afresh gives."""
    from readycheck import runner

    root, repo = history
    write_tree(root, {"src/fraud_detector/features.py": "def scale(x):\n    return x * 2\n"})
    repo.git.add(A=True)
    repo.git.commit("-m", "A feature module changed")
    reused: list[int] = []
    original = runner.analyze_all

    def counting(*args: object, **kwargs: object) -> object:
        memo = kwargs.get("memo")
        before = dict(memo.known) if isinstance(memo, runner.CommitMemo) else {}
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        reused.append(sum(1 for a in result if any(a is known[1] for known in before.values())))
        return result

    monkeypatch.setattr(runner, "analyze_all", counting)
    with_memo = trend.compute(root, trend.Selection(last=4), cache_dir=None)
    assert sum(reused) > 0, "no analysis was carried over from one commit to the next"
    monkeypatch.setattr(runner.CommitMemo, "identity", lambda *args: None)
    fresh = trend.compute(root, trend.Selection(last=4), cache_dir=None)
    assert [(p.commit, p.score, p.pillars) for p in with_memo.points] == [
        (p.commit, p.score, p.pillars) for p in fresh.points
    ]
