"""Detectors over git history, through gitpython's command wrapper.

Bulk questions go through one `git` command each (`rev-list --objects`,
`cat-file --batch-all-objects`, `log --name-only`): iterating commit objects
in Python is several times slower on real repositories. Outside a git
repository these checks are not applicable; on a shallow clone, the ones
that need history say so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from readycheck.detectors.base import repo_detector
from readycheck.model import Detection, Evidence, Location
from readycheck.parsers.git import GitInfo
from readycheck.workspace import Repository

NOT_A_REPOSITORY = "the scanned folder is not a git repository, or one with no commits yet"
SHALLOW = "the repository is a shallow clone, so its history is incomplete"
ARTEFACT_SUFFIXES = (
    ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".jsonl", ".xlsx", ".h5", ".hdf5",
    ".npy", ".npz", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".onnx", ".safetensors", ".pb",
    ".tflite", ".bin", ".model", ".zip", ".tar", ".gz",
)  # fmt: skip


def _git(repo: Repository) -> GitInfo | None:
    git = repo.git
    return git if isinstance(git, GitInfo) and git.commit is not None else None


def _scoped(git: GitInfo, path: str) -> str | None:
    """A path from git (relative to the repository top) relative to the scanned folder, or None."""
    if not git.subpath:
        return path
    prefix = git.subpath + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


@dataclass(frozen=True)
class BlobParams:
    #: Any file this large, ever committed, is reported.
    max_bytes: int = 10 * 1024 * 1024
    #: Data and model files (by suffix) this large are reported too.
    max_artefact_bytes: int = 1024 * 1024
    #: Paths where small committed data is expected (gitignore-style patterns).
    allow: tuple[str, ...] = ("tests/**", "**/fixtures/**", "**/testdata/**")


@repo_detector(params=BlobParams)
def git_large_files(repo: Repository, params: BlobParams) -> Detection:
    """Large files, and data or model binaries, committed now or at any point in history."""
    git = _git(repo)
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    import pathspec

    allowed = pathspec.GitIgnoreSpec.from_lines(list(params.allow))
    sizes: dict[str, int] = {}
    for line in git.repo.git.cat_file(
        "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)"
    ).splitlines():
        sha, kind, size = line.split(" ")
        if kind == "blob":
            sizes[sha] = int(size)
    found: dict[str, int] = {}
    for line in git.repo.git.rev_list("--objects", "--all").splitlines():
        sha, _, path = line.partition(" ")
        size = sizes.get(sha)
        if not path or size is None:
            continue
        scoped = _scoped(git, path)
        if scoped is None or allowed.match_file(scoped):
            continue
        artefact = PurePosixPath(scoped).suffix.lower() in ARTEFACT_SUFFIXES
        if size > params.max_bytes or (artefact and size > params.max_artefact_bytes):
            found[scoped] = max(size, found.get(scoped, 0))
    if not found and git.shallow:
        return Detection(inapplicable=SHALLOW)  # clean now; what history held is not here
    present = {entry.path for entry in repo.files}
    matches = tuple(
        Evidence(
            Location(path),
            f"{path} ({size / 1024 / 1024:.1f} MB) is in git "
            + ("now" if path in present else "history"),
        )
        for path, size in sorted(found.items(), key=lambda item: (-item[1], item[0]))[:20]
    )
    return Detection(matches)


@dataclass(frozen=True)
class AuthorParams:
    #: How many recent commits to look at.
    commits: int = 500
    #: Fewer distinct authors than this is reported as nothing found.
    min_authors: int = 1


def _is_bot(name: str, email: str) -> bool:
    """Dependabot, Renovate, github-actions and the like: automation is not a second reviewer."""
    return (
        "[bot]" in name.lower() or "[bot]" in email.lower() or name.strip().lower().endswith("-bot")
    )


@repo_detector(params=AuthorParams)
def git_authors(repo: Repository, params: AuthorParams) -> Detection:
    """Each distinct author of recent commits (one match per author)."""
    git = _git(repo)
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    if git.shallow:
        return Detection(inapplicable=SHALLOW)
    scope = [git.subpath] if git.subpath else []
    log = git.repo.git.log(f"-n{params.commits}", "--format=%aN%x09%aE", "--", *scope)
    authors = sorted(
        {
            email.strip().lower()
            for name, _tab, email in (line.partition("\t") for line in log.splitlines())
            if email.strip() and not _is_bot(name, email)
        }
    )
    if len(authors) < params.min_authors:
        return Detection()
    return Detection(tuple(Evidence(None, f"commits by {author}") for author in authors))


@dataclass(frozen=True)
class TouchedParams:
    #: gitignore-style patterns of the files that should change (tests, by default).
    globs: tuple[str, ...] = ("tests/**", "test/**", "test_*.py", "*_test.py")
    #: How many recent commits to look at.
    commits: int = 30


@repo_detector(params=TouchedParams)
def git_recently_touched(repo: Repository, params: TouchedParams) -> Detection:
    """Files matching the patterns that recent commits changed."""
    git = _git(repo)
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(list(params.globs))
    scope = [git.subpath] if git.subpath else []
    # A shallow clone's boundary commits look as if they added every file: leave them out.
    boundary = [f"^{sha}" for sha in _shallow_boundary(git)]
    log = git.repo.git.log(
        f"-n{params.commits}", "--name-only", "--format=", "HEAD", *boundary, "--", *scope
    )
    touched = sorted(
        {p for line in log.splitlines() if (p := _scoped(git, line.strip())) and spec.match_file(p)}
    )
    if not touched and git.shallow:
        return Detection(inapplicable=SHALLOW)
    return Detection(
        tuple(
            Evidence(Location(p), f"{p} changed in the last {params.commits} commits")
            for p in touched[:20]
        )
    )


def _shallow_boundary(git: GitInfo) -> list[str]:
    """The commits a shallow clone was cut at (their parents were not fetched)."""
    if not git.shallow:
        return []
    from git import GitCommandError

    try:
        path = git.repo.git.rev_parse("--git-path", "shallow")
        with open(Path(git.repo.working_tree_dir or ".") / path, encoding="ascii") as handle:
            return [line.strip() for line in handle if line.strip()]
    except (OSError, ValueError, GitCommandError):
        return []


@dataclass(frozen=True)
class IgnoredParams:
    #: Example paths that the root .gitignore should ignore.
    paths: tuple[str, ...] = ("data/raw.csv", "models/model.pkl", "mlruns/0/meta.yaml", ".env")


@repo_detector(params=IgnoredParams)
def gitignore_covers(repo: Repository, params: IgnoredParams) -> Detection:
    """For each example path: ignored by the root .gitignore (a match) or not (a gap)."""
    spec = _root_ignore(repo)
    if spec is None:
        return Detection(gaps=(Evidence(None, "no .gitignore at the root", missing=True),))
    matches, gaps = [], []
    for path in params.paths:
        if spec.match_file(path):
            matches.append(Evidence(Location(".gitignore"), f"{path} is ignored"))
        else:
            gaps.append(
                Evidence(Location(".gitignore"), f"{path} would be committed", missing=True)
            )
    return Detection(tuple(matches), tuple(gaps))


def _root_ignore(repo: Repository) -> Any:
    """The root .gitignore as a PathSpec, or None when there is none."""
    import pathspec

    path = repo.root / ".gitignore"
    if not path.is_file() or path.is_symlink():
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
