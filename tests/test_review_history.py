"""A pull request merged by its own author was not reviewed (RC-SEC-019).

GitHub records who pressed "merge" as the author of the merge commit; when that person
also wrote every commit of the branch, nobody else looked at it. Histories are built
with gitpython at test time.
"""

from __future__ import annotations

from pathlib import Path

import git

from readycheck.model import Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import rule_result

ALICE = git.Actor("Alice Martin", "alice@example.com")
BOB = git.Actor("Bob Chen", "bob@example.com")
MERGE_BOT = git.Actor("bors[bot]", "bors@example.com")


def _history(root: Path, merges: list[tuple[git.Actor, git.Actor]]) -> None:
    """A main line of merged pull requests: (who wrote the branch, who merged it)."""
    repo = git.Repo.init(root, initial_branch="main")
    (root / "score.py").write_text("def score(x):\n    return x\n")
    repo.index.add(["score.py"])
    repo.index.commit("initial scoring", author=ALICE, committer=ALICE)
    for number, (writer, merger) in enumerate(merges, start=1):
        branch = repo.create_head(f"change-{number}")
        branch.checkout()
        (root / f"change_{number}.py").write_text(f"VALUE = {number}\n")
        repo.index.add([f"change_{number}.py"])
        tip = repo.index.commit(f"change {number}", author=writer, committer=writer)
        repo.heads.main.checkout()
        repo.git.merge("--no-ff", "--no-commit", f"change-{number}")
        repo.index.commit(
            f"Merge pull request #{number} from acme/change-{number}",
            parent_commits=(repo.heads.main.commit, tip),
            author=merger,
            committer=merger,
        )


def _status(root: Path, rulebook: Rulebook, merges: list[tuple[git.Actor, git.Actor]]) -> Status:
    """RC-SEC-019's verdict on a main line of merged pull requests built by `_history`."""
    _history(root, merges)
    return rule_result(scan(ScanOptions(path=root), rulebook), "RC-SEC-019").status


def test_pull_requests_merged_by_someone_else_are_reviewed(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    assert _status(tmp_path, rulebook, [(BOB, ALICE), (ALICE, BOB), (BOB, ALICE)]) is Status.PASS


def test_pull_requests_merged_by_their_own_author_are_not(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    _history(tmp_path, [(BOB, BOB), (ALICE, ALICE), (BOB, BOB), (ALICE, BOB)])
    result = rule_result(scan(ScanOptions(path=tmp_path), rulebook), "RC-SEC-019")
    assert result.status is Status.PARTIAL  # one of five changes reviewed: not enough
    detail = " ".join(e.detail for e in result.evidence) + " ".join(
        f.message for f in result.findings
    )
    assert "3 more were merged by their own author" in detail


def test_a_merge_bot_merges_what_reviewers_approved(tmp_path: Path, rulebook: Rulebook) -> None:
    assert (
        _status(tmp_path, rulebook, [(BOB, MERGE_BOT), (ALICE, MERGE_BOT), (BOB, MERGE_BOT)])
        is Status.PASS
    )


def test_a_login_used_as_a_commit_name_is_the_same_person(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """Francisco-B-O/iot-streaming-ml-platform (round 42): commits written as
    `Francisco-B-O <plain address>`, pull requests merged on GitHub as the full name with
    the login's noreply address: one person, who reviewed nobody's change but their own."""
    writer = git.Actor("Francisco-B-O", "balonero@example.com")
    merger = git.Actor("Francisco Balonero", "128704719+Francisco-B-O@users.noreply.github.com")
    assert (
        _status(tmp_path, rulebook, [(writer, merger), (writer, merger), (writer, merger)])
        is Status.FAIL
    )


def test_another_login_is_another_person(tmp_path: Path, rulebook: Rulebook) -> None:
    writer = git.Actor("Francisco-B-O", "balonero@example.com")
    merger = git.Actor("Alice Martin", "5512+alice-m@users.noreply.github.com")
    assert (
        _status(tmp_path, rulebook, [(writer, merger), (writer, merger), (writer, merger)])
        is Status.PASS
    )


def test_a_login_spelled_from_the_writers_name_is_the_same_person(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """City-of-Helsinki/hel-rag-service (round 47): branches written as "Jani Haapala"
    and "Jasmine Lundgren", merged on GitHub by the logins janihaapala2 and lunjas: each
    merged their own change."""
    jani = git.Actor("Jani Haapala", "jani.haapala@example.com")
    jani_login = git.Actor("janihaapala2", "164851973+janihaapala2@users.noreply.github.com")
    jasmine = git.Actor("Jasmine Lundgren", "jasmine.lundgren@example.com")
    jasmine_login = git.Actor("lunjas", "118181631+lunjas@users.noreply.github.com")
    assert (
        _status(
            tmp_path, rulebook, [(jani, jani_login), (jasmine, jasmine_login), (jani, jani_login)]
        )
        is Status.FAIL
    )


def test_a_login_spelled_from_nobodys_name_is_someone_else(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    jani = git.Actor("Jani Haapala", "jani.haapala@example.com")
    reviewer = git.Actor("lunjas", "118181631+lunjas@users.noreply.github.com")
    assert (
        _status(tmp_path, rulebook, [(jani, reviewer), (jani, reviewer), (jani, reviewer)])
        is Status.PASS
    )


def test_a_login_written_as_the_commit_name_is_the_person_who_merges(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """IzharHaq1986/secure-fraud-detection-api (round 48): commits written as
    `IzharHaq1987 <plain address>`, pull requests merged as "Izhar Haq" from another
    address: one person merging their own changes."""
    writer = git.Actor("IzharHaq1987", "izharhaq1987@example.com")
    merger = git.Actor("Izhar Haq", "ihaq1987@example.org")
    assert (
        _status(tmp_path, rulebook, [(writer, merger), (writer, merger), (writer, merger)])
        is Status.FAIL
    )
