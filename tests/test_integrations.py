"""The ways readycheck plugs into CI: the GitHub Action, the pre-commit hook, and several
report files written by one scan."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import git
import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import REPO_ROOT, notebook_json, write_tree
from tests.test_sarif import VALIDATOR as SARIF_VALIDATOR
from tests.test_sarif import refs

runner = CliRunner()
DATA = Path(__file__).parent / "data"
ACTION: dict[str, Any] = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
HOOKS: list[dict[str, Any]] = yaml.safe_load(
    (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
)
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: pre-commit's manifest schema (pre_commit/clientlib.py, MANIFEST_HOOK_DICT).
HOOK_REQUIRED = {"id", "name", "entry", "language"}
HOOK_KEYS = HOOK_REQUIRED | {
    "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames",
    "description", "language_version", "log_file", "minimum_pre_commit_version",
    "require_serial", "stages", "verbose",
}  # fmt: skip
SECRET = 'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"\n'
SERVICE = {
    "README.md": "# Scoring\n",
    "app/main.py": "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n",
}


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


def expressions(node: object) -> list[str]:
    return re.findall(r"\$\{\{\s*(.*?)\s*\}\}", json.dumps(node))


def test_action_is_valid_for_github() -> None:
    schema = json.loads((DATA / "github-action.schema.json").read_text(encoding="utf-8"))
    assert all(ref.startswith("#/") for ref in refs(schema))
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(ACTION)]
    assert not errors, errors
    assert ACTION["runs"]["using"] == "composite"


def test_every_action_input_is_declared_and_used() -> None:
    declared = set(ACTION["inputs"])
    assert {"path", "fail-under", "fail-on", "baseline", "since", "sarif-file"} <= declared
    assert {"upload-sarif", "python-version", "version"} <= declared
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", json.dumps(ACTION["runs"])))
    assert used == declared
    assert ACTION["inputs"]["upload-sarif"]["default"] == "true"
    for name, spec in ACTION["inputs"].items():
        assert spec["description"], name


def test_action_steps_are_well_formed() -> None:
    ids: list[str] = []
    for current in STEPS:
        assert ("run" in current) != ("uses" in current), current.get("name")
        if "run" in current:
            assert current["shell"] == "bash"
            assert "${{" not in current["run"], "inputs reach scripts through env only"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", current["uses"]), current["uses"]
        for expression in [*expressions(current), current.get("if", "")]:
            for earlier in re.findall(r"steps\.([\w-]+)\.outputs", expression):
                assert earlier in ids, f"{earlier} is used before it runs"
        if "id" in current:
            ids.append(current["id"])
    for output in ACTION["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.scan\.outputs\.[\w-]+ \}\}", output["value"])


def test_action_installs_itself_then_uploads_sarif_and_exits_with_the_scan_code() -> None:
    setup = STEPS[0]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["update-environment"] is False
    install = step("install")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$ACTION_PATH"' in install["run"]
    upload = next(
        s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert STEPS.index(upload) < len(STEPS) - 1
    last = STEPS[-1]
    assert last["if"] == "always()"
    assert last["env"]["EXIT_CODE"] == "${{ steps.scan.outputs.exit-code }}"


@pytest.fixture()
def shim(tmp_path: Path) -> Path:
    """A bin folder whose `readycheck` is this checkout, as the install step would leave it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "readycheck"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m readycheck "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def run_step(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a step's script the way GitHub runs `shell: bash`."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, "GITHUB_ACTIONS": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def scan_step_env(shim: Path, outputs: Path, **given: str) -> dict[str, str]:
    """The environment the scan step gets from the action's inputs: the path `.`, no
    cache, nothing else set unless given. Every name is one the step really reads."""
    inputs = {
        "SCAN_PATH": ".",
        "FAIL_UNDER": "",
        "FAIL_ON": "",
        "BASELINE": "",
        "SINCE": "",
        "EXTRA_ARGS": "--no-cache",
        "SARIF_FILE": "",
    } | given
    assert set(inputs) <= set(step("scan")["env"])
    return inputs | {"READYCHECK_BIN": str(shim), "GITHUB_OUTPUT": str(outputs)}


def test_the_scan_step_runs_readycheck_with_the_inputs(tmp_path: Path, shim: Path) -> None:
    root = write_tree(
        tmp_path / "work", SERVICE | {"app/settings.py": SECRET, "vendor/x.py": SECRET}
    )
    outputs = tmp_path / "github_output"
    inputs = scan_step_env(
        shim,
        outputs,
        FAIL_ON="critical",
        EXTRA_ARGS="--exclude vendor/  --no-cache",
        SARIF_FILE="readycheck.sarif",
    )
    done = run_step(step("scan")["run"], inputs, root)
    assert done.returncode == 0, done.stderr
    assert outputs.read_text().splitlines() == ["exit-code=1", "sarif-file=readycheck.sarif"]
    document = json.loads((root / "readycheck.sarif").read_text(encoding="utf-8"))
    assert SARIF_VALIDATOR.is_valid(document)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
        if r["ruleId"] == "RC-SEC-001"
    }
    assert uris == {"app/settings.py"}, "the extra arguments reached readycheck"

    outputs.unlink()
    (root / "readycheck.sarif").unlink()
    bad = run_step(step("scan")["run"], inputs | {"FAIL_ON": "catastrophic"}, root)
    assert bad.returncode == 0, bad.stderr
    assert outputs.read_text().splitlines() == ["exit-code=2"], "no SARIF, so nothing to upload"


