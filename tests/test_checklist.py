"""A kind's own checklist replaces the ML Test Score where the paper does not fit.

The ML Test Score judges classic ML (features, training, staleness). An LLM
application is judged on the LLM application readiness checklist instead, and every
output says which of the two it shows and why.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.model import Report, with_article
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook, RulebookError, default_rules_dir, load_rulebook
from tests.conftest import write_tree

#: A support assistant: a FastAPI endpoint that asks a hosted model, with a timeout,
#: traced, and nothing else.
ASSISTANT = {
    "requirements.txt": "fastapi==0.115.0\nopenai==1.51.0\nlangfuse==2.51.0\n",
    "app/main.py": (
        "from fastapi import FastAPI\n"
        "from langfuse.openai import OpenAI\n"
        "from pydantic import BaseModel\n\n"
        "app = FastAPI()\n"
        "client = OpenAI(timeout=20)\n\n\n"
        "class Question(BaseModel):\n"
        "    text: str\n\n\n"
        '@app.post("/ask")\n'
        "def ask(question: Question) -> dict:\n"
        "    reply = client.chat.completions.create(\n"
        '        model="gpt-4o", messages=[{"role": "user", "content": question.text}]\n'
        "    )\n"
        '    return {"answer": reply.choices[0].message.content}\n'
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, rulebook: Rulebook) -> Report:
    root = write_tree(tmp_path_factory.mktemp("assistant") / "repo", ASSISTANT)
    return scan(ScanOptions(path=root), rulebook)


def _items(report: Report) -> dict[str, str]:
    assert report.checklist is not None
    return {item.id: item.status for s in report.checklist.sections for item in s.items}


def test_an_llm_application_shows_its_checklist_instead_of_the_ml_test_score(
    assistant: Report,
) -> None:
    assert assistant.kind is not None and assistant.kind.id == "llm_app"
    assert assistant.ml_test_score is None
    assert assistant.checklist is not None
    assert assistant.checklist.name == "LLM application readiness checklist"
    assert "recognised as an LLM application" in assistant.checklist.reason


def test_each_item_reads_its_rules_results(assistant: Report) -> None:
    items = _items(assistant)
    assert items["Monitor 1"] == "met"  # traced through the Langfuse client
    assert items["Infra 4"] == "missing"  # gpt-4o is a moving alias
    assert items["Monitor 2"] == "missing"  # no evaluation suite
    assert items["Human 2"] == "not_applicable"  # nothing is retrieved
    # a FastAPI service (a delivery path) but no container: partly met
    assert items["Infra 1"] == "partly"


def test_section_tallies_count_partly_met_items_as_half(assistant: Report) -> None:
    assert assistant.checklist is not None
    infrastructure = next(s for s in assistant.checklist.sections if s.name == "Infrastructure")
    statuses = [item.status for item in infrastructure.items]
    assert infrastructure.met == statuses.count("met") + 0.5 * statuses.count("partly")
    assert infrastructure.applicable == len(statuses) - statuses.count("not_applicable")


def test_a_classic_ml_service_keeps_the_ml_test_score(samples: dict[str, Report]) -> None:
    service = samples["credit-risk-service"]
    assert service.ml_test_score is not None
    assert service.checklist is None


def test_every_output_names_the_checklist_and_why(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", ASSISTANT)
    runner = CliRunner()
    terminal = runner.invoke(app, ["scan", str(root), "--no-config", "-v"])
    assert "LLM application readiness checklist" in terminal.output
    assert "instead of the ML Test Score" in " ".join(terminal.output.split())
    assert "Judged as an LLM application" in " ".join(terminal.output.split())

    shown = runner.invoke(app, ["scan", str(root), "--no-config", "-f", "json"])
    report = json.loads(shown.output)
    schema = json.loads(
        (resources.files("readycheck") / "schemas" / "report.schema.json").read_text()
    )
    jsonschema.validate(report, schema)
    assert report["ml_test_score"] is None
    assert report["checklist"]["id"] == "llm_application_readiness"

    markdown = runner.invoke(app, ["scan", str(root), "--no-config", "-f", "markdown"])
    assert "**LLM application readiness checklist**" in markdown.output
    assert "Missing:" in markdown.output and "An evaluation suite" in markdown.output

    page = runner.invoke(app, ["scan", str(root), "--no-config", "-f", "html"])
    assert 'id="checklist"' in page.output and 'id="ml-test-score"' not in page.output


def test_a_checklist_naming_an_unknown_rule_is_a_rulebook_error(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for source in default_rules_dir().iterdir():
        if source.name.endswith(".yaml"):
            text = source.read_text(encoding="utf-8")
            if source.name == "llm.yaml":
                text = text.replace("rules: [RC-LLM-002]}", "rules: [RC-LLM-999]}", 1)
            (folder / source.name).write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_rulebook([folder])
    assert "RC-LLM-999" in error.value.message
    assert error.value.path is not None and error.value.path.endswith("llm.yaml")
    assert error.value.line is not None


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("LLM application or agent", "an LLM application or agent"),
        ("online service", "an online service"),
        ("batch or training pipeline", "a batch or training pipeline"),
        ("ML service", "an ML service"),
        ("GPU cluster", "a GPU cluster"),
    ],
)
def test_kinds_are_named_with_the_article_they_are_read_with(noun: str, expected: str) -> None:
    assert with_article(noun) == expected


def test_an_item_with_a_present_hazard_is_missing_not_partly_met(
    samples: dict[str, Report],
) -> None:
    """The LLM pilot hard-codes its key: RC-SEC-001 fails, and the credentials item is
    missing, whatever the other rules of the item say."""
    pilot = samples["support-bot-pilot"]
    assert _items(pilot)["Security 3"] == "missing"
