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


def _scoring_section() -> str:
    return README.split("## How the score is computed\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_states_the_scores_constants_as_the_code_has_them() -> None:
    """The formula is written in the README in a few lines; these are its numbers."""
    from readycheck import score
    from readycheck.model import Severity, Status
    from readycheck.rulebook import load_rulebook

    text = " ".join(_scoring_section().split())
    credits = {Status.PASS: "**1**", Status.PARTIAL: "**0.5**", Status.FAIL: "**0**"}
    for status, written in credits.items():
        assert f"{written} when" in text and score.CREDIT[status] == float(written.strip("*"))
    weights = ", ".join(f"{s.value} {s.weight:g}" for s in Severity)
    assert weights in text
    assert f"`{score.HAZARD_FACTOR:g} × weight × density` percent" in text
    assert "`100 × earned / possible × (1 − penalties / 100)`" in text
    assert score.WEAK_HAZARD_SHARE == 0.25 and "a quarter of that" in text
    caps = {r.caps.pillar for r in load_rulebook().rules if r.caps and r.caps.pillar is not None}
    assert caps == {40} and "cap their pillar at 40" in text
    levels = {r.caps.level for r in load_rulebook().rules if r.caps and r.caps.level}
    assert levels == {"pilot"} and "caps the level at Pilot" in text
    for band in score.LEVEL_BANDS[:-1]:
        row = f"| {band.level.title} | {band.min_overall:g} | {band.min_weakest:g} |"
        assert row in _scoring_section(), row


def test_the_readme_lists_every_repository_kind() -> None:
    from readycheck.rulebook import load_rulebook

    for kind in load_rulebook().kinds:
        assert f"| {kind.title} |" in _scoring_section(), kind.title
