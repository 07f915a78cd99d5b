"""Find the files to scan, and classify each one once.

The walk honours .gitignore files (at every level, with git's own pattern
rules, matched by readycheck.pathmatch so that no pattern can hang the scan),
skips the usual noise, never leaves the scanned folder through a symlink, and
never opens special files (a FIFO would hang the scan). Files above the size
cap are listed, so rules about their existence still work, but never read.

In a git repository, what git tracks is what the repository ships: a tracked
file is scanned even when a .gitignore lists it or it sits in a noise folder
(a committed venv/ or node_modules/), and the report says how many untracked
files each noise rule skipped. The tracked paths come from one `git ls-files`,
run read-only and with the repository's settings that start programs switched
off, as readycheck.parsers.git runs every git command (hooks, filters and
fsmonitor never run). The walk itself stays on the file system: git only says
which of the files found are tracked. Outside git, .gitignore and the noise
rules alone decide, as they always did.

Reports and baselines readycheck wrote into the folder on an earlier run are
recognised by their first bytes and skipped with a note: they quote the
repository, and would otherwise be read as part of it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from readycheck.errors import ConfigError
from readycheck.model import MAX_COMPANION, FileEntry, FileKind, Role, ScanWarning
from readycheck.parsers import ParseError
from readycheck.parsers.helm import chart_companions
from readycheck.parsers.kustomize import kustomize_companions
from readycheck.parsers.text import decode_text
from readycheck.pathmatch import PathPatterns

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
_GITIGNORE_MAX_SIZE = 256 * 1024

#: Folders that are never part of a project's own source.
NOISE_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr",
        ".venv", "venv", "virtualenv", "site-packages",
        "node_modules", "bower_components",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
        ".tox", ".nox", ".eggs", ".ipynb_checkpoints", ".cache", "htmlcov",
        ".idea", ".vscode", ".terraform",
    }
)  # fmt: skip

#: Version-control metadata: never entered, never counted.
_VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
#: Untracked files counted per noise rule; beyond it the report says "more than".
_COUNT_LIMIT = 100_000

#: The start of each file readycheck writes, by the suffixes it is written under (see
#: readycheck/renderers and readycheck/baseline.py): a kind of output, and its first bytes.
_OWN_OUTPUTS: tuple[tuple[frozenset[str], str, re.Pattern[bytes]], ...] = (
    (
        frozenset({".json"}),
        "JSON report",
        re.compile(
            rb'\A\s*\{\s*"schema_version"\s*:\s*"[^"\n]{0,40}"\s*,'
            rb'\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"readycheck"'
        ),
    ),
    (frozenset({".json"}), "baseline", re.compile(rb'\A\s*\{\s*"readycheck_baseline"\s*:\s*[0-9]')),
    (
        frozenset({".sarif", ".json"}),
        "SARIF report",
        re.compile(
            rb'\A\s*\{\s*"\$schema"\s*:\s*"[^"\n]{0,200}sarif[^"\n]{0,200}"\s*,'
            rb'\s*"version"\s*:\s*"[^"\n]{0,40}"\s*,\s*"runs"\s*:\s*\[\s*\{'
            rb'\s*"tool"\s*:\s*\{\s*"driver"\s*:\s*\{\s*"name"\s*:\s*"readycheck"'
        ),
    ),
    (
        frozenset({".html", ".htm"}),
        "HTML report",
        re.compile(
            rb'\A\s*<!DOCTYPE html>[^\x00]{0,3000}?<meta name="generator" content="readycheck ',
            re.IGNORECASE,
        ),
    ),
    (
        frozenset({".json"}),
        "GitLab Code Quality report",
        re.compile(rb'\A\s*\[\s*\{\s*"engine_name"\s*:\s*"readycheck"'),
    ),
    (
        frozenset({".md", ".markdown"}),
        "Markdown report",
        re.compile(rb"\A### readycheck: [^\n]{1,400} scores \*\*[^*\n]{1,12}\*\* / 100 "),
    ),
    (
        frozenset({".xml"}),
        "JUnit report",
        re.compile(rb'\A\s*(?:<\?xml[^>\n]{0,100}\?>\s*)?<testsuites name="readycheck"'),
    ),
    (
        frozenset({".txt", ".log"}),
        "terminal report",
        re.compile(rb"\A(?:\x1b\[[0-9;]{0,20}m){0,4}" + "╭─ readycheck ".encode()),
    ),
)
_OWN_SUFFIXES = frozenset(suffix for suffixes, _, _ in _OWN_OUTPUTS for suffix in suffixes)
_SNIFF_BYTES = 4096

#: Folder names whose contents are not the project's production code (matched whole,
#: case-insensitively). Fixtures and test data are tests; samples, demos, tutorials,
#: cookbooks, playgrounds and project templates are examples, and so is course material
#: (exercises and their solutions, homework, assignments, lectures, workshops).
_TEST_DIR = re.compile(
    # numbered as the steps of a course or a pipeline may be (`2-test-data`, `03_tests`)
    r"(\d+[-_.])?"
    r"(tests?|testing|fixtures?|test[_-]?data|test[_-]fixtures|__fixtures__|__mocks__|mocks?"
    r"|(e2e|integration|unit|functional|smoke|load|system|acceptance)[_-]?tests?"
    # a folder named as pytest names test modules (`test_agents/`, beside `agents/`)
    r"|test_\w+)"
)
#: Test modules by name: pytest's `test_*.py` and `*_test.py` (a hand-run script spelled
#: with a hyphen too, `inference-test.py`), a Django app's `tests.py`,
#: a lone `test.py` or `smoketest.py` a person runs by hand against the service, and a
#: package's test support (`testing.py`, `_testing.py`, `testing_utils.py`: fixtures and
#: helpers its tests import, as `numpy.testing` is).
_TEST_MODULE = re.compile(
    r"test[_-].*|.*[_-]tests?\.py|tests?\.py|smoke_?tests?\.py|conftest\.py|_?testing(_\w+)?\.py"
)
#: A script named for the stand-in model it makes (`create_sample_sklearn_model.py`,
#: `dummy_model.py`, `make_demo_data.py`) or for the demo it is (`demo_user_flow.py`):
#: a toy a demo or a test uploads, or a walk-through, not the project's own code. Its
#: words, split on `_`, `-` and `.`: a stand-in word beside `model`, a making verb
#: followed by a sample word, or `demo` followed by what it demonstrates.
_STAND_IN = frozenset({"dummy", "toy", "fake", "mock", "stub", "placeholder"})
_SAMPLE = frozenset({"sample", "samples", "demo", "example", "dummy", "toy", "fake", "mock"})
_MAKING = frozenset(
    {"create", "make", "generate", "build", "train", "save", "write", "export", "seed", "populate"}
)
#: A notebook named for the walk-through it is (`dataset_storage_example.ipynb`,
#: `tutorial_drift.ipynb`, `quickstart.ipynb`): it shows how to use the project.
_WALK_THROUGH = frozenset(
    {"example", "examples", "tutorial", "tutorials", "demo", "walkthrough", "quickstart"}
)
#: A developer's scratch or diagnostic script (`try.py`, `scratch.py`, `debug_rag.py`,
#: `diagnose_channels.py`, `diag_scan.py`): run by hand to look at something, like a
#: scratch folder's contents.
_SCRATCH_MODULE = re.compile(r"try\.py|scratch(_\w+)?\.py|(debug|diag|diagnose)_\w+\.py")
#: A program named as the example of one (`example_pipeline.py`, `example_client.py`): it
#: shows how to write one, beside the ones the product runs. (`example_selector.py`, a
#: few-shot prompt's selector, and `examples.py`, a prompt's examples, are product code.)
_EXAMPLE_MODULE = re.compile(
    r"examples?_(pipeline|app|usage|script|client|server|service|agent|flow|job)s?\.py"
)
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
#: Folders of prompt templates the application loads: a system prompt in Markdown there is
#: part of the product (`app/core/prompts/system.md`), not its documentation.
_PROMPT_DIRS = frozenset({"prompts", "prompt_templates"})
#: Folders that hold third-party code copied into the repository.
_VENDOR_DIRS = frozenset(
    {"_vendor", "vendor", "vendored", "third_party", "thirdparty", "third-party", "3rdparty"}
)
#: Folders that keep superseded code for the record: its hazards are on no path to users.
_ARCHIVE_DIRS = frozenset(
    {"archive", "archives", "archived", "deprecated", "obsolete", "old", "attic", "unused",
     "backup", "backups"}
)  # fmt: skip
_EXAMPLE_DIR = re.compile(
    r"(examples?|samples?|demos?|tutorials?|cookbooks?|playgrounds?|sandbox|scratch"
    r"|(samples?|examples?|demos?)[_-].+|.+[_-](samples?|examples?|demos?)"
    r"|exercises?|exercise[_-].+|solutions?|homeworks?|assignments?|lectures?|workshops?"
    r"|\{\{.*\}\})"
)
#: A configuration file written as a template to copy (`03-secrets.example.yaml`,
#: `config.sample.json`, `.env.example`): its values are placeholders or local defaults.
#: (`template.yaml` is not one: it is how AWS SAM and CloudFormation name the stack.)
_TEMPLATE_FILE = re.compile(
    r"(.+[._-])?(example|sample)([._-].+)?\.(ya?ml|json|toml|ini|cfg|conf|env|properties)"
    r"|\.env\.(example|sample|template|tmpl|dist)|(example|sample)\.env"
)
#: Kinds a Kubernetes manifest is written in, and so a kustomization may build.
_MANIFEST_KINDS = frozenset({FileKind.YAML, FileKind.JSON})
#: Kinds whose content readycheck reads; a large file of another kind is just data.
READ_KINDS = frozenset(FileKind) - {FileKind.OTHER}


@dataclass(frozen=True)
class DiscoveryOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: Gitignore patterns from the command line, relative to the scanned folder.
    exclude: tuple[str, ...] = ()
    #: The owner's word on what files are (gitignore patterns per role), over the defaults.
    roles: tuple[tuple[Role, tuple[str, ...]], ...] = ()
    #: Gitignore patterns from the config file, relative to the config's folder.
    config_exclude: tuple[str, ...] = ()
    #: Where the scanned folder sits below the config's folder ("src" when `scan src` found
    #: the repository root's config): the config's patterns (`config_exclude`, `roles`) are
    #: matched against this prefix plus the path, as gitignore anchors them to their file.
    config_base: str = ""
    #: The config file `config_exclude` and `roles` come from, for the messages about them.
    config_source: str | None = None
    #: The files git tracks, when the caller knows them: `trend` scans a commit's files
    #: exported into a folder that is no repository, and every one of them is tracked.
    tracked: frozenset[str] | None = None

    def in_config(self, rel: str) -> str:
        """A path relative to the scanned folder, as the config's patterns see it."""
        return f"{self.config_base}/{rel}" if self.config_base else rel


