"""Small helpers and constants that several detector families share.

Each module of this folder reads one kind of input for one family of detectors. What
more than one family needs (where a part of a YAML document is, which file kinds hold
Python code, fnmatch-style patterns over resolved names, which files are CI
definitions and the commands their steps run, what starts a server, which values only
name or locate a secret, why a git history cannot be judged) lives here, so the folder
stays flat: a detector module imports these from here (and from base, patterns and
parsed), not from another detector module. This module imports no detector module.

Logic that belongs to one family stays with it even when another family builds on it:
delivery's view of a repository and how it reads and follows the scripts CI runs
(which images and hygiene reuse).
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import pathspec

from readycheck.detectors.patterns import folded, required_literals
from readycheck.model import FileKind
from readycheck.workspace import SourceFile
from readycheck.yamlload import LineDict, LineList

# Structured documents (YAML, JSON) and where their parts are.

STRUCTURED_KINDS = (FileKind.YAML, FileKind.JSON)


def line_of(node: Any, key: Any = None) -> int | None:
    """The line of `node` (or of its `key`) when it came from YAML; None for JSON."""
    if isinstance(node, LineDict):
        return node.line_of(key) if key is not None else node.line
    if isinstance(node, LineList):
        return node.line_of(key) if isinstance(key, int) else node.line
    return None


# Python code: which files hold it, and fnmatch-style patterns over resolved names.

PYTHON_KINDS = (FileKind.PYTHON, FileKind.NOTEBOOK)

#: Calls that register a handler as a route without a decorator: Flask's
#: `add_url_rule`, FastAPI's and Starlette's `add_api_route` / `add_route`, aiohttp's
#: `add_get` / `add_post`.
ROUTE_REGISTRATIONS = frozenset(
    {"add_url_rule", "add_api_route", "add_route", "add_get", "add_post", "add_put",
     "add_patch", "add_delete", "add_view", "add_api_websocket_route"}
)  # fmt: skip


def registered_handlers(calls: Iterator[ast.Call] | list[ast.Call]) -> set[str]:
    """The names of the functions and methods registered as routes by call
    (`app.add_api_route("/embed", embed_text)`, `app.add_url_rule("/p", view_func=self.predict)`)."""
    names: set[str] = set()
    for call in calls:
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last not in ROUTE_REGISTRATIONS:
            continue
        targets = [
            *call.args[1:3],
            *(k.value for k in call.keywords if k.arg in ("view_func", "endpoint", "handler")),
        ]
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute):
                names.add(target.attr)
    return names


def may_hold(
    source: SourceFile, pattern: str, text: str | None = None, ascii_only: bool = False
) -> bool:
    """False when the text (the file's own unless given) holds none of the strings every
    match of `pattern` contains, compared casefolded: no line of it can match, so a
    search per line is not needed. True when the pattern names no such string.

    `ascii_only` is for what the file's parse yields rather than its text: Python
    normalises non-ASCII identifiers (NFKC), so only an ASCII text is sure to hold them
    as written."""
    needed = required_literals(pattern)
    if needed is None:
        return True
    if ascii_only and not (source.text or "").isascii():
        return True
    key = ("casefolded", text is not None)
    if key not in source.memo:
        source.memo[key] = folded(source.text or "" if text is None else text)
    return any(literal in source.memo[key] for literal in needed)


@lru_cache(maxsize=1024)
def name_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """All of a rule's fnmatch patterns as one compiled regular expression."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns))


def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    """fnmatch-style, case-sensitive: `pandera.*`, `*.predict_proba`, `pickle.load`."""
    return name_regex(patterns).match(name) is not None


# CI definitions: which files they are, and the commands their steps run.

#: Keys whose values are commands or the steps CI runs.
COMMAND_KEYS = frozenset(
    {
        "run", "script", "before_script", "after_script", "commands", "command",
        "bash", "sh", "pwsh", "powershell", "inlineScript", "args", "entrypoint",
        "uses", "task", "image", "pipe", "install", "before_install",
        # a Taskcluster taskgraph kind's transforms (what builds its tasks), the script file
        # an Azure DevOps task runs
        "transforms", "scriptPath", "filePath",
    }
)  # fmt: skip
#: Keys that label a step rather than run it: `name: Run pytest` on a step that echoes.
LABEL_KEYS = frozenset({"name", "displayName", "description", "label", "if", "when", "condition"})
SEPARATORS = re.compile(r"&&|\|\||;")
#: In a Jenkinsfile, steps also follow braces: `stage('t') { steps { echo 'pytest' } }`.
GROOVY_SEPARATORS = re.compile(r"&&|\|\||;|[{}]")
_SAYS = re.compile(r"(?:echo|printf|Write-(?:Host|Output))\b")
#: A command that deletes files runs nothing it names: `sudo rm -rf /opt/hostedtoolcache/CodeQL`
#: frees disk space, it runs no scanner.
_REMOVES = re.compile(r"(?:sudo\s+)?(?:rm|rmdir|unlink|Remove-Item)\s", re.IGNORECASE)
COMMENT = re.compile(r"(?:^|\s)(?:#|//).*$")


#: Where CI systems keep their pipeline definitions, by convention.
CI_PATHS = pathspec.GitIgnoreSpec.from_lines([
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".github/actions/**/action.y*ml",
    ".gitlab-ci.yml", ".gitlab-ci.yaml", ".gitlab/ci/**/*.y*ml", ".gitlab-ci/**/*.y*ml",
    "azure-pipelines*.y*ml", ".azure-pipelines/**/*.y*ml", ".azuredevops/**/*.y*ml",
    ".pipelines/**/*.y*ml", "Jenkinsfile", "Jenkinsfile.*", "*.jenkinsfile", "*.Jenkinsfile",
    ".circleci/config.y*ml", "bitbucket-pipelines.y*ml", "buildspec*.y*ml", "cloudbuild*.y*ml",
    ".travis.yml", ".taskcluster.yml", "taskcluster/**/*.y*ml", ".drone.yml", ".woodpecker.yml",
    ".woodpecker/*.y*ml", ".buildkite/**/*.y*ml", "appveyor.yml", ".appveyor.yml", ".cirrus.yml",
    "codefresh.yml", ".tekton/**/*.y*ml", "*.gocd.y*ml", "*.gocd.json", ".semaphore/*.y*ml",
    "bitrise.yml", ".pipeline/config.y*ml",
])  # fmt: skip
#: Top-level keys of an Azure DevOps pipeline, which may be named anything.
_AZURE_STEPS = frozenset({"steps", "stages", "jobs", "extends"})
_AZURE_CONTEXT = frozenset({"trigger", "pr", "pool", "resources", "schedules", "extends"})
#: What a Cloud Build step has besides the builder image it runs.
_BUILDER_KEYS = frozenset({"args", "script", "entrypoint"})


#: Top-level keys one of the pipelines `_looks_like_pipeline` knows starts with.
_PIPELINE_KEYS = re.compile(
    r"^(?:(steps|stages|jobs|extends|format_version)\s*:|apiVersion:\s*[\"']?tekton\.dev)", re.M
)


def may_be_ci_definition(source: SourceFile) -> bool:
    """Whether a file lives where CI definitions do, or is YAML with a top-level key a
    pipeline starts with (read before parsing anything)."""
    if CI_PATHS.match_file(source.path):
        return True
    return (
        source.kind is FileKind.YAML
        and source.text is not None
        and _PIPELINE_KEYS.search(source.text) is not None
    )


def is_ci_definition(source: SourceFile) -> bool:
    """Whether a file defines a CI pipeline: by where it lives, or (YAML) by what it holds."""
    if CI_PATHS.match_file(source.path):
        return True
    if not may_be_ci_definition(source):
        return False
    return any(_looks_like_pipeline(document) for document in source.documents)


def _looks_like_pipeline(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    keys = set(document)
    if keys & _AZURE_STEPS and keys & _AZURE_CONTEXT:
        return True  # Azure DevOps
    if str(document.get("apiVersion", "")).startswith("tekton.dev"):
        return True
    if "format_version" in keys and isinstance(document.get("pipelines"), dict):
        return True  # GoCD pipelines as code (YAML config repository)
    steps = document.get("steps")
    if isinstance(steps, list) and steps:
        # Cloud Build: each step runs a builder image with arguments.
        return all(
            isinstance(step, dict) and "name" in step and bool(set(step) & _BUILDER_KEYS)
            for step in steps
        )
    return False


def commands(text: str, separators: re.Pattern[str] = SEPARATORS) -> Iterator[str]:
    """The commands in a script, without comments, what is only echoed, and deletions.
    A line ending in a backslash continues on the next, as in the shell."""
    for line in _logical_lines(text):
        code = COMMENT.sub("", line).strip()
        for command in separators.split(code):
            command = command.strip()
            if command and _SAYS.match(command) is None and _REMOVES.match(command) is None:
                yield command


#: Images of databases and stores (a test database with an extension built in, a vector
#: store): they listen on a port but answer queries, not predictions.
DATABASE_IMAGES = re.compile(
    r"(^|/)(postgres|postgis|timescaledb[\w-]*|pgvector|mysql|mariadb|mongo|redis|valkey"
    r"|elasticsearch|opensearch|cassandra|clickhouse[\w-]*|neo4j|qdrant|weaviate|milvus)(:|$)",
    re.I,
)


def _logical_lines(text: str) -> Iterator[str]:
    pending: list[str] = []
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("\\") and not stripped.lstrip().startswith("#"):
            pending.append(stripped[:-1].strip())
            continue
        yield " ".join([*pending, line.strip()]) if pending else line
        pending = []
    if pending:
        yield " ".join(pending)


def _builder_tool(image: str) -> str:
    """The tool a builder image runs: `gcr.io/cloud-builders/docker` -> docker."""
    return image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]


def structured_commands(node: Any) -> Iterator[tuple[str, int | None]]:
    """Commands that only the structure of a step spells out: a Cloud Build step runs its
    builder (or entrypoint) with its `args` (`docker` + `[build, -t, img, .]` is
    `docker build -t img .`); an Azure DevOps task runs
    its `inputs.command` (`Docker@2` builds and pushes unless told otherwise)."""
    if isinstance(node, dict):
        builder, args = node.get("image", node.get("name")), node.get("args")
        if isinstance(builder, str) and isinstance(args, list) and "steps" not in node:
            words = [str(a) for a in args if isinstance(a, str | int | float)]
            entrypoint = node.get("entrypoint")
            tool = entrypoint if isinstance(entrypoint, str) else _builder_tool(builder)
            line = line_of(node, "args")
            if tool in {"bash", "sh"} and len(words) >= 2 and words[0] == "-c":
                yield words[1], line
            else:
                yield " ".join([tool, *words]), line
        task = node.get("task")
        if isinstance(task, str):
            inputs = node.get("inputs")
            inputs = inputs if isinstance(inputs, dict) else {}
            command = str(inputs.get("command") or inputs.get("action") or "")
            if not command and task.lower().startswith("docker@"):
                command = "buildAndPush"  # the Docker task's default
            yield f"{task} {command}".strip(), line_of(node, "task")
        for value in node.values():
            yield from structured_commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from structured_commands(item)


def line_holding(source: SourceFile, start: int | None, command: str) -> int | None:
    """The line a command is on: a block scalar starts on the line after its key."""
    if start is None:
        return None
    for number in range(start, min(start + 200, len(source.lines)) + 1):
        if command in source.lines[number - 1]:
            return number
    return start


# Scripts a command runs, and the servers an image or a service starts.

#: Files that hold shell commands: scripts, Makefiles and task runners.
SCRIPT_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ps1", ".mk"})
MAKEFILES = frozenset({"makefile", "gnumakefile", "justfile"})
PY_SCRIPT = re.compile(
    r"(?:^|[\s/'\"])(?:python[\d.]*|py)\s+(?:-[A-Za-z]+\s+)*(?P<path>[\w./${}-]+\.py)\b"
)
PY_MODULE = re.compile(
    r"(?:^|[\s/'\"])python[\d.]*\s+(?:-[A-Za-z]+\s+)*-m\s+(?P<module>[A-Za-z_][\w.]*)"
)
SHELL_SCRIPT = re.compile(
    r"(?:^|[\s;&|('\"])(?:(?:bash|sh|zsh|source|\.)\s+)?(?P<path>[\w./${}-]*[\w-]+\.(?:sh|bash|ps1))\b"
)


def is_script(entry_path: str) -> bool:
    name = PurePosixPath(entry_path).name.lower()
    return PurePosixPath(name).suffix in SCRIPT_SUFFIXES or name in MAKEFILES


#: Load generators: a container or image that runs one is tooling beside the service
#: (Locust's web page on 8089 is not a prediction endpoint).
LOAD_GENERATORS = "locust|k6|jmeter|artillery|vegeta|gatling"

#: The platform around a model, not the model's service: trackers, orchestrators,
#: dashboards, metric stores, object stores, databases, the consoles and collectors that
#: watch them, and the reverse proxies in front,
#: named by a container's or service's name, image, command or Dockerfile (`mlflow
#: server`, `airflow webserver`, a stock nginx).
PLATFORM_SERVICES = re.compile(
    r"(^|[\s/_-])(mlflow|airflow|prefect|dagster|grafana|prometheus|alertmanager|minio"
    r"|jupyter(hub|lab)?|postgres(ql)?|mysql|redis|mongo(db)?|kafka|zookeeper|rabbitmq"
    r"|elasticsearch|kibana|kubeflow|ml-pipeline|opensearch(-dashboards)?|memcached"
    r"|qdrant|weaviate|milvus"
    # tools that watch or administer them: Celery's Flower, database consoles, log and
    # trace collectors
    r"|flower|pgadmin4?|adminer|loki|promtail|jaeger|otel-collector|opentelemetry-collector"
    # reverse proxies and load balancers in front of the services
    r"|nginx|traefik|envoy|haproxy|caddy)([\s/_:.-]|$)",
    re.I,
)


def callee_name(call: ast.Call) -> str:
    """The last part of a call's name (`append` of `registry.append(...)`, `open` of
    `open(...)`), read from the tree without unparsing it: cheap enough to ask of every
    call in a file."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def stands_for_nothing(node: ast.expr | None) -> bool:
    """`None`, an empty container or empty string (`[]`, `{}`, `""`, `pd.DataFrame()`): a
    value that stands for "nothing", what a swallowed failure returns in place of an answer."""
    if node is None:
        return True
    if isinstance(node, ast.Constant):
        return node.value is None or node.value == ""
    if isinstance(node, ast.List | ast.Dict | ast.Tuple | ast.Set):
        return not (node.elts if not isinstance(node, ast.Dict) else node.keys)
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        return callee_name(node) in {"DataFrame", "dict", "list", "Series"}
    return False


#: Calls that end the program with the status they are given.
_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit", "SystemExit"})


def exit_status(statement: ast.stmt | None) -> bool | None:
    """For a statement that ends the program (`sys.exit(1)`, `exit()`), whether it
    reports success (no status, 0 or None) or failure; None for any other statement."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if ast.unparse(call.func) not in _EXITS:
        return None
    code = call.args[0] if call.args else None
    return code is None or (isinstance(code, ast.Constant) and code.value in (0, None))


#: What a serving image runs: web and model servers.
SERVER_COMMANDS = re.compile(
    r"uvicorn|gunicorn|hypercorn|daphne|waitress|bentoml\W+serve|torchserve|tritonserver"
    r"|mlflow\W+models\W+serve|serve\W+run|flask\W+(--app\W+\S+\W+)?run|litserve|streamlit"
    r"|fastapi\W+run|tensorflow_model_server|uwsgi"
)


def runs_platform(text: str) -> bool:
    """Whether what a container, service or image runs is the platform around the model (a
    tracker, an orchestrator, a database), not a web or model server of its own."""
    return PLATFORM_SERVICES.search(text) is not None and SERVER_COMMANDS.search(text) is None


# Values that name or locate a secret rather than hold one.

#: The name or path of a secret in a store, which the runtime resolves: Taskcluster's
#: `project/churn/deploy`, GCP's `projects/p/secrets/s/versions/1`, an AWS ARN, a Vault
#: path. Generated secrets mix cases and digits; these are lowercase words and slashes.
SECRET_PATH = re.compile(
    r"^[a-z][a-z0-9_.-]*(?:/[a-z0-9][a-z0-9_.-]*)+$|^arn:aws:(?:secretsmanager|ssm):|^(?:vault|sm|gcpsm|azkv):"
)
#: An address (`https://index.docker.io/v1/`) is not a secret; one that carries a
#: password (`postgresql://ml:hunter2@db/features`) is, and stays reported.
PLAIN_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?![^/\s]*:[^/\s]*@)")


