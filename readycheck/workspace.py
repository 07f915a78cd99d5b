"""The shared, lazily parsed view of the scanned repository.

`SourceFile` reads a file at most once and parses it at most once per form
(Python tree, notebook, Dockerfile, YAML/JSON/TOML documents, dependency
declarations), whichever detectors ask first. A file that cannot be parsed
yields None for that form and one scan warning; it never raises.

`Repository` is what repository-wide detectors see: the file list, globbing
over it, and git facts.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import hashlib
import json
import re
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from readycheck import yamlload
from readycheck.model import MAX_COMPANION, FileEntry, FileKind, Location, Role, ScanWarning
from readycheck.parsers import ParseError, helm
from readycheck.parsers import dependencies as deps
from readycheck.parsers.dockerfile import Dockerfile, parse_dockerfile
from readycheck.parsers.kustomize import NO_KUSTOMIZE, KustomizeView, is_kustomization
from readycheck.parsers.kustomize import view as kustomize_view
from readycheck.parsers.notebook import Notebook, parse_notebook
from readycheck.parsers.python import IDENTIFIER, MAX_PARSED_PYTHON, PythonCode, parse_module
from readycheck.parsers.text import decode_python, decode_text, looks_binary
from readycheck.pathmatch import PathPatterns

T = TypeVar("T")
MAX_SNIPPET = 160
#: Files of kind "other" with these suffixes are data or build output: never read as text.
BINARY_SUFFIXES = frozenset(
    [
        ".so",
        ".pyd",
        ".dll",
        ".dylib",
        ".exe",
        ".o",
        ".a",
        ".pyc",
        ".pyo",
        ".whl",
        ".egg",
        ".zip",
        ".gz",
        ".bz2",
        ".xz",
        ".tar",
        ".tgz",
        ".7z",
        ".rar",
        ".jar",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".webp",
        ".tif",
        ".tiff",
        ".pdf",
        ".mp3",
        ".mp4",
        ".wav",
        ".avi",
        ".mov",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".pkl",
        ".pickle",
        ".joblib",
        ".pt",
        ".pth",
        ".ckpt",
        ".h5",
        ".hdf5",
        ".onnx",
        ".safetensors",
        ".pb",
        ".tflite",
        ".npy",
        ".npz",
        ".parquet",
        ".feather",
        ".arrow",
        ".avro",
        ".orc",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".bin",
        ".dat",
        ".model",
        ".mo",
    ]
)


def clip(text: str, limit: int = MAX_SNIPPET) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: The values masked while one file is analysed: what the scan recognised as secrets,
#: so the redactor can mask them wherever else they are quoted (see redact.py).
_MASKED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("masked", default=None)


@contextlib.contextmanager
def recording_secrets() -> Iterator[set[str]]:
    """Collect every value `mask_secret` masks inside the block."""
    seen: set[str] = set()
    token = _MASKED.set(seen)
    try:
        yield seen
    finally:
        _MASKED.reset(token)


def mask_secret(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    recorded = _MASKED.get()
    if recorded is not None:
        recorded.add(secret)
    shown = secret[:4] if len(secret) >= 12 else ""
    return shown + "*" * 8


@dataclass(frozen=True)
class AnalysisContext:
    """What the calls of one detector share across a scan, computed once from the
    rulebook by the detector's own `share` hook (detectors/base.py), by detector name.
    The core passes it along without knowing what any detector keeps in it."""

    values: tuple[tuple[str, Any], ...] = ()

    def shared(self, detector: str) -> Any:
        """What detector `detector`'s calls share in this scan, or None."""
        return next((value for name, value in self.values if name == detector), None)