@dataclass(frozen=True)
class Discovery:
    root: Path
    files: tuple[FileEntry, ...]
    warnings: tuple[ScanWarning, ...] = field(default=())


def classify_kind(path: str) -> FileKind:
    """The kind of a file from its name alone (never from its content)."""
    name = PurePosixPath(path).name
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    parent = PurePosixPath(path).parent.name.lower()
    if suffix in {".py", ".pyw"}:
        return FileKind.PYTHON
    if suffix == ".ipynb":
        return FileKind.NOTEBOOK
    if (
        lower in {"dockerfile", "containerfile"}
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith(".dockerfile")
        # Dockerfile-model, Dockerfile_gpu: a variant's name after a dash (no extension)
        or (lower.startswith(("dockerfile-", "dockerfile_")) and "." not in lower)
        # CPUDockerfile, gpu-dockerfile, api_Dockerfile: the variant's name before it
        or (lower.endswith("dockerfile") and "." not in lower)
    ):
        return FileKind.DOCKERFILE
    if suffix in {".yml", ".yaml"}:
        return FileKind.YAML
    if suffix == ".json":
        return FileKind.JSON
    if suffix == ".toml" or lower == "pipfile":  # a Pipfile is TOML without the suffix
        return FileKind.TOML
    if (suffix in {".txt", ".in"} and lower.startswith(("requirements", "constraints"))) or (
        parent == "requirements" and suffix in {".txt", ".in"}
    ):
        return FileKind.REQUIREMENTS
    if suffix in {".md", ".markdown", ".rst"}:
        return FileKind.MARKDOWN
    return FileKind.OTHER


