"""Scanning many repositories for `portfolio --scan`: on this machine's cores, or on an
existing Dask cluster when the organisation outgrows one machine.

A list names repositories, one per line: local folders, or git URLs cloned (with
gitpython) into a work folder and updated on later runs. Each repository's report
is stored per commit in the history database, so a rerun scans only those whose
HEAD moved (a local folder with uncommitted changes is always scanned).

readycheck brings no scheduler, queue or worker protocol of its own: the local
path is a process pool, the distributed one is Dask's `Client.map`. Dask was
chosen over Ray because it is pure Python (a small optional install; Ray is a
large native wheel), its `LocalCluster` runs in the test suite in seconds, and a
platform team already running Dask points readycheck at its scheduler address.
Workers must see the same file system as the client (a shared volume), as a
local cluster does: they scan the folders the client cloned.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from readycheck.errors import ConfigError, ReadycheckError
from readycheck.parsers.git import neutralise
from readycheck.pools import interrupts_held, worker_pool
from readycheck.portfolio import Rejected
from readycheck.rulebook import Rulebook

#: `git@host:owner/repo.git`, or any URL with a scheme git fetches over.
_URL = re.compile(r"^(?:(?:https?|ssh|git|file)://|[\w.-]+@[\w.-]+:)")
#: A comment: `#` at the start of a line or after a space (a URL may hold `#`).
_COMMENT = re.compile(r"(?:^|\s)#.*$")


@dataclass(frozen=True)
class Source:
    """One line of the list: what the user wrote, and the folder that is scanned."""

    text: str
    url: str | None  # a git URL to clone; None for a local folder
    path: Path


@dataclass(frozen=True)
class Prepared:
    """A source ready to scan: its HEAD commit and whether its files differ from it."""

    source: Source
    commit: str | None
    dirty: bool


@dataclass(frozen=True)
class Outcome:
    """What scanning the list gave: reports as (source, report), the sources rejected
    with their reason, and per repository key whether it was scanned now or reused."""

    reports: tuple[tuple[str, Mapping[str, Any]], ...]
    rejected: tuple[Rejected, ...]
    rescanned: Mapping[str, bool]  # by repository key
    keys: Mapping[str, str]  # source as listed -> repository key


def read_list(path: Path) -> list[Source]:
    """The sources a list file names: one per line, `#` starts a comment. Relative
    folders are relative to the list file."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a BOM is no source
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the repository list: {error}", path=str(path)) from None
    return [source for line in lines if (source := _source(line, path.parent)) is not None]


def _source(line: str, base: Path) -> Source | None:
    text = _COMMENT.sub("", line).strip()
    if not text:
        return None
    if _URL.match(text):
        return Source(text, text, Path())
    return Source(text, None, (base / Path(text).expanduser()).resolve())


def checkout_folder(work_dir: Path, url: str) -> Path:
    """Where a URL is cloned: a folder per URL, named for the repository so its report
    names it ("ml-service"), below a short hash that keeps two `ml-service`s apart."""
    tail = re.split(r"[/:]", url.rstrip("/").removesuffix(".git").rstrip("/"))[-1]
    name = re.sub(r"[^\w.-]", "_", tail).strip("._") or "repository"
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return work_dir / digest / name


def prepare(source: Source, work_dir: Path) -> Prepared | Rejected:
    """Clone or update a URL source, then read its HEAD; any git failure is the
    source's reason to be rejected, not the portfolio's end."""
    import git  # gitpython: imported here, it costs start-up time

    try:
        if source.url is not None:
            folder = checkout_folder(work_dir, source.url)
            _clone_or_update(source.url, folder)
            source = Source(source.text, source.url, folder)
        elif not source.path.is_dir():
            return Rejected(source.text, "no such folder")
        try:
            # A folder inside a repository (a monorepo's service) is that repository's.
            repo = git.Repo(source.path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return Prepared(source, None, True)  # a plain folder: scanned every time
        neutralise(repo)  # `status` must not run the repository's fsmonitor or filters
        if not repo.head.is_valid() or repo.working_tree_dir is None:
            return Prepared(source, None, True)
        top = Path(repo.working_tree_dir).resolve()
        inside = source.path.resolve().relative_to(top).as_posix()
        # Only changes in the listed folder make it dirty: an edit elsewhere in a monorepo
        # does not change what this folder's scan reads.
        dirty = repo.is_dirty(untracked_files=True, path=None if inside == "." else inside)
        return Prepared(source, repo.head.commit.hexsha, dirty)
    except git.GitCommandError as error:
        return Rejected(source.text, f"git failed: {_git_reason(error)}"[:300])
    except (OSError, ValueError, git.GitError) as error:
        return Rejected(source.text, f"cannot be prepared: {error}"[:300])


def _git_reason(error: Any) -> str:
    """git's own `fatal:` line, which says what went wrong, else its first line."""
    raw = (line.strip().removeprefix("stderr:") for line in str(error.stderr or error).splitlines())
    lines = [text for line in raw if (text := line.strip().strip("'").strip())]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or [type(error).__name__])[0]


