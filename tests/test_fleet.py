"""Scanning many repositories: the list file, clones of git URLs, the per-commit history
that lets a rerun skip unchanged repositories, rejected sources, and the Dask engine.

Every repository here is built at test time from the sample projects; URL sources are
bare repositories on disk, listed as file:// URLs, so nothing goes to the network."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import distributed
import git
import jsonschema
import pytest
from typer.testing import CliRunner, Result

from readycheck import fleet
from readycheck.cli import app
from readycheck.errors import ConfigError
from readycheck.portfolio import Rejected
from tests.conftest import SAMPLES

runner = CliRunner()

PORTFOLIO_SCHEMA = json.loads(
    (resources.files("readycheck") / "schemas" / "portfolio.schema.json").read_text()
)

#: A file that lowers credit-risk-service's score: a pickle loaded at import time.
UNSAFE_LOADER = 'import pickle\n\nmodel = pickle.load(open("model.pkl", "rb"))\n'


# -- building repositories --------------------------------------------------------------


def _as_author(repo: git.Repo) -> git.Repo:
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test Author")
        config.set_value("user", "email", "author@example.com")
    return repo


def _commit_all(root: Path, message: str = "initial") -> git.Repo:
    repo = _as_author(git.Repo.init(root, initial_branch="main"))
    repo.git.add("--all")
    repo.index.commit(message)
    return repo


def _sample_repository(name: str, target: Path) -> git.Repo:
    shutil.copytree(SAMPLES / name, target)
    return _commit_all(target)


@dataclass(frozen=True)
class Fleet:
    """Two repositories to list: fraud-detector behind a file:// URL (a bare origin),
    and credit-risk-service as a folder next to the list file."""

    root: Path
    origin: Path  # the bare repository the URL names
    url: str
    local: Path  # the local folder, a committed repository
    list_file: Path
    db: Path
    work: Path

    def origin_head(self) -> str:
        return git.Repo(self.origin).head.commit.hexsha

    def local_head(self) -> str:
        return git.Repo(self.local).head.commit.hexsha


def _write_list(path: Path, lines: Sequence[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def repos(tmp_path: Path) -> Fleet:
    upstream = tmp_path / "upstream" / "fraud-detector"
    _sample_repository("fraud-detector", upstream)
    origin = tmp_path / "remotes" / "fraud-detector.git"
    git.Repo.clone_from(str(upstream), origin, bare=True)
    local = tmp_path / "lists" / "credit-risk-service"
    _sample_repository("credit-risk-service", local)
    url = origin.as_uri()
    list_file = _write_list(
        tmp_path / "lists" / "repositories.txt",
        [
            "# The organisation's ML repositories",
            "",
            f"{url}   # the fraud team's, cloned",
            "   ",
            "  # a comment indented",
            "credit-risk-service",
            "",
        ],
    )
    return Fleet(
        root=tmp_path,
        origin=origin,
        url=url,
        local=local,
        list_file=list_file,
        db=tmp_path / "history" / "portfolio.db",
        work=tmp_path / "work",
    )


def _push_change(repos: Fleet, files: Mapping[str, str]) -> str:
    """Commit `files` in a working clone of the origin and push it; the new HEAD."""
    clone = repos.root / "pusher"
    if clone.exists():
        shutil.rmtree(clone)
    repo = _as_author(git.Repo.clone_from(str(repos.origin), clone))
    for relative, content in files.items():
        target = clone / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    repo.git.add("--all")
    repo.index.commit("add a model card and a CI workflow")
    repo.git.push("origin", "HEAD:main")
    return repo.head.commit.hexsha


# -- running the command ----------------------------------------------------------------


def _invoke(list_file: Path, *extra: str) -> Result:
    return runner.invoke(app, ["portfolio", "--scan", str(list_file), "-f", "json", *extra])


def _portfolio(repos: Fleet, *extra: str, list_file: Path | None = None) -> tuple[Result, Any]:
    """Run `portfolio --scan` on one core; the result and its JSON, checked against the
    shipped schema."""
    result = _invoke(
        list_file or repos.list_file,
        "--db",
        str(repos.db),
        "--work-dir",
        str(repos.work),
        "-j",
        "1",
        *extra,
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.exception is None
    data = json.loads(result.stdout)
    jsonschema.validate(data, PORTFOLIO_SCHEMA)
    return result, data


def _rows(data: Any) -> dict[str, Any]:
    return {row["name"]: row for row in data["repositories"]}


def _without_scanned_at(
    reports: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    return [(source, {k: v for k, v in r.items() if k != "scanned_at"}) for source, r in reports]


def _no_history(_source: str, _commit: str) -> Mapping[str, Any] | None:
    return None


def _forget(_source: str, _commit: str, _report: Mapping[str, Any]) -> None:
    return None


# -- 1. a list of URLs and folders --------------------------------------------------------


def test_scan_list_clones_urls_and_scans_folders_into_a_valid_portfolio(repos: Fleet) -> None:
    result, data = _portfolio(repos)

    rows = _rows(data)
    assert set(rows) == {"fraud-detector", "credit-risk-service"}
    assert data["summary"]["repositories"] == 2
    assert data["rejected"] == []
    assert data["previous_run"] is None
    fraud, credit = rows["fraud-detector"], rows["credit-risk-service"]
    for row in (fraud, credit):
        assert isinstance(row["score"], float | int) and 0 < row["score"] <= 100
        assert row["rescanned"] is True
        assert row["change"] is None
    assert fraud["source"] == repos.url
    assert fraud["commit"] == repos.origin_head()
    assert credit["source"] == "credit-risk-service"
    assert credit["commit"] == repos.local_head()

    clone = fleet.checkout_folder(repos.work, repos.url)
    assert clone.name == "fraud-detector"
    assert clone.is_relative_to(repos.work)
    assert git.Repo(clone).head.commit.hexsha == repos.origin_head()
    assert "preparing " + repos.url in result.stderr
    assert "scanning 2 repositories" in result.stderr


# -- 2. reruns: reuse what did not move -------------------------------------------------


def test_rerun_reuses_unchanged_repositories_and_rescans_the_one_whose_head_moved(
    repos: Fleet,
) -> None:
    _, first = _portfolio(repos)
    before = _rows(first)

    second_result, second = _portfolio(repos)
    assert "scanning" not in second_result.stderr, "nothing moved: nothing is scanned"
    assert second["previous_run"] == first["generated_at"]
    for name, row in _rows(second).items():
        assert row["rescanned"] is False, name
        assert row["commit"] == before[name]["commit"]
        assert row["scanned_at"] == before[name]["scanned_at"], "the stored report is shown"
        assert row["change"] is not None, "compared with the previous portfolio"
        assert row["change"]["previous_commit"] == before[name]["commit"]
        assert row["change"]["score_delta"] == 0

    old_head = repos.origin_head()
    new_head = _push_change(
        repos,
        {
            "MODEL_CARD.md": (SAMPLES / "credit-risk-service" / "MODEL_CARD.md").read_text(),
            "Dockerfile": (SAMPLES / "credit-risk-service" / "Dockerfile").read_text(),
            ".github/workflows/ci.yml": (
                SAMPLES / "credit-risk-service" / ".github" / "workflows" / "ci.yml"
            ).read_text(),
        },
    )
    assert new_head != old_head and repos.origin_head() == new_head

    third_result, third = _portfolio(repos)
    assert "scanning 1 repository" in third_result.stderr
    assert third["previous_run"] == second["generated_at"]
    rows = _rows(third)
    fraud, credit = rows["fraud-detector"], rows["credit-risk-service"]
    assert fraud["rescanned"] is True
    assert fraud["commit"] == new_head
    assert fraud["change"]["previous_commit"] == old_head
    old_score = before["fraud-detector"]["score"]
    assert fraud["change"]["previous_score"] == old_score
    assert fraud["score"] > old_score, "a model card, a Dockerfile and CI add to readiness"
    assert fraud["change"]["score_delta"] == round(fraud["score"] - old_score, 1)
    assert credit["rescanned"] is False
    assert credit["commit"] == before["credit-risk-service"]["commit"]

    fourth_result, fourth = _portfolio(repos)
    assert "scanning" not in fourth_result.stderr, "the new commit's report was stored"
    assert {name: row["rescanned"] for name, row in _rows(fourth).items()} == {
        "fraud-detector": False,
        "credit-risk-service": False,
    }
    assert _rows(fourth)["fraud-detector"]["commit"] == new_head


# -- 3. uncommitted changes ------------------------------------------------------------


def test_a_local_folder_with_uncommitted_changes_is_always_rescanned(repos: Fleet) -> None:
    only_local = _write_list(repos.root / "lists" / "local.txt", ["credit-risk-service"])
    _, clean = _portfolio(repos, list_file=only_local)
    _, reused = _portfolio(repos, list_file=only_local)
    assert _rows(reused)["credit-risk-service"]["rescanned"] is False, "clean: reused"
    clean_score = _rows(clean)["credit-risk-service"]["score"]

    loader = repos.local / "src" / "model_loader.py"
    loader.write_text(UNSAFE_LOADER, encoding="utf-8")  # untracked, not committed
    for _ in range(2):
        result, dirty = _portfolio(repos, list_file=only_local)
        row = _rows(dirty)["credit-risk-service"]
        assert row["rescanned"] is True
        assert row["commit"] == repos.local_head(), "HEAD did not move"
        assert row["score"] < clean_score, "the uncommitted file was scanned"
        assert "scanning 1 repository" in result.stderr

    loader.unlink()
    readme = repos.local / "README.md"
    readme.write_text(readme.read_text() + "\nA local edit.\n", encoding="utf-8")
    _, edited = _portfolio(repos, list_file=only_local)
    assert _rows(edited)["credit-risk-service"]["rescanned"] is True, "a modified tracked file"

    git.Repo(repos.local).git.checkout("--", "README.md")
    _, restored = _portfolio(repos, list_file=only_local)
    row = _rows(restored)["credit-risk-service"]
    assert row["rescanned"] is False
    assert row["score"] == clean_score, "a dirty scan is never stored under the commit"
    assert row["scanned_at"] == _rows(clean)["credit-risk-service"]["scanned_at"]


def test_prepare_marks_dirty_folders_and_plain_folders_as_always_scanned(
    repos: Fleet, tmp_path: Path
) -> None:
    source = fleet.read_list(_write_list(tmp_path / "lists" / "one.txt", ["credit-risk-service"]))
    prepared = fleet.prepare(source[0], repos.work)
    assert isinstance(prepared, fleet.Prepared)
    assert (prepared.commit, prepared.dirty) == (repos.local_head(), False)

    (repos.local / "notes.txt").write_text("scratch\n", encoding="utf-8")
    prepared = fleet.prepare(source[0], repos.work)
    assert isinstance(prepared, fleet.Prepared)
    assert (prepared.commit, prepared.dirty) == (repos.local_head(), True)

    plain = tmp_path / "plain"
    shutil.copytree(SAMPLES / "fraud-detector", plain)
    prepared = fleet.prepare(fleet.Source("plain", None, plain), repos.work)
    assert isinstance(prepared, fleet.Prepared)
    assert (prepared.commit, prepared.dirty) == (None, True)


# -- 4. sources that cannot be used ------------------------------------------------------


def test_unusable_sources_are_rejected_with_a_reason_and_the_rest_are_still_scanned(
    repos: Fleet,
) -> None:
    listed = _write_list(
        repos.root / "lists" / "mixed.txt",
        [
            repos.url,
            "file:///nonexistent/repo.git",
            "credit-risk-service",
            "no-such-repository",
        ],
    )
    result, data = _portfolio(repos, list_file=listed)

    assert set(_rows(data)) == {"fraud-detector", "credit-risk-service"}
    rejected = {item["source"]: item["reason"] for item in data["rejected"]}
    assert set(rejected) == {"file:///nonexistent/repo.git", "no-such-repository"}
    assert rejected["no-such-repository"] == "no such folder"
    assert rejected["file:///nonexistent/repo.git"].startswith("git failed: ")
    assert "readycheck: left out file:///nonexistent/repo.git: git failed: " in result.stderr
    assert "readycheck: left out no-such-repository: no such folder" in result.stderr
    assert "Traceback" not in result.output
    assert not fleet.checkout_folder(repos.work, "file:///nonexistent/repo.git").exists()


def test_a_clone_failure_is_rejected_with_the_reason_git_gave(tmp_path: Path) -> None:
    """The reason is git's own `fatal:` line, which names the repository and says what is
    wrong, not the tail of git's advice ("and the repository exists.") nor gitpython's
    quoting; and no half-made clone is left in the work folder."""
    source = fleet.read_list(_write_list(tmp_path / "list.txt", ["file:///nonexistent/repo.git"]))
    rejected = fleet.prepare(source[0], tmp_path / "work")
    assert isinstance(rejected, Rejected)
    assert rejected.source == "file:///nonexistent/repo.git"
    assert "does not appear to be a git repository" in rejected.reason
    assert not rejected.reason.endswith("'")
    assert not fleet.checkout_folder(tmp_path / "work", "file:///nonexistent/repo.git").exists()


def test_a_scan_that_fails_in_a_worker_rejects_that_repository_only(repos: Fleet) -> None:
    class Failing:
        def map(self, paths: Sequence[str], cache_dir: str | None) -> list[Mapping[str, Any] | str]:
            return ["the scan failed: OSError: disk on fire" for _ in paths]

    stored: list[str] = []
    outcome = fleet.scan_all(
        [fleet.Source("credit-risk-service", None, repos.local)],
        repos.work,
        Failing(),
        analyser="test",
        cache_dir=None,
        stored=_no_history,
        store=lambda source, commit, report: stored.append(source),
    )
    assert outcome.reports == ()
    assert outcome.rejected == (
        Rejected("credit-risk-service", "the scan failed: OSError: disk on fire"),
    )
    assert stored == [], "a failure is not stored as the commit's report"

    reason = fleet.scan_report(str(repos.root / "gone"), None)
    assert isinstance(reason, str) and "gone" in reason, "a worker answers, never raises"


# -- 5. the Dask engine ------------------------------------------------------------------


@pytest.fixture()
def cluster() -> Iterator[distributed.LocalCluster]:
    local = distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        yield local
    finally:
        local.close()


def _scheduled(cluster: distributed.LocalCluster) -> set[str]:
    """The task names the cluster's scheduler has run."""
    scheduler = cluster.scheduler
    assert scheduler is not None
    return set(scheduler.task_prefixes)