def classify_role(path: str, kind: FileKind) -> Role:
    """The part a file plays, from its path: tests, docs, examples, archived code and
    vendored third-party code are not production."""
    parts = PurePosixPath(path.lower()).parts
    directories, name = parts[:-1], parts[-1]
    if _VENDOR_DIRS.intersection(directories):
        return Role.VENDORED
    if _ARCHIVE_DIRS.intersection(directories):
        return Role.ARCHIVED
    if kind is FileKind.NOTEBOOK:
        # a notebook is exploration, unless it lives with the examples, the docs (a
        # library's tutorials) or others' contributions (`contrib/`): then it shows how
        if any(_EXAMPLE_DIR.fullmatch(d) for d in directories) or "contrib" in directories:
            return Role.EXAMPLE
        if _DOC_DIRS.intersection(directories):
            return Role.DOCS
        if _WALK_THROUGH.intersection(re.split(r"[_.\s-]", name.removesuffix(".ipynb"))):
            return Role.EXAMPLE
        return Role.NOTEBOOK
    if any(_TEST_DIR.fullmatch(d) for d in directories) or (
        kind is FileKind.PYTHON and _TEST_MODULE.fullmatch(name) is not None
    ):
        return Role.TEST
    if any(_EXAMPLE_DIR.fullmatch(d) for d in directories) or _TEMPLATE_FILE.fullmatch(name):
        return Role.EXAMPLE
    if kind is FileKind.PYTHON and (
        _makes_a_stand_in(name)
        or _SCRATCH_MODULE.fullmatch(name)
        or _EXAMPLE_MODULE.fullmatch(name)
    ):
        return Role.EXAMPLE
    if _DOC_DIRS.intersection(directories):
        return Role.DOCS
    if kind is FileKind.MARKDOWN and not _PROMPT_DIRS.intersection(directories):
        return Role.DOCS
    return Role.CODE


