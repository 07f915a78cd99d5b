"""Git facts come from gitpython when the folder is a repository, and never break a scan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import git

from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import rule_result, write_tree


def _commit_all(root: Path, message: str = "initial") -> git.Repo:
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test Author")
        config.set_value("user", "email", "author@example.com")
    repo.index.add(
        [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    )
    repo.index.commit(message)
    return repo


def test_commit_and_branch_are_reported(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": "print('hi')\n", ".gitignore": "data/\n"})
    repo = _commit_all(root)
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit == repo.head.commit.hexsha
    assert report.target.branch == "main"
    assert report.target.commit_date is not None


def test_a_plain_folder_has_no_git_facts(scan_tree: Callable[[Mapping[str, str]], Report]) -> None:
    report = scan_tree({"train.py": ""})
    assert report.target.commit is None
    assert not [w for w in report.warnings if w.code == "git-unavailable"]


def test_an_empty_repository_scans(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": ""})
    git.Repo.init(root)
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit is None
    assert report.target.files == 1


def test_a_corrupt_git_folder_is_a_warning(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": "", ".git/HEAD": "garbage\n"})
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit is None
    assert report.target.files == 1
    assert [w.code for w in report.warnings] == ["git-unavailable"]


def test_without_history_ownership_is_not_verifiable_unless_codeowners_says_so(
    tmp_path: Path, rulebook: Rulebook, scan_tree: Callable[[Mapping[str, str]], Report]
) -> None:
    """A plain folder or a shallow CI checkout cannot show how many people write the code:
    "one person wrote all recent commits" would be a claim nobody checked."""

    def lone_author(report: Report) -> tuple[Status, str | None]:
        result = rule_result(report, "RC-SEC-016")
        return result.status, result.reason

    status, reason = lone_author(scan_tree({"train.py": "print('hi')\n"}))
    assert status is Status.NOT_APPLICABLE and reason is not None and "git" in reason
    status, _ = lone_author(scan_tree({"train.py": "", "CODEOWNERS": "* @acme/ml-platform\n"}))
    assert status is Status.PASS

    origin = write_tree(tmp_path / "origin", {"train.py": "print('hi')\n"})
    _commit_all(origin)
    clone = tmp_path / "clone"
    git.Repo.clone_from(f"file://{origin}", clone, depth=1)
    status, reason = lone_author(scan(ScanOptions(path=clone), rulebook))
    assert status is Status.NOT_APPLICABLE and reason is not None and "shallow" in reason


def _status(report: Report, rule_id: str) -> tuple[Status, str | None]:
    result = rule_result(report, rule_id)
    return result.status, result.reason


def test_a_shallow_clone_does_not_claim_what_history_it_lacks(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """GitHub's default checkout has one commit, which looks as if it added every file:
    tests "changed recently" and "no model was ever committed" would both be guesses.
    With the history fetched, the same repository fails both."""
    origin = write_tree(
        tmp_path / "origin",
        {
            "src/churn/model.py": "WEIGHTS = 'models/churn.pkl'\n",
            "tests/test_model.py": (
                "from churn.model import WEIGHTS\n\n\ndef test_weights():\n"
                "    assert WEIGHTS.endswith('.pkl')\n"
            ),
            "models/churn.pkl": b"\x80" * 2_000_000,
        },
    )
    repo = _commit_all(origin, "model, tests and a pickled model")
    repo.index.remove(["models/churn.pkl"], working_tree=True)
    repo.index.commit("drop the pickled model")
    for number in range(3):
        (origin / "src/churn/model.py").write_text(f"WEIGHTS = 's3://acme/churn/{number}.pkl'\n")
        repo.index.add(["src/churn/model.py"])
        repo.index.commit(f"point at model {number}")

    full = tmp_path / "full"
    git.Repo.clone_from(f"file://{origin}", full)
    assert _status(scan(ScanOptions(path=full), rulebook), "RC-HYG-012")[0] is Status.PASS
    assert _status(scan(ScanOptions(path=full), rulebook), "RC-DATA-011")[0] is Status.FAIL

    shallow = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{origin}", shallow, depth=1)
    report = scan(ScanOptions(path=shallow), rulebook)
    for rule_id in ("RC-HYG-012", "RC-DATA-011"):
        status, reason = _status(report, rule_id)
        assert status is Status.NOT_APPLICABLE and reason is not None and "shallow" in reason


def _squashed_bot_fix(tmp_path: Path, trailer: str) -> Path:
    root = write_tree(
        tmp_path / "repo",
        {"requirements.txt": "urllib3==2.0.7\n", "train.py": "print('train')\n"},
    )
    repo = _commit_all(root)
    (root / "requirements.txt").write_text("urllib3==2.6.0\n")
    repo.index.add(["requirements.txt"])
    repo.index.commit(
        f"[Snyk] Security upgrade urllib3 from 2.0.7 to 2.6.0 (#13694)\n\n{trailer}\n"
    )
    return root


def test_a_scanner_s_fix_squashed_by_a_person_shows_the_scanner_runs(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """ultralytics/yolov5: Snyk's security-upgrade pull requests are squashed by a
    maintainer, with snyk-bot as co-author: the repository is scanned."""
    root = _squashed_bot_fix(tmp_path, "Co-authored-by: snyk-bot <snyk-bot@snyk.io>")
    result = rule_result(scan(ScanOptions(path=root), rulebook), "RC-SEC-015")
    assert result.status is Status.PASS


def test_a_person_s_upgrade_alone_shows_no_scanner(tmp_path: Path, rulebook: Rulebook) -> None:
    root = _squashed_bot_fix(tmp_path, "Reviewed-by: Another Maintainer <m@example.com>")
    result = rule_result(scan(ScanOptions(path=root), rulebook), "RC-SEC-015")
    assert result.status is Status.FAIL


def test_history_missing_an_old_blob_still_says_which_tests_changed(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """A snapshot that lacks old blobs (a partial clone's largest files) still answers
    RC-HYG-012: which files changed is read from trees, never by comparing contents."""
    root = write_tree(
        tmp_path / "repo",
        {
            "src/score.py": "def score(x):\n    return x\n" * 40,
            "tests/test_score.py": "from src.score import score\n\n\ndef test_score():\n    assert score(2) == 2\n",
        },
    )
    repo = _commit_all(root, "score, with a test")
    old_blob = repo.head.commit.tree["src/score.py"].hexsha
    (root / "src" / "score.py").rename(root / "src" / "scoring.py")
    with (root / "src" / "scoring.py").open("a") as handle:
        handle.write("# renamed\n")
    (root / "tests" / "test_score.py").write_text(
        "from src.scoring import score\n\n\ndef test_score():\n    assert score(2) == 2\n"
    )
    repo.index.remove(["src/score.py"])
    repo.index.add(["src/scoring.py", "tests/test_score.py"])
    repo.index.commit("rename the module, keep its test")
    (root / ".git" / "objects" / old_blob[:2] / old_blob[2:]).unlink()
    result = rule_result(scan(ScanOptions(path=root), rulebook), "RC-HYG-012")
    assert result.status is Status.PASS
