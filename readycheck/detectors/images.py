"""The container images a repository ships, and which of them serve predictions.

A rule about "the service's image" must judge the image that serves, not whichever
Dockerfile exists: a training image, a notebook image or a Makefile runner needs no
health check, and the stage a Dockerfile ends with is not always the one that ships
(`FROM runtime AS runtime-dev` after the production stage, built only for local work).

For each Dockerfile, the shipped stage is the one CI or compose builds with `--target`
(`docker build --target runtime`, docker/build-push-action's `target:`, a compose
service's `build.target`), else the last stage; a stage built `FROM` an earlier one
inherits its instructions, as Docker does. The shipped image serves when it:

- EXPOSEs a port, or starts a web or model server (uvicorn, gunicorn, TorchServe, ...);
- builds on a model-server image and keeps its command (`tiangolo/uvicorn-gunicorn`,
  `tensorflow/serving`, Triton, SageMaker and Vertex AI prediction containers, ...);
- starts a script of the repository (`python app.py`, `python -m pkg.api`, `./start.sh`)
  whose code starts a server (`uvicorn.run`, a Flask app's `run()`, aiohttp's
  `run_app`, a KServe ModelServer, the SageMaker inference toolkit, ...);
- or a compose service builds it and publishes its port.

A notebook or shell image (`jupyter lab`, `bash`, `make`) is not a serving image even
when it EXPOSEs a port; nor is a tracking or orchestration server (`mlflow server`).
Beside an image of the project's own whose app is seen serving predictions (it reaches a
model library through its imports, or has a prediction route), the images that only look
like servers (a port exposed or published, a dashboard app with no model) are not judged.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from readycheck.detectors.base import REGEX, repo_detector
from readycheck.detectors.common import (
    DATABASE_IMAGES,
    LOAD_GENERATORS,
    PREDICTION_WORDS,
    PY_MODULE,
    PY_SCRIPT,
    SERVER_COMMANDS,
    SHELL_SCRIPT,
    commands,
    is_script,
    runs_platform,
)
from readycheck.detectors.delivery import (
    _ci_scripts,
    _commands_of,
    _Repo,
    _view,
    ci_files,
)
from readycheck.detectors.patterns import Matcher
from readycheck.model import Detection, Evidence, FileKind, Location, Role
from readycheck.parsers.dockerfile import Dockerfile, Instruction
from readycheck.workspace import Repository, SourceFile, clip

#: Base images whose default command serves models or web requests.
#: Web servers and proxies: an image built on one serves a front end's static files or
#: forwards requests (`FROM nginx:alpine` + `COPY --from=build /app/dist ...`), no model.
_WEB_SERVER_BASES = re.compile(
    r"(^|/)(nginx|nginxinc/[\w-]+|httpd|caddy|traefik|envoyproxy/envoy|haproxy)(:|@|$)", re.I
)
SERVING_BASES = re.compile(
    r"(^|/)(uvicorn-gunicorn|meinheld-gunicorn|uwsgi-nginx|tritonserver|torchserve|mlserver"
    r"|text-generation-inference|vllm-openai|tensorflow-serving)[^/]*$|(^|/)tensorflow/serving"
    r"|(pytorch|tensorflow|mxnet|huggingface-[\w-]+)-inference\b|vertex-ai/prediction/"
    r"|azureml/[\w.-]*inference",
    re.I,
)
#: What a notebook, shell, task-runner or load-generator image runs: not a service,
#: whatever it EXPOSEs (Locust's web page is not a prediction endpoint).
_NOT_A_SERVICE = re.compile(
    r"^\W*(jupyter|jupyter-lab|jupyterlab|notebook|ipython|tensorboard|make|bash|sh|zsh|/bin/(ba)?sh)\W*$"
    r"|\bjupyter\W+(lab|notebook)\b|\btensorboard\b"
    # a tracking or orchestration server: it serves runs and schedules, not predictions
    r"|\bmlflow\W+(server|ui)\b|\bprefect\W+server\b|\bairflow\W+(webserver|api-server|scheduler)\b"
    r"|\bdagster-webserver\b|\bdagit\b"
    rf"|^\W*({LOAD_GENERATORS})\b",
    re.I,
)
#: `uvicorn pkg.api:app`, `gunicorn pkg.wsgi:application`: the module a server starts.
_APP_REFERENCE = re.compile(
    r"(?:^|[\s'\"])(?P<module>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*):[A-Za-z_]\w*"
)
#: A route that answers with predictions, by its path or its handler's name.
_PREDICTION_ROUTE = re.compile(
    rf"(?i)@\w+\.(?:get|post|put|route|api_route|websocket)\(\s*[\"'][^\"']*(?:{PREDICTION_WORDS})"
    r"|^\s*(?:async\s+)?def\s+(?:predict|score|infer|classify|invocations)\w*\s*\(",
    re.MULTILINE,
)
#: How many hops of the repository's own imports a served app is followed through.
_APP_DEPTH = 3
#: Libraries that run a model: an app that reaches none of them serves no predictions.
_MODEL_MODULES = (
    "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "transformers",
    "onnxruntime", "joblib", "mlflow", "bentoml", "sentence_transformers", "spacy", "statsmodels",
    "prophet", "jax", "flax", "tritonclient", "vllm", "ultralytics", "timm", "torchvision",
    "openai", "anthropic", "langchain", "langchain_core", "langchain_community", "langchain_openai",
    "llama_index", "litellm", "google.generativeai", "google.genai", "vertexai", "cohere",
    "mistralai", "groq", "ollama", "haystack", "sagemaker", "google.cloud.aiplatform", "azure.ai.ml",
    "fastai", "paddle", "mxnet", "h2o", "pycaret", "autogluon", "gensim", "fasttext", "skops",
    # a model unpickled at start-up (`model = pickle.load(f)` in a course's predict.py)
    "pickle", "cloudpickle", "dill",
)  # fmt: skip
#: A program that trains rather than predicts: `train.py`, `fit_model.py`, `finetune.py`.
_TRAINS = re.compile(r"(?i)(^|_)(pre)?train|(^|_)fit($|_)|(^|_)(fine_?)?tune")
#: How many hops of the repository's own imports a job's program is followed through.
_JOB_DEPTH = 2
#: Base images of function runtimes (AWS Lambda, Azure Functions): invoked by the platform.
_FUNCTION_BASES = re.compile(r"(^|/)lambda/|aws-lambda|azure-functions/", re.I)
#: A configuration file a command is started with: `supervisord -c /etc/supervisord.conf`.
_CONFIG = re.compile(r"(?:^|\s)(?:-c|--config|--configuration)[=\s]+(?P<path>[\w./-]+)")
_DOCKER_BUILD = re.compile(r"\bdocker\s+(?:buildx\s+)?build\b(?P<rest>.*)")
_TARGET = re.compile(r"--target[=\s]+(?P<target>[\w.-]+)")
_FILE = re.compile(r"(?:-f|--file)[=\s]+(?P<file>[\w./${}-]+)")
_COMPOSE = re.compile(r"(^|/)(docker-)?compose[\w.-]*\.ya?ml$", re.I)
_DEV_COMPOSE = re.compile(r"(dev|test|local|override|debug)", re.I)
#: Dockerfiles of the developers' environment, not of an image the project ships: a dev
#: container's, and those named for development (`Dockerfile.dev`, `dev.Dockerfile`).
DEVELOPMENT_DOCKERFILE = re.compile(
    r"(?i)(^|/)\.devcontainer/|(^|/)(dockerfile[.-](dev|development|local|debug)"
    r"|(dev|development|local|debug)\.dockerfile|[^/]*\.(dev|development|local)\.dockerfile)$"
)


@dataclass(frozen=True)
class Image:
    """One image a Dockerfile ships."""

    path: str
    source: SourceFile
    stage_line: int
    stage_name: str | None
    #: The instructions in force in the shipped stage, inherited ones first.
    instructions: tuple[Instruction, ...]
    #: Why it serves predictions; None when it does not.
    serving: str | None
    #: The script it starts that runs a development server (Flask's `app.run()`).
    development_server: str | None
    #: The image it is built on (through earlier stages).
    base: str = ""
    #: The repository's Python programs it starts when it serves nothing (not a
    #: notebook, a shell or a training program): a job a scheduler may run.
    programs: tuple[str, ...] = ()
    #: Which stage of the Dockerfile it is.
    stage: int = 0


def _stage_parents(dockerfile: Dockerfile) -> list[int | None]:
    names: dict[str, int] = {}
    parents: list[int | None] = []
    for stage in dockerfile.stages:
        parents.append(names.get(stage.base.lower()))
        if stage.name:
            names[stage.name.lower()] = stage.index
    return parents


def effective_instructions(dockerfile: Dockerfile, stage: int) -> list[Instruction]:
    """The instructions in force in a stage: its ancestors' (FROM an earlier stage), then its own."""
    parents = _stage_parents(dockerfile)
    chain: list[int] = []
    current: int | None = stage
    while current is not None and current not in chain:
        chain.append(current)
        current = parents[current]
    found: list[Instruction] = []
    for index in reversed(chain):
        found += [i for i in dockerfile.instructions if i.stage == index and i.keyword != "FROM"]
    return found