def _makes_a_stand_in(name: str) -> bool:
    """Whether a module's name says it makes a sample, demo or dummy model or data set,
    or demonstrates something (`demo.py` alone is often the app itself: left as code)."""
    words = re.split(r"[_.-]", name.removesuffix(".py"))
    if _STAND_IN.intersection(words) and {"model", "models"}.intersection(words):
        return True
    return len(words) > 1 and (words[0] == "demo" or (words[0] in _MAKING and words[1] in _SAMPLE))


class _IgnoreRules:
    """The .gitignore files seen on the way down, each relative to its own folder."""

    def __init__(self, specs: tuple[tuple[str, PathPatterns], ...] = ()) -> None:
        self.specs = specs

    def child(self, rel_dir: str, spec: PathPatterns | None) -> _IgnoreRules:
        return _IgnoreRules((*self.specs, (rel_dir, spec))) if spec else self

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        verdict = False
        for base, spec in self.specs:
            if base and not rel_path.startswith(base + "/"):
                continue
            local = rel_path[len(base) + 1 :] if base else rel_path
            result = spec.check(local + "/" if is_dir else local)
            if result is not None:
                verdict = result  # deeper .gitignore files override shallower ones
        return verdict


class _Excludes:
    """The command line's and the config's exclude patterns, each from its own folder."""

    def __init__(self, options: DiscoveryOptions) -> None:
        self._options = options
        self.cli = _owner_patterns(options.exclude, "--exclude", None, "--exclude")
        source = options.config_source or "the config file"
        self.config = _owner_patterns(
            options.config_exclude, f"{source} (exclude)", options.config_source, "exclude"
        )

    def match(self, rel: str, is_dir: bool = False) -> bool:
        suffix = "/" if is_dir else ""
        if self.cli.match(rel + suffix):
            return True
        return self.config.match(self._options.in_config(rel) + suffix)


def _owner_patterns(
    lines: Iterable[str], source: str, path: str | None, field_name: str
) -> PathPatterns:
    """Patterns from the command line or the config: one that is not a pattern at all is
    a mistake in what the user controls (exit 2), not something to scan past."""
    patterns = PathPatterns(lines, source)
    for problem in patterns.problems:
        if problem.invalid:
            raise ConfigError(f"{problem.pattern!r}: {problem.reason}", path=path, field=field_name)
    return patterns