def test_the_last_step_exits_with_readychecks_code(tmp_path: Path) -> None:
    script = STEPS[-1]["run"]
    for code in ("0", "1", "2"):
        assert run_step(script, {"EXIT_CODE": code}, tmp_path).returncode == int(code)
    assert run_step(script, {"EXIT_CODE": ""}, tmp_path).returncode == 2


def test_pre_commit_hook_runs_the_console_script(tmp_path: Path) -> None:
    (hook,) = HOOKS
    assert HOOK_REQUIRED <= set(hook) <= HOOK_KEYS
    assert hook["id"] == "readycheck"
    assert hook["language"] == "python" and "build-system" in PYPROJECT
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    command, *subcommand = shlex.split(hook["entry"])
    assert command in PYPROJECT["project"]["scripts"]
    assert subcommand == ["scan"]
    assert all(isinstance(arg, str) for arg in hook["args"])
    root = write_tree(tmp_path / "repo", SERVICE)
    result = runner.invoke(app, [*subcommand, *hook["args"], "--no-cache", str(root)])
    assert result.exit_code == 1, result.output
    assert "RC-SEC-002" in result.output, "a failing hook shows why"
    clean = write_tree(tmp_path / "clean", {"README.md": "# Nothing to see\n"})
    assert runner.invoke(app, [*subcommand, *hook["args"], "--no-cache", str(clean)]).exit_code in (
        0,
        1,
    )


def test_one_scan_writes_sarif_and_junit(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    sarif_file, junit_file = tmp_path / "a.sarif", tmp_path / "b.xml"
    result = runner.invoke(
        app, ["scan", str(root), "-o", str(sarif_file), "-o", str(junit_file), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(sarif_file.read_text(encoding="utf-8"))
    assert SARIF_VALIDATOR.is_valid(document)
    assert document["runs"][0]["tool"]["driver"]["name"] == "readycheck"
    suites = ET.fromstring(junit_file.read_bytes())
    assert suites.tag == "testsuites"
    rules = len(document["runs"][0]["tool"]["driver"]["rules"])
    assert int(suites.get("tests", "0")) == rules
    assert "RC-SEC-002" in result.output, "the terminal report still goes to standard output"


def test_an_unknown_suffix_names_the_formats_it_could_be(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    result = runner.invoke(
        app, ["scan", str(root), "-o", str(tmp_path / "a.sarif"), "-o", str(tmp_path / "b.csv")]
    )
    assert result.exit_code == 2
    assert ".sarif" in result.output and ".xml" in result.output


def test_the_readme_ci_example_goes_red_on_a_new_notebook_secret_and_green_on_old_findings(
    tmp_path: Path, shim: Path
) -> None:
    """The issue's acceptance scenario, run through the action's own scan step: a
    baseline records today's findings on main; a pull request that only touches other
    lines passes; one that adds a key to a notebook fails, and SARIF points at the
    notebook line that holds it."""
    root = write_tree(
        tmp_path / "repo",
        SERVICE
        | {"notebooks/explore.ipynb": notebook_json("import pandas as pd\n", "df.head()\n")},
    )
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Dev")
        config.set_value("user", "email", "dev@example.com")
    created = runner.invoke(app, ["baseline", "create", str(root), "--no-cache"])
    assert created.exit_code == 0, created.output
    repo.git.add(A=True)
    repo.index.commit("service, notebook and the baseline of today's findings")
    repo.git.checkout("-b", "feature")

    outputs = tmp_path / "github_output"
    inputs = scan_step_env(
        shim,
        outputs,
        FAIL_ON="high",
        BASELINE=".readycheck-baseline.json",
        SINCE="main",
        SARIF_FILE=str(tmp_path / "readycheck.sarif"),
    )

    (root / "app/main.py").write_text("import logging\n\n" + SERVICE["app/main.py"])
    repo.git.add(A=True)
    repo.index.commit("log from the service")
    green = run_step(step("scan")["run"], inputs, root)
    assert green.returncode == 0, green.stderr
    assert outputs.read_text().splitlines()[0] == "exit-code=0", green.stdout

    notebook = notebook_json(
        "import pandas as pd\n", 'API_KEY = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n'
    )
    (root / "notebooks/explore.ipynb").write_text(notebook)
    repo.git.add(A=True)
    repo.index.commit("try the scoring API from the notebook")
    outputs.unlink()
    red = run_step(step("scan")["run"], inputs, root)
    assert red.returncode == 0, red.stderr
    assert outputs.read_text().splitlines()[0] == "exit-code=1", red.stdout

    document = json.loads(Path(inputs["SARIF_FILE"]).read_text(encoding="utf-8"))
    assert SARIF_VALIDATOR.is_valid(document)
    secret_line = next(
        number for number, line in enumerate(notebook.splitlines(), 1) if "API_KEY" in line
    )
    new = [r for r in document["runs"][0]["results"] if r.get("baselineState") == "new"]
    located = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in new
    }
    assert ("RC-SEC-001", "notebooks/explore.ipynb", secret_line) in located
    assert "9f8e7d6c5b4a" not in json.dumps(document), "the key itself is masked"
    unchanged = {r["ruleId"] for r in document["runs"][0]["results"]} - {r["ruleId"] for r in new}
    assert "RC-SEC-002" in unchanged, "the old pickle.load stays an old, unchanged alert"