def _root_base(dockerfile: Dockerfile, stage: int) -> str:
    parents = _stage_parents(dockerfile)
    seen: set[int] = set()
    while parents[stage] is not None and stage not in seen:
        seen.add(stage)
        stage = parents[stage]  # type: ignore[assignment]
    return dockerfile.stages[stage].base


def _words(arguments: str) -> str:
    """An instruction's command as one line: the exec form's JSON array joined."""
    text = arguments.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            return text
        if isinstance(items, list):
            return " ".join(str(item) for item in items)
    return text


def _normalise(path: str) -> str:
    path = path.strip("'\"")
    return posixpath.normpath(path) if path else ""


@dataclass
class _Targets:
    """Stages CI and compose build by name, per Dockerfile path (None: any Dockerfile)."""

    ci: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    compose: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    #: Compose services that build an image: (context, dockerfile, target, service, compose
    #: path, whether it publishes a port, the command it overrides the image's with).
    services: list[tuple[str | None, str | None, str | None, str, str, bool, str]] = field(
        default_factory=list
    )


def _build_targets(view: _Repo) -> _Targets:
    targets = _Targets()
    for source in ci_files(view):
        for document in source.documents if source.kind is FileKind.YAML else []:
            for node in _dicts(document):
                uses = node.get("uses")
                options = node.get("with")
                if (
                    isinstance(uses, str)
                    and "build-push-action" in uses
                    and isinstance(options, dict)
                ):
                    target = options.get("target")
                    if isinstance(target, str):
                        targets.ci.append(
                            (_str(options.get("context")), _str(options.get("file")), target)
                        )
        for script, separators in _ci_scripts(source):
            for command, _remote in _commands_of(script, separators):
                build = _DOCKER_BUILD.search(command)
                target = _TARGET.search(build.group("rest")) if build else None
                if build and target:
                    file = _FILE.search(build.group("rest"))
                    targets.ci.append(
                        (None, file.group("file") if file else None, target.group("target"))
                    )
    for path, entry in view.entries.items():
        if entry.kind is not FileKind.YAML or not _COMPOSE.search(path):
            continue
        for document in view.source(path).documents:
            services = document.get("services") if isinstance(document, dict) else None
            if not isinstance(services, dict):
                continue
            base = str(PurePosixPath(path).parent)
            for name, service in services.items():
                if not isinstance(service, dict) or "build" not in service:
                    continue
                build = service["build"]
                context = (
                    build
                    if isinstance(build, str)
                    else _str(build.get("context"))
                    if isinstance(build, dict)
                    else None
                )
                dockerfile = _str(build.get("dockerfile")) if isinstance(build, dict) else None
                context = _normalise(posixpath.join(base, context or "."))
                if (
                    isinstance(build, dict)
                    and isinstance(build.get("target"), str)
                    and not _DEV_COMPOSE.search(path)
                ):
                    targets.compose.append((context, dockerfile, build["target"]))
                target = build.get("target") if isinstance(build, dict) else None
                command = service.get("command") or service.get("entrypoint") or ""
                command = " ".join(map(str, command)) if isinstance(command, list) else str(command)
                targets.services.append((
                    context, dockerfile, target if isinstance(target, str) else None, str(name),
                    path, bool(service.get("ports") or service.get("expose")), command,
                ))  # fmt: skip
    return targets


