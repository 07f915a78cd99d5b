"""Git facts through gitpython, when the scanned folder is (inside) a repository.

Only read-only commands are used (`rev-parse`, `log`, `cat-file`, and for
`--since` `diff` and `ls-files`). A scanned repository can still carry its own
.git/config, and some settings make even those commands run a program: an
fsmonitor, a clean filter, an external diff. Every command therefore runs with
those settings overridden (see `neutralise`), and without optional locks, so
the scan writes nothing into the repository. Anything git cannot answer (no
git binary, a corrupt or foreign repository, an empty one) becomes a scan
warning and `None`, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readycheck.forge import web_remote
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
    #: The commit the scan stands at: HEAD, or a past commit when `trend` scans history.
    revision: str = "HEAD"
    #: Where the repository lives on its forge (`https://host/owner/repo`), without
    #: credentials; None when origin is unset or not a forge URL.
    remote: str | None = None


#: Settings of a repository's own config that make read-only commands run a program.
_NEUTRAL_SETTINGS = (
    "core.fsmonitor=false",  # diff, ls-files: a program that lists changed files
    "core.hooksPath=/dev/null",  # no hook of the repository runs, whatever the command
    "diff.external=",  # diff: an external diff program (also off by --no-ext-diff)
    "log.showSignature=false",  # log: gpg.program, to verify signatures
    "core.pager=cat",  # never a pager, even if a terminal were attached
)


_CORRUPT = "HEAD, or the commit it names, cannot be read: the repository is corrupt or incomplete"


def open_repository(
    path: Path, revision: str = "HEAD"
) -> tuple[GitInfo | None, ScanWarning | None]:
    """Find the repository containing `path`; (None, None) when it is a plain folder.
    `revision` is the commit the scan stands at (a past one for `trend`)."""
    if not _inside_a_repository(path):
        return None, None
    where = ".git" if (path / ".git").exists() else None
    try:
        import git  # imported here: gitpython costs start-up time and needs the git binary
    except ImportError as error:  # pragma: no cover - the git binary is missing
        return None, ScanWarning("git-unavailable", f"git history not read: {error}")
    try:
        repo = git.Repo(path, search_parent_directories=True)
        neutralise(repo)
        root = Path(repo.working_tree_dir or path).resolve()
        subpath = path.resolve().relative_to(root).as_posix() if path.resolve() != root else ""
        commit = branch = date = None
        if revision != "HEAD":
            head = repo.commit(revision)
            commit, date = head.hexsha, head.committed_datetime.isoformat()
            revision = commit
        elif repo.head.is_valid():
            head = repo.head.commit
            commit, date = head.hexsha, head.committed_datetime.isoformat()
            branch = None if repo.head.is_detached else repo.active_branch.name
        elif len(repo.refs):  # an empty repository has no branches; this one has, yet no HEAD
            return None, ScanWarning("git-unavailable", f"git history not read: {_CORRUPT}", where)
        shallow = (Path(repo.git_dir) / "shallow").exists()
        remote = web_remote(_origin(repo))
        info = GitInfo(root, subpath, commit, branch, date, shallow, repo, revision, remote)
        return info, None
    except git.InvalidGitRepositoryError:
        reason = "not a valid git repository (a corrupt HEAD, or no objects folder)"
    except Exception as error:
        text = str(error).strip()
        reason = text.splitlines()[0] if text else type(error).__name__
    return None, ScanWarning("git-unavailable", f"git history not read: {reason}", where)


def _origin(repo: Any) -> str | None:
    """The origin remote's URL from the repository's config, or None."""
    try:
        return str(repo.git.config("--get", "remote.origin.url")).strip() or None
    except Exception:
        return None  # no origin (git config exits 1)


def neutralise(repo: Any) -> None:
    """Make every later git command of `repo` ignore the settings that run programs."""
    settings = list(_NEUTRAL_SETTINGS)
    try:
        filters = repo.git.config("--get-regexp", r"^filter\.").splitlines()
    except Exception:
        filters = []  # no filter driver is configured (git config exits 1)
    for line in filters:
        key = line.split(" ", 1)[0]
        driver = key[len("filter.") : key.rfind(".")]
        # An empty command means "do not filter"; `required` would turn that into an error.
        settings += [f"filter.{driver}.{name}=" for name in ("clean", "smudge", "process")]
        settings.append(f"filter.{driver}.required=false")
    repo.git.set_persistent_git_options(c=settings, no_optional_locks=True)


def _inside_a_repository(path: Path) -> bool:
    current = path.resolve()
    return any((candidate / ".git").exists() for candidate in (current, *current.parents))
