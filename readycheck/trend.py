"""A repository's readiness over its history: one scan per selected commit.

Each commit's files are read straight from git objects into a private folder (the
work tree is never checked out or touched); from one commit to the next only the
files that changed are rewritten, and the content-addressed cache analyses a file
that did not change once for the whole history. The git-history rules are asked
about the commit being scanned, not about HEAD.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readycheck.discover import DEFAULT_MAX_FILE_SIZE
from readycheck.errors import ConfigError, ReadycheckError
from readycheck.forge import commit_url
from readycheck.model import Report
from readycheck.parsers.git import open_repository
from readycheck.pools import interrupts_held, worker_pool
from readycheck.portfolio import PillarCell
from readycheck.rulebook import Rulebook


@dataclass(frozen=True)
class Point:
    """The scan of one commit."""

    commit: str
    date: str  # the commit's committer date, ISO 8601
    subject: str  # the first line of its message
    score: float
    level_id: str
    level_title: str
    pillars: tuple[PillarCell, ...]
    url: str | None = None  # the commit on its forge, when the remote is known
    tag: str | None = None  # the tag that selected it (`--tags`)


@dataclass(frozen=True)
class Mover:
    """A commit that moved one pillar's score, by how much (signed)."""

    commit: str
    subject: str
    pillar: str
    pillar_title: str
    delta: float
    url: str | None = None


@dataclass(frozen=True)
class Failed:
    """A commit that could not be scanned, and why: shown, never silently skipped."""

    commit: str
    reason: str


@dataclass(frozen=True)
class Trend:
    name: str
    path: str
    remote: str | None
    selection: str  # in words: "the last 50 commits of main"
    points: tuple[Point, ...]  # oldest first
    movers: tuple[Mover, ...]  # the largest pillar moves, largest first
    failed: tuple[Failed, ...] = ()
    #: What made some points less than exact (files git no longer holds, paths refused).
    warnings: tuple[str, ...] = ()
    generated_at: str = ""
    tool_version: str = ""
    rulebook_version: str = ""


@dataclass(frozen=True)
class Selection:
    """Which commits: the last N of the first-parent line, those since a date, or the tags."""

    last: int | None = 20
    since: str | None = None
    tags: bool = False


#: Tree entries that are not files to write: submodules (commits of other repositories).
_SUBMODULE = "160000"
_SYMLINK = "120000"


class Exporter:
    """Writes the scanned folder's files, as they are at a commit, into `folder`.

    Blobs are read through gitpython's object database (one long-lived `git cat-file
    --batch`). Moving to the next commit rewrites only the entries whose blob or mode
    changed and deletes the ones that went, so 50 commits cost little more than one.
    Paths are checked before anything is written: an entry naming `..`, `.git` or an
    absolute path (git refuses to check those out; a crafted tree can still hold them)
    is skipped, so nothing lands outside `folder`. A blob larger than the size limit
    becomes a sparse file of its size, which discovery reports as too large without
    reading it.
    """

    def __init__(self, repo: Any, subpath: str, folder: Path, max_size: int) -> None:
        self.repo = repo
        self.subpath = subpath
        self.folder = folder
        self.max_size = max_size
        self.entries: dict[str, tuple[str, str]] = {}  # path -> (mode, blob sha)
        self.skipped: list[str] = []  # paths refused: they would leave the folder
        self.absent: set[str] = set()  # blobs a partial or damaged clone does not hold

    def move_to(self, commit: str) -> frozenset[str]:
        """Make `folder` hold `commit`'s files; return their paths (all tracked)."""
        wanted = self._tree(commit)
        for path in set(self.entries) - set(wanted):
            (self.folder / path).unlink(missing_ok=True)
        for path, entry in wanted.items():
            if self.entries.get(path) != entry and not self._write(path, *entry):
                self.absent.add(path)
        self.entries = wanted
        return frozenset(wanted)

    def _tree(self, commit: str) -> dict[str, tuple[str, str]]:
        scope = [self.subpath] if self.subpath else []
        listing: bytes = self.repo.git.ls_tree(
            "-r", "-z", "--full-tree", commit, "--", *scope, stdout_as_string=False
        )
        lead = self.subpath + "/" if self.subpath else ""
        entries: dict[str, tuple[str, str]] = {}
        for record in listing.decode("utf-8", "surrogateescape").split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha = meta.split(" ")
            if kind != "blob" or mode == _SUBMODULE or not path.startswith(lead):
                continue
            rel = path[len(lead) :]
            if not _safe(rel):
                self.skipped.append(rel)
                continue
            entries[rel] = (mode, sha)
        return entries

    def _write(self, rel: str, mode: str, sha: str) -> bool:
        """Write one entry; False when git does not hold its blob (a partial clone)."""
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        binsha = bytes.fromhex(sha)
        try:
            if mode == _SYMLINK:
                link = self.repo.odb.stream(binsha).read().decode("utf-8", "surrogateescape")
                os.symlink(link, target)
                return True
            size = self.repo.odb.info(binsha).size
            data = b"" if size > self.max_size else self.repo.odb.stream(binsha).read()
        except ValueError:  # gitpython: "SHA ... could not be resolved"
            return False
        with open(target, "wb") as handle:
            if size > self.max_size:
                handle.truncate(size)
            else:
                handle.write(data)
        if mode == "100755":
            target.chmod(0o755)
        return True