def _runs_training(command: str) -> bool:
    """Whether a command runs a training program (`python train.py`, `-m pkg.finetune`)."""
    words = command.split()
    for index, word in enumerate(words):
        module = index > 0 and words[index - 1] == "-m"
        if module or word.endswith(".py"):
            name = word.rsplit(".", 1)[-1] if module else PurePosixPath(word).stem
            if _TRAINS.search(name):
                return True
    return False


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dicts(item)


def _names_dockerfile(path: str, context: str | None, file: str | None) -> bool:
    """Whether a build (its context and -f file) builds the Dockerfile at `path`."""
    directory = _normalise(context or ".")
    if file:
        if "$" in file:
            return False
        wanted = _normalise(file)
        joined = (
            _normalise(posixpath.join(directory, file)) if directory not in ("", ".") else wanted
        )
        if path in (joined, wanted):
            return True
        # a build run from another folder: a path with folders that ends the same
        return "/" in wanted and path.endswith("/" + wanted)
    return path == (f"{directory}/Dockerfile" if directory not in ("", ".") else "Dockerfile")


class _Analysis:
    def __init__(self, repo: Repository) -> None:
        self.view = _view(repo)
        self.targets = _build_targets(self.view)
        #: (Dockerfile, stage) of images whose server starts the team's app and that app
        #: runs a model or answers a prediction route.
        self._confirmed: set[tuple[str, int]] = set()
        images = list(self._images())
        # Beside an image whose app is seen serving predictions, an image that only looks
        # like a server (a port it EXPOSEs or compose publishes: Superset, a feature server,
        # an orchestrator's code server) or that runs the team's app with no model is not
        # the serving image. Alone, such an image may be (its model out of sight): it stays.
        # An example's or a test's image (a framework's example backends) confirms nothing
        # about the repository's own images.
        own = {key for key in self._confirmed if self.view.repo.roles.get(key[0]) is Role.CODE}
        if own:
            images = [
                i
                if (i.path, i.stage) in own or i.serving is None
                else dataclasses.replace(i, serving=None)
                for i in images
            ]
        self.images = images

    def _images(self) -> Iterator[Image]:
        for path, entry in sorted(self.view.entries.items()):
            if entry.kind is not FileKind.DOCKERFILE or DEVELOPMENT_DOCKERFILE.search(path):
                continue
            source = self.view.source(path)
            dockerfile = source.dockerfile
            if dockerfile is None or not dockerfile.stages:
                continue
            for stage in self._shipped(path, dockerfile):
                yield self._image(path, source, dockerfile, stage)

    def _shipped(self, path: str, dockerfile: Dockerfile) -> list[int]:
        names = {s.name.lower(): s.index for s in dockerfile.stages if s.name}
        for builds in (self.targets.ci, self.targets.compose):
            named = {
                names[target.lower()]
                for context, file, target in builds
                if target.lower() in names and _names_dockerfile(path, context, file)
            }
            if named:
                return sorted(named)
        return [dockerfile.final_stage]

    def _image(self, path: str, source: SourceFile, dockerfile: Dockerfile, stage: int) -> Image:
        instructions = effective_instructions(dockerfile, stage)
        entry = next((i for i in reversed(instructions) if i.keyword == "ENTRYPOINT"), None)
        cmd = next((i for i in reversed(instructions) if i.keyword == "CMD"), None)
        command = " ".join(_words(i.arguments) for i in (entry, cmd) if i is not None)
        serving, development = self._serving(path, dockerfile, stage, instructions, command)
        programs = self._programs(path, command) if serving is None and command else ()
        info = dockerfile.stages[stage]
        return Image(
            path, source, info.line, info.name, tuple(instructions), serving, development,
            _root_base(dockerfile, stage), programs, stage,
        )  # fmt: skip

    def _programs(self, path: str, command: str) -> tuple[str, ...]:
        """The repository's Python programs an image that serves nothing starts; a training
        program (train, fit, tune) delivers no predictions and is left out."""
        if _NOT_A_SERVICE.search(command):
            return ()
        return tuple(
            script
            for script in self._scripts(path, command, python_only=True)
            if not _TRAINS.search(PurePosixPath(script).stem)
        )

    def _compose(
        self, path: str, dockerfile: Dockerfile, stage: int
    ) -> list[tuple[str, bool, str]]:
        """(service, publishes a port, command) of the compose services that build this image."""
        name = (dockerfile.stages[stage].name or "").lower()
        return [
            (f"{service} ({compose})", published, command)
            for context, file, target, service, compose, published, command in self.targets.services
            if _names_dockerfile(path, context, file) and (target is None or target.lower() == name)
        ]

    def _serving(
        self,
        path: str,
        dockerfile: Dockerfile,
        stage: int,
        instructions: list[Instruction],
        command: str,
    ) -> tuple[str | None, str | None]:
        if _FUNCTION_BASES.search(_root_base(dockerfile, stage)):
            return None, None  # a function runtime: the platform invokes it, nothing listens
        if DATABASE_IMAGES.search(_root_base(dockerfile, stage)):
            return None, None  # a database the tests or the app use: it serves no model
        if _WEB_SERVER_BASES.search(_root_base(dockerfile, stage)):
            return None, None  # a web front end's files or a proxy: the model is served elsewhere
        if runs_platform(f"{_root_base(dockerfile, stage)} {command}"):
            return None, None  # Airflow, an MLflow tracking server: the platform around the model
        services = self._compose(path, dockerfile, stage)
        overrides = [c for _s, _p, c in services if c]
        if overrides and all(_NOT_A_SERVICE.search(c) for c in overrides):
            return None, None  # compose runs it as a notebook or a shell
        if command and _NOT_A_SERVICE.search(command):
            return None, None
        if command and SERVER_COMMANDS.search(command):
            app = self._app_module(path, command, instructions)
            if app is not None and self._reaches_models(app):
                self._confirmed.add((path, stage))
            return f"it starts a server ({clip(command, 60)})", None
        script, development = self._script_serves(path, command) if command else (None, None)
        if script is not None:
            programs = self._scripts(path, command, python_only=True)
            if any(self._reaches_models(p) for p in programs if p in self.view.repo.summaries):
                self._confirmed.add((path, stage))
            return script, development
        if any(i.keyword == "EXPOSE" for i in instructions):
            return "it EXPOSEs a port", None
        base = _root_base(dockerfile, stage)
        if not command and SERVING_BASES.search(base):
            return f"it builds on the model-server image {base}", None
        if not command and (started := self._platform_serve(path, instructions)) is not None:
            return started, None
        for service, published, override in services:
            if override and SERVER_COMMANDS.search(override):
                return f"compose service {service} starts a server with it", None
            # A published port with the service's own command (`python -m pkg.serve.api
            # --port 8000`, run from an image that installs the package) is the port
            # that command listens on; notebooks and shells were ruled out above.
            if published and not (
                override and (_NOT_A_SERVICE.search(override) or _runs_training(override))
            ):
                return f"compose service {service} publishes its port", None
        return None, None

    def _app_module(
        self, dockerfile_path: str, command: str, instructions: list[Instruction]
    ) -> str | None:
        """The repository's module whose app a server command starts (`uvicorn
        pkg.monitoring.drift_api:app`): the file the image's COPY instructions put where the
        command runs (its WORKDIR), else the one file of the repository that can be it."""
        match = _APP_REFERENCE.search(command)
        if match is None:
            return None
        module = match.group("module").replace(".", "/") + ".py"
        copied = self._in_image(dockerfile_path, instructions, module)
        if copied is not None:
            return copied
        found = self._in_context(dockerfile_path, module)
        return found[0] if len(found) == 1 else None

    def _in_image(
        self, dockerfile_path: str, instructions: list[Instruction], reference: str
    ) -> str | None:
        """The repository file that COPY or ADD put at `reference` (relative to the final
        WORKDIR, or absolute) inside the image, the last instruction that covers it
        winning; the build context is taken to be the Dockerfile's folder."""
        context = posixpath.dirname(dockerfile_path)
        workdirs: list[str] = []
        workdir = "/"
        for instruction in instructions:
            if instruction.keyword == "WORKDIR":
                workdir = posixpath.normpath(posixpath.join(workdir, _words(instruction.arguments)))
            workdirs.append(workdir)
        wanted = posixpath.normpath(posixpath.join(workdir, reference))
        found: str | None = None
        for instruction, current in zip(instructions, workdirs, strict=True):
            if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.arguments:
                continue
            words = [w for w in _words(instruction.arguments).split() if not w.startswith("--")]
            if len(words) < 2 or any("$" in w for w in words):
                continue
            *sources, destination = words
            into = posixpath.normpath(posixpath.join(current, destination))
            for source in sources:
                origin = posixpath.normpath(posixpath.join(context, source))
                origin = "" if origin == "." else origin
                if self._is_folder(origin):  # its contents land in `into`
                    inside = into == "/" or wanted.startswith(into + "/")
                    rest = posixpath.relpath(wanted, into) if inside else None
                    path = posixpath.join(origin, rest) if rest and rest != "." else None
                elif destination.endswith("/") or len(sources) > 1:
                    named = posixpath.join(into, posixpath.basename(origin))
                    path = origin if wanted == named else None
                else:
                    path = origin if wanted == into else None
                if path is not None and not path.startswith("../") and path in self.view.entries:
                    found = path
        return found

    def _is_folder(self, path: str) -> bool:
        prefix = f"{path}/" if path else ""
        return any(p.startswith(prefix) for p in self.view.entries) if prefix else True

    def _reaches_models(self, script: str) -> bool:
        """Whether a served app answers with predictions: it has a prediction route, or it
        imports an ML, model-serving or language-model library or asks a model API over
        HTTP, itself or through the repository's modules it imports. Unknown (an unparsed
        file) counts as yes."""
        repo = self.view.repo
        if script not in repo.summaries:
            return True
        if _PREDICTION_ROUTE.search(self.view.source(script).text or ""):
            return True  # it answers prediction requests, whatever computes them
        for level in repo.imported_modules(script, _APP_DEPTH):
            for path in level:
                summary = repo.summaries.get(path)
                if (
                    summary is None
                    or summary.asks_models_over_http
                    or any(
                        module == root or module.startswith(root + ".")
                        for module in summary.imports
                        for root in _MODEL_MODULES
                    )
                ):
                    return True
        return False

    def _platform_serve(self, dockerfile_path: str, instructions: list[Instruction]) -> str | None:
        """An image with no command of its own that ships a `serve` program: SageMaker's
        container contract starts it with `docker run <image> serve`, and that program
        starts the web server (a bring-your-own serving container)."""
        for instruction in instructions:
            if instruction.keyword not in ("COPY", "ADD"):
                continue
            sources = [w for w in instruction.arguments.split() if not w.startswith("--")][:-1]
            for source in sources:
                program = source if PurePosixPath(source).name == "serve" else f"{source}/serve"
                for found in self._in_context(dockerfile_path, program):
                    serves, _development = self._shell_serves(
                        dockerfile_path, self.view.source(found)
                    )
                    if serves is not None:
                        return f"the platform starts its `serve` program ({found}), which {serves}"
        return None

    def _script_serves(self, dockerfile_path: str, command: str) -> tuple[str | None, str | None]:
        """Whether a script the image starts serves (and whether through a development server)."""
        for script in self._scripts(dockerfile_path, command):
            source = self.view.source(script)
            if source.kind is FileKind.PYTHON:
                serves, development = python_serves(source, self._imports(script))
            elif not is_script(script):
                serves, development = _config_serves(source), None
            else:
                serves, development = self._shell_serves(dockerfile_path, source)
            if serves is not None:
                why = f"it starts {script}, which {serves}"
                return why, (f"{script} {development}" if development else None)
        return None, None

    def _shell_serves(
        self, dockerfile_path: str, source: SourceFile
    ) -> tuple[str | None, str | None]:
        for line in source.lines[:200]:
            code = line.split("#", 1)[0]
            if SERVER_COMMANDS.search(code):
                return f"starts a server ({clip(code, 50)})", None
            for script in self._scripts(dockerfile_path, code, python_only=True):
                serves, development = python_serves(self.view.source(script), self._imports(script))
                if serves is not None:
                    return f"runs {script}, which {serves}", (
                        f"{script} {development}" if development else None
                    )
        return None, None

    def _imports(self, path: str) -> tuple[str, ...]:
        summary = self.view.repo.summaries.get(path)
        return summary.imports if summary is not None else ()

    def _scripts(self, dockerfile_path: str, command: str, python_only: bool = False) -> list[str]:
        found: list[str] = []
        for match in PY_SCRIPT.finditer(command):
            found += self._in_context(dockerfile_path, match.group("path"))
        for match in PY_MODULE.finditer(command):
            name = match.group("module").replace(".", "/")
            for candidate in (f"{name}.py", f"{name}/__main__.py"):
                found += self._in_context(dockerfile_path, candidate)
        if not python_only:
            for match in SHELL_SCRIPT.finditer(command):
                found += self._in_context(dockerfile_path, match.group("path"))
            for match in _CONFIG.finditer(command):
                found += self._in_context(dockerfile_path, match.group("path"))
        return list(dict.fromkeys(found))[:3]

    def _in_context(self, dockerfile_path: str, reference: str) -> list[str]:
        """Repository files an in-image path may be: the longest suffix that names any,
        preferring files beside the Dockerfile."""
        parts = [p for p in PurePosixPath(reference.strip("'\"")).parts if p not in ("/", ".")]
        if not parts or any("$" in p for p in parts):
            return []
        here = str(PurePosixPath(dockerfile_path).parent)
        for start in range(len(parts)):
            suffix = "/".join(parts[start:])
            matches = [p for p in self.view.entries if p == suffix or p.endswith("/" + suffix)]
            if matches:
                local = [p for p in matches if here == "." or p.startswith(here + "/")]
                return sorted(local or matches)[:3]
        return []


