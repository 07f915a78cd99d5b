"""The README's two set-up commands stay true: the first scans a sample project that
exists, and .ci/run runs exactly the README's test command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from readycheck.cli import app

TOP = Path(__file__).parent.parent
README = (TOP / "README.md").read_text(encoding="utf-8")


def _first_command(section: str) -> str:
    body = README.split(f"## {section}\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", body, re.DOTALL)
    assert block is not None, f"no bash block under '## {section}'"
    return block.group(1).strip().splitlines()[0]


def test_the_quick_start_installs_and_scans_a_sample_project() -> None:
    install, scan = _first_command("Quick start").split(" && ")
    assert install == "python -m pip install -e ."
    program, *arguments = shlex.split(scan)
    assert program == "readycheck" and arguments[0] == "scan"
    assert (TOP / arguments[1]).is_dir()
    result = CliRunner().invoke(app, [*arguments, "--no-cache"])
    assert result.exit_code in (0, 1), result.output  # 1: the sample's gate, never a usage error
    assert "/ 100" in result.output and "PROTOTYPE" in result.output


def test_ci_runs_the_readme_test_command() -> None:
    command = _first_command("Run the tests")
    assert command == "python -m pip install -e '.[test]' && python -m pytest"
    ci = (TOP / ".ci/run").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(command)}( -q)?$", ci, re.MULTILINE), ci