def _clone_or_update(url: str, folder: Path) -> None:
    """A full clone (the history rules read history), then on later runs a fetch of its
    branch from the remote, checked out in place. No hook runs: a fresh clone has none of the
    remote's, and hooksPath is pointed at nothing anyway."""
    import git

    quiet = ["-c", "core.hooksPath=/dev/null", "-c", "protocol.ext.allow=never"]
    if (folder / ".git").exists():
        repo = git.Repo(folder)
        if repo.head.is_detached:
            repo.git.execute(["git", *quiet, "fetch", "--quiet", "origin", "HEAD"])
            repo.git.execute(["git", *quiet, "checkout", "-q", "--force", "--detach", "FETCH_HEAD"])
            return
        # Stay on the clone's branch, moved to the remote's: a report of the same commit
        # reads the same (branch included) whether the clone is new or updated.
        branch = repo.active_branch.name
        repo.git.execute(["git", *quiet, "fetch", "--quiet", "origin", branch])
        repo.git.execute(["git", *quiet, "checkout", "-q", "--force", "-B", branch, "FETCH_HEAD"])
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        git.Git().execute(
            ["git", *quiet, "clone", "--quiet", "--no-recurse-submodules", "--", url, str(folder)]
        )
    except git.GitCommandError:
        shutil.rmtree(folder.parent, ignore_errors=True)  # no half-made clone is kept
        raise


@functools.cache
def default_rulebook() -> Rulebook:
    """The built-in rulebook, loaded once per process: loading and validating it costs
    more than scanning a small repository. A pool forked after the parent loaded it
    shares it; each Dask worker loads it once. A repository with its own config still
    gets the rulebook its config asks for (the pipeline rebuilds it then)."""
    from readycheck.rulebook import load_rulebook

    return load_rulebook(None)


def scan_report(path: str, cache_dir: str | None) -> Mapping[str, Any] | str:
    """Scan one folder and return its JSON report, or the reason it could not be scanned.

    This runs in a worker (a pool process or a Dask worker), so it takes and returns
    plain data, and turns every failure into a reason: one repository's problem is a
    row of the portfolio, never the end of it."""
    from readycheck import pipeline
    from readycheck.renderers.json_report import to_dict

    options = pipeline.ScanOptions(
        path=Path(path), cache_dir=Path(cache_dir) if cache_dir else None, workers=1
    )
    try:
        return to_dict(pipeline.scan(options, default_rulebook()))
    except ReadycheckError as error:
        return str(error)
    except Exception as error:  # a worker must answer for its repository
        return f"the scan failed: {type(error).__name__}: {error}"[:300]


class Engine(Protocol):
    """Runs `scan_report` over many folders and gives the results in order."""

    def map(self, paths: Sequence[str], cache_dir: str | None) -> list[Mapping[str, Any] | str]: ...


@dataclass(frozen=True)
class LocalPool:
    """Scans on this machine's cores, one repository per process."""

    workers: int

    def map(self, paths: Sequence[str], cache_dir: str | None) -> list[Mapping[str, Any] | str]:
        if self.workers <= 1 or len(paths) <= 1:
            return [scan_report(path, cache_dir) for path in paths]
        default_rulebook()  # loaded before the fork, so no worker loads it again
        with worker_pool(min(self.workers, len(paths))) as pool:
            with interrupts_held():
                reports = pool.map(scan_report, paths, [cache_dir] * len(paths))
            return list(reports)