def _config_serves(source: SourceFile) -> str | None:
    """A process manager's configuration (supervisord, a Procfile) that starts a server."""
    for line in source.lines[:500]:
        code = line.split("#", 1)[0].split(";", 1)[0]
        if SERVER_COMMANDS.search(code):
            return f"starts a server ({clip(code, 50)})"
    return None


#: A web application built in a script (`app = Flask(__name__)`), by what its `run()` starts.
_APP = re.compile(
    r"^\s*(?P<name>\w+)\s*(?::[^=]+)?=\s*(?:[\w.]+\.)?(?P<cls>Flask|Quart|Bottle|FlaskApp|FastAPI"
    r"|Starlette|Sanic|Application|Interface|Blocks|LitServer)\s*\(",
    re.M,
)
_DEVELOPMENT_APPS = frozenset({"Flask", "Quart", "Bottle", "FlaskApp"})
#: Calls that start a server by themselves, as written.
_SERVER_START = re.compile(
    r"\buvicorn\.run\s*\(|\bhypercorn\b.*\bserve\s*\(|\brun_app\s*\(|\bwaitress\.serve\s*\("
    r"|\.serve_forever\s*\(|\bmake_server\s*\(|\bserve\.run\s*\(|\bModelServer\s*\("
    r"|\bstart_model_server\s*\(|\bcherrypy\.quickstart\s*\(|\bbentoml\.serve\s*\("
    # a Jina Flow serving its executors until stopped
    r"|\bFlow\b.*\.(block|serve)\s*\(|^\s*\w+\.block\s*\(\s*\)"
)
#: Waitress's server imported by name (`from waitress import serve` / `serve(app, ...)`).
_WAITRESS_SERVE = re.compile(r"(?<![\w.])serve\s*\(\s*\w")
_DEVELOPMENT_START = re.compile(r"\brun_simple\s*\(|\bbottle\.run\s*\(")
#: The frameworks a script must import for its `X = Flask(...)` to be one.
_WEB_MODULES = (
    "flask", "quart", "bottle", "connexion", "fastapi", "starlette", "sanic", "aiohttp",
    "tornado", "gradio", "litserve", "uvicorn", "waitress", "werkzeug", "http.server",
    "socketserver", "wsgiref", "ray", "kserve", "sagemaker_inference", "cherrypy", "bentoml",
    "hypercorn", "jina",
)  # fmt: skip


