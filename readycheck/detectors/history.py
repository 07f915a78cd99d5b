"""Detectors over git history, through gitpython's command wrapper.

Bulk questions go through one `git` command each (`rev-list --objects`,
`cat-file --batch-all-objects`, `log --name-only`): iterating commit objects
in Python is several times slower on real repositories. Outside a git
repository these checks are not applicable; on a shallow clone, the ones
that need history say so instead of guessing. A check whose history only adds
evidence to a practice seen otherwise (an update bot's commits, beside its config
file) finds nothing instead: no history is no evidence, never a reason to excuse
the practice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from readycheck.detectors.base import repo_detector
from readycheck.detectors.common import MACHINE_ACCOUNT, NOT_A_REPOSITORY, SHALLOW
from readycheck.detectors.patterns import Matcher, folded, required_literals
from readycheck.model import Detection, Evidence, Location, Role
from readycheck.parsers.git import GitInfo
from readycheck.pathmatch import PathPatterns
from readycheck.workspace import Repository

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


#: How a change that went through review marks the commit that lands it: a squash-merged
#: pull request "(#123)", a merge commit of a pull or merge request, trailers written by
#: Gerrit, Phabricator or a reviewer, an Azure DevOps completed pull request.
_REVIEWED = re.compile(
    r"\(#\d+\)\s*$|^Merge pull request #\d+|^Merged PR \d+|See merge request \S+!\d+"
    r"|^Change-Id: I[0-9a-f]{40}$|^Reviewed-(on|by): |^Differential Revision: |^Pull Request resolved: ",
    re.MULTILINE,
)


@dataclass(frozen=True)
class ReviewParams:
    #: The most recent commits of the main line that are judged.
    commits: int = 30
    #: The share of them that must have come through review for the practice to be seen.
    min_share: float = 0.5


@repo_detector(params=ReviewParams)
def git_reviewed_changes(repo: Repository, params: ReviewParams) -> Detection:
    """How many recent changes reached the main line through review (a pull or merge
    request, Gerrit, Phabricator), as OpenSSF Scorecard's Code-Review check asks."""
    git = _git(repo)
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    if git.shallow:
        return Detection(inapplicable=SHALLOW)
    log = git.repo.git.log(
        f"-n{params.commits}",
        "--first-parent",
        "--format=%H%x00%P%x00%ae%x00%an%x00%B%x01",
        git.revision,
    )
    changes = [entry.strip().split("\x00", 4) for entry in log.split("\x01") if entry.strip()]
    # A bot's own commits (a version bump CI pushes after each merge) are made by
    # automation the team reviewed once, not changes a person made without review; a
    # merge bot's merges of approved pull requests (bors, mergify) are reviewed changes.
    changes = [
        c
        for c in changes
        if len(c) == 5 and (_REVIEWED.search(c[4]) or not (_BOT.search(c[2]) or _BOT.search(c[3])))
    ]
    marked = [c for c in changes if _REVIEWED.search(c[4])]
    reviewed = [c[0] for c in marked if not _merged_by_its_author(git, c)]
    if not changes:
        return Detection()
    detail = f"{len(reviewed)} of the last {len(changes)} changes on the main line were reviewed"
    if len(reviewed) < len(marked):
        detail += f" ({len(marked) - len(reviewed)} more were merged by their own author)"
    # A pull request merged by the only person who writes to the repository had no
    # reviewer: whatever the commit says, nobody else was there to read it. The people
    # are those of the same recent window: a group that wrote the project a year ago
    # is not reviewing the one maintainer's pull requests today.
    authors = _people(git.repo.git.log(f"-n{params.commits}", "--format=%ae%x00%an", git.revision))
    if reviewed and len(authors) == 1:
        author = next(iter(authors)).split(":", 1)[1]
        detail = (
            f"{len(reviewed)} of the last {len(changes)} changes went through a pull or merge "
            f"request, but all of them are by one person ({author}), so nobody else reviewed them"
        )
        reviewed = []
    if len(reviewed) >= params.min_share * len(changes):
        return Detection((Evidence(None, detail, f"commit {reviewed[0][:10]}"),))
    gap = Evidence(None, detail + " (pull or merge requests, Gerrit, Phabricator)", missing=True)
    seen = (Evidence(None, detail, f"commit {reviewed[0][:10]}"),) if reviewed else ()
    return Detection(seen, (gap,))


