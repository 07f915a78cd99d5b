"""Detectors for what a team builds itself to watch its models: records it writes
(a run's parameters with its metrics, a prediction with its inputs), jobs its
configuration schedules outside CI (a Taskcluster hook, a Databricks job, an Azure ML
schedule, a serverless cron) and loops its service runs on a timer (retraining every
few hours in a background thread).

Both look at structure, not at names of tools: a dict literal whose keys are a
parameters field and a metrics field is a run record whatever writes it; a `schedule`
key holding `0 3 * * *` is a schedule whatever runs it.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import (
    PYTHON_KINDS,
    STRUCTURED_KINDS,
    callee_name,
    is_ci_definition,
    line_of,
    matches_any,
)
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, Location
from readycheck.workspace import SourceFile


@dataclass(frozen=True)
class DictKeysParams:
    #: Regular expression one key of the dict must match (whole key, any case) ...
    key: str = field(metadata=REGEX)
    #: ... and another key ...
    with_key: str = field(metadata=REGEX)
    #: ... and, when given, a third.
    and_key: str | None = field(default=None, metadata=REGEX)
    label: str = "record"
    #: Leave out dicts a function returns as they are: a response, not a record kept.
    not_returned: bool = False
    #: Only dicts handed to a call that keeps them (`registry.append({...})`,
    #: `json.dump({...}, f)`, `table.insert({...})`), the last part of its name matching this.
    kept_by: str | None = field(default=None, metadata=REGEX)


def _keys(node: ast.Dict | ast.Call) -> list[str]:
    """The literal string keys of `{...}`, or the keywords of `dict(...)`."""
    if isinstance(node, ast.Dict):
        return [
            key.value
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
    return [keyword.arg for keyword in node.keywords if keyword.arg]


def _kept(nodes: list[ast.AST], keepers: Matcher) -> set[int]:
    """The expressions passed to a call whose name's last part `keepers` matches (by
    identity)."""
    return {
        id(value)
        for node in nodes
        if isinstance(node, ast.Call) and keepers.search(callee_name(node))
        for value in (*node.args, *(keyword.value for keyword in node.keywords))
    }


@file_detector(*PYTHON_KINDS, params=DictKeysParams)
def python_dict_keys(source: SourceFile, params: DictKeysParams) -> Iterator[Evidence]:
    """Dict literals (or `dict(...)` calls) that hold a key matching each pattern: a record
    of a run (its parameters and its metrics) or of a prediction (inputs, output, time)."""
    code = source.python
    if code is None:
        return
    wanted = [Matcher(p, True) for p in (params.key, params.with_key, params.and_key) if p]
    returned = (
        {
            id(node.value)
            for node in code.nodes
            if isinstance(node, ast.Return | ast.Yield) and node.value is not None
        }
        if params.not_returned
        else set()
    )
    kept: set[int] | None = None
    for node in code.nodes:
        if id(node) in returned:
            continue
        is_dict_call = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
        )
        if not (isinstance(node, ast.Dict) or is_dict_call):
            continue
        assert isinstance(node, ast.Dict | ast.Call)
        keys = _keys(node)
        if len(keys) < len(wanted):
            continue
        found = [next((k for k in keys if matcher.fullmatch(k)), None) for matcher in wanted]
        if all(found) and params.kept_by:
            # which calls keep what they are given is asked once a record matches
            kept = kept if kept is not None else _kept(code.nodes, Matcher(params.kept_by))
            if id(node) not in kept:
                continue
        if all(found):
            shown = ", ".join(f"`{k}`" for k in found if k)
            yield Evidence(
                source.locate(node.lineno),
                f"{params.label} ({shown})",
                source.snippet(node.lineno),
            )


@dataclass(frozen=True)
class CallsTogetherParams:
    #: Resolved call names (fnmatch patterns) of which one must be called ...
    calls: tuple[str, ...]
    #: ... in a module or notebook that also calls one of these.
    with_calls: tuple[str, ...]
    label: str = "calls made together"


@file_detector(*PYTHON_KINDS, params=CallsTogetherParams)
def python_calls_together(source: SourceFile, params: CallsTogetherParams) -> Iterator[Evidence]:
    """Calls to one group of functions in a module that also calls another group: a
    client that logs a run's parameters and its metrics, which neither call shows alone
    when the client's type cannot be resolved (`client.log_metric`)."""
    code = source.python
    if code is None:
        return
    first = code.calls_matching(lambda name: matches_any(name, params.calls))
    if not first or not code.calls_matching(lambda name: matches_any(name, params.with_calls)):
        return
    ref = first[0]
    yield Evidence(
        source.locate(ref.line), f"{params.label} ({ref.name}())", source.snippet(ref.line)
    )


