"""Detectors over structured documents: Kubernetes manifests, compose files,
CI definitions, alerting rules. Each target (a container, a compose service)
gets its own verdict, and the evidence points at its line."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import (
    DATABASE_IMAGES,
    LOAD_GENERATORS,
    SERVER_COMMANDS,
    STRUCTURED_KINDS,
    line_of,
    runs_platform,
)
from readycheck.detectors.parsed import share
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.parsers.helm import PLACEHOLDER
from readycheck.workspace import SourceFile

#: Objects that run containers. An Argo Rollout replaces a Deployment (same pod template at
#: spec.template.spec); one that points at a Deployment with workloadRef has no template of its own.
WORKLOAD_KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
    "Job",
    "CronJob",
    "Pod",
)
#: Where each kind keeps its pod specs. A KServe InferenceService's predictor, transformer
#: and explainer are each a pod spec, as is every componentSpecs[].spec of a SeldonDeployment;
#: rules that judge their containers (image pinning, security context) name them in `kinds`.
#: A KubeRay cluster runs a head pod and groups of worker pods, in a RayJob or RayService
#: as in a RayCluster of its own.
_RAY_PODS = (
    ("headGroupSpec", "template", "spec"),
    ("workerGroupSpecs", "*", "template", "spec"),
)
_POD_SPEC_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Pod": (("spec",),),
    "CronJob": (("spec", "jobTemplate", "spec", "template", "spec"),),
    "InferenceService": (("spec", "*"),),
    "SeldonDeployment": (("spec", "predictors", "*", "componentSpecs", "*", "spec"),),
    "RayCluster": tuple(("spec", *path) for path in _RAY_PODS),
    "RayJob": tuple(("spec", "rayClusterSpec", *path) for path in _RAY_PODS),
    "RayService": tuple(("spec", "rayClusterConfig", *path) for path in _RAY_PODS),
}
_DEFAULT_POD_SPEC_PATHS = (("spec", "template", "spec"),)


def kubernetes_objects(source: SourceFile) -> Iterator[dict[str, Any]]:
    """Every Kubernetes object in a file, including the items of a `kind: List`."""
    for document in source.documents:
        if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
            continue
        if document.get("kind") == "List" and isinstance(document.get("items"), list):
            yield from (item for item in document["items"] if isinstance(item, dict))
        else:
            yield document


def kind_in(obj: dict[str, Any], kinds: tuple[str, ...]) -> bool:
    """Whether an object is of one of `kinds`, each a bare kind (`Deployment`) or one
    qualified by its API group (`mlops.seldon.io/Model`, not any CRD called Model)."""
    kind = str(obj.get("kind"))
    if kind in kinds:
        return True
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return bool(group) and f"{group}/{kind}" in kinds


def pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod specs of a workload: one for a Deployment, one per component of a model server."""
    paths = _POD_SPEC_PATHS.get(str(obj.get("kind")), _DEFAULT_POD_SPEC_PATHS)
    return [
        value
        for path in paths
        for _parent, _key, value in walk(obj, path)
        if isinstance(value, dict)
    ]


def walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[Any, Any, Any]]:
    """(parent, key, value) for every value at `path`; `*` matches any key or list item."""
    if not path:
        return
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        keys = list(node) if head == "*" else [head] if head in node else []
    elif isinstance(node, list):
        keys = list(range(len(node))) if head == "*" else []
    else:
        keys = []
    for key in keys:
        value = node[key]
        if rest:
            yield from walk(value, rest)
        else:
            yield node, key, value


def split_path(path: str | None) -> tuple[str, ...]:
    return tuple(part for part in (path or "").split(".") if part)