def _merged_by_its_author(git: GitInfo, change: list[str]) -> bool:
    """Whether a merge commit was made by the only person who wrote the branch it merges:
    GitHub records who pressed "merge" as the merge commit's author, so a pull request
    merged by its own author, with nobody else's commit in it, had no second pair of eyes.
    (A squash merge records only the author, so it is given the benefit of the doubt.)"""
    _sha, parents, email, name, _body = change
    first, *others = parents.split() or [""]
    if len(others) != 1 or _BOT.search(email) or _BOT.search(name):
        return False  # a merge bot (bors, mergify) merges what reviewers approved
    branch = git.repo.git.log("-n200", "--format=%ae%x00%an", f"{first}..{others[0]}")
    if not branch.strip():
        return False
    return len(_people(f"{branch}\n{email}\x00{name}")) == 1


#: Authors that are automation, not people: bots and CI accounts.
_BOT = re.compile(
    r"(?i)\[bot\]|\bbot\b|dependabot|renovate|github-actions|actions@github\.com|noreply@github\.com$"
)


def _people(log: str) -> set[str]:
    """The people (not bots) among `%ae%x00%an` lines, one name each. One person commits
    under several addresses (GitHub's `ID+user@users.noreply.github.com` and a plain one)
    and several spellings of a name ("Goku Mohandas", "GokuMohandas"): two identities are
    the same person when they share an address, a name or a GitHub login, when one's
    name is the other's login, or when a login is spelled from the beginnings of one
    name's words (`janihaapala2` and "Jani Haapala", `lunjas` and "Jasmine Lundgren"; a
    commit name that is a login, `IzharHaq1987` and "Izhar Haq", too)."""
    parent: dict[str, str] = {}
    logins: set[str] = set()
    names: dict[str, tuple[str, ...]] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for line in log.splitlines():
        email, _, name = line.partition("\x00")
        if not email or _BOT.search(email) or _BOT.search(name) or MACHINE_ACCOUNT.search(email):
            continue
        address = email.lower()
        login = (
            _NOREPLY.sub("", address.split("@")[0])
            if address.endswith("noreply.github.com")
            else ""
        )
        keys = [f"mail:{address}", f"name:{''.join(name.lower().split())}"]
        if login:
            # the login is also the name some set for their commits (`Francisco-B-O`)
            keys += [f"login:{login}", f"name:{login}"]
            logins.add(login)
        elif _LOGIN_NAME.fullmatch(name.strip()):
            # a login written as the commit's name (`IzharHaq1987`, a plain address)
            logins.add(name.strip().lower())
            keys.append(f"login:{name.strip().lower()}")
        words = tuple(re.findall(r"[a-z]+", name.lower()))
        if len(words) >= 2:
            names[keys[1]] = words
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    for login in logins:
        letters = re.sub(r"[^a-z]", "", login)
        spelled = [key for key, words in names.items() if _spells(letters, words)]
        if len(letters) >= 5 and len({root(key) for key in spelled}) == 1:
            parent[root(f"login:{login}")] = root(spelled[0])
    return {root(key) for key in parent}


def _spells(letters: str, words: tuple[str, ...], used: frozenset[int] = frozenset()) -> bool:
    """Whether `letters` is the beginnings (two letters or more) of two or more of a
    name's words, each used once, in any order: `lunjas` from "Jasmine Lundgren"."""
    if not letters:
        return len(used) >= 2
    for index, word in enumerate(words):
        if index in used:
            continue
        for size in range(min(len(word), len(letters)), 1, -1):
            if letters.startswith(word[:size]) and _spells(letters[size:], words, used | {index}):
                return True
    return False


#: A commit name that is a login: one word of letters and digits, digits in it
#: (`IzharHaq1987`, `janihaapala2`).
_LOGIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*")


