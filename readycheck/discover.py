"""Find the files to scan, and classify each one once.

The walk honours .gitignore files (at every level, with git's own pattern
rules through pathspec), skips the usual noise, never leaves the scanned
folder through a symlink, and never opens special files (a FIFO would hang
the scan). Files above the size cap are listed, so rules about their
existence still work, but never read.

We walk the filesystem ourselves rather than asking `git ls-files`: running
git inside an untrusted checkout can execute hooks configured in it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from readycheck.model import FileEntry, FileKind, Role, ScanWarning
from readycheck.parsers.helm import chart_companions

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

#: Folder names whose contents are not the project's production code (matched whole,
#: case-insensitively). Fixtures and test data are tests; samples, demos, tutorials,
#: cookbooks, playgrounds and project templates are examples, and so is course material
#: (exercises and their solutions, homework, assignments, lectures, workshops).
_TEST_DIR = re.compile(
    r"(tests?|testing|fixtures?|test[_-]?data|test[_-]fixtures|__fixtures__|__mocks__|mocks?"
    r"|(e2e|integration|unit|functional|smoke|load|system|acceptance)[_-]?tests?)"
)
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_EXAMPLE_DIR = re.compile(
    r"(examples?|samples?|demos?|tutorials?|cookbooks?|playgrounds?|sandbox|scratch"
    r"|(samples?|examples?|demos?)[_-].+|.+[_-](samples?|examples?|demos?)"
    r"|exercises?|exercise[_-].+|solutions?|homeworks?|assignments?|lectures?|workshops?"
    r"|\{\{.*\}\})"
)
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
    """The part a file plays, from its path: tests, docs and examples are not production."""
    parts = PurePosixPath(path.lower()).parts
    directories, name = parts[:-1], parts[-1]
    if kind is FileKind.NOTEBOOK:
        return Role.NOTEBOOK
    if any(_TEST_DIR.fullmatch(d) for d in directories) or (
        kind is FileKind.PYTHON
        and (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")
    ):
        return Role.TEST
    if any(_EXAMPLE_DIR.fullmatch(d) for d in directories):
        return Role.EXAMPLE
    if _DOC_DIRS.intersection(directories) or kind is FileKind.MARKDOWN:
        return Role.DOCS
    return Role.CODE


class _IgnoreRules:
    """The .gitignore files seen on the way down, each relative to its own folder."""

    def __init__(self, specs: tuple[tuple[str, pathspec.PathSpec[Any]], ...] = ()) -> None:
        self.specs = specs

    def child(self, rel_dir: str, spec: pathspec.PathSpec[Any] | None) -> _IgnoreRules:
        return _IgnoreRules((*self.specs, (rel_dir, spec))) if spec else self

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        verdict = False
        for base, spec in self.specs:
            if base and not rel_path.startswith(base + "/"):
                continue
            local = rel_path[len(base) + 1 :] if base else rel_path
            result = spec.check_file(local + "/" if is_dir else local)
            if result.include is not None:
                verdict = result.include  # deeper .gitignore files override shallower ones
        return verdict


class _Excludes:
    """The command line's and the config's exclude patterns, each from its own folder."""

    def __init__(self, options: DiscoveryOptions) -> None:
        self._options = options
        self._cli = _spec(options.exclude)
        self._config = _spec(options.config_exclude)

    def match(self, rel: str, is_dir: bool = False) -> bool:
        suffix = "/" if is_dir else ""
        if self._cli is not None and self._cli.match_file(rel + suffix):
            return True
        config_path = self._options.in_config(rel) + suffix
        return self._config is not None and self._config.match_file(config_path)


def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any] | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def _read_ignore_file(path: Path) -> pathspec.PathSpec[Any] | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _GITIGNORE_MAX_SIZE:
            return None
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


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


def discover(root: Path, options: DiscoveryOptions | None = None) -> Discovery:
    """Walk `root` and return every file worth scanning, sorted by path."""
    options = options or DiscoveryOptions()
    root = root.resolve()
    files: list[FileEntry] = []
    warnings: list[ScanWarning] = []
    excludes = _Excludes(options)
    top_rules = _IgnoreRules()
    for name in (".git/info/exclude", ".gitignore"):
        spec = _read_ignore_file(root / name)
        top_rules = top_rules.child("", spec)

    stack: list[tuple[Path, str, _IgnoreRules]] = [(root, "", top_rules)]
    while stack:
        directory, rel_dir, rules = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            warnings.append(
                ScanWarning(
                    "unreadable-dir", f"cannot list folder: {error.strerror}", rel_dir or "."
                )
            )
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if not _printable(entry.name):
                warnings.append(
                    ScanWarning("bad-name", "skipped a file whose name is not valid UTF-8", rel_dir)
                )
                continue
            found = _visit(root, entry, rel, rules, excludes, options, warnings)
            if isinstance(found, FileEntry):
                files.append(found)
            elif found is not None:
                child_rules = rules.child(rel, _read_ignore_file(Path(entry.path) / ".gitignore"))
                stack.append((Path(entry.path), rel, child_rules))
    files.sort(key=lambda f: f.path)
    return Discovery(root, tuple(_with_companions(files)), tuple(warnings))


def _with_companions(files: list[FileEntry]) -> list[FileEntry]:
    """Give each Helm chart template the chart files it is rendered with."""
    companions = chart_companions(f.path for f in files if f.readable)
    return [
        dataclasses.replace(f, companions=companions[f.path])
        if f.kind is FileKind.YAML and f.path in companions
        else f
        for f in files
    ]


def _visit(
    root: Path,
    entry: os.DirEntry[str],
    rel: str,
    rules: _IgnoreRules,
    excludes: _Excludes,
    options: DiscoveryOptions,
    warnings: list[ScanWarning],
) -> FileEntry | bool | None:
    """Decide what one directory entry is: a file to keep, a folder to enter (True), or neither."""
    try:
        if entry.is_symlink():
            return _visit_symlink(root, entry, rel, rules, excludes, options, warnings)
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as error:
        warnings.append(ScanWarning("unreadable", f"cannot inspect: {error.strerror}", rel))
        return None
    if stat.S_ISDIR(mode):
        if entry.name in NOISE_DIRS or rules.ignored(rel, True):
            return None
        if excludes.match(rel, is_dir=True):
            return None
        directory = Path(entry.path)
        if entry.name in {"build", "dist"} and _is_build_output(directory):
            return None
        if _is_virtualenv(directory):
            return None
        return True
    if not stat.S_ISREG(mode):
        return None  # FIFOs, sockets and devices: never open them
    if rules.ignored(rel, False) or excludes.match(rel):
        return None
    return _file_entry(rel, entry.stat(follow_symlinks=False).st_size, options, warnings)


def _visit_symlink(
    root: Path,
    entry: os.DirEntry[str],
    rel: str,
    rules: _IgnoreRules,
    excludes: _Excludes,
    options: DiscoveryOptions,
    warnings: list[ScanWarning],
) -> FileEntry | None:
    """Symlinked files inside the tree are read; folders are not entered (their
    target is walked anyway, and loops are impossible); anything pointing
    outside the scanned folder is skipped and reported."""
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        warnings.append(ScanWarning("symlink", "skipped a broken or looping symlink", rel))
        return None
    if not target.is_relative_to(root):
        warnings.append(
            ScanWarning(
                "symlink-outside", "skipped a symlink that points outside the scanned folder", rel
            )
        )
        return None
    if not target.is_file() or rules.ignored(rel, False):
        return None
    if excludes.match(rel):
        return None
    return _file_entry(rel, target.stat().st_size, options, warnings)


def _file_entry(
    rel: str, size: int, options: DiscoveryOptions, warnings: list[ScanWarning]
) -> FileEntry:
    kind = classify_kind(rel)
    readable = size <= options.max_file_size
    if not readable and kind in READ_KINDS:
        warnings.append(
            ScanWarning(
                "too-large",
                f"not read: {size:,} bytes is over the {options.max_file_size:,}-byte size cap",
                rel,
            )
        )
    role = classify_role(rel, kind)
    for declared, spec in _role_specs(options.roles):
        if spec.match_file(options.in_config(rel)):
            role = declared
            break
    return FileEntry(rel, kind, role, size, readable)


@functools.lru_cache(maxsize=16)
def _role_specs(
    roles: tuple[tuple[Role, tuple[str, ...]], ...],
) -> tuple[tuple[Role, pathspec.PathSpec[Any]], ...]:
    return tuple((role, pathspec.GitIgnoreSpec.from_lines(list(globs))) for role, globs in roles)