def test_dask_engine_gives_the_same_reports_as_local_processes(
    repos: Fleet, cluster: distributed.LocalCluster
) -> None:
    sources = fleet.read_list(repos.list_file)
    for source in sources:  # clone once: both engines then scan the same folders
        assert isinstance(fleet.prepare(source, repos.work), fleet.Prepared)

    def run(engine: fleet.Engine) -> fleet.Outcome:
        return fleet.scan_all(
            sources,
            repos.work,
            engine,
            analyser="test",
            cache_dir=None,
            stored=lambda s, c: None,
            store=lambda s, c, r: None,
        )

    on_dask = run(fleet.DaskEngine(cluster.scheduler_address))
    assert "scan_report" in _scheduled(cluster), "the scans ran on the cluster"
    on_this_machine = run(fleet.LocalPool(1))

    assert on_dask.rejected == on_this_machine.rejected == ()
    assert [source for source, _ in on_dask.reports] == [repos.url, "credit-risk-service"]
    assert _without_scanned_at(on_dask.reports) == _without_scanned_at(on_this_machine.reports)
    assert on_dask.rescanned == on_this_machine.rescanned


def test_portfolio_scan_runs_on_a_dask_scheduler(
    repos: Fleet, cluster: distributed.LocalCluster
) -> None:
    result, data = _portfolio(repos, "--scheduler", cluster.scheduler_address)
    assert set(_rows(data)) == {"fraud-detector", "credit-risk-service"}
    assert all(row["rescanned"] is True for row in data["repositories"])
    assert data["rejected"] == []
    assert "scanning 2 repositories" in result.stderr
    assert "scan_report" in _scheduled(cluster), "the scans ran on the cluster"


