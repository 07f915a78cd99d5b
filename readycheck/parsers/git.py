"""Git facts through gitpython, when the scanned folder is (inside) a repository.

Only read-only commands are used (`rev-parse`, `log`, `cat-file`), which run
no hooks. Anything git cannot answer (no git binary, a corrupt or foreign
repository, an empty one) becomes a scan warning and `None`, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readycheck.model import ScanWarning


@dataclass(frozen=True)
class GitInfo:
    root: Path  # the repository's top level (may be above the scanned folder)
    subpath: str  # the scanned folder relative to root, "" when they are the same
    commit: str | None
    branch: str | None
    commit_date: str | None
    shallow: bool
    repo: Any  # git.Repo, for detectors that need history


def open_repository(path: Path) -> tuple[GitInfo | None, ScanWarning | None]:
    """Find the repository containing `path`; (None, None) when it is a plain folder."""
    if not _inside_a_repository(path):
        return None, None
    try:
        import git  # imported here: gitpython costs start-up time and needs the git binary
    except ImportError as error:  # pragma: no cover - the git binary is missing
        return None, ScanWarning("git-unavailable", f"git history not read: {error}")
    try:
        repo = git.Repo(path, search_parent_directories=True)
        root = Path(repo.working_tree_dir or path).resolve()
        subpath = path.resolve().relative_to(root).as_posix() if path.resolve() != root else ""
        commit = branch = date = None
        try:
            head = repo.head.commit
            commit, date = head.hexsha, head.committed_datetime.isoformat()
            branch = None if repo.head.is_detached else repo.active_branch.name
        except ValueError:
            pass  # an empty repository: no commits yet
        shallow = (Path(repo.git_dir) / "shallow").exists()
        return GitInfo(root, subpath, commit, branch, date, shallow, repo), None
    except Exception as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return None, ScanWarning("git-unavailable", f"git history not read: {message}")


def _inside_a_repository(path: Path) -> bool:
    current = path.resolve()
    return any((candidate / ".git").exists() for candidate in (current, *current.parents))
