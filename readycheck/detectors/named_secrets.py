"""Secrets written out as literal values, recognised by the name they are given.

Credentials of a known format (AWS keys, GitHub tokens) are found by text
patterns wherever they are, a Dockerfile's ENV and ARG by docker.py, and
Python's `password = "..."` by bandit (B105-B107). What remains is a value
whose name says it is a secret and which is then written out:

* in deployment and CI configuration: `DB_PASSWORD: hunter2` in a container's
  env, a compose service's environment, a workflow's env or a step's inputs, CI
  variables, a ConfigMap, or a Kubernetes Secret committed with its data
  (kube-linter's env-var-secret and checkov's CKV_K8S_35 look for the same);
* in Python, the keys bandit's password words miss: `api_key = "..."`,
  `os.environ["WANDB_API_KEY"] = "..."`, `OpenAI(api_key="...")`.

A value is a reference, not a secret, when it substitutes a variable (`${...}`,
`$(...)`, `${{ secrets.X }}`, `$CI_JOB_TOKEN`), is a template (`{{ .Values.x }}`),
a placeholder (`<your token>`), a path (`/run/secrets/db`), the name or path of a secret
in a store (`project/ml/deploy`, an AWS Secrets Manager ARN), a flag or a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import (
    PLAIN_URL,
    PYTHON_KINDS,
    SECRET_PATH,
    STRUCTURED_KINDS,
    is_ci_definition,
    line_of,
)
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, Location
from readycheck.parsers.helm import PLACEHOLDER
from readycheck.workspace import SourceFile

#: Keys whose value is a set of environment variables or inputs: Kubernetes `env`,
#: compose and CircleCI `environment`, GitHub Actions `env` and step `with`, GitLab,
#: Azure Pipelines and CodeBuild `variables`.
_ENVIRONMENT_KEYS = frozenset({"env", "environment", "variables", "with"})
_NOT_SECRET_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})
#: A value that says it is a stand-in (`test-secret-key`, `dummy`, `changeme`): what a
#: CI test job or a local compose file sets so the service starts; nothing it protects.
_STAND_IN = re.compile(
    r"(?i)^(?:test|testing|dummy|fake|example|sample|placeholder|changeme|change[-_]me|local|dev|"
    r"development|mock|ci)(?:[-_.][a-z0-9]+)*$|^[a-z0-9]+(?:[-_](?:test|dummy|fake|example|"
    r"placeholder|local|dev|ci))+$|(?:^|[-_])(?:test|dummy|fake|example|changeme)[-_]"
    r"|(?:^|[-_])change[-_]?me$"
)
_REFERENCE = re.compile(r"[$<>{}]|^(?:/|\./|~/|file:|urn:)")
#: A value that tells the reader what to put there (`REPLACE_WITH_DB_PASSWORD`,
#: `your-api-key-here`, `changeme-set-a-strong-password`, `TODO`): a template's
#: instruction, anywhere, not a secret (a bare `changeme` may well be deployed).
_INSTRUCTION = re.compile(
    r"(?i)^(?:replace|insert|enter|fill|put|set)[-_ ](?:with|me|in|your|this)(?:[-_ ]|$)"
    r"|^your[-_]|[-_]here$|^(?:todo|tbd|fixme)(?:[-_:]|$)|^change[-_]?me[-_]\w"
)
#: One character repeated after a key's prefix (`sk-0000000000`, `xxxxxxxx`): a dummy
#: shaped like a key so that a client starts, which no generated secret is.
_REPEATED = re.compile(r"^(?:[A-Za-z]{1,5}[-_])?(.)\1{5,}$")
#: A marker made of words (`MAJOR_STRING_TOKEN: "bump:major"`, a release tool's commit
#: tag): lowercase words joined by colons, which no generated secret is.
_MARKER = re.compile(r"^[a-z]+(?::[a-z]+)+$")
#: The credentials an image documents as its own defaults (MinIO's `minioadmin`, the
#: postgres image's `postgres`, RabbitMQ's `guest`, Grafana's `admin`): in a compose file
#: or a CI job they start or reach a local stack and guard nothing not already public.
_IMAGE_DEFAULTS = frozenset({"minioadmin", "postgres", "guest", "neo4j", "admin"})


@dataclass(frozen=True)
class ConfigSecretParams:
    #: A variable name that announces a secret. The word ends the name, so that
    #: `DB_PASSWORD` counts and `SECRET_NAME` (which names a Secret object) or
    #: `PASSWORD_FILE` (a path to one) do not.
    names: str = field(
        default=(
            r"(?i)(?:password|passwd|secret|token|api[_-]?key|access[_-]?key"
            r"|private[_-]?key|secret[_-]?key|auth[_-]?key)$"
        ),
        metadata=REGEX,
    )
    label: str = "secret set to a literal value"


def _literal(value: Any) -> str | None:
    """The value as text when it is written out in the file, None when it is a reference,
    a flag, a count or too short to be a secret."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    if (
        len(text) < 4
        or text.isdigit()
        or text.lower() in _NOT_SECRET_WORDS
        or any(c.isspace() for c in text)
        or _REFERENCE.search(text)
        or SECRET_PATH.match(text)
        or PLAIN_URL.match(text)
        or text == PLACEHOLDER  # what a Helm template computes (`b64enc`, `include`)
        or _MARKER.match(text)
        or _REPEATED.match(text)
        or _INSTRUCTION.search(text)
    ):
        return None
    return text