#: One field of a cron expression: numbers, ranges, steps, lists, `?`, `L`, `W`, `#`,
#: or a day or month name (MON-FRI, JAN).
_CRON_FIELD = r"(?:[0-9*?/,LW#-]+|[A-Za-z]{3}(?:[-,][A-Za-z]{3})*)"
_CRON = re.compile(
    r"^\s*(?:@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)"
    rf"|{_CRON_FIELD}(?:\s+{_CRON_FIELD}){{4,6}}"
    r"|(?:cron|rate)\(.+\))\s*$"
)
#: Files whose `schedule` is how often a bot looks for updates, not a job.
_NOT_JOBS = re.compile(
    r"(^|/)(\.github/dependabot\.ya?ml|renovate\.json5?|\.renovaterc(\.json5?)?)$"
)


def _github_workflow(document: Any) -> bool:
    """A GitHub Actions workflow: `on:` triggers and `jobs:` (YAML 1.1 reads `on` as True)."""
    return (
        isinstance(document, dict) and "jobs" in document and ("on" in document or True in document)
    )


def _is_cron(value: Any) -> bool:
    if not isinstance(value, str) or not _CRON.match(value):
        return False
    # at least one field is a number or `*`: "Every Day At Noon Or So" is not a schedule
    return value.strip().startswith("@") or any(c.isdigit() or c == "*" for c in value)


def _interval(value: Any) -> bool:
    """`{interval: 3600}` or `{every: 1h}` under a schedule key: a period, not a word."""
    if not isinstance(value, dict):
        return False
    for key in ("interval", "every", "period", "rate"):
        item = value.get(key)
        if isinstance(item, int | float) and not isinstance(item, bool) and item > 0:
            return True
        if isinstance(item, str) and re.fullmatch(r"\d+\s*[smhdw]|P(T?\d+[SMHDW])+", item.strip()):
            return True
    return False


def _recurrence(value: Any) -> bool:
    """An Azure ML trigger: `{type: recurrence, frequency: day, interval: 1}` or a cron type."""
    if not isinstance(value, dict):
        return False
    kind = str(value.get("type", "")).lower()
    return (kind == "recurrence" and "frequency" in value) or (
        kind == "cron" and _is_cron(value.get("expression"))
    )


def _schedules(node: Any, keys: Matcher) -> Iterator[tuple[Any, Any, str]]:
    """(parent, key, what) for every schedule in a document, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            if name.lower() == "trigger" and _recurrence(value):
                yield node, key, "recurring trigger"
                continue
            if keys.fullmatch(name):
                values = value if isinstance(value, list) else [value]
                if any(_is_cron(item) for item in values):
                    yield node, key, "cron schedule"
                    continue
                if _interval(value):
                    yield node, key, "interval schedule"
                    continue
            yield from _schedules(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from _schedules(item, keys)


@dataclass(frozen=True)
class ScheduleParams:
    #: Keys that hold a schedule (matched whole, any case).
    keys: str = field(
        default=(
            r"schedules?|cron|cron_?schedule|cron_?expression|quartz_cron_expression"
            r"|schedule_?expression|expression"
            # DAGs and triggers declared in YAML (dag-factory, Mage's triggers.yaml)
            r"|schedule_?interval"
        ),
        metadata=REGEX,
    )
    label: str = "scheduled job"


@file_detector(*STRUCTURED_KINDS, params=ScheduleParams)
def config_schedule(source: SourceFile, params: ScheduleParams) -> Iterator[Evidence]:
    """Jobs that configuration outside CI runs on a schedule: a key such as `schedule` or
    `quartz_cron_expression` holding a cron or rate expression or a period (Taskcluster
    hooks, Databricks jobs, Prefect and serverless configs, dag-factory DAGs and Mage
    triggers with their `schedule_interval`), or an Azure ML recurrence
    trigger. CI definitions are left to `ci_definition`, bots' update schedules out."""
    if _NOT_JOBS.search(source.path) or is_ci_definition(source):
        return
    keys = Matcher(params.keys, True)
    for document in source.documents:
        if _github_workflow(document):
            continue  # outside .github/workflows (a template, a copy in docs/): never runs
        for parent, key, what in _schedules(document, keys):
            line = line_of(parent, key)
            yield Evidence(
                Location(source.path, line), f"{params.label}: {what}", source.snippet(line)
            )
            return