#: The numeric id GitHub puts before the login in a noreply address.
_NOREPLY = re.compile(r"^\d+\+")


#: The blob sizes of the last object store read, keyed by the store and its object counts:
#: `trend` scans many commits of one store, which does not change in between.
_SIZES: dict[tuple[str, str], dict[str, int]] = {}


def _store(git: GitInfo) -> tuple[str, str]:
    """The object store and its object counts: what is remembered about it holds while
    these stay the same."""
    return str(git.repo.git_dir), str(git.repo.git.count_objects("-v"))


def _blob_sizes(git: GitInfo, key: tuple[str, str]) -> dict[str, int]:
    """Every blob's size in the repository's object store (one `cat-file` over all objects),
    remembered until the store changes (`count-objects -v` then says otherwise)."""
    if key not in _SIZES:
        sizes: dict[str, int] = {}
        for line in git.repo.git.cat_file(
            "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)"
        ).splitlines():
            sha, kind, size = line.split(" ")
            if kind == "blob":
                sizes[sha] = int(size)
        _SIZES.clear()
        _SIZES[key] = sizes
    return _SIZES[key]


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
    allowed = PathPatterns(params.allow, "the rule's allowed paths")
    threshold = min(params.max_bytes, params.max_artefact_bytes)
    store = _store(git)
    sizes = {sha: size for sha, size in _blob_sizes(git, store).items() if size > threshold}
    found: dict[str, int] = {}
    # Every branch for the current state; only what a past commit could reach for `trend`.
    # With no blob over the smaller limit in the whole store no path can qualify, and the
    # walk of every object, the costly part, is skipped.
    reachable = "--all" if git.revision == "HEAD" else git.revision
    for sha, path in _large_blobs(git, (*store, str(threshold)), reachable, sizes):
        size = sizes[sha]
        scoped = _scoped(git, path)
        if scoped is None or allowed.match(scoped):
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


#: The large blobs (sha, path) the last revision asked about reaches, per object store and
#: size threshold.
_REACHED: dict[tuple[str, ...], tuple[str, tuple[tuple[str, str], ...]]] = {}


def _large_blobs(
    git: GitInfo, store: tuple[str, ...], reachable: str, sizes: dict[str, int]
) -> tuple[tuple[str, str], ...]:
    """(sha, path) of each blob in `sizes` that `reachable` (a revision, or --all) reaches.

    Listing every object a revision reaches walks the whole history (60 ms a commit on
    seer). `trend` asks about one commit after another: what the new one reaches is what
    the last one did, less what only the last one reached, plus what only the new one
    does, and both differences are short walks. A partial clone lacks some blobs: what is
    there is listed instead of failing on them."""
    if not sizes:
        return ()
    known = _REACHED.get(store)
    if reachable == "--all" or known is None:
        pairs = _blobs_in(
            git.repo.git.rev_list("--objects", reachable, "--missing=allow-any"), sizes
        )
    elif known[0] == reachable:
        pairs = known[1]
    else:
        previous, before = known
        gone = git.repo.git.rev_list("--objects", previous, f"^{reachable}", "--missing=allow-any")
        lost = {line.partition(" ")[0] for line in gone.splitlines()}
        new = git.repo.git.rev_list("--objects", reachable, f"^{previous}", "--missing=allow-any")
        pairs = tuple(p for p in before if p[0] not in lost) + _blobs_in(new, sizes)
    if reachable != "--all":
        _REACHED.clear()
        _REACHED[store] = (reachable, pairs)
    return pairs


def _blobs_in(listing: str, sizes: dict[str, int]) -> tuple[tuple[str, str], ...]:
    """The (sha, path) lines of a `rev-list --objects` listing naming a blob in `sizes`."""
    pairs = []
    for line in listing.splitlines():
        sha, _, path = line.partition(" ")
        if path and sha in sizes:
            pairs.append((sha, path))
    return tuple(pairs)


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
    log = git.repo.git.log(f"-n{params.commits}", "--format=%aN%x09%aE", git.revision, "--", *scope)
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
class BotCommitParams:
    #: Names (in the author's name or e-mail, or the branch a pull request came from) of
    #: the bots that propose dependency updates.
    bots: tuple[str, ...] = (
        "dependabot",
        "renovate",
        "pyup-bot",
        "pyup.io",
        "snyk-bot",
        "mend-bolt",
    )
    #: Only commits this many days before the latest one: a bot that has proposed nothing
    #: for a year while the project went on was most likely switched off.
    days: int = 365
    #: At most this many matches are reported.
    max_matches: int = 5


