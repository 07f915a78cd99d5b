"""The scan, end to end: configure, discover, analyse each file, evaluate, then apply
suppressions, baseline and diff, score, and judge the gate.

Renderers take the Report this returns; nothing here prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from readycheck import (
    __version__,
    baseline,
    checklist,
    diff,
    duplicates,
    fingerprints,
    gate,
    mltestscore,
    policy,
    redact,
    runner,
    score,
    selection,
    suppress,
    vendored,
)
from readycheck.analyze import CallPlan, analysis_context, file_calls
from readycheck.cache import AnalysisCache
from readycheck.config import Config, find_config, load_config
from readycheck.discover import DEFAULT_MAX_FILE_SIZE, DiscoveryOptions, discover
from readycheck.errors import ConfigError
from readycheck.evaluate import Evaluator
from readycheck.model import (
    Evidence,
    FileEntry,
    FileKind,
    PolicyChange,
    Report,
    Role,
    RuleResult,
    ScanWarning,
    TargetInfo,
)
from readycheck.parsers.git import open_repository
from readycheck.rulebook import Rulebook, customise, load_rulebook
from readycheck.workspace import CodeSummary, Repository

T = TypeVar("T")


@dataclass(frozen=True)
class AtCommit:
    """The scanned folder holds a past commit's files (exported by `trend`); this says
    which repository folder and commit they came from, so the git-history rules read
    history as of that commit and the report names the repository, not the export."""

    repository: Path
    revision: str
    #: The exported files, relative to the scanned folder: all tracked at that commit.
    tracked: frozenset[str] = frozenset()
    #: The analyses of the commit scanned before, reused for files whose blobs are the same.
    memo: runner.CommitMemo | None = None


@dataclass(frozen=True)
class ScanOptions:
    """What the command line asks for; None means "use the config file, else the default"."""

    path: Path
    rulebook_paths: tuple[Path, ...] = ()
    config_path: Path | None = None
    use_repository_config: bool = True
    max_file_size: int | None = None
    exclude: tuple[str, ...] = field(default=())
    inline_ignores: bool | None = None
    baseline: Path | None = None
    since: str | None = None
    gate: gate.GateOptions = field(default_factory=gate.GateOptions)
    #: Where the incremental cache lives; None: no cache.
    cache_dir: Path | None = None
    #: Worker processes for per-file analysis; 1 runs everything in this process.
    workers: int = 1
    #: Set by `trend`: the folder is an export of this commit of this repository.
    at_commit: AtCommit | None = None
    #: --select / --ignore: rule ids, prefixes or pillar names (see readycheck.selection).
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


class Progress(Protocol):
    """What the pipeline reports while it analyses files (the CLI draws a bar from it)."""

    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def stop(self) -> None: ...


def effective_config(options: ScanOptions) -> Config:
    """--config replaces the repository's own config file; --no-config ignores it."""
    if options.config_path is not None:
        return load_config(options.config_path)
    if options.use_repository_config:
        found = find_config(options.path)
        if found is not None:
            base = options.path.resolve().relative_to(found.parent.resolve()).as_posix()
            return dataclasses.replace(load_config(found), base="" if base == "." else base)
    return Config()


def effective_rulebook(options: ScanOptions, config: Config) -> Rulebook:
    """The rulebook with the config's custom rules and overrides. With a cache, a rulebook
    checked in full once is not checked again (see load_rulebook): the cache is opened for
    that alone, and its warnings are those the analysis will report when it opens it."""
    extra = [(config.source, config.custom_rules)] if config.source and config.custom_rules else []
    paths = list(options.rulebook_paths) or None
    if options.cache_dir is None:
        return customise(load_rulebook(paths, extra), config)
    memo = AnalysisCache(options.cache_dir)
    try:
        rulebook = load_rulebook(paths, extra, memo)
    finally:
        memo.close()
    return customise(rulebook, config)


