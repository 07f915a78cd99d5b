"""The command line as a user meets it: help, version, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import SAMPLES, write_tree

runner = CliRunner()

SERVICE = {
    "app/main.py": (
        "from fastapi import FastAPI\nimport pickle\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n\n"
        "@app.post('/predict')\ndef predict(payload: dict) -> dict:\n    return {'y': model.predict([payload])}\n"
    ),
    "requirements.txt": "fastapi\nscikit-learn\n",
}


def test_help_reads_like_a_tool() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Is this ML repository ready for production?" in result.output
    assert "scan" in result.output
    scan_help = runner.invoke(app, ["scan", "--help"])
    assert scan_help.exit_code == 0
    for option in ("--format", "--output", "--rulebook", "--exclude", "--verbose"):
        assert option in scan_help.output


def test_help_shows_defaults_in_brackets_rather_than_eating_them_as_markup() -> None:
    scan_help = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "200"})
    assert "[default: 5 MiB]" in scan_help.output
    assert "[tool.readycheck]" in scan_help.output
    baseline_help = runner.invoke(app, ["baseline", "create", "--help"], env={"COLUMNS": "200"})
    assert "[default: PATH/.readycheck-baseline.json]" in baseline_help.output
    for option in ("--exclude", "--no-inline-ignores", "--no-cache", "--jobs"):
        assert option in baseline_help.output, "baseline create scans as the gate does"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("readycheck ")


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "readycheck", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("readycheck ")


def test_terminal_report_says_what_where_why_and_fix(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    result = runner.invoke(app, ["scan", str(root)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "/ 100" in out
    assert "Data pipeline robustness" in out
    assert "RC-SEC-002" in out
    assert "app/main.py:5" in out
    assert "why" in out and "fix" in out


def test_json_report_is_valid_against_the_shipped_schema(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    result = runner.invoke(app, ["scan", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    schema = json.loads(
        (resources.files("readycheck") / "schemas" / "report.schema.json").read_text()
    )
    jsonschema.validate(report, schema)
    assert report["schema_version"].startswith("2.")
    pickle_result = next(r for r in report["results"] if r["rule_id"] == "RC-SEC-002")
    assert pickle_result["status"] == "fail"
    assert pickle_result["findings"][0]["location"] == {"path": "app/main.py", "line": 5}


def test_output_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    target = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(root), "-f", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["target"]["name"] == "svc"


def test_missing_path_exits_2_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["scan", "--frobnicate"]).exit_code == 2


def _closed_pipe_exit(*args: str) -> int:
    """Run readycheck with its standard output read for one line, then closed (`| head -1`)."""
    command = [sys.executable, "-m", "readycheck", "scan", *args, "--no-cache"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    code = process.wait(timeout=120)
    assert b"Traceback" not in errors and b"internal error" not in errors, errors
    return code


def test_a_reader_that_closes_the_pipe_is_not_a_failed_gate() -> None:
    pilot = str(SAMPLES / "churn-pilot")
    assert _closed_pipe_exit(pilot) == 0
    assert _closed_pipe_exit(pilot, "--format", "json") == 0
    assert _closed_pipe_exit(pilot, "--fail-under", "90") == 1  # the gate still decides


def test_quiet_still_says_on_stderr_why_the_gate_failed() -> None:
    result = CliRunner().invoke(
        app, ["scan", str(SAMPLES / "churn-pilot"), "--no-cache", "-q", "--fail-under", "90"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("readycheck: gate failed: score ")
    assert result.stderr.strip().endswith("is under 90")


def test_output_options_are_strict_and_conventional(tmp_path: Path) -> None:
    """-o - is standard output; an extension that contradicts --format is an error, never
    a file of the wrong format or an option silently ignored."""
    pilot = str(SAMPLES / "churn-pilot")
    contradiction = runner.invoke(
        app, ["scan", pilot, "--no-cache", "-f", "json", "-o", str(tmp_path / "x.html")]
    )
    assert contradiction.exit_code == 2
    assert "x.html names the html format, but --format says json" in contradiction.output
    assert not (tmp_path / "x.html").exists()
    several = runner.invoke(
        app,
        ["scan", pilot, "--no-cache", "-f", "json",
         "-o", str(tmp_path / "a.html"), "-o", str(tmp_path / "b.json")],
    )  # fmt: skip
    assert several.exit_code == 2
    dash = runner.invoke(
        app, ["scan", pilot, "--no-cache", "-f", "json", "-o", "-", "-o", str(tmp_path / "r.json")]
    )
    assert dash.exit_code == 0
    assert json.loads(dash.stdout)["schema_version"].startswith("2.")
    assert json.loads((tmp_path / "r.json").read_text())["summary"]
    assert not Path("-").exists()


def test_help_shows_no_type_beside_a_flag() -> None:
    for command in ([], ["scan"], ["rules", "list"], ["baseline", "create"]):
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0
        assert "<bool>" not in result.output, command


def test_a_text_report_file_is_plain_and_100_columns_whatever_the_environment(
    tmp_path: Path,
) -> None:
    """`-o report.txt` is a file: FORCE_COLOR must not put style codes in it, and
    TERM=dumb must not narrow it to 80 columns."""
    widths = set()
    for env in ({}, {"FORCE_COLOR": "1"}, {"TERM": "dumb", "FORCE_COLOR": "1"},
                {"TERM": "dumb", "TTY_COMPATIBLE": "1"}):  # fmt: skip
        out = tmp_path / f"report-{len(widths)}-{len(env)}.txt"
        result = runner.invoke(
            app, ["scan", str(SAMPLES / "fraud-detector"), "-q", "-o", str(out)], env=env
        )
        assert result.exit_code in (0, 1), result.output
        text = out.read_text(encoding="utf-8")
        assert "\x1b" not in text, env
        widths.add(max(len(line) for line in text.splitlines()))
    assert widths == {100}