#: "Merge pull request #12 from owner/dependabot/pip/idna-3.7": a bot's branch, merged by a person.
_MERGED_BRANCH = re.compile(r"^Merge pull request #\d+ from \S+?/(?P<branch>[\w.-]+)/")


@repo_detector(params=BotCommitParams)
def git_bot_commits(repo: Repository, params: BotCommitParams) -> Detection:
    """Recent commits authored by a dependency-update bot, or its pull requests merged:
    the bot watches the dependencies whether or not its config is in the repository
    (Dependabot security updates are switched on in the host's settings). Outside a
    repository, or in a shallow clone where none is seen, this finds nothing: its
    absence is never more than the absence of a config file."""
    git = _git(repo)
    if git is None:
        return Detection()
    scope = [git.subpath] if git.subpath else []
    head = git.repo.git.log("-n1", "--format=%ct", git.revision).strip()
    if not head.isdigit():
        return Detection()
    since = int(head) - params.days * 86400
    # a bot's pull request squashed by a person keeps the bot as a co-author
    log = git.repo.git.log(
        f"--since={since}",
        "--format=%aN%x09%aE%x09%as%x09%(trailers:key=Co-authored-by,valueonly,separator=%x2C)%x09%s",
        git.revision,
        "--",
        *scope,
    )
    bots = tuple(bot.lower() for bot in params.bots)
    found: list[Evidence] = []
    for line in log.splitlines():
        name, _, rest = line.partition("\t")
        email, _, rest = rest.partition("\t")
        date, _, rest = rest.partition("\t")
        coauthors, _, subject = rest.partition("\t")
        author = f"{name} {email}".lower()
        merged = _MERGED_BRANCH.match(subject)
        branch = merged.group("branch").lower() if merged else ""
        bot = next(
            (b for b in bots if b in author or branch.startswith(b) or b in coauthors.lower()),
            None,
        )
        if bot is None:
            continue
        how = (
            f"{name} committed"
            if bot in author
            else f"a {bot} pull request was merged"
            if branch.startswith(bot)
            else f"{name} committed with {bot}"
        )
        found.append(Evidence(None, f"{how} on {date}: {subject[:100]}"))
        if len(found) >= params.max_matches:
            break
    return Detection(tuple(found))


@dataclass(frozen=True)
class TouchedParams:
    #: gitignore-style patterns of the files that should change (tests, by default).
    globs: tuple[str, ...] = ("tests/**", "test/**", "test_*.py", "*_test.py")
    #: How many recent commits to look at, counting only those that changed code (Python
    #: modules and notebooks): a month of README, CI and release edits changes no code a
    #: test should follow.
    commits: int = 30


#: The code a test follows: Python modules and notebooks (git pathspecs under a prefix).
_CODE = ("**/*.py", "**/*.ipynb")


def _may_test(repo: Repository, path: str) -> bool:
    """Whether a changed file can hold tests: a Python module that defines one, or a
    fixture or data file beside them; a package's `__init__.py` or a generated module
    that holds only a docstring tests nothing."""
    if not path.endswith(".py"):
        return True
    summary = repo.summaries.get(path)
    return summary is None or summary.defines_tests


