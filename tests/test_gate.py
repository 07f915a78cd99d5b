"""readycheck as a pre-merge gate: thresholds, config, suppressions, baselines, diff-aware scans."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.config import STARTER, load_config
from tests.conftest import write_tree

runner = CliRunner()

SERVICE = """\
import logging

import hmac
import os

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

log = logging.getLogger(__name__)
app = FastAPI()
api_key = APIKeyHeader(name="X-API-Key")


def require_key(key: str = Security(api_key)) -> None:
    if not hmac.compare_digest(key, os.environ["SCORING_API_KEY"]):
        raise HTTPException(status_code=401, detail="invalid API key")


class Applicant(BaseModel):
    income: float


@app.post("/score", dependencies=[Depends(require_key)])
def score(applicant: Applicant) -> dict[str, float]:
    return {"probability": min(1.0, applicant.income / 1e6)}
"""
#: What a small service needs so that no *critical* rule fails: tests, CI, typed requests, auth.
BASE = {
    "tests/test_main.py": "from app.main import Applicant\n\n\ndef test_applicant():\n"
    "    assert Applicant(income=1.0).income == 1.0\n",
    ".github/workflows/ci.yml": "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e . && pytest\n",
}
SECRET_LINE = 'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"\n'


def _scan(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["scan", *args])
    return result.exit_code, result.output


def _json(root: Path, *args: str) -> dict:  # type: ignore[type-arg]
    code, output = _scan(str(root), "--format", "json", *args)
    assert code in (0, 1), output
    return json.loads(output)  # type: ignore[no-any-return]


def _findings(report: dict, rule_id: str) -> list[dict]:  # type: ignore[type-arg]
    return next(r["findings"] for r in report["results"] if r["rule_id"] == rule_id)


def test_a_gate_fails_then_passes_after_the_fix(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE + SECRET_LINE})
    code, output = _scan(str(root), "--fail-on", "critical")
    assert code == 1
    assert "Gate failed" in output and "RC-SEC-001" in output.split("Gate failed")[1]
    (root / "app/main.py").write_text(
        SERVICE + 'AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]\n'
    )
    code, output = _scan(str(root), "--fail-on", "critical")
    assert code == 0, output
    assert "Gate passed" in output


def test_fail_under_and_pillar_minimums(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE})
    report = _json(root)
    score = report["summary"]["score"]
    assert _scan(str(root), "--fail-under", str(score + 1))[0] == 1
    assert _scan(str(root), "--fail-under", str(score))[0] == 0
    weakest = min(
        (p for p in report["pillars"] if p["score"] is not None), key=lambda p: p["score"]
    )
    code, output = _scan(str(root), "--min-pillar", f"{weakest['id']}={weakest['score'] + 1}")
    assert code == 1 and f"{weakest['title']} {weakest['score']:g} is under its minimum" in output
    assert _scan(str(root), "--min-pillar", f"{weakest['id']}={weakest['score']}")[0] == 0
    code, output = _scan(str(root), "--min-pillar", "vibes=10")
    assert code == 2 and "--min-pillar" in output


def test_no_gate_options_means_exit_0_even_with_findings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE + SECRET_LINE})
    assert _scan(str(root))[0] == 0


def test_inline_suppression_with_a_reason_hides_the_finding_from_the_gate(tmp_path: Path) -> None:
    line = (
        SECRET_LINE.rstrip() + "  # readycheck: ignore[RC-SEC-001] AWS documentation example key\n"
    )
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE + line})
    report = _json(root, "--fail-on", "critical")
    finding = _findings(report, "RC-SEC-001")[0]
    assert finding["suppression"]["reason"] == "AWS documentation example key"
    assert finding["gating"] is False
    assert report["gate"]["passed"] is True
    code, output = _scan(str(root), "--fail-on", "critical")
    assert code == 0 and "[suppressed]" in output


def test_a_comment_alone_on_the_line_above_suppresses_the_next_line(tmp_path: Path) -> None:
    text = (
        SERVICE + "# readycheck: ignore[RC-SEC-001] example key from the AWS docs\n" + SECRET_LINE
    )
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": text})
    assert _findings(_json(root), "RC-SEC-001")[0]["suppression"] is not None


def test_suppressions_that_cannot_be_trusted_are_reported(tmp_path: Path) -> None:
    text = (
        SERVICE
        + SECRET_LINE.rstrip()
        + "  # readycheck: ignore[RC-SEC-001]\n"
        + "x = 1  # readycheck: ignore[RC-NOPE-001] a rule that does not exist\n"
        + "y = 2  # readycheck: ignore[RC-SEC-002] nothing here to suppress\n"
        + 'z = "AKIAI44QH8DHBRX2ZK7W"  # readycheck: ignore[RC-SEC-001] old key (until: 2020-01-01)\n'
    )
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": text})
    report = _json(root, "--fail-on", "critical")
    codes = sorted(w["code"] for w in report["warnings"] if w["code"].startswith("suppression"))
    assert codes == [
        "suppression-expired",
        "suppression-no-reason",
        "suppression-unknown-rule",
        "suppression-unused",
    ]
    assert all(f["suppression"] is None for f in _findings(report, "RC-SEC-001"))
    assert report["gate"]["passed"] is False


def test_no_inline_ignores_honours_only_the_config(tmp_path: Path) -> None:
    line = SECRET_LINE.rstrip() + "  # readycheck: ignore[RC-SEC-001] trust me\n"
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE + line})
    assert _scan(str(root), "--fail-on", "critical", "--no-inline-ignores")[0] == 1
    central = write_tree(
        tmp_path / "central",
        {
            "readycheck.yml": "suppressions:\n  - rule: RC-SEC-001\n    path: app/main.py\n"
            "    reason: documented example key, rotated\n    until: 2999-12-31\n"
        },
    )
    args = (
        "--fail-on",
        "critical",
        "--no-inline-ignores",
        "--config",
        str(central / "readycheck.yml"),
    )
    report = _json(root, *args)
    assert _findings(report, "RC-SEC-001")[0]["suppression"]["source"] == "config"
    assert report["gate"]["passed"] is True


def test_the_config_file_sets_the_gate_and_the_command_line_overrides_it(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "svc",
        BASE
        | {"app/main.py": SERVICE + SECRET_LINE, ".readycheck.yml": "gate:\n  fail_on: critical\n"},
    )
    assert _scan(str(root))[0] == 1
    assert _scan(str(root), "--fail-on", "critical", "--no-config")[0] == 1
    assert _scan(str(root), "--no-config")[0] == 0


def test_config_in_pyproject(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "svc"\n\n[tool.readycheck]\nexclude = ["app/"]\n\n[tool.readycheck.gate]\nfail_on = "critical"\n'
    root = write_tree(
        tmp_path / "svc", BASE | {"app/main.py": SERVICE + SECRET_LINE, "pyproject.toml": pyproject}
    )
    report = _json(root)
    assert _findings(report, "RC-SEC-001") == []  # app/ is excluded
    assert report["gate"]["checked"] == ["no new critical+ findings"]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            "gate:\n  fail_om: high\n",
            ":2:3: gate.fail_om",
            "unknown field 'fail_om' (did you mean 'fail_on'?)",
        ),
        ("gate:\n  fail_on: severe\n", ":2:12: gate.fail_on", "'severe' is not allowed"),
        ("rules:\n  disable: [RC-SEC-999]\n", ":2:", "unknown rule RC-SEC-999"),
        ("exclude: notalist\n", ":1:10: exclude", "expected array"),
        ("gate: [\n", ":2:1", "invalid YAML"),
    ],
)
def test_a_config_typo_exits_2_naming_file_line_and_key(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE, ".readycheck.yml": text})
    code, output = _scan(str(root))
    assert code == 2, output
    assert f".readycheck.yml{where}" in output
    assert words in output
    assert "Traceback" not in output


def test_config_changes_rules(tmp_path: Path) -> None:
    config = """\