def _safe(rel: str) -> bool:
    parts = rel.split("/")
    return (
        bool(rel)
        and not rel.startswith("/")
        and all(part not in ("", ".", "..") and part.lower() != ".git" for part in parts)
    )


def select_commits(
    repo: Any, selection: Selection, subpath: str = ""
) -> tuple[list[tuple[str, str | None]], str]:
    """The commits to scan, oldest first, each with the tag that named it, and the
    selection in words."""
    if selection.tags:
        listing = repo.git.for_each_ref(
            "--sort=creatordate",
            "--format=%(objectname) %(*objectname) %(refname:short)",
            "refs/tags",
        )
        picked: list[tuple[str, str | None]] = []
        for line in listing.splitlines():
            parts = line.split(" ")
            if len(parts) == 3:
                sha = parts[1] or parts[0]
            elif len(parts) == 2:  # a lightweight tag: no peeled object
                sha = parts[0]
            else:
                continue
            if repo.git.cat_file("-t", sha).strip() == "commit":
                picked.append((sha, parts[-1]))
        if selection.last:
            picked = picked[-selection.last :]
        return picked, f"its {len(picked)} tag{'s' if len(picked) != 1 else ''}"
    options = ["--first-parent"]
    if selection.since:
        options.append(f"--since={selection.since}")
    if selection.last:
        options.append(f"-n{selection.last}")
    shas = repo.git.rev_list(*options, "HEAD").split()
    shas.reverse()
    words = f"the last {len(shas)} commit{'s' if len(shas) != 1 else ''}"
    if selection.since:
        words += f" since {selection.since}"
    return [(sha, None) for sha in shas], words


#: How many runs of older commits each core is given (see `compute`).
_RUNS_PER_CORE = 1


@dataclass(frozen=True)
class _Part:
    """What scanning some commits gave: points or failures by position, and what the
    export could not write."""

    outcomes: tuple[tuple[int, Point | Failed], ...]
    absent: frozenset[str]
    skipped: frozenset[str]