def _variables(node: Any) -> Iterator[tuple[str, Any, int | None]]:
    """(name, value, line) for each variable of an env-like block, whatever its shape:
    a mapping (`NAME: value`, GitLab's `NAME: {value: ...}`), a list of `{name, value}`
    (Kubernetes, Azure Pipelines) or of `NAME=value` strings (compose)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, dict) and "value" in value:
                yield str(name), value["value"], line_of(value, "value")
            else:
                yield str(name), value, line_of(node, name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict) and "name" in item and "value" in item:
                yield str(item["name"]), item["value"], line_of(item, "value")
            elif isinstance(item, str) and "=" in item:
                name, _, value = item.partition("=")
                yield name.strip(), value, line_of(node, index)


def _shared_values(variables: list[tuple[str, Any, int | None]], secret_name: Matcher) -> set[str]:
    """Literal values given both to a credential that names an account and to one that
    proves it, in one block."""
    names_by_value: dict[str, set[str]] = {}
    for name, value, _line in variables:
        literal = _literal(value)
        if literal is not None and (secret_name.search(name) or _IDENTIFIES.search(name)):
            names_by_value.setdefault(literal, set()).add(name)
    return {
        value
        for value, names in names_by_value.items()
        if any(_IDENTIFIES.search(n) for n in names)
        and not all(_IDENTIFIES.search(n) for n in names)
    }


#: Variables that name an account rather than prove it: `AWS_ACCESS_KEY_ID`, `CLIENT_ID`,
#: `POSTGRES_USER`, `KHOJ_ADMIN_EMAIL`.
_IDENTIFIES = re.compile(r"(?i)(_|^)(key_?id|client_?id|account(_?id)?|user(name)?|login|email)$")


def _service_values(node: Any, path: tuple[str, ...] = ()) -> set[str]:
    """The literal values a CI job gives the services it starts beside the tests: a step
    that connects with the same password uses the throwaway database's own credential."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                key in _ENVIRONMENT_KEYS
                and isinstance(value, dict | list)
                and _throwaway_service(path, node)
            ):
                found.update(v for _n, raw, _l in _variables(value) if (v := _literal(raw)))
            else:
                found |= _service_values(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            found |= _service_values(item, path)
    return found


def _throwaway_service(path: tuple[str, ...], owner: dict[Any, Any]) -> bool:
    """Whether an env block configures a database CI starts beside the tests (GitHub
    Actions `jobs.*.services.*.env`, CircleCI `jobs.*.docker[].environment`, a GitLab
    job or pipeline with a `services:` list): its password lives as long as the job."""
    if "jobs" in path and ("services" in path or "docker" in path):
        return True
    return isinstance(owner.get("services"), list)


_LOOPBACK = ("127.0.0.1:", "localhost:", "[::1]:", "::1:")


def _published_on_loopback_only(service: dict[Any, Any]) -> bool:
    """Whether a compose service publishes its ports on the loopback interface only
    (`"127.0.0.1:5432:5432"`): a developer's local dependency that no other machine can
    reach, whose password guards nothing on the network."""
    ports = service.get("ports")
    if not isinstance(ports, list) or not ports:
        return False
    for port in ports:
        if isinstance(port, dict):
            if str(port.get("host_ip", "")) not in ("127.0.0.1", "localhost", "::1"):
                return False
        elif not str(port).startswith(_LOOPBACK):
            return False
    return True


def _blocks(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(what, block) for every env-like block in a document, and the data of a Secret
    (every value a secret) or a ConfigMap (judged by name, as env is)."""
    if isinstance(node, dict):
        kind = node.get("kind")
        if kind in ("Secret", "ConfigMap") and "apiVersion" in node:
            for key in ("data", "stringData") if kind == "Secret" else ("data",):
                if isinstance(node.get(key), dict):
                    yield f"{kind}.{key}", node[key]
        for key, value in node.items():
            if (
                key in _ENVIRONMENT_KEYS
                and isinstance(value, dict | list)
                and not _throwaway_service(path, node)
                and not _published_on_loopback_only(node)
            ):
                yield str(key), value
            yield from _blocks(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _blocks(item, path)


@file_detector(*STRUCTURED_KINDS, params=ConfigSecretParams)
def config_secret(source: SourceFile, params: ConfigSecretParams) -> Iterator[Evidence]:
    """Secrets written as literal values in deployment and CI configuration: env and
    inputs whose name says secret, and the data of committed Kubernetes Secrets."""
    secret_name = Matcher(params.names)
    seen: set[tuple[int | None, str]] = set()
    # In CI, a value that says it is a stand-in (`API_KEY: test-secret-key`) is what a test
    # job sets for the length of the job; in a deployment config it would be the password.
    in_ci = is_ci_definition(source)
    for document in source.documents:
        compose = isinstance(document, dict) and isinstance(document.get("services"), dict)
        throwaway = _service_values(document) if in_ci else set()
        for what, block in _blocks(document):
            every_value = what.startswith("Secret.")
            variables = list(_variables(block))
            # one value given to an account's name and to its secret (an access key id and
            # its secret key both "Randomstr", a password that is the user's name) is a
            # placeholder: real ones never coincide
            shared = _shared_values(variables, secret_name)
            for name, value, line in variables:
                secret = _literal(value)
                if secret is None or (line, name) in seen:
                    continue
                if in_ci and (_STAND_IN.search(secret) or secret in throwaway):
                    continue  # a stand-in, or the password of a database the job starts
                if secret in shared:
                    continue
                if (compose or in_ci) and secret.lower() in _IMAGE_DEFAULTS:
                    continue  # a local stack's own default, in compose or a CI job
                if not every_value and secret_name.search(name) is None:
                    continue
                seen.add((line, name))
                yield Evidence(
                    Location(source.path, line),
                    f"{name}: {params.label} in {what}",
                    source.snippet(line, secret),
                )


@dataclass(frozen=True)
class PythonSecretParams:
    #: A name that announces a key. Words bandit already judges in names (password,
    #: token, secret) are left to it, so one literal is reported once.
    names: str = field(
        default=(
            r"(?i)(?:api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key"
            r"|subscription[_-]?key|account[_-]?key|sas[_-]?key|signing[_-]?key)$"
        ),
        metadata=REGEX,
    )
    label: str = "key hard-coded as a string"
    #: Generated keys mix letters and digits and are this long or longer; names of
    #: settings and placeholders (`"your-api-key"`) do not.
    min_length: int = 12


@file_detector(*PYTHON_KINDS, params=PythonSecretParams)
def python_secret(source: SourceFile, params: PythonSecretParams) -> Iterator[Evidence]:
    """String literals bound to a key-like name (variable, attribute, dict key, keyword
    argument, environment variable, parameter default) that look generated."""
    code = source.python
    if code is None:
        return
    from bandit.plugins.general_hardcoded_password import RE_CANDIDATES as BANDITS_NAMES

    key_name = Matcher(params.names)
    for bound in code.named_strings:
        secret = _literal(bound.value)
        if (
            secret is None
            or BANDITS_NAMES.search(bound.name) is not None  # AWS_SECRET_ACCESS_KEY: B105's
            or len(secret) < params.min_length
            or not any(c.isdigit() for c in secret)
            or not any(c.isalpha() for c in secret)
            or key_name.search(bound.name) is None
        ):
            continue
        yield Evidence(
            source.locate(bound.line),
            f"{bound.name}: {params.label}",
            source.snippet(bound.line, secret),
        )