rules:
  disable: [RC-SEC-008]
  severity: {RC-SEC-004: low}
  params:
    RC-HYG-007: {pattern: "^/srv/", label: server path}
  custom:
    - id: ACME-001
      title: Services declare an owner team
      pillar: security
      severity: medium
      applies_when: always
      check: {detector: file_exists, params: {globs: [OWNERS.md]}}
      problem: No OWNERS.md names the team on call for this service.
      why: Incidents need an owner who can be paged.
      fix: Add OWNERS.md with the team name and its on-call rotation.
      references: ["ACME engineering handbook"]
"""
    code_text = SERVICE + 'DATA = "/srv/data/train.csv"\n'
    root = write_tree(
        tmp_path / "svc", BASE | {"app/main.py": code_text, ".readycheck.yml": config}
    )
    report = _json(root)
    by_id = {r["rule_id"]: r for r in report["results"]}
    assert "RC-SEC-008" not in by_id
    assert by_id["RC-SEC-004"]["severity"] == "low"
    assert by_id["RC-HYG-007"]["findings"][0]["message"] == "server path"
    assert by_id["ACME-001"]["status"] == "fail"


def test_init_writes_a_valid_commented_config(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0
    written = (tmp_path / ".readycheck.yml").read_text()
    assert written == STARTER and "#" in written
    # The gate is explained but off: the first scan after `init` must not fail a build.
    config = load_config(tmp_path / ".readycheck.yml")
    assert (config.fail_on, config.fail_under, config.min_pillar) == (None, None, {})
    assert "#   fail_under: 50" in written and "#   fail_on: critical" in written
    assert runner.invoke(app, ["scan", str(tmp_path), "--no-cache", "-q"]).exit_code == 0
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 2  # never overwrites silently


def test_a_baseline_survives_a_line_shift_and_reports_what_was_fixed(tmp_path: Path) -> None:
    code_text = SERVICE + SECRET_LINE + "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": code_text})
    result = runner.invoke(app, ["baseline", "create", str(root)])
    assert result.exit_code == 0, result.output
    baseline = root / ".readycheck-baseline.json"
    assert json.loads(baseline.read_text())["findings"]
    shifted = '"""Serving API."""\n\n\n' + code_text.replace(
        "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n", ""
    )
    (root / "app/main.py").write_text(shifted)
    report = _json(root, "--baseline", str(baseline), "--fail-on", "high")
    assert _findings(report, "RC-SEC-001")[0]["in_baseline"] is True
    assert report["gate"]["passed"] is True
    assert any(item.startswith("RC-SEC-002 app/main.py") for item in report["fixed"])
    (root / "app/other.py").write_text('TOKEN = "ghp_' + "a" * 36 + '"\n')
    assert _scan(str(root), "--baseline", str(baseline), "--fail-on", "high")[0] == 1


def test_a_bad_baseline_exits_2(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE, "b.json": "{"})
    assert _scan(str(root), "--baseline", str(root / "b.json"))[0] == 2
    assert _scan(str(root), "--baseline", str(root / "missing.json"))[0] == 2


def _repo(root: Path) -> git.Repo:
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Dev")
        config.set_value("user", "email", "dev@example.com")
    return repo


def test_since_gates_only_on_changed_lines(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE + SECRET_LINE})
    repo = _repo(root)
    repo.index.add(["app/main.py"])
    repo.index.commit("service with an old key")
    repo.git.checkout("-b", "feature")
    (root / "app/notebook_helpers.py").write_text("import os\n")
    (root / "app/main.py").write_text(SERVICE + SECRET_LINE + "PORT = 8080\n")
    repo.index.add(["app/main.py", "app/notebook_helpers.py"])
    repo.index.commit("unrelated change")
    report = _json(root, "--since", "main", "--fail-on", "critical")
    assert _findings(report, "RC-SEC-001")[0]["in_change"] is False
    assert report["gate"]["passed"] is True

    (root / "app/main.py").write_text(SERVICE + SECRET_LINE + 'NEW_KEY = "AKIAI44QH8DHBRX2ZK7W"\n')
    report = _json(root, "--since", "main", "--fail-on", "critical")
    states = sorted(
        (f["location"]["line"], f["in_change"]) for f in _findings(report, "RC-SEC-001")
    )
    old_key_line = SERVICE.count("\n") + 1
    assert states == [(old_key_line, False), (old_key_line + 1, True)]
    assert report["gate"]["passed"] is False


def test_since_with_an_unknown_reference_exits_2(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", BASE | {"app/main.py": SERVICE})
    repo = _repo(root)
    repo.index.add(["app/main.py"])
    repo.index.commit("x")
    code, output = _scan(str(root), "--since", "origin/nope")
    assert code == 2 and "fetch it first" in output


def test_since_a_remote_branch_in_an_actions_style_checkout(tmp_path: Path) -> None:
    """actions/checkout fetches one commit by default; fetching the base branch one
    commit deep too leaves no common ancestor, and the message says what to fetch.
    With the history fetched, `--since origin/main` gates on the pull request's lines."""
    origin = write_tree(tmp_path / "origin", BASE | {"app/main.py": SERVICE + SECRET_LINE})
    repo = _repo(origin)
    repo.git.add(A=True)
    repo.index.commit("service with an old key")
    repo.git.checkout("-b", "feature")
    (origin / "app/main.py").write_text(SERVICE + SECRET_LINE + "PORT = 8080\n")
    repo.index.add(["app/main.py"])
    repo.index.commit("unrelated change")

    shallow = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{origin}", shallow, depth=1, branch="feature")
    git.Repo(shallow).git.fetch("--depth", "1", "origin", "main:refs/remotes/origin/main")
    code, output = _scan(str(shallow), "--since", "origin/main")
    assert code == 2
    assert "no common ancestor in this shallow clone" in output and "fetch-depth: 0" in output

    full = tmp_path / "full"
    git.Repo.clone_from(f"file://{origin}", full, branch="feature")
    report = _json(full, "--since", "origin/main", "--fail-on", "critical")
    assert [f["in_change"] for f in _findings(report, "RC-SEC-001")] == [False]
    assert report["gate"]["passed"] is True