def python_serves(
    source: SourceFile, imports: tuple[str, ...] = ()
) -> tuple[str | None, str | None]:
    """Whether a Python script starts a server, and whether that server is a development
    one. Read as text, with the imports the per-file analysis recorded (`imports`), so no
    file is parsed twice in a scan."""
    if not any(m == w or m.startswith(w + ".") for m in imports for w in _WEB_MODULES):
        return None, None
    lines = [line.split("#", 1)[0] for line in source.lines]
    text = "\n".join(lines)
    waitress = any(m == "waitress" or m.startswith("waitress.") for m in imports)
    apps = {m.group("name"): m.group("cls") for m in _APP.finditer(text)}
    for number, line in enumerate(lines, start=1):
        for name, cls in apps.items():
            call = re.search(rf"\b{re.escape(name)}\.(run|launch)\s*\(", line)
            if call is None:
                continue
            started = f"starts a server ({name}.{call.group(1)}(), line {number})"
            if cls in _DEVELOPMENT_APPS and call.group(1) == "run":
                return (
                    started,
                    f"runs the framework's development server ({name}.run(), line {number})",
                )
            return started, None
        if _DEVELOPMENT_START.search(line):
            return (
                f"starts a server (line {number})",
                f"runs a development server (line {number})",
            )
        if _SERVER_START.search(line) or (waitress and _WAITRESS_SERVE.search(line)):
            return f"starts a server ({clip(line, 50)}, line {number})", None
    return None, None