def _read_ignore_file(path: Path, source: str) -> PathPatterns | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _GITIGNORE_MAX_SIZE:
            return None
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return PathPatterns(lines, source)


def _is_build_output(directory: Path) -> bool:
    """`build/` and `dist/` are noise only when they hold packaging output."""
    try:
        names = os.listdir(directory)[:200]
    except OSError:
        return False
    return any(
        n == "lib" or n.startswith("bdist.") or n.endswith((".whl", ".tar.gz")) for n in names
    )


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def _printable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Tracked:
    """What git tracks below the scanned folder (paths relative to it): files, and every
    folder that holds one."""

    files: frozenset[str]
    folders: frozenset[str]


def _tracked(root: Path) -> tuple[_Tracked | None, ScanWarning | None]:
    """The files git tracks below `root`, from one `git ls-files`; None outside a
    repository, or when git cannot read it (readycheck.parsers.git reports that)."""
    from readycheck.parsers.git import _inside_a_repository, neutralise

    if not _inside_a_repository(root):
        return None, None
    try:
        import git  # imported here: gitpython costs start-up time and needs the git binary

        repo = git.Repo(root, search_parent_directories=True)
    except Exception:
        return None, None
    try:
        if repo.working_tree_dir is None:
            return None, None
        prefix = root.relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
        neutralise(repo)
        output: bytes = repo.git.ls_files("-z", stdout_as_string=False)
    except ValueError:
        return None, None  # the folder is not in the repository's working tree
    except Exception as error:
        text = str(error).strip()
        reason = text.splitlines()[0] if text else type(error).__name__
        message = (
            f"git could not list the tracked files ({reason}); files were chosen by "
            ".gitignore and the noise rules alone"
        )
        return None, ScanWarning("git-unavailable", message)
    finally:
        repo.close()
    lead = "" if prefix == "." else prefix + "/"
    names = output.decode("utf-8", "surrogateescape").split("\0")
    return _tracked_set(name[len(lead) :] for name in names if name and name.startswith(lead)), None


def _tracked_set(paths: Iterable[str]) -> _Tracked:
    """Tracked files (relative to the scanned folder) and every folder holding one."""
    files: set[str] = set()
    folders: set[str] = set()
    for rel in paths:
        files.add(rel)
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return _Tracked(frozenset(files), frozenset(folders))


@dataclass(frozen=True)
class _Skip:
    """Why a folder is left out, unless git tracks files in it: a noise rule (`kind` is
    "noise", "build" or "virtualenv"), or a .gitignore (`kind` None: nothing is counted)."""

    kind: str | None
    name: str  # the folder's name: ".venv", "build"
    folder: str  # where it is, relative to the scanned folder


class _NoiseCounts:
    """Untracked files skipped per noise rule, for the report."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._folders: dict[tuple[str, str], list[str]] = {}

    def add(self, skip: _Skip, count: int = 1) -> None:
        if skip.kind is None or not count:
            return
        key = (skip.kind, skip.name if skip.kind != "virtualenv" else "")
        self._counts[key] = self._counts.get(key, 0) + count
        folders = self._folders.setdefault(key, [])
        if skip.folder not in folders:
            folders.append(skip.folder)

    def count_folder(self, skip: _Skip, directory: Path) -> None:
        """Count the files of a folder that is not entered (up to the limit)."""
        if skip.kind is None:
            return
        key = (skip.kind, skip.name if skip.kind != "virtualenv" else "")
        room = _COUNT_LIMIT + 1 - self._counts.get(key, 0)
        self.add(skip, _count_files(directory, room) if room > 0 else 0)

    def warnings(self) -> list[ScanWarning]:
        found = []
        for (kind, name), count in sorted(self._counts.items()):
            if not count:
                continue
            folders = self._folders[(kind, name)]
            amount = f"more than {_COUNT_LIMIT:,}" if count > _COUNT_LIMIT else f"{count:,}"
            files = "file" if count == 1 else "files"
            single = folders[0] if len(folders) == 1 else None
            if kind == "virtualenv":
                where = (
                    f"in the virtualenv {single}/" if single else f"in {len(folders)} virtualenvs"
                )
            else:
                where = f"under {single}/" if single else f"under {len(folders)} {name}/ folders"
                if kind == "build":
                    where = f"of packaging output {where}"
            found.append(
                ScanWarning(
                    "untracked-skipped", f"skipped {amount} untracked {files} {where}", single
                )
            )
        return found


def _count_files(directory: Path, limit: int) -> int:
    """Files below `directory`, symlinks not followed; the count stops past `limit`."""
    count = 0
    visits = 0
    stack = [directory]
    while stack and count <= limit and visits <= 4 * limit:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    visits += 1
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if is_dir:
                        stack.append(Path(entry.path))
                    else:
                        count += 1
        except OSError:
            continue
    return count


def own_output(path: Path, rel: str) -> str | None:
    """Which of readycheck's own outputs the file is (from its first bytes), or None."""
    suffix = PurePosixPath(rel.lower()).suffix
    if suffix not in _OWN_SUFFIXES:
        return None
    head = _head(path)
    for suffixes, what, start in _OWN_OUTPUTS:
        if suffix in suffixes and start.match(head):
            return what
    return None


