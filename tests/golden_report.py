"""The one report every golden file in tests/golden/ is rendered from.

The report is built by hand from synthetic rules (ids `DEMO-...`), not by scanning a
tree or a sample project. A scan would tie the goldens to the live rulebook and to the
scoring code: a reworded `why`, a new rule or a re-weighted severity would then move
every golden file at once, and a review could no longer tell a renderer change from a
rulebook change. Built here, the report changes only when this file does, so a diff in
tests/golden/ means a renderer changed.

It is still shaped like a real scan of one service folder inside a git checkout, and
it holds most of what the renderers can draw for one report:

- failing practices and hazards (critical, high and medium) in four pillars, with
  files, lines, a notebook cell, snippets, `backticked` messages, repository-wide
  findings with the facts they apply because of, and a rule with more findings than
  the terminal and Markdown reports show in full;
- a partial practice, passes with evidence, a hazard looked for and not found, one
  with nothing to examine, a not-applicable rule with its reason, a blocked (low)
  practice and a rule whose check broke (`error`);
- a suppressed finding with its reason, a finding already in the baseline, a fixed
  baseline entry, and a finding outside the changed lines of a `--since` scan;
- scan warnings of four kinds, a failed gate with several reasons, and gate settings
  the change weakens;
- the ML Test Score estimate, the kind of repository it was judged as, and a level
  held down both by its weakest pillar and by a hazard's cap.

Left out: a kind's own checklist (a report shows it instead of the ML Test Score), a
passing gate, and hostile repository text, which tests/test_hostile_outputs.py covers.

Every value a live scan makes up at run time is pinned: the time (`scanned_at`), the
tool version, the commit and the target path, which is relative, as typed on the
command line. SARIF and GitHub annotations resolve that path on disk to find the top
of the git repository, so tests/test_golden.py renders from inside a checkout it
builds itself (`CHECKOUT_FILES` under a folder holding `.git`).

The scores, gains and gate reasons were computed once with readycheck's scoring and
gate code and are written here as numbers, so that a scoring change cannot move the
goldens either; they agree with each other as a real report's would.
"""

from __future__ import annotations

import hashlib

from readycheck.model import (
    AnyOf,
    Applicability,
    Basis,
    Caps,
    Confidence,
    Evidence,
    Finding,
    GateResult,
    KindVerdict,
    Level,
    Location,
    MLTestItem,
    MLTestScore,
    Pillar,
    PillarScore,
    PolicyChange,
    Reference,
    Report,
    Rule,
    RuleResult,
    RuleType,
    ScanWarning,
    Severity,
    Status,
    Suppression,
    TargetInfo,
)

#: The scanned folder, relative to the checkout the tests run from (`readycheck scan
#: services/churn-api` typed at the top of the repository).
TARGET_PATH = "services/churn-api"
#: What tests/test_golden.py writes to make the checkout: a `.git` folder marks its top,
#: and the config file is where the policy change points.
CHECKOUT_FILES = {
    ".git/HEAD": "ref: refs/heads/feature/retrain-schedule\n",
    f"{TARGET_PATH}/.readycheck.yml": "fail_under: 70\nmin_pillar:\n  security: 50\n",
}
SCANNED_AT = "2024-05-14T09:30:00Z"
TOOL_VERSION = "9.9.9"
COMMIT = "4f9c2d17ab0e5c3d8e61f2a7b9c0d4e5f6a7b8c9"


def _rule(
    rule_id: str,
    title: str,
    pillar: Pillar,
    severity: Severity,
    *,
    problem: str,
    why: str,
    fix: str,
    kind: RuleType = RuleType.PRACTICE,
    confidence: Confidence = Confidence.HIGH,
    references: tuple[Reference, ...] = (),
    tags: tuple[str, ...] = (),
    caps: Caps | None = None,
    requires: tuple[str, ...] = (),
) -> Rule:
    """A rule with no real check: renderers read only its words, ids and weights."""
    return Rule(
        id=rule_id,
        title=title,
        pillar=pillar,
        severity=severity,
        weight=severity.weight,
        confidence=confidence,
        applies_when=Applicability(),
        check=AnyOf(()),
        problem=problem,
        why=why,
        fix=fix,
        references=references,
        tags=tags,
        source=f"rules/demo.yaml:{rule_id[-3:]}",
        type=kind,
        caps=caps,
        requires=requires,
    )