# -- 6. a scheduler that cannot be reached -----------------------------------------------


def test_an_unreachable_scheduler_is_a_config_error_naming_it() -> None:
    engine = fleet.DaskEngine("tcp://127.0.0.1:1", timeout=2)
    with pytest.raises(ConfigError, match=r"cannot reach the Dask scheduler tcp://127\.0\.0\.1:1"):
        engine.map(["/anywhere"], None)


def test_portfolio_with_an_unreachable_scheduler_exits_2(
    repos: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fleet, "DaskEngine", functools.partial(fleet.DaskEngine, timeout=2))
    result = _invoke(
        repos.list_file,
        "--no-history",
        "--work-dir",
        str(repos.work),
        "--scheduler",
        "tcp://127.0.0.1:1",
    )
    assert result.exit_code == 2, (result.output, result.exception)
    assert "error: cannot reach the Dask scheduler tcp://127.0.0.1:1" in result.stderr
    assert result.stdout == ""


def test_a_malformed_scheduler_address_is_a_config_error(repos: Fleet) -> None:
    """BUG: distributed raises ValueError for an address it cannot parse ("unknown
    address scheme", "missing port number"), which DaskEngine.map does not catch: the
    command ends in a traceback (exit 1) instead of a usage error (exit 2)."""
    with pytest.raises(ConfigError, match="dask-scheduler"):
        fleet.DaskEngine("dask-scheduler", timeout=2).map([], None)
    result = _invoke(
        repos.list_file,
        "--no-history",
        "--work-dir",
        str(repos.work),
        "--scheduler",
        "http://dask-scheduler:8786",
    )
    assert result.exit_code == 2, (result.output, result.exception)
    assert "http://dask-scheduler:8786" in result.stderr