def scan(
    options: ScanOptions, rulebook: Rulebook | None = None, progress: Progress | None = None
) -> Report:
    """Scan a folder and return the full report. Raises ReadycheckError only for
    problems the user controls (path, rulebook, config, baseline, git reference);
    problems in the scanned tree become warnings in the report."""
    root = options.path
    if not root.exists():
        raise ConfigError("no such file or folder", path=str(root))
    if not root.is_dir():
        raise ConfigError("readycheck scans a folder, not a single file", path=str(root))
    config = effective_config(options)
    if rulebook is None or config.source is not None:
        rulebook = effective_rulebook(options, config)
    complete = len(rulebook.rules)
    rulebook = selection.apply(rulebook, options.select, options.ignore)
    inline_ignores = _first(options.inline_ignores, config.inline_ignores, True)

    discovery = discover(
        root,
        DiscoveryOptions(
            _first(options.max_file_size, config.max_file_size, DEFAULT_MAX_FILE_SIZE),
            exclude=options.exclude,
            roles=config.roles,
            config_exclude=config.exclude,
            config_base=config.base,
            config_source=config.source,
            tracked=options.at_commit.tracked if options.at_commit is not None else None,
        ),
    )
    warnings: list[ScanWarning] = list(discovery.warnings)
    if len(rulebook.rules) < complete:
        chosen = " ".join(
            [*(f"--select {s}" for s in options.select), *(f"--ignore {s}" for s in options.ignore)]
        )
        warnings.append(
            ScanWarning(
                "rule-selection",
                f"{len(rulebook.rules)} of {complete} rules evaluated ({chosen}): the score "
                "is that of the selection, not comparable with a full scan's",
            )
        )
    if options.at_commit is not None:
        git_info, git_warning = open_repository(
            options.at_commit.repository, options.at_commit.revision
        )
    else:
        git_info, git_warning = open_repository(discovery.root)
    if git_warning:
        warnings.append(git_warning)

    calls = file_calls(rulebook)
    context = analysis_context(calls)
    jobs = []
    plan = CallPlan(calls)
    for entry in discovery.files:
        if entry.role is Role.VENDORED:
            continue  # third-party code: no rule reads it, so nothing parses it
        wanted = plan.calls_for(entry)
        code = entry.kind in (FileKind.PYTHON, FileKind.NOTEBOOK)
        if wanted or code or (inline_ignores and entry.readable):
            jobs.append(runner.FileJob(entry, wanted))
    cache = AnalysisCache(options.cache_dir) if options.cache_dir is not None else None
    if progress is not None:
        progress.start(len(jobs))
    try:
        analyses = runner.analyze_all(
            discovery.root, jobs, inline_ignores, context,
            cache=cache, rulebook_digest=rulebook.digest, workers=options.workers,
            advance=progress.advance if progress is not None else None,
            memo=options.at_commit.memo if options.at_commit is not None else None,
        )  # fmt: skip
    finally:
        if progress is not None:
            progress.stop()
        if cache is not None:
            cache.close()
            warnings.extend(cache.warnings)

    evidence: dict[str, list[Evidence]] = defaultdict(list)
    call_errors: dict[str, str] = {}
    inline: list[suppress.InlineSuppression] = []
    summaries: dict[str, CodeSummary] = {}
    for analysis in analyses:
        warnings.extend(analysis.warnings)
        inline.extend(analysis.suppressions)
        for key, items in analysis.evidence.items():
            evidence[key].extend(items)
        for key, reason in analysis.errors.items():
            call_errors.setdefault(key, reason)
        if analysis.summary is not None:
            summaries[analysis.path] = analysis.summary

    repository = Repository(discovery.root, discovery.files, git_info, summaries)
    copied = vendored.vendored_folders(list(discovery.files), summaries, repository.read_text)
    copied += vendored.copied_charts(list(discovery.files), repository.read_text)
    if copied:
        files = vendored.mark_vendored(list(discovery.files), copied)
        repository = Repository(discovery.root, files, git_info, summaries)
    _check_kind(rulebook, config)
    evaluator = Evaluator(rulebook, repository, evidence, call_errors, config.kind)
    results = duplicates.merge(evaluator.evaluate_all(rulebook.rules))
    warnings.extend(evaluator.warnings)
    # The one boundary every output crosses: from here on (suppressions, fingerprints,
    # baselines, every format) no text holds a secret.
    known = frozenset(digest for analysis in analyses for digest in analysis.secrets)
    results = [redact.redact_result(r, known) for r in results]
    warnings = [redact.redact_warning(w, known) for w in warnings]

    known_rules = {rule.id for rule in rulebook.rules} | set(config.disable)
    results, suppression_warnings = suppress.apply(
        results, inline, config.suppressions, known_rules, config.source, config.base
    )
    warnings.extend(suppression_warnings)
    results = [
        dataclasses.replace(r, findings=tuple(fingerprints.assign(r.findings))) for r in results
    ]
    fixed: list[str] = []
    baseline_path = options.baseline or (
        _config_baseline(root, config) if config.baseline else None
    )
    if baseline_path is not None:
        results, fixed = baseline.mark(results, baseline.load(baseline_path))
    policy_changes: tuple[PolicyChange, ...] = ()
    if options.since:
        results = diff.mark(results, diff.changes_since(git_info, options.since))
        base = diff.merge_base(git_info, options.since)
        policy_changes = policy.changes(git_info, base, config, results)

    shown_root = options.at_commit.repository if options.at_commit is not None else root
    report = _report(rulebook, shown_root, discovery.files, git_info, results, warnings, fixed)
    target = dataclasses.replace(report.target, config=_shown(config.source))
    report = dataclasses.replace(
        report,
        kind=evaluator.kind,
        target=target,
        policy_changes=policy_changes,
        since=options.since,
    )
    own_checklist = rulebook.checklist_for(evaluator.kind.id if evaluator.kind else None)
    if own_checklist is not None and evaluator.kind is not None:
        shown = checklist.evaluate(own_checklist, report.results, evaluator.kind)
        report = dataclasses.replace(report, checklist=shown)
    elif rulebook.ml_test_score is not None:
        estimate = mltestscore.estimate(rulebook.ml_test_score, report.results, evaluator.facts)
        report = dataclasses.replace(report, ml_test_score=estimate)
    gate_options = gate.GateOptions(
        fail_under=_optional(options.gate.fail_under, config.fail_under),
        fail_on=_optional(options.gate.fail_on, config.fail_on),
        min_pillar=config.min_pillar | options.gate.min_pillar,
        # the command line's word only: the repository's config cannot vouch for itself
        fail_on_weaker_gate=options.gate.fail_on_weaker_gate,
    )
    if gate_options.active:
        report = dataclasses.replace(report, gate=gate.evaluate(report, gate_options))
    return report