def compute(
    path: Path,
    selection: Selection,
    *,
    cache_dir: Path | None,
    workers: int = 1,
    advance: Callable[[int, int, str], None] | None = None,
) -> Trend:
    """Scan each selected commit of the repository at `path`; raise ReadycheckError when
    `path` is not a git repository or no commit matches. A commit whose scan fails (say,
    its config file was broken then) is listed in `failed`, and the others go on.

    The newest commit is scanned first, on every core, which fills the cache with
    nearly every file of the history; the older commits are then split into one
    contiguous run per core, each exported and scanned in its own process (newest
    first), so the per-commit work (rules, history, the export) runs on all cores too."""
    from readycheck import __version__, pipeline
    from readycheck.rulebook import load_rulebook

    if not path.is_dir():
        raise ConfigError("no such folder", path=str(path))
    git_info, warning = open_repository(path)
    if git_info is None or git_info.commit is None:
        reason = warning.message if warning is not None else "it is not a git repository"
        raise ConfigError(f"trend reads a repository's history, and {reason}", path=str(path))
    commits, words = select_commits(git_info.repo, selection)
    if not commits:
        raise ConfigError(f"no commit matches the selection ({words})", path=str(path))
    if git_info.branch:
        words += f" of {git_info.branch}"
    rulebook = load_rulebook(None)
    newest = len(commits) - 1
    task = _Task(path, tuple(commits), cache_dir, git_info.remote)
    if advance is not None:
        advance(0, len(commits), commits[newest][0])
    parts = [_scan_commits(task, (newest,), workers, rulebook)]
    older = list(range(newest))
    # Three runs per core, so a core that finishes early takes the next run instead of
    # idling while another works through commits that changed large files.
    runs = max(1, min(workers * _RUNS_PER_CORE, len(older)))
    chunks = [older[i * len(older) // runs : (i + 1) * len(older) // runs] for i in range(runs)]
    # Each run walks from its newest commit back, and the newest runs go first: a run's
    # first commit is then close to one already scanned, so fewer of its files miss the cache.
    chunks = [chunk[::-1] for chunk in reversed(chunks) if chunk]
    if len(chunks) > 1 and workers > 1:
        with worker_pool(min(workers, len(chunks))) as pool:
            with interrupts_held():
                futures = [pool.submit(_scan_commits, task, tuple(c), 1, rulebook) for c in chunks]
            for future in futures:
                parts.append(future.result())
                if advance is not None:
                    done = sum(len(p.outcomes) for p in parts)
                    advance(done - 1, len(commits), commits[done - 1][0])
    elif chunks:
        run = tuple(index for chunk in chunks for index in chunk)
        parts.append(_scan_commits(task, run, workers, rulebook))
    outcomes = dict(item for part in parts for item in part.outcomes)
    ordered = [outcomes[i] for i in range(len(commits))]
    points = [o for o in ordered if isinstance(o, Point)]
    return Trend(
        name=path.resolve().name,
        path=str(path),
        remote=git_info.remote,
        selection=words,
        points=tuple(points),
        movers=movers(points),
        failed=tuple(o for o in ordered if isinstance(o, Failed)),
        warnings=_warnings(
            frozenset().union(*(p.absent for p in parts)),
            frozenset().union(*(p.skipped for p in parts)),
        ),
        generated_at=pipeline.now(),
        tool_version=__version__,
        rulebook_version=rulebook.version,
    )


@dataclass(frozen=True)
class _Task:
    repository: Path
    commits: tuple[tuple[str, str | None], ...]
    cache_dir: Path | None
    remote: str | None


def _scan_commits(task: _Task, indexes: Sequence[int], workers: int, rulebook: Rulebook) -> _Part:
    """Export and scan the commits at `indexes`, in order, through one private folder
    (so each step rewrites only what changed). Runs in a worker process too: it opens
    its own repository rather than sharing the parent's git processes."""
    from readycheck import pipeline, runner

    git_info, warning = open_repository(task.repository)
    if git_info is None:
        reason = warning.message if warning is not None else "the repository cannot be opened"
        failures = tuple((i, Failed(task.commits[i][0], reason)) for i in indexes)
        return _Part(failures, frozenset(), frozenset())
    repo = git_info.repo
    outcomes: list[tuple[int, Point | Failed]] = []
    with tempfile.TemporaryDirectory(prefix="readycheck-trend-") as scratch:
        folder = Path(scratch) / "tree"
        folder.mkdir()
        exporter = Exporter(repo, git_info.subpath, folder, DEFAULT_MAX_FILE_SIZE)
        memo = runner.CommitMemo()
        for index in indexes:
            sha, tag = task.commits[index]
            try:
                tracked = exporter.move_to(sha)
                memo.blobs = {
                    path: f"{mode}:{blob}"
                    for path, (mode, blob) in exporter.entries.items()
                    if path not in exporter.absent
                }
                options = pipeline.ScanOptions(
                    path=folder,
                    cache_dir=task.cache_dir,
                    workers=workers,
                    at_commit=pipeline.AtCommit(task.repository, sha, tracked, memo),
                )
                report = pipeline.scan(options, rulebook)
            except ReadycheckError as error:
                outcomes.append((index, Failed(sha, str(error))))
                continue
            outcomes.append((index, _point(repo.commit(sha), report, tag, task.remote)))
    repo.close()
    return _Part(tuple(outcomes), frozenset(exporter.absent), frozenset(exporter.skipped))


def _warnings(absent: frozenset[str], skipped: frozenset[str]) -> tuple[str, ...]:
    warnings = []
    if absent:
        warnings.append(
            f"{len(absent)} file(s) are not in the local git objects (a partial or shallow "
            f"clone), so commits holding them were scanned without them: "
            f"{', '.join(sorted(absent)[:5])}"
        )
    if skipped:
        warnings.append(
            "tree entries whose path would leave the scanned folder were not written: "
            + ", ".join(sorted(skipped)[:5])
        )
    return tuple(warnings)


def _point(commit: Any, report: Report, tag: str | None, remote: str | None) -> Point:
    return Point(
        commit=commit.hexsha,
        date=commit.committed_datetime.isoformat(),
        subject=str(commit.summary)[:200],
        score=report.score,
        level_id=report.level.id,
        level_title=report.level.title,
        pillars=tuple(PillarCell(p.pillar.value, p.pillar.title, p.score) for p in report.pillars),
        url=commit_url(remote, commit.hexsha),
        tag=tag,
    )


def movers(points: Sequence[Point], limit: int = 8) -> tuple[Mover, ...]:
    """The commits that moved a pillar's score most, largest move first. A pillar that
    appears or disappears (no rule applied before or after) is not a move."""
    moves: list[Mover] = []
    for before, after in itertools.pairwise(points):
        old = {cell.id: cell.score for cell in before.pillars}
        for cell in after.pillars:
            previous = old.get(cell.id)
            if cell.score is None or previous is None:
                continue
            delta = round(cell.score - previous, 1)
            if abs(delta) >= 0.1:
                moves.append(
                    Mover(after.commit, after.subject, cell.id, cell.title, delta, after.url)
                )
    moves.sort(key=lambda m: (-abs(m.delta), m.commit, m.pillar))
    return tuple(moves[:limit])