def _fingerprint(rule_id: str, where: str) -> str:
    """A stable 20-hex-digit fingerprint, shaped like readycheck's own."""
    return hashlib.sha256(f"{rule_id}\0{where}".encode()).hexdigest()[:20]


def _at(
    rule_id: str,
    location: Location | None,
    message: str,
    snippet: str = "",
    *,
    in_change: bool | None = True,
    in_baseline: bool = False,
    suppression: Suppression | None = None,
) -> Finding:
    """A finding as a `--since` scan reports it: a located one says whether its line changed."""
    return Finding(
        rule_id=rule_id,
        message=message,
        location=location,
        snippet=snippet,
        fingerprint=_fingerprint(rule_id, str(location)),
        suppression=suppression,
        in_baseline=in_baseline,
        in_change=in_change if location is not None else None,
    )


_SCHEMA = _rule(
    "DEMO-DATA-001",
    "Pipeline data is validated against a declared schema",
    Pillar.DATA,
    Severity.HIGH,
    confidence=Confidence.MEDIUM,
    problem="No schema validation of pipeline data was found in production code.",
    why="Upstream tables change: a renamed column or a unit switched from euros to cents "
    "flows silently into the model's predictions.",
    fix="Declare the expected columns and types (pandera, Great Expectations) and stop the "
    "run when a batch does not conform.",
    references=(
        Reference("Breck et al., The ML Test Score (2017)", "https://research.google/pubs/45742/"),
        Reference("Data validation for machine learning, internal wiki"),
    ),
    tags=("data-validation", "ml-test-score"),
)
_TIMEOUT = _rule(
    "DEMO-DATA-002",
    "HTTP calls set a timeout",
    Pillar.DATA,
    Severity.MEDIUM,
    kind=RuleType.HAZARD,
    problem="An HTTP call without a timeout can hang the pipeline forever.",
    why="A feature service that stops answering holds the worker until the job is killed, "
    "and the next scheduled run queues behind it.",
    fix="Pass `timeout=` to every `requests` call, or use a session with a default timeout.",
    tags=("reliability",),
)
_VERSIONED = _rule(
    "DEMO-DATA-003",
    "Training data is versioned",
    Pillar.DATA,
    Severity.MEDIUM,
    problem="The data a model was trained on cannot be recovered.",
    why="Without the training data, a model cannot be reproduced or audited.",
    fix="Version datasets with DVC, lakeFS or dated immutable snapshots.",
)
_SECRET = _rule(
    "DEMO-SEC-001",
    "No credentials in the code",
    Pillar.SECURITY,
    Severity.CRITICAL,
    kind=RuleType.HAZARD,
    problem="A credential is written in the repository.",
    why="Anyone who can read the repository, or one of its forks, can use it.",
    fix="Revoke the key, then read it from the environment or a secret manager.",
    references=(
        Reference("OWASP Secrets Management Cheat Sheet", "https://cheatsheetseries.owasp.org/"),
    ),
    tags=("secrets",),
    caps=Caps(pillar=40.0, level="prototype"),
)
_PICKLE = _rule(
    "DEMO-SEC-002",
    "Models are not loaded with pickle",
    Pillar.SECURITY,
    Severity.HIGH,
    kind=RuleType.HAZARD,
    problem="A model is deserialised with pickle, which runs code from the file.",
    why="Whoever can replace the model file can run any code in the service.",
    fix="Save models with a format that holds no code (safetensors, ONNX) or verify a "
    "signature before loading.",
    tags=("supply-chain",),
)
_AUDIT = _rule(
    "DEMO-SEC-003",
    "Dependencies are scanned for vulnerabilities",
    Pillar.SECURITY,
    Severity.MEDIUM,
    problem="No dependency vulnerability scan was found.",
    why="A known-vulnerable library in the image is the easiest way in.",
    fix="Run pip-audit or Dependabot on every pull request.",
)
_LIMITS = _rule(
    "DEMO-INFRA-001",
    "Containers declare resource limits",
    Pillar.INFRASTRUCTURE,
    Severity.MEDIUM,
    problem="A container runs without memory or CPU limits.",
    why="One container that leaks memory starves every other pod on the node.",
    fix="Set `resources.limits` for memory and CPU on every container.",
)
_PINNED = _rule(
    "DEMO-INFRA-002",
    "Dependencies are pinned",
    Pillar.INFRASTRUCTURE,
    Severity.HIGH,
    problem="Dependencies are not pinned to exact versions.",
    why="An unpinned dependency can change under a rebuild and alter predictions.",
    fix="Pin exact versions in a lock file.",
)
_HELM = _rule(
    "DEMO-INFRA-003",
    "Helm values set a readiness probe",
    Pillar.INFRASTRUCTURE,
    Severity.LOW,
    problem="The chart deploys the service without a readiness probe.",
    why="Traffic reaches a pod before its model is loaded.",
    fix="Add a readinessProbe to the chart's values.",
)
_DRIFT = _rule(
    "DEMO-MON-001",
    "Prediction drift is monitored",
    Pillar.MONITORING,
    Severity.HIGH,
    confidence=Confidence.LOW,
    problem="Nothing compares live inputs or predictions with the training data.",
    why="A model degrades silently when the world it predicts changes.",
    fix="Track the distribution of inputs and predictions (Evidently, WhyLabs) and alert on drift.",
)
_METRICS = _rule(
    "DEMO-MON-002",
    "The service exposes metrics",
    Pillar.MONITORING,
    Severity.MEDIUM,
    problem="The service exposes no metrics endpoint.",
    why="Latency and error rates are the first sign of an outage.",
    fix="Expose Prometheus metrics from the serving app.",
)
_ALERTS = _rule(
    "DEMO-MON-003",
    "Drift alerts reach an owner",
    Pillar.MONITORING,
    Severity.LOW,
    problem="No alert routes drift to a person who can act on it.",
    why="An alert nobody receives is a log line.",
    fix="Route drift alerts to the owning team's on-call channel.",
    requires=("DEMO-MON-001",),
)
_REVIEW = _rule(
    "DEMO-HITL-001",
    "Low-confidence predictions go to human review",
    Pillar.HUMAN_IN_THE_LOOP,
    Severity.MEDIUM,
    problem="Low-confidence predictions are acted on without review.",
    why="The cases the model is least sure of are the ones most often wrong.",
    fix="Send predictions under a confidence threshold to a review queue.",
)
_OVERRIDE = _rule(
    "DEMO-HITL-002",
    "Decisions can be overridden",
    Pillar.HUMAN_IN_THE_LOOP,
    Severity.MEDIUM,
    problem="No way for an operator to override a model decision was found.",
    why="Operators need a way to correct a decision the model got wrong.",
    fix="Add an override path that records who changed what and why.",
)
_TESTS = _rule(
    "DEMO-HYG-001",
    "Tests run in CI",
    Pillar.HYGIENE,
    Severity.MEDIUM,
    problem="No CI workflow runs the tests.",
    why="Tests that are not run stop being true.",
    fix="Run the test suite on every pull request.",
)
_ORDER = _rule(
    "DEMO-HYG-002",
    "Notebook cells run in order",
    Pillar.HYGIENE,
    Severity.LOW,
    kind=RuleType.HAZARD,
    problem="Notebook cells were run out of order.",
    why="A notebook run out of order cannot be reproduced from top to bottom.",
    fix="Restart the kernel and run all cells before committing.",
)
_PATHS = _rule(
    "DEMO-HYG-003",
    "No absolute paths to a developer's machine",
    Pillar.HYGIENE,
    Severity.LOW,
    kind=RuleType.HAZARD,
    problem="A path points into one developer's home folder.",
    why="The code runs on one laptop only.",
    fix="Read paths from configuration.",
)