_CACHE: dict[int, tuple[Repository, _Analysis]] = {}


def shipped_images(repo: Repository) -> list[Image]:
    """The images the repository's Dockerfiles ship, analysed once per scan."""
    cached = _CACHE.get(id(repo))
    if cached is None or cached[0] is not repo:
        _CACHE.clear()
        cached = (repo, _Analysis(repo))
        _CACHE[id(repo)] = cached
    return cached[1].images


@dataclass(frozen=True)
class ImageParams:
    #: The instruction to look for; none: the image itself is the evidence.
    instruction: str | None = None
    #: Regular expression its arguments must match.
    pattern: str | None = field(default=None, metadata=REGEX)
    #: Only the last such instruction in force counts (USER, HEALTHCHECK).
    last: bool = False
    #: Which images: those that serve predictions, those that run the model as a job (their
    #: program reaches one of `frameworks`), or all.
    images: Literal["serving", "jobs", "all"] = "serving"
    #: For `jobs`: the ML frameworks (modules) whose use makes a program run a model.
    frameworks: tuple[str, ...] = ()
    #: Images built on a base matching this count as matching (a distroless `:nonroot`
    #: image runs as an unprivileged user without a USER instruction).
    base_pattern: str | None = field(default=None, metadata=REGEX)
    #: Instead of an instruction: serving images whose start script runs a development server.
    development_server: bool = False
    #: An image one of whose RUN instructions matches this does not match, whatever it sets
    #: (`NOPASSWD` sudo: the USER it switches to is root in all but name).
    unless_run: str | None = field(default=None, metadata=REGEX)