#: The top-level sections of a Prometheus server's configuration file: Promtail and
#: other agents also have `scrape_configs`, beside sections of their own.
_PROMETHEUS_KEYS = frozenset(
    {"global", "scrape_configs", "scrape_config_files", "rule_files", "alerting",
     "remote_write", "remote_read", "storage", "tracing", "otlp", "runtime"}
)  # fmt: skip


@dataclass(frozen=True)
class UnroutedParams:
    label: str = "Prometheus evaluates alerting rules but sends their alerts to no Alertmanager"


@file_detector(*STRUCTURED_KINDS, params=UnroutedParams)
def prometheus_unrouted_alerts(source: SourceFile, params: UnroutedParams) -> Iterator[Evidence]:
    """A Prometheus server config that loads rule files (`rule_files`) but names no
    Alertmanager (`alerting.alertmanagers`): its alerts fire on a page nobody watches.
    One that loads no rule files and names no Alertmanager at all evaluates no alerting
    rule: a rules file beside it is read by nothing."""
    for document in source.documents:
        if not isinstance(document, dict):
            continue
        if "scrape_configs" not in document and "global" not in document:
            continue  # not a Prometheus server config
        if not set(document) <= _PROMETHEUS_KEYS:
            continue  # a log shipper's or agent's config (Promtail's `clients`, `positions`)
        alerting = document.get("alerting")
        managers = alerting.get("alertmanagers") if isinstance(alerting, dict) else None
        if document.get("rule_files") and not managers:
            line = line_of(document, "rule_files")
            yield Evidence(Location(source.path, line), params.label, source.snippet(line))
        elif "rule_files" not in document and alerting is None:
            line = line_of(document, "scrape_configs" if "scrape_configs" in document else "global")
            yield Evidence(
                Location(source.path, line),
                "Prometheus loads no rule files and names no Alertmanager: it raises no alert",
                source.snippet(line),
            )


#: Calls that only write a log line: a latency written to the log is a log, not a metric.
_LOGGING = ("logging.", "logger.", "log.", "_logger.", "LOGGER.", "print")
_BUILTINS = frozenset(dir(builtins))
_TIMERS = ("time.time", "time.perf_counter", "time.monotonic", "time.perf_counter_ns")


@dataclass(frozen=True)
class MiddlewareMetricsParams:
    #: Bases of a request middleware class, resolved (fnmatch patterns allowed).
    bases: tuple[str, ...] = (
        "starlette.middleware.base.BaseHTTPMiddleware",
        "*.BaseHTTPMiddleware",
    )
    #: Decorators of a request middleware function (`@app.middleware("http")`).
    decorators: tuple[str, ...] = ("*.middleware",)
    #: Names of what is recorded: a request's latency or its status.
    measures: str = field(
        default=r"(?i)(.*_)?(latency|duration|elapsed|response_time|process_time)(_\w+)?|status_code",
        metadata=REGEX,
    )
    label: str = "a middleware records each request's latency and status"