def _object_name(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{obj.get('kind')}/{name or '?'}"


@dataclass(frozen=True)
class KubernetesParams:
    #: Object kinds to look at; workloads by default. A kind may name its API group
    #: (`mlops.seldon.io/Model`) where the bare name is too common to mean one thing.
    kinds: tuple[str, ...] = WORKLOAD_KINDS
    #: What each verdict is about: every container, every pod spec, or the object itself.
    target: Literal["container", "pod", "object"] = "container"
    #: Dotted path that must exist in the target (`resources.limits.memory`); none: the target itself counts.
    field: str | None = None
    #: Regular expression the field's value (as text) must match.
    pattern: str | None = dataclasses.field(default=None, metadata=REGEX)
    label: str = ""
    #: Judge init containers too (image pinning, security context); probes do not apply to them.
    init_containers: bool = False
    #: For containers: a field the container does not set is inherited from the pod spec
    #: (`securityContext.runAsNonRoot`), as Kubernetes does; the container's own value wins.
    pod_fallback: bool = False
    #: A field a Helm chart fills from a helper readycheck does not evaluate
    #: (`securityContext: {{- include "common.securityContext" . | nindent 12 }}`) counts as
    #: set and matching: the chart is credited with what it can deploy. Rules whose
    #: pattern finds bad values (an untagged image) set this false, so it is never a finding.
    unknown_matches: bool = True
    #: Leave out pods whose containers all run the platform around the model (a tracking
    #: server, an orchestrator, a dashboard, a database): rules about the serving
    #: containers (health probes) do not judge them.
    serving_only: bool = False
    #: Containers that are tooling beside the service, not the service: load generators,
    #: recognised by what they run (command, image or name). Their pods are not judged.
    tooling: str = dataclasses.field(
        default=rf"(?i)(^|[\s/_.-])({LOAD_GENERATORS})([\s/_.:-]|$)",
        metadata=REGEX,
    )
    #: The field's value is an image reference, which the `images` entries of the
    #: kustomizations building the file rewrite (`newName`, `newTag`, `digest`): the
    #: pattern is applied to what ships, `image: trainer` in a base that an overlay pins
    #: being `trainer:2.3.1`. Where overlays rewrite it differently, any form may match.
    image_field: bool = False


def _runs(container: dict[str, Any]) -> str:
    """What a container is and runs, as one text: its name, image, command and arguments."""
    parts = [container.get("name"), container.get("image")]
    for key in ("command", "args"):
        value = container.get(key)
        parts.extend(value if isinstance(value, list) else [value])
    return " ".join(str(p) for p in parts if isinstance(p, str | int))


def _all_containers_run(spec: dict[str, Any], runs: Callable[[str], bool]) -> bool:
    """Whether a pod has containers and each runs what `runs` recognises in its text."""
    listed = spec.get("containers")
    containers = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    return bool(containers) and all(runs(_runs(c)) for c in containers)


def _is_tooling(spec: dict[str, Any], tooling: Matcher) -> bool:
    """A pod whose containers are all tooling (a Locust master and its workers)."""
    return _all_containers_run(spec, lambda text: tooling.search(text) is not None)


def _is_platform(spec: dict[str, Any]) -> bool:
    """A pod whose containers all run the platform around the model."""
    return _all_containers_run(spec, runs_platform)


#: What a background worker runs: a task queue's worker, a stream consumer, an ingestion job.
_WORKER = re.compile(
    r"(?i)(^|[\s/_.-])(celery\W+(-A\W+\S+\W+)?worker|rq\W+worker|dramatiq|huey_consumer"
    r"|consumers?|workers?|ingest\w*|stream_job)([\s/_.:-]|$)"
)


def _is_worker(spec: dict[str, Any]) -> bool:
    """A pod whose containers are all background workers that listen on no port (a
    Celery worker, a Kafka consumer): nothing sends them requests to be ready for."""
    listed = spec.get("containers")
    containers = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    return bool(containers) and all(
        not c.get("ports")
        and _WORKER.search(_runs(c)) is not None
        and SERVER_COMMANDS.search(_runs(c)) is None
        for c in containers
    )


def _targets(
    obj: dict[str, Any], target: str, init_containers: bool = False
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """(name, target, the pod spec it is in) for each target of an object."""
    if target == "object":
        yield _object_name(obj), obj, None
        return
    for spec in pod_specs(obj):
        if target == "pod":
            yield _object_name(obj), spec, spec
            continue
        groups = [("container", spec.get("containers"))]
        if init_containers:
            groups.append(("init container", spec.get("initContainers")))
        for what, containers in groups:
            if not isinstance(containers, list):
                continue
            for container in containers:
                if isinstance(container, dict):
                    name = f"{what} {container.get('name', '?')} in {_object_name(obj)}"
                    yield name, container, spec


@file_detector(*STRUCTURED_KINDS, params=KubernetesParams)
def k8s_field(source: SourceFile, params: KubernetesParams) -> Iterator[Evidence]:
    """For each Kubernetes container, pod spec or object of the given kinds:
    whether a field is set (and matches a pattern). Missing fields are gaps, except in a
    Kustomize overlay's patch: it holds only what it changes, the rest comes from its base."""
    regex = Matcher(params.pattern) if params.pattern else None
    overlay = source.kustomize
    rewrite = overlay.rewritten if params.image_field else _as_is
    tooling = Matcher(params.tooling)
    path = split_path(params.field)
    label = params.label or params.field or "present"
    for obj in kubernetes_objects(source):
        if not kind_in(obj, params.kinds):
            continue
        if any(_is_tooling(spec, tooling) for spec in pod_specs(obj)):
            continue  # a load generator's Deployment is not the service's workload
        if params.serving_only and any(
            _is_platform(spec) or _is_worker(spec) for spec in pod_specs(obj)
        ):
            continue  # an MLflow server's, Airflow's or a queue worker's serves no predictions
        fallback = params.pod_fallback and params.target == "container"
        for name, target, spec in _targets(obj, params.target, params.init_containers):
            hits = list(walk(target, path)) if path else [(None, None, target)]
            unknown = _unknown_along(target, path)
            if not hits and not unknown and fallback and spec is not None:
                hits = list(walk(spec, path))
                unknown = _unknown_along(spec, path)
            good = [
                h
                for h in hits
                if _set(h[2])
                and not _unknown(h[2])
                and (regex is None or any(regex.search(v) for v in rewrite(str(h[2]))))
            ]
            if not good and unknown:
                if params.unknown_matches:
                    parent, key, _value = unknown[0]
                    line = line_of(parent, key)
                    yield Evidence(
                        Location(source.path, line),
                        f"{name}: {label} (set by a Helm template readycheck does not evaluate)",
                        source.snippet(line),
                    )
                continue
            if good:
                parent, key, _value = good[0]
                line = line_of(parent, key) if parent is not None else line_of(target)
                yield Evidence(
                    Location(source.path, line), f"{name}: {label}", source.snippet(line)
                )
            elif overlay.is_patch and not any(_set(h[2]) for h in hits):
                continue  # the patch leaves the field to the base it is merged onto
            else:
                line = line_of(target)
                yield Evidence(
                    Location(source.path, line),
                    f"{name}: no {label}",
                    source.snippet(line),
                    missing=True,
                )


def _as_is(value: str) -> tuple[str, ...]:
    return (value,)


def _set(value: Any) -> bool:
    """Whether a field holds something: `resources: {limits: {}}` sets no limits."""
    return value is not None and value != {} and value != [] and value != ""


def _unknown(value: Any) -> bool:
    """A value a Helm template wrote that readycheck could not evaluate (parsers/helm.py)."""
    return value == PLACEHOLDER or (isinstance(value, dict) and PLACEHOLDER in value)


def _unknown_along(target: Any, path: tuple[str, ...]) -> list[tuple[Any, Any, Any]]:
    """Where a path runs into (or ends on) what a Helm template wrote that readycheck could
    not evaluate (`securityContext: {{- include ... }}`), as walk() hits; [] if nowhere."""
    for depth in range(len(path) + 1 if path else 0):
        nodes = [(None, None, target)] if depth == 0 else list(walk(target, path[:depth]))
        for parent, key, value in nodes:
            if _unknown(value):
                return (
                    [(parent, key, value)] if parent is not None else [(value, PLACEHOLDER, value)]
                )
    return []


@dataclass(frozen=True)
class YamlPathParams:
    #: Dotted path that must exist, `*` matching any key or item: `groups.*.rules.*.alert`.
    key: str
    #: Dotted path selecting the targets, each judged on its own: `services.*` for compose.
    each: str | None = None
    label: str = ""
    #: Regular expression a value at the path must match whole (`S` among ruff's
    #: selected rules); none: the path existing is enough.
    value: str | None = dataclasses.field(default=None, metadata=REGEX)


@file_detector(*STRUCTURED_KINDS, FileKind.TOML, params=YamlPathParams)
def yaml_path(source: SourceFile, params: YamlPathParams) -> Iterator[Evidence]:
    """Whether a key path exists in YAML/JSON/TOML documents, per target when `each` is given."""
    key_path = split_path(params.key)
    label = params.label or params.key
    for document in source.documents:
        if params.each:
            targets = [
                (str(key), value, line_of(parent, key))
                for parent, key, value in walk(document, split_path(params.each))
            ]
        else:
            targets = [("", document, line_of(document))]
        wanted = Matcher(params.value) if params.value else None
        for name, target, target_line in targets:
            hits = [
                hit
                for hit in walk(target, key_path)
                if wanted is None or (isinstance(hit[2], str) and wanted.fullmatch(hit[2]))
            ]
            prefix = f"{name}: " if name else ""
            if hits:
                parent, key, _value = hits[0]
                line = line_of(parent, key)
                yield Evidence(
                    Location(source.path, line), f"{prefix}{label}", source.snippet(line)
                )
            elif params.each:
                line = target_line
                yield Evidence(
                    Location(source.path, line),
                    f"{prefix}no {label}",
                    source.snippet(line),
                    missing=True,
                )


_COMPOSE_NOTEBOOK = re.compile(r"\bjupyter\b|\bnotebook\b|\btensorboard\b|\bmlflow\W+(server|ui)\b")


def compose_services(document: Any) -> dict[str, dict[str, Any]]:
    """The services of a compose file, recognised by content (a `services` mapping whose
    entries run an image or build one), whatever the file is called."""
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        return {}
    found = {str(k): v for k, v in services.items() if isinstance(v, dict)}
    if not found or not all(
        {"image", "build", "extends"} & set(v) or "<<" in v for v in found.values()
    ):
        return {}
    return found


def _compose_command(service: dict[str, Any]) -> str:
    parts = [service.get("entrypoint"), service.get("command")]
    return " ".join(
        " ".join(map(str, p)) if isinstance(p, list) else str(p) for p in parts if p is not None
    )


#: A server run with auto-reload (`uvicorn ... --reload`, `flask run --debug`).
_AUTO_RELOAD = re.compile(r"--reload\b|\bflask\b.*--debug\b")
#: A container kept alive to be worked in (`tail -f /dev/null`, `sleep infinity`): a
#: developer shell into the code, serving nothing until someone starts a server by hand.
_IDLE = re.compile(r"\btail\s+-f\s+/dev/null\b|\bsleep\s+(infinity|inf)\b")


def serves_in_compose(service: dict[str, Any]) -> bool:
    """Whether a compose service runs the repository's own service: it builds the image
    and publishes a port, or starts a web or model server; a database, a tracker or a
    notebook pulled as an image is not it."""
    command = _compose_command(service)
    if _COMPOSE_NOTEBOOK.search(command):
        return False
    if _AUTO_RELOAD.search(command) or _IDLE.search(command):
        return False  # a development stack: the server restarts on every edit, or none runs
    image = service.get("image")
    if isinstance(image, str) and DATABASE_IMAGES.search(image):
        return False  # a database image, even one built with its init scripts added
    build = service.get("build")
    built_from = " ".join(
        str(v)
        for v in (build.values() if isinstance(build, dict) else [build])
        if isinstance(v, str)
    )
    if runs_platform(f"{image if isinstance(image, str) else ''} {command} {built_from}"):
        return False  # Airflow's webserver, an MLflow tracking server: the platform around it
    if SERVER_COMMANDS.search(command):
        return True
    return "build" in service and bool(service.get("ports") or service.get("expose"))


@dataclass(frozen=True)
class ComposeParams:
    #: Dotted path that must exist in each judged service: `healthcheck`, `deploy.resources.limits`.
    key: str
    label: str = ""
    #: Judge only the services that run the repository's own service (see serves_in_compose).
    serving_only: bool = True


@file_detector(FileKind.YAML, params=ComposeParams)
def compose_service(source: SourceFile, params: ComposeParams) -> Iterator[Evidence]:
    """For each service of a compose file (the serving ones by default): whether a key is set."""
    path = split_path(params.key)
    label = params.label or params.key
    if any(compose_services(document) for document in source.documents):
        share(source)  # detectors.images reads which services build which image
    for document in source.documents:
        services = compose_services(document)
        for name, service in services.items():
            if params.serving_only and not serves_in_compose(service):
                continue
            # `healthcheck: {disable: true}` turns off the check the image declares
            hits = [
                hit
                for hit in walk(service, path)
                if not (isinstance(hit[2], dict) and hit[2].get("disable") is True)
            ]
            parent_services = document["services"]
            if hits:
                parent, key, _value = hits[0]
                line = line_of(parent, key)
                yield Evidence(
                    Location(source.path, line), f"{name}: {label}", source.snippet(line)
                )
            else:
                line = line_of(parent_services, name)
                yield Evidence(
                    Location(source.path, line),
                    f"{name}: no {label}",
                    source.snippet(line),
                    missing=True,
                )