# -- 7. the list file ---------------------------------------------------------------------


def test_read_list_resolves_folders_against_the_list_and_drops_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative to the list file, never to the working folder
    listed = _write_list(
        tmp_path / "config" / "repositories.txt",
        [
            "# whole-line comment",
            "",
            "   ",
            "teams/ml-service   # trailing comment",
            "\t# an indented comment",
            "../checkouts/forecast",
            "https://git.example.com/acme/ranker.git#main",
            "git@github.com:acme/churn.git # the churn model",
            "file:///srv/git/fraud.git\t# tab before the comment",
        ],
    )

    sources = fleet.read_list(listed)

    assert [s.text for s in sources] == [
        "teams/ml-service",
        "../checkouts/forecast",
        "https://git.example.com/acme/ranker.git#main",
        "git@github.com:acme/churn.git",
        "file:///srv/git/fraud.git",
    ]
    folders, urls = sources[:2], sources[2:]
    assert [s.url for s in folders] == [None, None]
    assert folders[0].path == (tmp_path / "config" / "teams" / "ml-service").resolve()
    assert folders[1].path == (tmp_path / "checkouts" / "forecast").resolve()
    assert [s.url for s in urls] == [s.text for s in urls]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p, id="missing"),
        pytest.param(lambda p: (p.mkdir(), p)[1], id="a-folder"),
        pytest.param(lambda p: (p.write_bytes(b"repo\xff\xfe\n"), p)[1], id="not-utf8"),
    ],
)
def test_an_unreadable_list_is_a_config_error(tmp_path: Path, make: Any) -> None:
    path = make(tmp_path / "repositories.txt")
    with pytest.raises(ConfigError, match="cannot read the repository list") as caught:
        fleet.read_list(path)
    assert caught.value.path == str(path)