def _report(
    rulebook: Rulebook,
    root: Path,
    files: tuple[FileEntry, ...],
    git_info: object,
    results: list[RuleResult],
    warnings: list[ScanWarning],
    fixed: list[str],
) -> Report:
    pillars = score.pillar_scores(results)
    overall = score.overall_score(pillars)
    level, capped_by, capping_rules = score.readiness(overall, pillars, results)
    results = score.with_gains(results)
    target = TargetInfo(
        path=str(root),
        name=root.resolve().name,
        files=len(files),
        commit=getattr(git_info, "commit", None),
        branch=getattr(git_info, "branch", None),
        commit_date=getattr(git_info, "commit_date", None),
        remote=getattr(git_info, "remote", None),
        repository_path=getattr(git_info, "subpath", None),
        anchor=_anchor(files),
    )
    return Report(
        tool_version=__version__,
        rulebook_version=rulebook.version,
        target=target,
        scanned_at=now(),
        score=overall,
        level=level,
        level_capped_by=capped_by,
        level_capped_by_rules=capping_rules,
        pillars=pillars,
        results=tuple(results),
        warnings=tuple(sorted(set(warnings), key=lambda w: (w.path or "", w.code, w.message))),
        fixed=tuple(fixed),
    )


def _check_kind(rulebook: Rulebook, config: Config) -> None:
    """A declared kind must be one the rulebook knows: a typo would silently judge the
    repository as something else."""
    if config.kind is None or not rulebook.kinds or rulebook.kind(config.kind) is not None:
        return
    known = ", ".join(kind.id for kind in rulebook.kinds)
    raise ConfigError(
        f"unknown repository kind {config.kind!r}; known kinds: {known}",
        path=config.source,
        line=config.lines.get("kind"),
        field="kind",
    )


def _shown(source: str | None) -> str | None:
    """The config file as the report names it: relative to the working folder when it is
    below it, else as found."""
    if source is None:
        return None
    path = Path(source)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return path.relative_to(Path.cwd()).as_posix()
    return source


def _config_baseline(root: Path, config: Config) -> Path:
    """The baseline a config names, relative to the config's folder and inside it: the
    repository's own config is repository content, and must not make readycheck read
    files elsewhere (or /dev/zero). A baseline kept elsewhere is passed with --baseline."""
    folder = Path(str(config.source)).parent if config.base else root
    path = folder / str(config.baseline)
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(
            "the baseline must be a file inside the scanned folder; "
            "pass --baseline to use one kept elsewhere",
            path=config.source,
            line=config.lines.get("gate.baseline"),
            field="gate.baseline",
        )
    return path


def _first(cli: T | None, configured: T | None, default: T) -> T:
    """The command line's value if given, else the config file's, else the default."""
    if cli is not None:
        return cli
    return configured if configured is not None else default


def _optional(cli: T | None, configured: T | None) -> T | None:
    return cli if cli is not None else configured


def _anchor(files: tuple[FileEntry, ...]) -> str | None:
    """A real file for repository-wide findings to point at: the README if there is one."""
    paths = [f.path for f in files]
    by_name = {path.lower(): path for path in reversed(paths) if "/" not in path}
    for candidate in (
        "readme.md",
        "readme.rst",
        "readme.txt",
        "readme",
        "pyproject.toml",
        "setup.py",
        "requirements.txt",
    ):
        if candidate in by_name:
            return by_name[candidate]
    top_level = [p for p in paths if "/" not in p]
    candidates = top_level or paths
    return candidates[0] if candidates else None


def now() -> str:
    """Scan time, or SOURCE_DATE_EPOCH's when set, so reports can be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