_HTTP_CALLS = (
    ("src/churn_api/features.py", 41, "requests.get(FEATURE_URL, params=query)", True),
    ("src/churn_api/features.py", 88, 'requests.post(f"{FEATURE_URL}/batch", json=rows)', True),
    ("src/churn_api/clients/crm.py", 17, "requests.get(url)", True),
    ("src/churn_api/clients/crm.py", 29, "requests.get(url, headers=auth)", True),
    ("src/churn_api/clients/billing.py", 12, "session.get(invoices_url)", True),
    ("pipelines/refresh_features.py", 63, "requests.get(source.url)", False),
)

RESULTS: tuple[RuleResult, ...] = (
    RuleResult(
        _SCHEMA,
        Status.FAIL,
        findings=(_at("DEMO-DATA-001", None, "No schema validation of pipeline data was found."),),
        gain=9.2,
        basis=Basis.NO_EVIDENCE,
        applies_because=(
            Evidence(Location("pipelines/train.py", 12), "the repository trains a model"),
            Evidence(None, "it reads tabular data"),
        ),
    ),
    RuleResult(
        _TIMEOUT,
        Status.FAIL,
        findings=tuple(
            _at(
                "DEMO-DATA-002",
                Location(path, line),
                "calls `requests` without `timeout=`",
                code,
                in_change=changed,
            )
            for path, line, code, changed in _HTTP_CALLS
        ),
        gain=0.5,
        basis=Basis.HAZARD,
        affected=4,
        examined=10,
    ),
    RuleResult(
        _VERSIONED,
        Status.PASS,
        evidence=(Evidence(Location("dvc.yaml", 3), "a DVC stage tracks the training data"),),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _SECRET,
        Status.FAIL,
        findings=(
            _at(
                "DEMO-SEC-001",
                Location("src/churn_api/settings.py", 7),
                "AWS access key",
                'AWS_ACCESS_KEY_ID = "AKIA****************"',
            ),
            _at(
                "DEMO-SEC-001",
                Location("tests/fixtures/fake_keys.py", 3),
                "AWS access key",
                'EXAMPLE_KEY = "AKIA****************"',
                suppression=Suppression(
                    "the documented example key from the AWS docs, not a real one",
                    "inline",
                    Location("tests/fixtures/fake_keys.py", 3),
                ),
            ),
        ),
        gain=9.0,
        basis=Basis.HAZARD,
        affected=2,
        examined=10,
    ),
    RuleResult(
        _PICKLE,
        Status.FAIL,
        findings=(
            _at(
                "DEMO-SEC-002",
                Location("notebooks/explore.ipynb", 4, cell=3, file_line=57),
                "calls `pickle.load()`",
                "model = pickle.load(open(path, 'rb'))",
            ),
            _at(
                "DEMO-SEC-002",
                Location("src/churn_api/model.py", 21),
                "calls `joblib.load()`",
                "return joblib.load(MODEL_PATH)",
                in_change=False,
                in_baseline=True,
            ),
        ),
        basis=Basis.HAZARD,
        affected=2,
        examined=10,
    ),
    RuleResult(
        _AUDIT,
        Status.PASS,
        evidence=(
            Evidence(Location(".github/workflows/ci.yml", 31), "pip-audit runs in a workflow"),
        ),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _LIMITS,
        Status.PARTIAL,
        findings=(
            _at(
                "DEMO-INFRA-001",
                Location("deploy/k8s/deployment.yaml", 18),
                "container `api` sets no memory limit",
                "- name: api",
            ),
        ),
        evidence=(
            Evidence(Location("deploy/k8s/deployment.yaml", 24), "CPU limit set", "cpu: 500m"),
        ),
        gain=3.4,
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _PINNED,
        Status.PASS,
        evidence=(Evidence(Location("requirements.lock", 1), "a lock file pins every version"),),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _HELM,
        Status.ERROR,
        reason="charts/churn-api/values.yaml could not be parsed: mapping values are not "
        "allowed here (line 9)",
        basis=Basis.ERROR,
    ),
    RuleResult(
        _DRIFT,
        Status.FAIL,
        findings=(
            _at("DEMO-MON-001", None, "Nothing compares live inputs with the training data."),
        ),
        gain=8.4,
        basis=Basis.NO_EVIDENCE,
        applies_because=(
            Evidence(Location("src/churn_api/app.py", 5), "the repository serves predictions"),
        ),
    ),
    RuleResult(
        _METRICS,
        Status.PASS,
        evidence=(
            Evidence(
                Location("src/churn_api/app.py", 30),
                "exposes Prometheus metrics",
                "app.mount('/metrics', make_asgi_app())",
            ),
        ),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _ALERTS,
        Status.FAIL,
        reason="it needs DEMO-MON-001 (prediction drift is monitored) first",
        basis=Basis.BLOCKED,
        blocked_by="DEMO-MON-001",
    ),
    RuleResult(
        _REVIEW,
        Status.NOT_APPLICABLE,
        reason="the service scores customers for a marketing list; it takes no decision on its own",
    ),
    RuleResult(
        _OVERRIDE,
        Status.PASS,
        evidence=(Evidence(Location("src/churn_api/overrides.py", 14), "an override endpoint"),),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(
        _TESTS,
        Status.PASS,
        evidence=(Evidence(Location(".github/workflows/ci.yml", 14), "pytest runs in a workflow"),),
        basis=Basis.EVIDENCE,
    ),
    RuleResult(_ORDER, Status.PASS, basis=Basis.CLEAR, examined=1),
    RuleResult(_PATHS, Status.PASS, basis=Basis.NOTHING_TO_EXAMINE),
)


def _pillar(
    pillar: Pillar,
    score: float,
    earned: float,
    possible: float,
    counts: dict[Status, int],
    penalty: float = 0.0,
    caps: tuple[tuple[str, float], ...] = (),
) -> PillarScore:
    return PillarScore(pillar, score, earned, possible, counts, penalty, caps)


PILLARS: tuple[PillarScore, ...] = (
    _pillar(Pillar.DATA, 36.8, 5.0, 12.5, {Status.FAIL: 2, Status.PASS: 1}, penalty=8.0),
    _pillar(
        Pillar.INFRASTRUCTURE,
        80.0,
        10.0,
        12.5,
        {Status.PARTIAL: 1, Status.PASS: 1, Status.ERROR: 1},
    ),
    _pillar(Pillar.MONITORING, 33.3, 5.0, 15.0, {Status.FAIL: 2, Status.PASS: 1}),
    _pillar(
        Pillar.SECURITY,
        40.0,
        5.0,
        5.0,
        {Status.FAIL: 2, Status.PASS: 1},
        penalty=14.0,
        caps=(("DEMO-SEC-001", 40.0),),
    ),
    _pillar(Pillar.HUMAN_IN_THE_LOOP, 100.0, 5.0, 5.0, {Status.NOT_APPLICABLE: 1, Status.PASS: 1}),
    _pillar(Pillar.HYGIENE, 100.0, 5.0, 5.0, {Status.PASS: 3}),
)


def _test(test_id: str, title: str, points: float | None, rules: str, note: str) -> MLTestItem:
    return MLTestItem(test_id, title, points, tuple(rules.split()), note)


ML_TEST_SCORE = MLTestScore(
    sections=(
        (
            "Data",
            0.5,
            (
                _test(
                    "Data 1",
                    "Feature expectations are captured in a schema",
                    0.0,
                    "DEMO-DATA-001",
                    "no schema validation found",
                ),
                _test(
                    "Data 2",
                    "Training data is versioned",
                    0.5,
                    "DEMO-DATA-003",
                    "seen, run by hand",
                ),
            ),
        ),
        (
            "Model",
            1.0,
            (
                _test(
                    "Model 1",
                    "Model specs are reviewed and checked in",
                    1.0,
                    "",
                    "model code is versioned",
                ),
                _test(
                    "Model 2",
                    "Offline and online metrics correlate",
                    None,
                    "",
                    "not verifiable statically",
                ),
            ),
        ),
        (
            "Infrastructure",
            1.5,
            (
                _test(
                    "Infra 1",
                    "Training is reproducible",
                    1.0,
                    "DEMO-INFRA-002",
                    "dependencies pinned",
                ),
                _test(
                    "Infra 2",
                    "Model quality is checked before serving",
                    0.5,
                    "DEMO-HYG-001",
                    "tests run in CI",
                ),
            ),
        ),
        (
            "Monitoring",
            0.5,
            (
                _test(
                    "Monitor 1",
                    "Data invariants hold in serving inputs",
                    0.0,
                    "DEMO-MON-001",
                    "no drift monitoring found",
                ),
                _test(
                    "Monitor 2",
                    "The model's serving latency is tracked",
                    0.5,
                    "DEMO-MON-002",
                    "metrics exposed, no alert",
                ),
            ),
        ),
    ),
    score=0.5,
    band="Not totally untested, but it is worth considering the possibility of serious "
    "holes in reliability.",
)

#: `--since origin/main`: the config the change edits, and the suppression it adds.
POLICY_CHANGES = (
    PolicyChange("lowers fail_under from 75 to 70", True, f"{TARGET_PATH}/.readycheck.yml"),
    PolicyChange("sets min_pillar.security to 50", False, f"{TARGET_PATH}/.readycheck.yml"),
    PolicyChange("adds 1 inline suppression", True, "inline comments on changed lines"),
)

#: `--fail-under 70 --fail-on high --fail-on-weaker-gate` and the config's `min_pillar`.
GATE = GateResult(
    passed=False,
    reasons=(
        "score 65 is under 70",
        "Security and governance 40 is under its minimum 50",
        "4 findings at or above high: DEMO-DATA-001, DEMO-MON-001, DEMO-SEC-001, DEMO-SEC-002",
        "the change weakens its own gate: lowers fail_under from 75 to 70; "
        "adds 1 inline suppression",
    ),
    checked=(
        "score ≥ 70",
        "security ≥ 50",
        "no new high+ findings",
        "the change does not weaken the gate",
    ),
    fail_on=Severity.HIGH,
)

#: One warning of four kinds, sorted as a scan sorts them (by path, code, message).
WARNINGS = (
    ScanWarning(
        "rule-error",
        "rule DEMO-INFRA-003 was not evaluated: charts/churn-api/values.yaml could not be parsed",
    ),
    ScanWarning(
        "too-large",
        "not read: 48,211,904 bytes is over the 2,000,000-byte size cap",
        "data/raw/customers.csv",
    ),
    ScanWarning(
        "suppression-expired",
        "suppression at notebooks/explore.ipynb cell 2, line 1 expired on 2024-03-31 and no "
        "longer applies",
        "notebooks/explore.ipynb",
    ),
    ScanWarning(
        "own-output",
        "skipped readycheck's own SARIF report from an earlier run",
        "readycheck.sarif",
    ),
)


def golden_report() -> Report:
    """The report every golden file is rendered from; a new object on each call."""
    return Report(
        tool_version=TOOL_VERSION,
        rulebook_version="2024.05-demo",
        target=TargetInfo(
            path=TARGET_PATH,
            name="churn-api",
            files=42,
            commit=COMMIT,
            branch="feature/retrain-schedule",
            commit_date="2024-05-13T17:02:11Z",
            anchor="README.md",
            config=f"{TARGET_PATH}/.readycheck.yml",
            remote="https://github.com/acme/churn-platform",
            repository_path=TARGET_PATH,
        ),
        scanned_at=SCANNED_AT,
        score=65.0,
        level=Level("prototype", "Prototype", 1, "A demo: most production practices are missing."),
        level_capped_by=Pillar.MONITORING,
        pillars=PILLARS,
        results=RESULTS,
        warnings=WARNINGS,
        gate=GATE,
        fixed=("DEMO-SEC-002 src/churn_api/legacy_loader.py",),
        ml_test_score=ML_TEST_SCORE,
        kind=KindVerdict(
            "service",
            "online service",
            declared=False,
            reason="it serves predictions over HTTP",
            evidence=Evidence(Location("src/churn_api/app.py", 5), "a FastAPI app"),
        ),
        level_capped_by_rules=("DEMO-SEC-001",),
        policy_changes=POLICY_CHANGES,
        since="origin/main",
    )
