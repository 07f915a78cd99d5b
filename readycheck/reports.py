"""Reading readycheck JSON reports back in: the portfolio's input.

Report files come from other machines (each repository's CI uploads its own), so
they are untrusted like a scanned repository: each is size-limited, parsed, and
checked against the report schema before anything reads it. A file that fails is
rejected with its path and the first error, and the others go on.

Validation uses the same schema file the report is written against. jsonschema
walks a 100-rule report in about 40 ms, which made a portfolio of 500 reports
take 20 s; fastjsonschema compiles the schema once into a checker that takes
about 4 ms. jsonschema still writes the message when a report fails, so the
error names the field as everywhere else in readycheck.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from readycheck.pools import interrupts_held, worker_pool
from readycheck.portfolio import Rejected, newest_version

#: Larger files are not reports readycheck wrote (the largest real one seen is ~1 MB).
MAX_REPORT_BYTES = 32 * 1024 * 1024
#: The report schema's major version this readycheck reads.
READS_MAJOR = "2"


@dataclass(frozen=True)
class Loaded:
    """The reports that validated, as (source, report) pairs, and those rejected."""

    reports: tuple[tuple[str, Mapping[str, Any]], ...]
    rejected: tuple[Rejected, ...]


@functools.cache
def _schema() -> dict[str, Any]:
    text = (resources.files("readycheck") / "schemas" / "report.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _checker() -> Callable[[Any], Any]:
    return fastjsonschema.compile(_schema())


def report_files(paths: Iterable[Path]) -> tuple[list[Path], list[Rejected]]:
    """The report files named, and every `*.json` below the folders named (sorted, so a
    portfolio does not depend on the order a file system lists them). Symbolic links
    inside the folders are not followed: an artefact folder is data, not a map."""
    files: list[Path] = []
    missing: list[Rejected] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*.json") if p.is_file() and not p.is_symlink())
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Rejected(str(path), "no such file or folder"))
    return files, missing


def validate(report: Any) -> str | None:
    """None when `report` is a readycheck report this version reads, else the first error."""
    if not isinstance(report, dict):
        return "not a readycheck JSON report (the top level is not an object)"
    version = report.get("schema_version")
    if isinstance(version, str) and version.split(".")[0] != READS_MAJOR:
        return (
            f"report schema version {version} is not one this readycheck reads "
            f"({READS_MAJOR}.x): scan the repository again with this version"
        )
    try:
        _checker()(report)
    except fastjsonschema.JsonSchemaException:
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(_schema()).iter_errors(report)
        )
        if error is None:  # the two validators disagree; trust the stricter one's word
            return "does not match the readycheck report schema"
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        return f"does not match the report schema at {where}: {error.message[:300]}"
    return None


def load(path: Path) -> Mapping[str, Any] | Rejected:
    """One report file, parsed and validated, or why it is rejected."""
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            return Rejected(str(path), f"too large for a report ({size} bytes)")
        data = json.loads(path.read_bytes())
    except OSError as error:
        return Rejected(str(path), f"cannot be read: {error.strerror or error}")
    except (ValueError, RecursionError) as error:
        return Rejected(str(path), f"not valid JSON: {str(error)[:200]}")
    problem = validate(data)
    if problem is not None:
        return Rejected(str(path), problem)
    report: Mapping[str, Any] = data
    return report


#: What the portfolio reads of each rule's verdict; the rest (findings, why, references,
#: all but the first located evidence) is dropped once the report has validated.
_RESULT_FIELDS = (
    "rule_id",
    "title",
    "pillar",
    "severity",
    "type",
    "status",
    "basis",
    "gain",
    "fix",
)
#: Below this many files, loading them in worker processes costs more than it saves.
_PARALLEL_FROM = 64


def summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """A validated report cut to what a portfolio reads: a tenth of its memory, and
    cheap to send back from a worker process."""
    results = []
    for result in report["results"]:
        kept = {key: result.get(key) for key in _RESULT_FIELDS}
        located = [e for e in result.get("evidence") or () if e.get("location")]
        kept["evidence"] = located[:1] or list(result.get("evidence") or ())[:1]
        results.append(kept)
    return {
        **{k: v for k, v in report.items() if k not in ("results", "warnings")},
        "results": results,
    }


def _load_summary(path: Path) -> Mapping[str, Any] | Rejected:
    loaded = load(path)
    return loaded if isinstance(loaded, Rejected) else summary(loaded)


def load_all(paths: Sequence[Path], workers: int = 1) -> Loaded:
    """Every report under `paths`, validated and cut to what a portfolio reads; those
    that fail are rejected, not fatal. Many files are read on `workers` processes
    (parsing and checking 500 reports is most of a portfolio's time)."""
    files, rejected = report_files(paths)
    if workers > 1 and len(files) >= _PARALLEL_FROM:
        with worker_pool(workers) as pool:
            with interrupts_held():
                loading = pool.map(_load_summary, files, chunksize=16)
            outcomes = list(loading)
    else:
        outcomes = [_load_summary(file) for file in files]
    reports: list[tuple[str, Mapping[str, Any]]] = []
    for file, loaded in zip(files, outcomes, strict=True):
        if isinstance(loaded, Rejected):
            rejected.append(loaded)
        else:
            reports.append((str(file), loaded))
    return Loaded(tuple(reports), tuple(rejected))


def one_rulebook(
    reports: Sequence[tuple[str, Mapping[str, Any]]], allow_mixed: bool
) -> tuple[list[tuple[str, Mapping[str, Any]]], list[Rejected], list[str]]:
    """Scores made with different rulebooks are not comparable, so by default the
    portfolio keeps the reports of the newest rulebook present and rejects the others,
    saying which version they need. With `allow_mixed` they are merged under a rule the
    portfolio states: each repository keeps the score its own rulebook gave, and
    practices are compared by rule id, so a rule one rulebook lacks is simply not
    counted for the repositories scanned with it."""
    versions = sorted({str(r["rulebook"]["version"]) for _, r in reports})
    if len(versions) <= 1:
        return list(reports), [], []
    newest = newest_version(versions)
    if allow_mixed:
        note = (
            f"Reports from rulebooks {', '.join(versions)} are merged: each repository keeps "
            "the score its own rulebook gave, and practices are compared by rule id (a rule "
            "a rulebook lacks is not counted for the repositories scanned with it)."
        )
        return list(reports), [], [note]
    kept, rejected = [], []
    for source, report in reports:
        version = str(report["rulebook"]["version"])
        if version == newest:
            kept.append((source, report))
        else:
            rejected.append(
                Rejected(
                    source,
                    f"scanned with rulebook {version}, the portfolio's is {newest}: scan it "
                    "again, or pass --mixed-rulebooks to merge them",
                )
            )
    return kept, rejected, []