class SourceFile:
    """One file of the scanned repository, read once and parsed on demand."""

    def __init__(
        self, root: Path, entry: FileEntry, context: AnalysisContext | None = None
    ) -> None:
        self.root = root
        self.entry = entry
        self.path = entry.path
        self.kind = entry.kind
        self.role = entry.role
        self.context = context or AnalysisContext()
        self.warnings: list[ScanWarning] = []
        #: Results that several detectors share (bandit's issues, radon's metrics), by key.
        self.memo: dict[Any, Any] = {}

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(ScanWarning(code, message, self.path))

    @cached_property
    def data(self) -> bytes | None:
        if not self.entry.readable:
            return None  # over the size cap; discovery already said so
        try:
            with open(self.root / self.path, "rb") as handle:
                return handle.read(self.entry.size + 1)
        except OSError as error:
            self.warn("unreadable", f"cannot read: {error.strerror}")
            return None

    @cached_property
    def text(self) -> str | None:
        if (
            self.kind is FileKind.OTHER
            and PurePosixPath(self.path).suffix.lower() in BINARY_SUFFIXES
        ):
            return None
        if self.data is None:
            return None
        if self.kind is FileKind.OTHER and looks_binary(self.data):
            return None  # data, not a file readycheck is meant to understand: nothing to warn about
        try:
            if self.kind is FileKind.PYTHON:
                return decode_python(self.data)
            return decode_text(self.data)
        except ParseError as error:
            self.warn("unreadable", str(error))
            return None

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines() if self.text is not None else []

    def _parse(self, form: str, parse: Callable[[str], T]) -> T | None:
        """Run one parser over this file's text, and never raise.

        A ParseError is the file's fault and becomes a warning. Anything else is a
        bug in a parser; it costs this file that form, not the whole scan, since the
        scanned repository may be built to trigger it.
        """
        if self.text is None:
            return None
        try:
            return parse(self.text)
        except ParseError as error:
            self.warn("parse-error", str(error))
        except Exception as error:
            self.warn(
                "internal-error",
                f"could not read as {form}: {type(error).__name__}: {clip(str(error), 120)} "
                "(a readycheck bug: please report it)",
            )
        return None

    @cached_property
    def notebook(self) -> Notebook | None:
        if self.kind is not FileKind.NOTEBOOK:
            return None
        notebook = self._parse("a notebook", parse_notebook)
        if notebook is None:
            return None
        for problem in notebook.problems:
            self.warn("parse-error", problem)
        return notebook

    @cached_property
    def python(self) -> PythonCode | None:
        """Python code: the module itself, or a notebook's code cells stitched together."""
        if self.kind is FileKind.NOTEBOOK:
            return self.notebook.code if self.notebook else None
        if self.kind is not FileKind.PYTHON:
            return None
        if self.text is not None and len(self.text) > MAX_PARSED_PYTHON:
            self.warn(
                "too-large-to-parse",
                f"{len(self.text) // 1024} KiB of Python (more than "
                f"{MAX_PARSED_PYTHON // 1024 // 1024} MiB, generated code or data): read as text "
                "only (secrets and text patterns); rules that need its syntax tree skipped it",
            )
            return None
        return self._parse("Python", lambda text: PythonCode(parse_module(text, self.path), text))

    @cached_property
    def dockerfile(self) -> Dockerfile | None:
        if self.kind is not FileKind.DOCKERFILE:
            return None
        return self._parse("a Dockerfile", parse_dockerfile)

    @cached_property
    def documents(self) -> list[Any]:
        """The data in a YAML (every document), JSON or TOML file; [] when unreadable."""
        if self.text is None:
            return []
        if self.kind is FileKind.YAML and len(self.text) > yamlload.MAX_PARSED_YAML:
            self.warn(
                "too-large-to-parse",
                f"{len(self.text) // 1024} KiB of YAML (more than "
                f"{yamlload.MAX_PARSED_YAML // 1024 // 1024} MiB, generated or vendored): read "
                "as text only (secrets and text patterns); rules that need its structure "
                "skipped it",
            )
            return []
        try:
            if self.kind is FileKind.YAML:
                if self._helm_template:
                    loaded = self._helm_documents()
                else:
                    loaded = yamlload.load_all(self.text)
                duplicates = [d for d in loaded.duplicates if d.key != helm.PLACEHOLDER]
                for duplicate in duplicates[:5]:
                    self.warn(
                        "duplicate-key",
                        f"key {duplicate.key!r} repeated at line {duplicate.line}; the last value wins",
                    )
                for tag in loaded.python_tags[:5]:
                    self.warn(
                        "python-tag",
                        f"tag {tag.tag} at line {tag.line} read as plain data: readycheck never "
                        "builds Python objects, but yaml.unsafe_load would run it",
                    )
                return [doc for doc in loaded.documents if doc is not None]
            if self.kind is FileKind.JSON:
                return [json.loads(self.text)]
            if self.kind is FileKind.TOML:
                return [tomllib.loads(self.text)]
        except yamlload.YamlBudgetError as error:
            self.warn("parse-error", f"invalid YAML: {error}")
        except ParseError as error:
            self.warn("parse-error", f"Helm template not read: {error}")
        except Exception as error:
            if "{{" in self.text or "{%" in self.text:
                return []  # a Helm or Jinja template: not YAML until rendered
            self.warn("parse-error", _describe_data_error(self.kind, error))
        return []

    def _helm_documents(self) -> yamlload.YamlDocuments:
        """A chart template rendered with its chart's values (see parsers/helm.py), with
        unknown blocks as entries, or as comments where entries do not parse."""
        assert self.text is not None
        chart, values = self._companion_texts()
        rendered = helm.render(self.text, chart, values)
        try:
            loaded = yamlload.load_all(rendered.text)
        except yamlload.YamlBudgetError:
            raise
        except Exception:
            rendered = helm.render(self.text, chart, values, blocks="comment")
            loaded = yamlload.load_all(rendered.text)
        helm.remap(loaded.documents, rendered.lines)
        return loaded

    @cached_property
    def _companions(self) -> dict[str, str | None]:
        """The text of each file this one is read with (discovered files, in the tree), by
        path; None for one that cannot be read."""
        texts: dict[str, str | None] = {}
        for path in self.entry.companions:
            try:
                with open(self.root / path, "rb") as handle:
                    texts[path] = decode_text(handle.read(MAX_COMPANION))
            except (OSError, ParseError):
                texts[path] = None
        return texts

    @property
    def _helm_template(self) -> bool:
        """Whether this file is a chart template: read with its chart's Chart.yaml."""
        return any(PurePosixPath(path).name == "Chart.yaml" for path in self.entry.companions)

    def _companion_text(self, name: str) -> str | None:
        """The text of the companion called `name` (a Helm chart's `values.yaml`), if any."""
        return next(
            (text for path, text in self._companions.items() if PurePosixPath(path).name == name),
            None,
        )

    def _companion_texts(self) -> tuple[str | None, str | None]:
        """A Helm template's Chart.yaml and values.yaml."""
        return self._companion_text("Chart.yaml"), self._companion_text("values.yaml")

    @cached_property
    def kustomize(self) -> KustomizeView:
        """How the kustomizations that build this manifest change its judgement: whether it
        is an overlay's patch, and how their `images` entries rewrite its images."""
        if not any(is_kustomization(path) for path in self.entry.companions):
            return NO_KUSTOMIZE
        texts = {p: t for p, t in self._companions.items() if is_kustomization(p)}
        return kustomize_view(self.path, texts)

    @cached_property
    def dependencies(self) -> list[deps.Dependency]:
        """Dependencies declared in this file, if it is a dependency file."""
        if not deps.is_dependency_file(self.path):
            return []
        return self._parse("dependency declarations", self._declared_dependencies) or []

    def _declared_dependencies(self, text: str) -> list[deps.Dependency]:
        name = PurePosixPath(self.path).name.lower()
        if self.kind is FileKind.REQUIREMENTS:
            # A `.in` file is pip-compile's input; what gets installed is the `.txt` it compiles.
            group = "input" if name.endswith(".in") else _requirements_group(self.path)
            return deps.parse_requirements_text(text, group)
        if name == "setup.py":
            return deps.from_setup_py(self.python.tree) if self.python else []
        if name == "setup.cfg":
            return deps.from_setup_cfg(text)
        document = self.documents[0] if self.documents else None
        if not isinstance(document, dict):
            return []
        if name == "pyproject.toml":
            return deps.from_pyproject(document, text)
        if name == "pipfile":
            return deps.from_pipfile(document, text)
        return deps.from_conda(document, text)

    def locate(self, line: int | None) -> Location:
        """A location for a line of this file's Python code (notebook lines map to cells)."""
        if line is not None and self.kind is FileKind.NOTEBOOK and self.notebook:
            cell, cell_line = self.notebook.locate(line)
            if cell is not None:
                return self.notebook.location(self.path, cell, cell_line)
        return Location(self.path, line)

    def line_text(self, line: int | None) -> str:
        """The whole text of a line: of the Python code for notebooks, of the file otherwise."""
        if line is None:
            return ""
        if self.kind is FileKind.NOTEBOOK:
            return self.python.line(line) if self.python else ""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def snippet(self, line: int | None, secret: str | None = None) -> str:
        """A line as a report shows it, clipped; a `secret` on it is masked first, so
        that clipping can never leave part of it showing."""
        text = self.line_text(line)
        if secret:
            text = text.replace(secret, mask_secret(secret))
        return clip(text)