@file_detector(*PYTHON_KINDS, params=MiddlewareMetricsParams)
def middleware_metrics(source: SourceFile, params: MiddlewareMetricsParams) -> Iterator[Evidence]:
    """A request middleware of the team's own that times each request and hands the
    latency or status to something other than a logger (a metrics store, an experiment
    tracker, its own monitor): request metrics, however they are stored."""
    code = source.python
    if code is None:
        return
    measures = Matcher(params.measures)
    units: list[ast.AST] = [
        ref.node for ref in code.classes if any(matches_any(b, params.bases) for b in ref.bases)
    ]
    units += [
        ref.node
        for ref in code.functions
        if any(matches_any(d, params.decorators) for d in ref.decorators)
    ]
    for unit in units:
        calls = [n for n in ast.walk(unit) if isinstance(n, ast.Call)]
        if not any(matches_any(code.resolve(c.func), _TIMERS) for c in calls):
            continue
        for call in calls:
            name = code.resolve(call.func)
            if (
                name.startswith(_LOGGING)
                or name.split(".")[0] in {"logger", "logging", "log"}
                or name in _BUILTINS  # `str(process_time)` for a header records nothing
                # the answer it sends (`JSONResponse(status_code=429)`) records nothing
                or name.rsplit(".", 1)[-1].endswith(("Response", "HTTPException"))
            ):
                continue
            passed = [k.arg or "" for k in call.keywords] + [
                a.id for a in call.args if isinstance(a, ast.Name)
            ]
            if any(measures.fullmatch(p) for p in passed):
                line = getattr(unit, "lineno", call.lineno)
                yield Evidence(source.locate(line), params.label, source.snippet(line))
                break


@dataclass(frozen=True)
class PeriodicLoopParams:
    #: What the loop must call to be a model job (searched in the names it calls).
    work: str = field(default=r"(?i)(train|drift|monitor|evaluat|quality)", metadata=REGEX)
    label: str = "background loop that runs model work on a timer"


#: Calls that wait between rounds of a loop.
_SLEEPS = re.compile(r"(^|\.)(sleep|wait)$")
#: Calls that start a function in the background: `threading.Thread(target=f)`,
#: `asyncio.create_task(f())`, `executor.submit(f)`, `loop.run_in_executor(None, f)`.
_STARTERS = re.compile(
    r"^(Thread|Timer|create_task|ensure_future|submit|run_in_executor|start_new_thread)$"
)
_STARTER_WORDS = re.compile(
    r"Thread|Timer|create_task|ensure_future|submit|run_in_executor|start_new_thread"
)


def _started_in_background(nodes: list[ast.AST]) -> set[str]:
    """Names of the functions a module starts in a thread or a task (the last part of
    `self._loop` too): what runs beside the service, not when someone calls it."""
    started: set[str] = set()
    for node in nodes:
        if not isinstance(node, ast.Call) or not _STARTERS.search(callee_name(node)):
            continue
        for value in (*node.args, *(k.value for k in node.keywords if k.arg in (None, "target"))):
            if isinstance(value, ast.Call):
                value = value.func  # create_task(loop()) starts `loop`
            if isinstance(value, ast.Name):
                started.add(value.id)
            elif isinstance(value, ast.Attribute):
                started.add(value.attr)
    return started


@file_detector(*PYTHON_KINDS, params=PeriodicLoopParams)
def periodic_loop(source: SourceFile, params: PeriodicLoopParams) -> Iterator[Evidence]:
    """The team's own scheduler: a function started in a thread or task that loops,
    sleeps and runs model work (`while True: time.sleep(60); ... retrain()`), as a
    service retraining itself every few hours does."""
    code = source.python
    if code is None or not _STARTER_WORDS.search(source.text or ""):
        return  # nothing in the file starts a thread or a task
    started = _started_in_background(code.nodes)
    if not started:
        return
    work = Matcher(params.work)
    for function in code.functions:
        if function.name not in started:
            continue
        for loop in ast.walk(function.node):
            if not isinstance(loop, ast.While):
                continue
            called = [
                ast.unparse(inner.func) for inner in ast.walk(loop) if isinstance(inner, ast.Call)
            ]
            if any(_SLEEPS.search(name) for name in called) and any(
                work.search(name) for name in called
            ):
                yield Evidence(
                    source.locate(loop.lineno), params.label, source.snippet(loop.lineno)
                )
                break