def test_read_list_accepts_a_list_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    """BUG: a list saved as UTF-8 with a byte order mark (PowerShell's `Out-File
    -Encoding utf8`, some Windows editors) is read with the BOM glued to its first line,
    so a first-line comment becomes a source ("\\ufeff# ...": a rejected "no such
    folder") and a first-line URL is taken for a folder."""
    listed = tmp_path / "repositories.txt"
    listed.write_bytes(
        "# ML repositories\nhttps://github.com/acme/ranker.git\n".encode("utf-8-sig")
    )
    assert [(s.text, s.url) for s in fleet.read_list(listed)] == [
        ("https://github.com/acme/ranker.git", "https://github.com/acme/ranker.git")
    ]
    listed.write_bytes("https://github.com/acme/ranker.git\n".encode("utf-8-sig"))
    assert [s.url for s in fleet.read_list(listed)] == ["https://github.com/acme/ranker.git"]


# -- 8. where URLs are cloned ------------------------------------------------------------


def test_checkout_folder_keeps_two_repositories_of_the_same_name_apart(tmp_path: Path) -> None:
    first = fleet.checkout_folder(tmp_path, "https://github.com/team-a/ml-service.git")
    second = fleet.checkout_folder(tmp_path, "https://gitlab.example.com/team-b/ml-service")
    assert first != second
    assert first.name == second.name == "ml-service"
    assert first.is_relative_to(tmp_path) and second.is_relative_to(tmp_path)
    again = fleet.checkout_folder(tmp_path, "https://github.com/team-a/ml-service.git")
    assert again == first, "the same URL is cloned to the same folder on every run"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/ml-service.git",
        "https://github.com/acme/ml-service",
        "https://github.com/acme/ml-service.git/",
        "file:///srv/git/ml-service.git",
        "ssh://git@git.example.com:2222/acme/ml-service.git",
        "git@github.com:acme/ml-service.git",
    ],
)
def test_checkout_folder_is_named_for_the_repository(tmp_path: Path, url: str) -> None:
    assert fleet.checkout_folder(tmp_path, url).name == "ml-service"