def _describe_data_error(kind: FileKind, error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON: {error.msg} (line {error.lineno})"
    if isinstance(error, tomllib.TOMLDecodeError):
        return f"invalid TOML: {error}"
    label = kind.value.upper()
    if isinstance(error, RecursionError):
        return f"invalid {label}: nesting is too deep to read"
    if kind is not FileKind.YAML:  # e.g. a number past int()'s 4,300-digit limit
        return f"invalid {label}: {clip(str(error).splitlines()[0] if str(error) else type(error).__name__, 120)}"
    line, _ = yamlload.error_position(error)
    where = f" (line {line})" if line else ""
    return f"invalid YAML: {yamlload.describe_error(error)}{where}"


@dataclass(frozen=True)
class CodeSummary:
    """What cross-file detectors need to know about one Python file or notebook, kept
    after its tree is gone: the modules it imports and the functions it defines."""

    imports: tuple[str, ...]
    functions: tuple[tuple[str, Location, int], ...]  # name, where, length in lines
    #: Relative file paths the code spells as literals (`"data/raw/train.csv"`,
    #: `"artifacts/model.joblib"`), resolved from the repository's root: where it reads and
    #: writes its data and model files, for the checks of what git would pick up.
    paths: tuple[str, ...] = ()
    #: Whether the code calls a language model's HTTP API itself, without an LLM SDK: a
    #: literal naming a chat, completion or generation endpoint (`/v1/chat/completions`,
    #: `/v1/messages`, Ollama's `/api/chat`, Gemini's `:generateContent`), or a cloud SDK's
    #: model runtime (Bedrock's `converse` and `invoke_model`, its `bedrock-runtime` client).
    asks_models_over_http: bool = False
    #: Whether the file defines a test (a `test*` function or method, pytest's or
    #: unittest's): a generated test module holding only a docstring tests nothing.
    defines_tests: bool = False
    #: A digest of each top-level function's body (in the order of `functions`, its
    #: docstring and name left out): the same code under another name is the same logic.
    function_bodies: tuple[str, ...] = ()
    #: Whether the module only declares: imports, constants, schemas and sources bound to
    #: names, classes without methods. It holds no logic a unit test could exercise
    #: (a Feast source, a Spark StructType), unlike a script whose statements do the work.
    declares_only: bool = False
    #: Digests (name_digest) of the names the code uses and of the words of its strings
    #: (PythonCode.referenced_names): a top-level function no file names is code nothing
    #: runs. Digests, not words, because a string's words may be a secret, and the cache
    #: keeps summaries.
    references: frozenset[str] = frozenset()
    #: Top-level functions with a decorator: a framework calls them (a route, a task, a
    #: CLI command, a fixture), so nothing else needs to name them.
    decorated: frozenset[str] = frozenset()
    #: Methods and nested functions by name: a notebook's function moved into a class of a
    #: module (`SimilarityComputer.compute_hybrid_similarity`) has found its home.
    methods: frozenset[str] = frozenset()


#: A language model API's endpoint path, as OpenAI-compatible servers, Anthropic, Ollama
#: and Gemini spell them.
_MODEL_ENDPOINT = re.compile(
    r"(/chat/completions|/v1/completions|/v1/messages|/api/chat|/api/generate"
    r"|:(stream)?generateContent)(\?|/?$)"
)


#: A cloud model runtime's calls (Amazon Bedrock's Converse and InvokeModel APIs, through boto3).
_MODEL_RUNTIME_CALLS = frozenset(
    {"converse", "converse_stream", "invoke_model", "invoke_model_with_response_stream"}
)


#: Words of a requirements file's name (or of its folder's file, `requirements/dev.txt`)
#: that say it installs the developers' tools, not what trains or serves the model.
_DEVELOPMENT_WORDS = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "lint", "docs", "doc", "ci"}
)