def _runs_model(repo: Repository, image: Image, frameworks: tuple[str, ...]) -> str | None:
    """How an image's program runs a model: it imports one of the frameworks, itself or
    through the repository's own modules it imports."""
    for script in image.programs:
        if script not in repo.summaries:
            continue
        for level in repo.imported_modules(script, _JOB_DEPTH):
            for path in level:
                framework = next(
                    (
                        m
                        for m in repo.summaries[path].imports
                        if any(m == f or m.startswith(f + ".") for f in frameworks)
                    ),
                    None,
                )
                if framework is not None:
                    via = "" if path == script else f" through {path}"
                    return f"it runs {script}, which runs a model with {framework}{via}"
    return None


@repo_detector(params=ImageParams)
def shipped_image(repo: Repository, params: ImageParams) -> Detection:
    """For each image a Dockerfile ships (the stage CI or compose builds, else the last;
    optionally only images that serve): an instruction in force in it, matching a
    pattern, or its absence; or the image itself; or the development server it starts."""
    matches: list[Evidence] = []
    gaps: list[Evidence] = []
    for image in shipped_images(repo):
        if params.images == "serving" and image.serving is None:
            continue
        job = _runs_model(repo, image, params.frameworks) if params.images == "jobs" else None
        if params.images == "jobs" and job is None:
            continue
        where = Location(image.path, image.stage_line)
        if params.development_server:
            if image.development_server:
                matches.append(Evidence(where, f"the image starts {image.development_server}",
                                        image.source.snippet(image.stage_line)))  # fmt: skip
            continue
        if params.instruction is None:
            what = (
                f"{image.path} builds a serving image: {image.serving}"
                if image.serving
                else f"{image.path} builds an image that runs the model as a job: {job}"
                if job
                else f"{image.path} builds an image"
            )
            matches.append(Evidence(where, what, image.source.snippet(image.stage_line)))
            continue
        keyword = params.instruction.upper()
        candidates = [i for i in image.instructions if i.keyword == keyword]
        if params.last:
            candidates = candidates[-1:]
        # The base's own setting holds only until the image's instruction overrides it:
        # a Chainguard base followed by `USER root` runs as root.
        if (
            not candidates
            and params.base_pattern
            and Matcher(params.base_pattern).search(image.base)
        ):
            matches.append(
                Evidence(where, f"builds on {image.base}", image.source.snippet(image.stage_line))
            )
            continue
        regex = Matcher(params.pattern) if params.pattern else None
        found = [i for i in candidates if regex is None or regex.search(i.arguments)]
        undoing = Matcher(params.unless_run) if params.unless_run and found else None
        undone = next(
            (
                i
                for i in image.instructions
                if i.keyword == "RUN" and undoing and undoing.search(i.arguments)
            ),
            None,
        )
        if undone is not None:
            gaps.append(Evidence(
                Location(image.path, undone.line),
                f"{keyword} {clip(found[-1].arguments, 40)}, but RUN {clip(undone.arguments, 60)} undoes it",
                image.source.snippet(undone.line),
                missing=True,
            ))  # fmt: skip
            continue
        for instruction in found:
            matches.append(Evidence(
                Location(image.path, instruction.line),
                f"{keyword} {clip(instruction.arguments, 60)}",
                image.source.snippet(instruction.line),
            ))  # fmt: skip
        if not found:
            stage = f" (stage {image.stage_name})" if image.stage_name else ""
            gaps.append(Evidence(
                where,
                f"no matching {keyword} instruction in the image it ships{stage}",
                image.source.snippet(image.stage_line),
                missing=True,
            ))  # fmt: skip
    return Detection(tuple(matches), tuple(gaps))


# Whether the images install the environment the repository locks.

#: The lock files of Python package managers, by the tool that installs from them.
_LOCKS = {"uv": "uv.lock", "poetry": "poetry.lock", "pipenv": "Pipfile.lock", "pdm": "pdm.lock"}
_PIP = re.compile(r"^(?:python[\d.]*\s+-m\s+)?(?:uv\s+)?pip[\d.]*\s+install\b(?P<rest>.*)$")
_TOOL_INSTALL = re.compile(
    r"^(?P<tool>uv|poetry|pipenv|pdm)\s+(?P<verb>sync|install)\b(?P<rest>.*)$"
)
_REQUIREMENT_FILE = re.compile(r"(?:^|\s)(?:-r|--requirement)[=\s]*(?P<file>[^\s]+)")
#: pip options that hold the install to exact versions whatever the file says.
_HELD = re.compile(r"(?:^|\s)(?:-c|--constraint|--require-hashes)\b")
_PROJECT = re.compile(r"(?:^|\s)(?:-e\s+|--editable\s+)?(?:\.|\./|\.\[[\w,-]+\])(?=\s|$)")


@dataclass(frozen=True)
class LockedInstallParams:
    label: str = "the image installs"


def _copied(instructions: list[Instruction]) -> tuple[set[str], bool]:
    """The names of the files COPY or ADD bring in, and whether one copies a whole folder."""
    names: set[str] = set()
    everything = False
    for instruction in instructions:
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        parts = [p for p in _words(instruction.arguments).split() if not p.startswith("--")]
        for part in parts[:-1]:
            name = PurePosixPath(part).name
            if part in (".", "./", "*") or part.endswith("/") or "." not in name:
                everything = True  # a folder (`COPY domains/api /app/domains/api`) and all in it
            names.add(name)
    return names, everything


def _brought_in(lock: str, copied: set[str], everything: bool) -> bool:
    """Whether a COPY brought the lock file in (`COPY pyproject.toml poetry.lock* ./`)."""
    return everything or any(fnmatch.fnmatchcase(lock, name) for name in copied)