@repo_detector(params=TouchedParams)
def git_recently_touched(repo: Repository, params: TouchedParams) -> Detection:
    """Files matching the patterns that recent commits changed."""
    git = _git(repo)
    if git is None:
        return Detection(inapplicable=NOT_A_REPOSITORY)
    spec = PathPatterns(params.globs, "the rule's globs")
    prefix = f"{git.subpath.rstrip('/')}/" if git.subpath else ""
    # A shallow clone's boundary commits look as if they added every file: leave them out.
    boundary = [f"^{sha}" for sha in _shallow_boundary(git)]
    log = git.repo.git.log(
        # a file a commit deleted (`q3_test.py` removed with old homework) changed no test
        f"-n{params.commits}",
        "--name-only",
        "--diff-filter=d",
        # names, not similarity: rename detection reads blobs (a partial clone may lack them)
        "--no-renames",
        "--format=",
        git.revision,
        *boundary,
        "--",
        *(f":(glob){prefix}{pattern}" for pattern in _CODE),
    )
    touched = sorted(
        {
            p
            for line in log.splitlines()
            if (p := _scoped(git, line.strip())) and spec.match(p) and _may_test(repo, p)
        }
    )
    if not touched and git.shallow:
        return Detection(inapplicable=SHALLOW)
    return Detection(
        tuple(
            Evidence(
                Location(p),
                f"{p} changed in the last {params.commits} commits that changed Python code",
            )
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
    #: Example paths that the root .gitignore should ignore in any repository.
    paths: tuple[str, ...] = ()
    #: Paths a tool writes only where it is used, each as `module:path`
    #: (`mlflow:mlruns/0/meta.yaml`, `dotenv:.env`): asked only when code imports it.
    tool_paths: tuple[str, ...] = ()
    #: Where a tool sends its output to a server instead, each as `module:pattern`
    #: (`mlflow:tracking_uri... = "http://..."`): when the pattern is found in the
    #: project's code or its environment and compose files, the tool's path is not asked.
    remote_tools: tuple[str, ...] = ()
    #: Paths asked only where a file matching a glob exists, each as `glob:path`, in the
    #: folder of the first such file (`**/.env.example:.env`: a template of the secrets
    #: file the project uses, which lives beside it).
    file_paths: tuple[str, ...] = ()
    #: Extensions of data and model files: the paths the code spells with one of them
    #: (`"data/raw/train.csv"`, `"artifacts/model.joblib"`) are asked, a few of each.
    data_extensions: tuple[str, ...] = ()
    model_extensions: tuple[str, ...] = ()
    #: How many of the code's data paths, and of its model paths, are asked.
    per_kind: int = 2


def _imported(repo: Repository, module: str) -> bool:
    return any(
        name == module or name.startswith(module + ".")
        for summary in repo.summaries.values()
        for name in summary.imports
    )


def _spelled_paths(
    repo: Repository, extensions: tuple[str, ...], limit: int
) -> list[tuple[str, str]]:
    """Paths the production code and notebooks spell with one of the extensions, one per
    folder, the most spelled folders first: where the project keeps that kind of file.
    Each comes with the folder of a file that spells it: a relative path is written
    from where that code runs, which is its own folder as often as the root."""
    wanted = tuple(f".{e.lower()}" for e in extensions)
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for path, summary in sorted(repo.summaries.items()):
        if repo.roles.get(path) not in (Role.CODE, Role.NOTEBOOK):
            continue
        for spelled in summary.paths:
            if spelled.lower().endswith(wanted):
                folder = str(PurePosixPath(path).parent)
                by_folder.setdefault(str(PurePosixPath(spelled).parent), []).append(
                    (spelled, folder)
                )
    ranked = sorted(by_folder.values(), key=lambda found: -len(found))
    return [sorted(found)[0] for found in ranked[:limit]]


#: Files that set a tool's environment: env files and templates, compose files.
_ENVIRONMENT_FILES = ("**/.env*", "**/*.env", "**/*compose*.yml", "**/*compose*.yaml")


def _sent_to_a_server(repo: Repository, module: str, remote_tools: tuple[str, ...]) -> bool:
    """Whether the project points the tool at a server (`MLFLOW_TRACKING_URI=http://
    mlflow:5000` in its compose file, `mlflow_tracking_uri: str = "http://..."` in its
    settings): then the tool writes nothing into the work tree."""
    patterns = [p for m, _, p in (e.partition(":") for e in remote_tools) if m == module and p]
    if not patterns:
        return False
    code = [path for path in repo.summaries if repo.roles.get(path) is Role.CODE]
    places = [*code, *(entry.path for entry in repo.glob(_ENVIRONMENT_FILES))]
    for pattern in patterns:
        needed = required_literals(pattern)
        for path in places:
            text = repo.read_text(path)
            if text is None:
                continue
            if needed is not None and not any(s in folded(text) for s in needed):
                continue  # holds none of the strings every match holds
            if Matcher(pattern).search(text):  # each file gets the pattern's time budget
                return True
    return False


def _ignored(repo: Repository, spec: Any, path: str) -> bool:
    return bool(spec.match(path)) or _ignored_below(repo, path)


@repo_detector(params=IgnoredParams)
def gitignore_covers(repo: Repository, params: IgnoredParams) -> Detection:
    """For each path the project would write: ignored by the root .gitignore (a match) or
    not (a gap). The paths are the project's own: the data and model files its code
    names, a tool's output folder where the code uses the tool, the secrets file where the
    project keeps one; nothing is asked that the project would never write."""
    wanted = list(params.paths)
    for entry in params.tool_paths:
        module, _, path = entry.partition(":")
        if (
            path
            and path not in wanted
            and _imported(repo, module)
            and not _sent_to_a_server(repo, module, params.remote_tools)
        ):
            wanted.append(path)
    for entry in params.file_paths:
        pattern, _, path = entry.rpartition(":")
        found = next(repo.glob([pattern]), None)
        if path and found is not None:
            # the file the template stands for lives beside it (`app/.env` for `app/.env.example`)
            beside_template = str(PurePosixPath(found.path).parent / path)
            if beside_template not in wanted:
                wanted.append(beside_template)
    #: Where a relative path could also land: beside the code that spells it.
    beside: dict[str, str] = {}
    for extensions in (params.data_extensions, params.model_extensions):
        for spelled, folder in _spelled_paths(repo, extensions, params.per_kind):
            if spelled not in wanted:
                wanted.append(spelled)
                if folder != "." and not spelled.startswith(("/", "~", "../")):
                    beside[spelled] = str(PurePosixPath(folder, spelled))
    spec = _root_ignore(repo)
    if spec is None:
        if next(repo.glob(["**/.gitignore"]), None) is None:
            return Detection(gaps=(Evidence(None, "no .gitignore at the root", missing=True),))
        # the project lives in a folder of the repository, with its own .gitignore
        spec = _NO_IGNORES
    if not wanted:
        return Detection(
            inapplicable="the code names no data or model file, and no secrets file or tool "
            "output folder, that git could pick up"
        )
    matches, gaps = [], []
    for path in wanted:
        if _ignored(repo, spec, path) or (path in beside and _ignored(repo, spec, beside[path])):
            matches.append(Evidence(Location(".gitignore"), f"{path} is ignored"))
        else:
            gaps.append(
                Evidence(Location(".gitignore"), f"{path} would be committed", missing=True)
            )
    return Detection(tuple(matches), tuple(gaps))


def _ignored_below(repo: Repository, path: str) -> bool:
    """Whether a .gitignore in one of the path's folders ignores it (DVC writes
    `data/.gitignore` for the files it tracks), its patterns read from that folder."""
    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts)):
        spec = _ignore_file(repo, str(PurePosixPath(*parts[:depth], ".gitignore")))
        if spec is not None and spec.match(str(PurePosixPath(*parts[depth:]))):
            return True
    return False


def _ignore_file(repo: Repository, path: str) -> Any:
    """A .gitignore of the tree as a PathSpec, or None when discovery listed none there."""
    text = repo.read_text(path)
    return None if text is None else PathPatterns(text.splitlines(), ".gitignore")


class _NoIgnores:
    """The root's ignore rules where the root has no .gitignore: nothing is ignored there."""

    @staticmethod
    def match(path: str) -> bool:
        return False


_NO_IGNORES = _NoIgnores()


def _root_ignore(repo: Repository) -> Any:
    """The root .gitignore as a PathSpec, or None when there is none."""
    return _ignore_file(repo, ".gitignore")
