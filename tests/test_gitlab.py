"""The GitLab Code Quality report: what GitLab's merge-request widget needs from each
entry, paths from the repository's root, and nothing GitLab would show as open that
the other outputs call suppressed."""

from __future__ import annotations

import json
from pathlib import Path

import git
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import gitlab
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

runner = CliRunner()

SERVICE = {
    "README.md": "# churn service\n",
    "requirements.txt": "fastapi\nscikit-learn\n",
    "app/main.py": (
        "import pickle\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n\n\n@app.post('/predict')\n"
        "def predict(payload: dict):\n    return {'y': model.predict([payload['x']]).tolist()}\n"
    ),
    "app/keys.py": 'API_TOKEN = "ghp_'
    + "k2Jd8Qm4Rt6Vx9Zb1Nc3Lp5Hs7Gf0Wy2Ae4Tq"
    + '"  # readycheck: ignore[RC-SEC-001] a revoked token kept for the tests\n',
}
REQUIRED = {"description", "check_name", "fingerprint", "severity", "location"}


def _monorepo(tmp_path: Path) -> Path:
    """The service in `services/churn` of a git repository: GitLab resolves paths from
    the repository's root, not from the folder scanned."""
    root = tmp_path / "mono"
    write_tree(root / "services" / "churn", SERVICE)
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.git.commit("-m", "churn service", "--author", "Ana Lima <ana@example.com>")
    return root / "services" / "churn"


def test_every_entry_has_what_gitlab_reads(tmp_path: Path, rulebook: Rulebook) -> None:
    entries = gitlab.to_list(scan(ScanOptions(path=_monorepo(tmp_path)), rulebook))
    assert entries
    for entry in entries:
        assert set(entry) >= REQUIRED, entry
        assert entry["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert entry["location"]["lines"]["begin"] >= 1
        assert entry["description"].startswith(entry["check_name"] + ": ")
        assert entry["location"]["path"].startswith("services/churn/")
    fingerprints = [entry["fingerprint"] for entry in entries]
    assert len(fingerprints) == len(set(fingerprints)), "GitLab needs each fingerprint once"
    pickle_load = [e for e in entries if e["location"]["path"] == "services/churn/app/main.py"]
    assert any(e["location"]["lines"]["begin"] == 6 for e in pickle_load)


def test_repository_wide_findings_point_at_the_readme(tmp_path: Path, rulebook: Rulebook) -> None:
    entries = gitlab.to_list(scan(ScanOptions(path=_monorepo(tmp_path)), rulebook))
    wide = [e for e in entries if e["location"]["path"] == "services/churn/README.md"]
    assert wide and all(e["location"]["lines"]["begin"] == 1 for e in wide)


def test_suppressed_findings_are_left_out(tmp_path: Path, rulebook: Rulebook) -> None:
    report = scan(ScanOptions(path=_monorepo(tmp_path)), rulebook)
    suppressed = [f for r in report.results for f in r.findings if f.suppression is not None]
    assert suppressed, "the fixture suppresses its test token"
    paths = {e["location"]["path"] for e in gitlab.to_list(report)}
    assert "services/churn/app/keys.py" not in paths


def test_the_cli_writes_it_to_a_json_file_only_when_asked(tmp_path: Path) -> None:
    folder = _monorepo(tmp_path)
    quality = tmp_path / "gl-code-quality-report.json"
    result = runner.invoke(app, ["scan", str(folder), "-q", "-f", "gitlab", "-o", str(quality)])
    assert result.exit_code in (0, 1), result.output
    assert isinstance(json.loads(quality.read_text(encoding="utf-8")), list)
    # GitLab's own file name says the format, so one scan writes it beside other reports.
    quality.unlink()
    junit = tmp_path / "readycheck.xml"
    result = runner.invoke(app, ["scan", str(folder), "-q", "-o", str(quality), "-o", str(junit)])
    assert result.exit_code in (0, 1), result.output
    assert isinstance(json.loads(quality.read_text(encoding="utf-8")), list)
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    plain = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(folder), "-q", "-o", str(plain)])
    assert isinstance(json.loads(plain.read_text(encoding="utf-8")), dict)  # the JSON report
    result = runner.invoke(
        app, ["scan", str(folder), "-q", "-f", "gitlab", "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert "names the html format, but --format says gitlab" in result.output