def _requirements_pinned(view: _Repo, dockerfile: str, reference: str) -> tuple[str, bool] | None:
    """The repository's requirements file an install names (with the first of its runtime
    dependencies that are not pinned), and whether every one is pinned (None when no such
    file is found)."""
    name = PurePosixPath(reference).name
    here = posixpath.dirname(dockerfile)
    candidates = sorted(
        (p for p in view.entries if PurePosixPath(p).name == name),
        key=lambda p: (not p.startswith(here + "/") if here else False, p.count("/"), p),
    )
    if not candidates:
        return None
    path = candidates[0]
    source = view.source(path)
    text = source.text or ""
    if re.search(
        r"(?im)^#.*(autogenerated by pip-compile|uv pip compile|autogenerated by uv|poetry export)",
        text,
    ):
        return path, True
    runtime = [d for d in source.dependencies if d.group == "runtime"]
    loose = [d.name for d in runtime if not d.pinned]
    if loose:
        more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
        return f"{path} ({', '.join(loose[:3])}{more} not pinned)", False
    return path, bool(runtime)


@repo_detector(params=LockedInstallParams)
def image_installs_locked(repo: Repository, params: LockedInstallParams) -> Detection:
    """For each Dockerfile of an image the repository ships, every command that installs
    the project's Python dependencies: from a lock (uv, Poetry, Pipenv or PDM with its
    lock file copied in, `uv sync --frozen`, `pipenv install --deploy`, a compiled or fully
    pinned requirements file, pip held by constraints or hashes) or not (a requirements
    file of ranges, `pip install .` of a project whose ranges resolve anew, `uv sync` of a
    pyproject.toml copied without its uv.lock). Inapplicable when no image installs any."""
    view = _view(repo)
    matches: list[Evidence] = []
    gaps: list[Evidence] = []
    dockerfiles = sorted({image.path for image in shipped_images(repo)})
    for path in dockerfiles:
        source = view.source(path)
        dockerfile = source.dockerfile
        if dockerfile is None:
            continue
        seen: list[Instruction] = []
        exported = pinned_before = False
        for instruction in dockerfile.instructions:
            seen.append(instruction)
            if instruction.keyword != "RUN":
                continue
            copied, everything = _copied(seen)
            for command in commands(instruction.arguments):
                command = re.sub(r"^(?:sudo\s+)?", "", command.strip())
                verdict = _install_verdict(
                    view, path, command, copied, everything, exported, pinned_before
                )
                if re.match(r"^poetry\s+export\b", command):
                    exported = True
                if verdict is None:
                    continue
                locked, what = verdict
                pinned_before = pinned_before or locked
                where = Location(path, instruction.line)
                snippet = source.snippet(instruction.line)
                if locked:
                    matches.append(Evidence(where, f"{params.label} {what}", snippet))
                else:
                    gaps.append(Evidence(where, f"{params.label} {what}", snippet, missing=True))
    if not matches and not gaps:
        return Detection(inapplicable="no image the repository ships installs Python dependencies")
    return Detection(tuple(matches), tuple(gaps))


def _install_verdict(
    view: _Repo,
    dockerfile: str,
    command: str,
    copied: set[str],
    everything: bool,
    exported: bool,
    pinned_before: bool = False,
) -> tuple[bool, str] | None:
    """(locked, what it installs) for a command that installs the project's dependencies;
    None for any other command (and for installs of named tools: `pip install uv`)."""
    tool = _TOOL_INSTALL.match(command)
    if tool is not None:
        name, verb, rest = tool.group("tool"), tool.group("verb"), tool.group("rest")
        lock = _LOCKS[name]
        if name == "uv" and verb == "install":
            return None  # not a uv command that installs a project
        if re.search(r"--(frozen|locked|deploy|ignore-pipfile)\b", rest) or (
            name == "pipenv" and verb == "sync"
        ):
            return True, f"from {lock} ({command})"
        if _brought_in(lock, copied, everything):
            return True, f"from {lock} ({command})"
        return False, (
            f"with `{clip(command, 50)}`, but {lock} is not copied into the image: "
            "the versions are resolved anew at every build"
        )
    pip = _PIP.match(command)
    if pip is None:
        return None
    rest = pip.group("rest")
    if re.search(r"(?:^|\s)--no-deps\b", rest):
        return None  # the project alone, its dependencies installed before
    if _HELD.search(rest):
        return True, f"with pinned constraints ({clip(command, 60)})"
    files = [m.group("file") for m in _REQUIREMENT_FILE.finditer(rest)]
    if files:
        judged = [
            j for f in files if "$" not in f and (j := _requirements_pinned(view, dockerfile, f))
        ]
        if not judged:
            return None
        if exported or all(pinned for _, pinned in judged):
            return True, f"from pinned requirements ({', '.join(p for p, _ in judged)})"
        loose = ", ".join(p for p, pinned in judged if not pinned)
        return False, f"from {loose}: each build resolves those versions anew"
    if _PROJECT.search(rest):
        if pinned_before:
            return (
                True,
                f"the project over pinned dependencies installed before ({clip(command, 50)})",
            )
        declared = _requirements_pinned(view, dockerfile, "pyproject.toml")
        if declared is not None and declared[1]:
            return True, f"the project, whose dependencies {declared[0]} pins ({clip(command, 50)})"
        return False, (
            f"the project itself (`{clip(command, 50)}`), resolving its declared ranges "
            "anew instead of installing from a lock"
        )
    return None