# Git history: why it cannot be judged, and identities that are machines, not people.

NOT_A_REPOSITORY = "the scanned folder is not a git repository, or one with no commits yet"
SHALLOW = "the repository is a shallow clone, so its history is incomplete"
#: Machine accounts: a commit made as root@laptop.lan or ubuntu@ip-10-0-0-1 is the
#: machine's default identity, not a second person.
MACHINE_ACCOUNT = re.compile(
    r"(?i)^(root|ubuntu|ec2-user|admin|administrator|user|vagrant|jovyan|pi|docker)@"
    r"|@[^@]*\.(lan|local|localdomain|internal|home)$|@(localhost|\(none\))$"
)


#: Words of a route (path or handler name) that answers with the model's output.
PREDICTION_WORDS = (
    r"predict|scor(?:e|ing)|infer|invocations|classif|detect|generat|complet|chat|embed"
    r"|recommend|rank|forecast|translat|transcri|segment|extract|summari[sz]|(?<![a-z])answer"
)
#: ... as one pattern, for a route's path or its handler's name.
PREDICTION_NAME = re.compile(rf"(?i){PREDICTION_WORDS}")


#: GitHub Actions events that no change to the code starts.
_NOT_ON_CHANGES = frozenset({"workflow_dispatch", "repository_dispatch", "schedule"})


def workflow_events(source: SourceFile) -> frozenset[str] | None:
    """The events that start a GitHub workflow (None: not a workflow, or unreadable)."""
    if not source.path.startswith(".github/workflows/") or not source.documents:
        return None
    document = source.documents[0]
    if not isinstance(document, dict):
        return None
    # YAML 1.1 reads the bare key `on` as the boolean true
    events = document.get("on", document.get(True))
    if isinstance(events, str):
        return frozenset({events})
    if isinstance(events, list | dict):
        return frozenset(str(e) for e in events)
    return None


def runs_only_by_hand(source: SourceFile) -> bool:
    """A GitHub workflow whose every trigger is manual or scheduled."""
    events = workflow_events(source)
    return bool(events) and events is not None and events <= _NOT_ON_CHANGES