def _requirements_group(path: str) -> str:
    """`dev` for a requirements file of development tools (`requirements-dev.txt`,
    `test-requirements.txt`, `requirements/lint.txt`), else `runtime`."""
    words = set(re.split(r"[-_.]", PurePosixPath(path).stem.lower()))
    return "dev" if words & _DEVELOPMENT_WORDS else "runtime"


def name_digest(name: str) -> str:
    """A short digest of a name: CodeSummary.references holds these, never the words."""
    return hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def summarise(source: SourceFile) -> CodeSummary | None:
    code = source.python
    if code is None:
        return None
    functions = tuple(
        (ref.name, source.locate(ref.line), (ref.node.end_lineno or ref.line) - ref.line + 1)
        for ref in code.functions
        if isinstance(ref.node.col_offset, int) and ref.node.col_offset == 0  # top-level functions
    )
    paths = _literal_paths(source, code)
    # a route the code serves (`@app.post("/v1/chat/completions")`) asks no model
    routes = {
        (arg.lineno, arg.col_offset)
        for ref in code.functions
        for decorator in ref.node.decorator_list
        if isinstance(decorator, ast.Call)
        for arg in decorator.args
    }
    asks = any(
        len(ref.value) < 300
        and (ref.line, ref.column) not in routes
        and (_MODEL_ENDPOINT.search(ref.value) or ref.value == "bedrock-runtime")
        for ref in code.strings
    ) or any(name.rsplit(".", 1)[-1] in _MODEL_RUNTIME_CALLS for name in code.calls_by_name)
    tests = any(ref.name.startswith("test") for ref in code.functions)
    bodies = tuple(
        _body_digest(ref.node)
        for ref in code.functions
        if isinstance(ref.node.col_offset, int) and ref.node.col_offset == 0
    )
    return CodeSummary(
        tuple(sorted({ref.module for ref in code.imports})),
        functions,
        paths,
        asks,
        tests,
        bodies,
        _declares_only(code),
        frozenset(name_digest(name) for name in code.referenced_names),
        frozenset(
            ref.name
            for ref in code.functions
            if ref.node.col_offset == 0 and ref.node.decorator_list
        ),
        frozenset(ref.name for ref in code.functions if ref.node.col_offset != 0),
    )