@dataclass(frozen=True)
class DaskEngine:
    """Scans on an existing Dask cluster, given its scheduler address."""

    address: str
    timeout: float = 30.0

    def map(self, paths: Sequence[str], cache_dir: str | None) -> list[Mapping[str, Any] | str]:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError(
                "--scheduler needs Dask: pip install 'readycheck-ml[distributed]'"
            ) from None
        try:
            client = Client(  # type: ignore[no-untyped-call]
                self.address, timeout=self.timeout, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as error:  # ValueError: a malformed address
            raise ConfigError(f"cannot reach the Dask scheduler {self.address}: {error}") from None
        with client:
            futures = client.map(scan_report, list(paths), cache_dir=cache_dir, pure=False)
            return [_gathered(future) for future in futures]


def _gathered(future: Any) -> Mapping[str, Any] | str:
    try:
        result: Mapping[str, Any] | str = future.result()
        return result
    except Exception as error:  # a lost worker loses one repository, not all
        return f"the engine lost this scan: {type(error).__name__}: {error}"[:300]


def scan_all(
    sources: Sequence[Source],
    work_dir: Path,
    engine: Engine,
    *,
    analyser: str,
    cache_dir: Path | None,
    stored: Callable[[str, str], Mapping[str, Any] | None],
    store: Callable[[str, str, Mapping[str, Any]], None],
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Prepare every source, reuse the stored report of each whose HEAD did not move,
    scan the others on `engine`, and store what was scanned.

    `stored(source, commit)` and `store(source, commit, report)` are the history
    database's report table, keyed also by `analyser` (readycheck and rulebook)."""
    rejected: list[Rejected] = []
    reused: list[tuple[str, Mapping[str, Any]]] = []
    todo: list[Prepared] = []
    for source in sources:
        if progress:
            progress(f"preparing {source.text}")
        prepared = prepare(source, work_dir)
        if isinstance(prepared, Rejected):
            rejected.append(prepared)
            continue
        report = None
        if prepared.commit is not None and not prepared.dirty:
            report = stored(_key(prepared.source), prepared.commit)
        if report is not None:
            reused.append((prepared.source.text, report))
        else:
            todo.append(prepared)
    if progress and todo:
        progress(f"scanning {len(todo)} repositor{'y' if len(todo) == 1 else 'ies'}")
    # The largest repositories first, so no long scan starts last while the other cores idle.
    # Results are then put back in the list's order.
    order = sorted(range(len(todo)), key=lambda i: -_size(todo[i].source.path))
    dispatched = engine.map(
        [str(todo[i].source.path) for i in order], str(cache_dir) if cache_dir else None
    )
    results = [result for _, result in sorted(zip(order, dispatched, strict=True))]
    scanned: list[tuple[str, Mapping[str, Any]]] = []
    for prepared, result in zip(todo, results, strict=True):
        if isinstance(result, str):
            rejected.append(Rejected(prepared.source.text, result))
            continue
        scanned.append((prepared.source.text, result))
        if prepared.commit is not None and not prepared.dirty:
            store(_key(prepared.source), prepared.commit, result)
    keys = {source: _identity(source, report) for source, report in reused + scanned}
    rescanned = {keys[source]: False for source, _ in reused}
    rescanned.update({keys[source]: True for source, _ in scanned})
    return Outcome(tuple(reused + scanned), tuple(rejected), rescanned, keys)


def _identity(listed: str, report: Mapping[str, Any]) -> str:
    """A scanned repository is its forge remote when it has one (as in reports uploaded
    by CI, so both kinds of input meet on one row), else the URL or folder listed: two
    listed `ml-service` folders are two repositories, not one."""
    remote = report["target"].get("remote")
    if remote:
        return str(remote)
    return listed if _URL.match(listed) else str(Path(listed).expanduser().resolve())


def _size(folder: Path) -> int:
    """A cheap estimate of a repository's scan time: how many files git tracks (or, for a
    plain folder, 0: it is scanned among the last)."""
    import git

    try:
        with git.Repo(folder) as repo:
            neutralise(repo)
            return len(repo.git.ls_files("-z").split("\0"))
    except (git.GitError, OSError, ValueError):
        return 0


def _key(source: Source) -> str:
    """How the history database knows a source: its URL, or its folder's full path."""
    return source.url or str(source.path)