def test_checkout_folder_names_an_scp_style_url_without_an_owner_for_its_repository(
    tmp_path: Path,
) -> None:
    """BUG: for `git@host:ml-service.git` (scp-like, no owner folder) checkout_folder
    replaces `@` and `:` with `_` before it looks for the `:`, so the folder (and the
    repository's name in the portfolio) is `git_git.example.com_ml-service`."""
    url = "git@git.example.com:ml-service.git"
    assert fleet.checkout_folder(tmp_path, url).name == "ml-service"


# -- found while testing -------------------------------------------------------------------


def test_a_url_source_is_reported_alike_when_cloned_and_when_updated(repos: Fleet) -> None:
    """BUG (minor): the first run clones the default branch (report target.branch
    "main"); every later run fetches and checks out FETCH_HEAD detached, so the report of
    the very same commit says branch null. The stored report flips on the second run."""
    source = fleet.read_list(repos.list_file)[0]
    assert source.url == repos.url

    def report() -> Mapping[str, Any]:
        prepared = fleet.prepare(source, repos.work)
        assert isinstance(prepared, fleet.Prepared)
        assert prepared.commit == repos.origin_head()
        result = fleet.scan_report(str(prepared.source.path), None)
        assert not isinstance(result, str), result
        return result

    cloned, updated = report(), report()
    assert updated["target"] == cloned["target"]


def test_two_listed_repositories_with_the_same_name_are_neither_merged_nor_dropped(
    repos: Fleet,
) -> None:
    """BUG: two different listed repositories with the same folder name and no forge
    remote (two local folders, or two file:// URLs, which checkout_folder does keep
    apart) get the same repository key, so the portfolio folds them into one row: one
    repository silently disappears (not even rejected) and the other shows a made-up
    change against it as if it were its older report."""
    for team, sample in (("team-a", "fraud-detector"), ("team-b", "churn-pilot")):
        _sample_repository(sample, repos.root / "lists" / team / "ml-service")
    listed = _write_list(
        repos.root / "lists" / "teams.txt", ["team-a/ml-service", "team-b/ml-service"]
    )

    _, data = _portfolio(repos, list_file=listed)

    listed_sources = {row["source"] for row in data["repositories"]}
    listed_sources |= {item["source"] for item in data["rejected"]}
    assert listed_sources == {"team-a/ml-service", "team-b/ml-service"}, "none is dropped"
    assert all(row["change"] is None for row in data["repositories"]), "first portfolio"


def test_a_listed_repository_cannot_make_git_run_its_programs(repos: Fleet, tmp_path: Path) -> None:
    """A listed folder's own .git/config can name an fsmonitor (run by `status`, which
    the dirty check needs) or a clean filter: neither may run."""
    marker = tmp_path / "ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    repo = git.Repo(repos.local)
    with repo.config_writer() as config:
        config.set_value("core", "fsmonitor", str(hook))
        config.set_value('filter "evil"', "clean", str(hook))
    (repos.local / ".gitattributes").write_text("*.py filter=evil\n")
    fleet.prepare(fleet.Source(str(repos.local), None, repos.local), tmp_path / "work")
    assert not marker.exists()


def test_a_listed_folder_inside_a_clean_repository_is_reused_until_its_head_moves(
    tmp_path: Path,
) -> None:
    """A monorepo's service folder belongs to the enclosing repository: its HEAD decides
    whether the stored report still holds, and an edit outside the folder does not make
    it dirty."""
    mono = tmp_path / "mono"
    shutil.copytree(SAMPLES / "churn-pilot", mono / "services" / "churn")
    repo = git.Repo.init(mono, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "monorepo", author="Ana Lima <ana@example.com>")
    (mono / "NOTES.md").write_text("an edit elsewhere in the monorepo\n")
    folder = mono / "services" / "churn"
    prepared = fleet.prepare(fleet.Source(str(folder), None, folder), tmp_path / "work")
    assert isinstance(prepared, fleet.Prepared)
    assert prepared.commit == repo.head.commit.hexsha and not prepared.dirty
    (folder / "README.md").write_text("changed\n")
    prepared = fleet.prepare(fleet.Source(str(folder), None, folder), tmp_path / "work")
    assert isinstance(prepared, fleet.Prepared) and prepared.dirty