#: Module-level statements that declare rather than do.
_DECLARATIONS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.ClassDef)


def _declares_only(code: PythonCode) -> bool:
    """Whether every module-level statement is an import, a name bound to a value, a
    docstring or a class, and nothing anywhere defines a function."""
    if code.functions or not code.tree.body:
        return False
    return all(
        isinstance(statement, _DECLARATIONS)
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        for statement in code.tree.body
    )


def _body_digest(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """A digest of what a function does: its parameters and statements, without its
    name, docstring or line numbers."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    shape = ast.dump(ast.Module(body=[*body], type_ignores=[]), annotate_fields=False)
    shape += ast.dump(function.args, annotate_fields=False)
    return hashlib.sha1(shape.encode(), usedforsecurity=False).hexdigest()[:16]


#: A literal that names a file by a relative path with an extension of data or model files.
_FILE_LITERAL = re.compile(
    r"(?:\./|\.\./)*[\w.-]+(?:/[\w.-]+)*\.(?:csv|tsv|parquet|feather|arrow|jsonl|xlsx|xls|npy|npz"
    r"|tfrecords?|avro|orc|pkl|pickle|joblib|pt|pth|h5|hdf5|keras|onnx|ckpt|safetensors|sav|model)",
    re.IGNORECASE,
)
_MAX_PATHS = 32
#: Names an object-store key is bound to or passed as (`key = ...`, `Key=`, `Prefix=`,
#: `blob_name=`, `s3_key`): the path is a key in a bucket, not a file in the work tree.
_OBJECT_KEY = re.compile(r"(?i)(\w+_)?(key|prefix|blob(_name)?|object(_name)?)|s3_\w+|gcs_\w+")


def _literal_paths(source: SourceFile, code: PythonCode) -> tuple[str, ...]:
    """The data and model file paths a file spells, relative to the repository's root, at
    most a few dozen. A bare file name is joined to a folder at run time, so it says
    nothing of where the file lands; a notebook's explicitly relative path (`../data/`)
    is read from its folder, where its kernel runs."""
    notebook = source.kind is FileKind.NOTEBOOK
    found: set[str] = set()
    keys: set[str] | None = None
    for ref in code.strings:
        value = ref.value
        if len(value) > 200 or "/" not in value or not _FILE_LITERAL.fullmatch(value):
            continue
        if keys is None:
            keys = {s.value for s in code.named_strings if _OBJECT_KEY.fullmatch(s.name)}
        if value in keys:
            continue  # `key = "validation/validation.csv"`: an object in a bucket, not a file here
        relative = notebook and value.startswith(("./", "../"))
        parts: list[str] = list(PurePosixPath(source.path).parent.parts) if relative else []
        for part in value.split("/"):
            if part == "..":
                if not parts:
                    break
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        else:
            if parts:
                found.add("/".join(parts))
        if len(found) >= _MAX_PATHS:
            break
    return tuple(sorted(found))


@lru_cache(maxsize=512)
def _glob_specs(patterns: tuple[str, ...]) -> tuple[PathPatterns, PathPatterns]:
    """A glob's compiled patterns (folder patterns, name patterns), once per process."""
    lowered = [pattern.lower() for pattern in patterns]
    folders = PathPatterns([p for p in lowered if p.rstrip().endswith(("/", "/**"))], "globs")
    names = PathPatterns([p for p in lowered if not p.rstrip().endswith(("/", "/**"))], "globs")
    return folders, names


class Repository:
    """The whole scanned tree, as repository-wide detectors see it."""

    def __init__(
        self,
        root: Path,
        files: Iterable[FileEntry],
        git: Any = None,
        summaries: dict[str, CodeSummary] | None = None,
    ) -> None:
        self.root = root
        self.files = tuple(files)
        self.git = git
        self.summaries = summaries or {}
        self.roles = {entry.path: entry.role for entry in self.files}
        #: Rules and facts ask for the same patterns many times: each is matched once.
        self._globbed: dict[tuple[str, ...], tuple[FileEntry, ...]] = {}
        self._paths = tuple(entry.path for entry in self.files)
        #: Dotted name -> path of every production module, for `imported_modules`.
        self._local: dict[str, str] | None = None
        #: Every name the code uses, and every word of the configuration files, for `idle_function`.
        self._named_in_code: frozenset[str] | None = None
        self._named_in_config: frozenset[str] | None = None
        self._imported_paths: frozenset[str] | None = None

    def read_text(self, path: str, limit: int = 1_000_000) -> str | None:
        """The start of a discovered file's text, or None when discovery did not list it
        (so nothing outside the tree, through a symlink or not, is ever read) or it
        cannot be read."""
        if path not in self.roles:
            return None
        try:
            with open(self.root / path, encoding="utf-8", errors="replace") as handle:
                return handle.read(limit)
        except OSError:
            return None

    def glob(self, patterns: Iterable[str]) -> Iterator[FileEntry]:
        """Files matching gitignore-style patterns (`Dockerfile`, `/setup.py`, `docs/**/*.md`).

        Matching ignores case, as people name files: `serving.Dockerfile`, `License`,
        `readme.md` are what `*.dockerfile`, `LICENSE` and `README.md` mean.

        A pattern names files, unlike in .gitignore: a package folder called `dockerfile/`
        (where a tool keeps its Dockerfile templates) does not make its `__init__.py` a
        Dockerfile. Only a pattern ending in `/` or `/**` matches a folder's contents.
        """
        key = tuple(patterns)
        if key not in self._globbed:
            paths = _glob_paths(key, self._paths)
            self._globbed[key] = tuple(e for e in self.files if e.path in paths)
        return iter(self._globbed[key])

    def idle_function(self, location: Location) -> str | None:
        """The name of the production module's top-level function that holds `location`
        when nothing names it: no code of the project (calls, references, strings), no
        decorator, no configuration file (an entry point, a handler, a task). Code nothing
        runs is a practice written, not one in use; None where the location is anything else."""
        summary = self.summaries.get(location.path)
        if (
            summary is None
            or location.line is None
            or not location.path.endswith(".py")
            or self.roles.get(location.path) is not Role.CODE
        ):
            return None
        line = location.line
        holder = next(
            (
                name
                for name, where, length in summary.functions
                if where.line is not None and where.line <= line < where.line + length
            ),
            None,
        )
        if holder is None or holder in summary.decorated:
            return None
        if location.path not in self._imported():
            # a module nothing imports may be a script run by name, a framework's entry
            # module or a handler a platform loads: only a module the program imports is
            # known to run, and then a function of it nobody names does not
            return None
        if self._named_in_code is None:
            self._named_in_code = frozenset().union(
                *(
                    s.references
                    for p, s in self.summaries.items()
                    if self.roles.get(p) is not Role.VENDORED
                )
            )
        if name_digest(holder) in self._named_in_code:
            return None
        if self._named_in_config is None:
            self._named_in_config = self._configuration_words()
        return None if holder in self._named_in_config else holder

    def _imported(self) -> frozenset[str]:
        """The production modules another module of the project imports."""
        if self._imported_paths is None:
            local = self._local_modules()
            self._imported_paths = frozenset(
                target
                for importer, summary in self.summaries.items()
                if self.roles.get(importer) is not Role.VENDORED
                for module in summary.imports
                if (target := _resolved(module, importer, local)) and target != importer
            )
        return self._imported_paths

    def _configuration_words(self) -> frozenset[str]:
        """The words of the files that start code by name: build, deployment and CI
        configuration, scripts, Procfiles and Makefiles."""
        words: set[str] = set()
        for entry in self.files:
            if entry.role is Role.VENDORED or not entry.readable:
                continue
            name = PurePosixPath(entry.path).name
            if (
                entry.kind in _CONFIGURATION_KINDS
                or name in _STARTING_FILES
                or name.endswith(_STARTING_SUFFIXES)
            ):
                text = self.read_text(entry.path, _CONFIGURATION_READ)
                if text:
                    words.update(IDENTIFIER.findall(text))
        return frozenset(words)

    def _local_modules(self) -> dict[str, str]:
        """Dotted name -> path of every production module."""
        if self._local is None:
            self._local = {}
            for module_path in sorted(self.summaries):
                if self.roles.get(module_path) is Role.CODE and module_path.endswith(".py"):
                    for name in module_names(module_path):
                        self._local.setdefault(name, module_path)
        return self._local

    def imported_modules(self, path: str, depth: int) -> Iterator[list[str]]:
        """The repository's own production modules a file reaches through its imports, hop
        by hop: the file itself, the modules it imports, theirs, up to `depth` hops."""
        local = self._local_modules()
        seen, frontier = {path}, [path]
        for _ in range(depth + 1):
            yield frontier
            frontier = [
                target
                for current in frontier
                for module in self.summaries[current].imports
                if (target := _resolved(module, current, local)) and target not in seen
            ]
            seen.update(frontier)
            if not frontier:
                return


#: Files that name the code they start: deployment, build and CI configuration.
_CONFIGURATION_KINDS = frozenset({FileKind.YAML, FileKind.TOML, FileKind.JSON, FileKind.DOCKERFILE})
_STARTING_FILES = frozenset(
    {"Makefile", "Procfile", "Justfile", "justfile", "tox.ini", "setup.cfg"}
)
_STARTING_SUFFIXES = (".sh", ".bash", ".cfg", ".ini", ".conf", ".tf", ".mk")
#: How much of each configuration file is read for the names it starts.
_CONFIGURATION_READ = 256 * 1024


def module_names(path: str) -> set[str]:
    """The dotted names a file may be imported by: `src/pkg/features.py` -> pkg.features, features."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return {".".join(parts[i:]) for i in range(len(parts))}


def _resolved(module: str, importer: str, local: dict[str, str]) -> str | None:
    """The repository file an import names: `chains.make_chain` (a module or a name in
    it), `app.chains`, or `.chains` beside the importer."""
    if module.startswith("."):
        level = len(module) - len(module.lstrip("."))
        parents = PurePosixPath(importer).parents
        if level > len(parents):
            return None
        module = ".".join([*parents[level - 1].parts, *module[level:].split(".")]).strip(".")
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = local.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


#: Paths that matched a glob, by (patterns, every path of the tree): `trend` scans one
#: commit after another, and most commits add or remove no file.
_GLOBBED_PATHS: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[str]] = OrderedDict()
_GLOBBED_KEPT = 1024


def _glob_paths(patterns: tuple[str, ...], paths: tuple[str, ...]) -> frozenset[str]:
    """The paths among `paths` that `patterns` name (see Repository.glob), remembered for
    the same patterns over the same tree."""
    key = (patterns, paths)
    found = _GLOBBED_PATHS.get(key)
    if found is None:
        found = _GLOBBED_PATHS[key] = frozenset(_glob(patterns, paths))
        if len(_GLOBBED_PATHS) > _GLOBBED_KEPT:
            _GLOBBED_PATHS.popitem(last=False)
    else:
        _GLOBBED_PATHS.move_to_end(key)
    return found


def _glob(patterns: tuple[str, ...], paths: tuple[str, ...]) -> Iterator[str]:
    folders, names = _glob_specs(patterns)

    def matches(path: str) -> bool:
        if folders.match(path):
            return True
        if not names.match(path):
            return False
        parts = path.split("/")
        in_named_folder = any(names.match("/".join(parts[:i])) for i in range(1, len(parts)))
        # docker/dockerfile/Dockerfile is still a Dockerfile: its own name matches.
        return not in_named_folder or names.match(parts[-1])

    return (path for path in paths if matches(path.lower()))