def _head(path: Path) -> bytes:
    """The first bytes of a regular file; nothing if it cannot be read."""
    return _read_regular(path, _SNIFF_BYTES) or b""


def _read_regular(path: Path, limit: int) -> bytes | None:
    """Up to `limit` bytes of a regular file; None if it cannot be read or is not one (a
    file swapped for a FIFO since the walk saw it must not block the scan)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(limit)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def discover(root: Path, options: DiscoveryOptions | None = None) -> Discovery:
    """Walk `root` and return every file worth scanning, sorted by path. Raises
    ConfigError when an `exclude` or `roles` pattern of the config or the command line
    is not a pattern at all."""
    walk = _Walk(root.resolve(), options or DiscoveryOptions())
    walk.run()
    walk.files.sort(key=lambda f: f.path)
    files = _with_companions(walk.root, walk.files)
    unread = unread_code(files)
    warnings = (*walk.warnings, unread) if unread is not None else tuple(walk.warnings)
    return Discovery(walk.root, tuple(files), warnings)


#: Source languages readycheck does not analyse, by file suffix.
_UNREAD_LANGUAGES = {
    ".java": "Java", ".scala": "Scala", ".kt": "Kotlin", ".go": "Go", ".rs": "Rust",
    ".cpp": "C++", ".cc": "C++", ".cxx": "C++", ".cs": "C#", ".r": "R", ".jl": "Julia",
    ".rb": "Ruby", ".ts": "TypeScript", ".tsx": "TypeScript", ".js": "JavaScript",
    ".jsx": "JavaScript",
}  # fmt: skip
#: Files that are not where the project's own code lives (a Java package named
#: `com.example` is still the project's code).
_NOT_THE_PROJECTS_CODE = frozenset({Role.TEST, Role.DOCS, Role.VENDORED, Role.ARCHIVED})
#: Languages of web front ends: beside any Python, that is where the model lives.
_FRONTEND_LANGUAGES = frozenset({"TypeScript", "JavaScript"})
#: Fewer files than this in another language are glue, not where the project lives.
_UNREAD_MINIMUM = 5


def unread_code(files: list[FileEntry]) -> ScanWarning | None:
    """A note when most of the project's own code is in a language readycheck does not
    read (a Java Beam job, a Go service): practices written there are not seen, and the
    report should say so rather than judge the repository as if it had no code."""
    counts: dict[str, int] = {}
    python = 0
    for entry in files:
        if entry.role in _NOT_THE_PROJECTS_CODE:
            continue
        if entry.kind in (FileKind.PYTHON, FileKind.NOTEBOOK):
            python += 1
            continue
        language = _UNREAD_LANGUAGES.get(PurePosixPath(entry.path).suffix.lower())
        if language is not None:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    language, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    if count < _UNREAD_MINIMUM or count <= python:
        return None
    if language in _FRONTEND_LANGUAGES and python:
        return None  # a web front end beside the Python that trains and serves
    return ScanWarning(
        "unread-code",
        f"most of the project's code is {language} ({count} files, against {python} Python "
        f"modules and notebooks): readycheck reads Python, notebooks and configuration, so "
        f"practices written in {language} are not seen and the score may understate them",
    )


def _with_companions(root: Path, files: list[FileEntry]) -> list[FileEntry]:
    """Give each Helm chart template the chart files it is rendered with, and each
    manifest the kustomization files that build it (Helm's first, then Kustomize's)."""
    readable = [f.path for f in files if f.readable]
    charts = chart_companions(readable)
    overlays = kustomize_companions(readable, lambda path: _read_companion(root / path))
    result = []
    for entry in files:
        helm = charts.get(entry.path, ()) if entry.kind is FileKind.YAML else ()
        kustomize = overlays.get(entry.path, ()) if entry.kind in _MANIFEST_KINDS else ()
        companions = helm + tuple(path for path in kustomize if path not in helm)
        result.append(dataclasses.replace(entry, companions=companions) if companions else entry)
    return result


def _read_companion(path: Path) -> str | None:
    """The text of a discovered file another is read with, size bounded."""
    data = _read_regular(path, MAX_COMPANION)
    try:
        return decode_text(data) if data is not None else None
    except ParseError:
        return None


#: What _Walk.visit decides for one entry: a file to keep, a folder to enter (True, or the
#: reason it is entered only for its tracked files), or neither (None).
_Found = FileEntry | _Skip | bool | None


class _Walk:
    """One walk of the scanned folder, and what it found and skipped."""

    def __init__(self, root: Path, options: DiscoveryOptions) -> None:
        self.root = root
        self.options = options
        self.files: list[FileEntry] = []
        self.warnings: list[ScanWarning] = []
        self.excludes = _Excludes(options)
        source = options.config_source or "the config file"
        self.roles = tuple(
            (
                role,
                _owner_patterns(
                    globs,
                    f"{source} (roles.{role.value})",
                    options.config_source,
                    f"roles.{role.value}",
                ),
            )
            for role, globs in options.roles
        )
        #: Every pattern set and the file it was read from, for the patterns they drop.
        self.sources: list[tuple[PathPatterns, str | None]] = [
            (self.excludes.cli, None),
            (self.excludes.config, options.config_source),
            *((patterns, options.config_source) for _, patterns in self.roles),
        ]
        self.noise = _NoiseCounts()
        if options.tracked is not None:
            self.tracked: _Tracked | None = _tracked_set(options.tracked)
        else:
            self.tracked, warning = _tracked(root)
            if warning is not None:
                self.warnings.append(warning)

    def run(self) -> None:
        top_rules = _IgnoreRules()
        for name in (".git/info/exclude", ".gitignore"):
            top_rules = top_rules.child("", self._ignore_file(name))
        stack: list[tuple[Path, str, _IgnoreRules, _Skip | None]] = [
            (self.root, "", top_rules, None)
        ]
        while stack:
            directory, rel_dir, rules, skip = stack.pop()
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError as error:
                self.warnings.append(
                    ScanWarning(
                        "unreadable-dir", f"cannot list folder: {error.strerror}", rel_dir or "."
                    )
                )
                continue
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if not _printable(entry.name):
                    self.warnings.append(
                        ScanWarning(
                            "bad-name", "skipped a file whose name is not valid UTF-8", rel_dir
                        )
                    )
                    continue
                found = self.visit(entry, rel, rules, skip)
                if isinstance(found, FileEntry):
                    self.files.append(found)
                elif found:  # a folder: True, or the _Skip it is entered under
                    child_rules = rules.child(rel, self._ignore_file(f"{rel}/.gitignore"))
                    inside = found if isinstance(found, _Skip) else None
                    stack.append((Path(entry.path), rel, child_rules, inside))
        self.warnings += self.noise.warnings()
        for patterns, path in self.sources:
            self.warnings += [
                ScanWarning("pattern-dropped", problem.message, path)
                for problem in patterns.problems
            ]

    def _ignore_file(self, rel: str) -> PathPatterns | None:
        patterns = _read_ignore_file(self.root / rel, rel)
        if patterns is not None:
            self.sources.append((patterns, rel))
        return patterns

    def _is_tracked(self, rel: str) -> bool:
        return self.tracked is not None and rel in self.tracked.files

    def visit(
        self, entry: os.DirEntry[str], rel: str, rules: _IgnoreRules, skip: _Skip | None
    ) -> _Found:
        """Decide what one directory entry is. `skip` is set inside a folder entered only
        for the files git tracks in it: anything else there is skipped (and counted)."""
        try:
            if entry.is_symlink():
                if skip is not None and not self._is_tracked(rel):
                    self.noise.add(skip)
                    return None
                return self._visit_symlink(entry, rel, rules)
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as error:
            self.warnings.append(
                ScanWarning("unreadable", f"cannot inspect: {error.strerror}", rel)
            )
            return None
        if stat.S_ISDIR(mode):
            return self._visit_folder(entry, rel, rules, skip)
        if not stat.S_ISREG(mode):
            return None  # FIFOs, sockets and devices: never open them
        if skip is not None and not self._is_tracked(rel):
            self.noise.add(skip)
            return None
        if not self._wanted(rel, rules):
            return None
        return self._file_entry(rel, Path(entry.path), entry.stat(follow_symlinks=False).st_size)

    def _wanted(self, rel: str, rules: _IgnoreRules) -> bool:
        """A file is scanned unless the owner excludes it, or a .gitignore lists it and git
        does not track it."""
        if self.excludes.match(rel):
            return False
        return self._is_tracked(rel) or not rules.ignored(rel, False)

    def _visit_folder(
        self, entry: os.DirEntry[str], rel: str, rules: _IgnoreRules, skip: _Skip | None
    ) -> _Skip | bool | None:
        if entry.name in _VCS_DIRS or self.excludes.match(rel, is_dir=True):
            return None
        reason = skip or self._skip_reason(entry, rel, rules)
        if reason is None:
            return True
        if self.tracked is None:
            return None  # outside git: skipped, as it always was
        if rel in self.tracked.folders:
            return reason  # entered for the files git tracks in it
        self.noise.count_folder(reason, Path(entry.path))
        return None

    @staticmethod
    def _skip_reason(entry: os.DirEntry[str], rel: str, rules: _IgnoreRules) -> _Skip | None:
        name = entry.name
        if name in NOISE_DIRS:
            return _Skip("noise", name, rel)
        if rules.ignored(rel, True):
            return _Skip(None, name, rel)
        directory = Path(entry.path)
        if name in {"build", "dist"} and _is_build_output(directory):
            return _Skip("build", name, rel)
        if _is_virtualenv(directory):
            return _Skip("virtualenv", name, rel)
        return None

    def _visit_symlink(
        self, entry: os.DirEntry[str], rel: str, rules: _IgnoreRules
    ) -> FileEntry | None:
        """Symlinked files inside the tree are read; folders are not entered (their
        target is walked anyway, and loops are impossible); anything pointing
        outside the scanned folder is skipped and reported."""
        try:
            target = Path(entry.path).resolve(strict=True)
        except (OSError, RuntimeError):
            self.warnings.append(ScanWarning("symlink", "skipped a broken or looping symlink", rel))
            return None
        if not target.is_relative_to(self.root):
            self.warnings.append(
                ScanWarning(
                    "symlink-outside",
                    "skipped a symlink that points outside the scanned folder",
                    rel,
                )
            )
            return None
        if not target.is_file() or not self._wanted(rel, rules):
            return None
        return self._file_entry(rel, target, target.stat().st_size)

    def _file_entry(self, rel: str, path: Path, size: int) -> FileEntry | None:
        own = own_output(path, rel)
        if own is not None:
            self.warnings.append(
                ScanWarning(
                    "own-output", f"skipped readycheck's own {own} from an earlier run", rel
                )
            )
            return None
        options = self.options
        kind = classify_kind(rel)
        readable = size <= options.max_file_size
        if not readable and kind in READ_KINDS:
            self.warnings.append(
                ScanWarning(
                    "too-large",
                    f"not read: {size:,} bytes is over the {options.max_file_size:,}-byte size cap",
                    rel,
                )
            )
        role = classify_role(rel, kind)
        for declared, patterns in self.roles:
            if patterns.match(options.in_config(rel)):
                role = declared
                break
        return FileEntry(rel, kind, role, size, readable)
