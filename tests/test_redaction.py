"""No secret in any output: every text a report carries crosses one redactor (redact.py).

The property test generates secrets of every common format, places them in every kind
of file and in lines that rules other than the secret rules quote, and checks that no
output of any format, nor the baseline, nor the cache, holds one of them, even when
the scanned repository's own config asks for masking to be switched off.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.redact import redact
from tests.conftest import write_tree

ALNUM = string.ascii_letters + string.digits


def _token(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    """Random text of a key's length from its alphabet, with a letter and, when the
    alphabet has them, a digit (a generated key has both)."""
    letters = [c for c in alphabet if c.isalpha()]
    digits = [c for c in alphabet if c.isdigit()] or letters
    return st.builds(
        lambda body, letter, digit: letter + body + digit,
        st.text(alphabet=alphabet, min_size=size - 2, max_size=size - 2),
        st.sampled_from(letters),
        st.sampled_from(digits),
    )


SECRETS = st.fixed_dictionaries(
    {
        "aws": _token(16, string.ascii_uppercase + string.digits).map(lambda s: "AKIA" + s),
        "aws_secret": _token(40, ALNUM + "/+"),
        "github": _token(36).map(lambda s: "ghp_" + s),
        "github2": _token(36).map(lambda s: "ghp_" + s),
        "openai": _token(48).map(lambda s: "sk-proj-" + s),
        "anthropic": _token(90, ALNUM + "_-").map(lambda s: "sk-ant-api03-" + s),
        "huggingface": _token(34, string.ascii_letters).map(lambda s: "hf_" + s),
        "slack": _token(40).map(lambda s: "xoxb-" + s),
        "google": _token(35).map(lambda s: "AIza" + s),
        "password": _token(14),
        "password2": _token(18),
        "wandb": _token(40, "0123456789abcdef"),
        "pem_body": _token(64, ALNUM + "/+"),
    }
)


def _repository(s: dict[str, str]) -> dict[str, str]:
    notebook_line = (
        f"s3 = boto3.client('s3', aws_access_key_id='{s['aws']}', "
        f"aws_secret_access_key='{s['aws_secret']}')"
    )
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "outputs": [],
                "source": ["import boto3\n", notebook_line],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return {
        # the repository's own config asks for masking to be switched off: it has no say
        ".readycheck.yml": "rules:\n  params:\n    RC-SEC-001: {mask: false}\n",
        "src/churn/settings.py": (
            "import boto3\n\n"
            f"s3 = boto3.client('s3', aws_access_key_id='{s['aws']}', "
            f"aws_secret_access_key='{s['aws_secret']}')\n"
            f'TOKENS = ["{s["github"]}", "{s["github2"]}"]\n'
            f'PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\\n{s["pem_body"]}\\n'
            '-----END RSA PRIVATE KEY-----"\n'
        ),
        "src/churn/client.py": (
            "import requests\n\n\n"
            "def score(payload: dict) -> dict:\n"
            '    response = requests.post("https://llm.acme.io/v1/score", json=payload, '
            f'headers={{"Authorization": "Bearer {s["openai"]}"}})\n'
            "    return response.json()\n"
        ),
        "src/churn/hub.py": (
            "import anthropic\nimport wandb\nfrom transformers import AutoModel\n\n"
            f'model = AutoModel.from_pretrained("acme/churn-encoder", token="{s["huggingface"]}")\n'
            f'wandb.login(key="{s["wandb"]}")\n'
            f'client = anthropic.Anthropic(api_key="{s["anthropic"]}")\n'
        ),
        "src/churn/track.py": (
            "import mlflow\n\n"
            f'mlflow.set_tracking_uri("postgresql://ml:{s["password"]}@db.acme.io/mlflow")\n'
            f'SLACK = "{s["slack"]}"\n'
            f'MAPS_KEY = "{s["google"]}"\n'
        ),
        "notebooks/explore.ipynb": json.dumps(notebook),
        "Dockerfile": (
            "FROM python:3.12-slim\n"
            f"ENV DB_PASSWORD={s['password']} API_TOKEN={s['password2']}\n"
            'CMD ["uvicorn", "churn.app:app"]\n'
        ),
        "requirements.txt": (
            f"churn-lib @ git+https://{s['github']}@github.com/acme/churn-lib.git\n"
            f"scorer @ https://ml:{s['password2']}@pypi.acme.io/simple/scorer-1.0.whl\n"
            "requests\n"
        ),
        "scripts/env.sh": f"export OPENAI_API_KEY={s['openai']} HF_TOKEN={s['huggingface']}\n",
        "deploy/job.yaml": (
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train}\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: train\n          image: acme/train\n"
            "          env:\n            - name: DB_PASSWORD\n"
            f"              value: {s['password']}\n"
        ),
    }


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(secrets=SECRETS)
def test_no_output_of_any_format_nor_the_baseline_nor_the_cache_holds_a_secret(
    tmp_path_factory: pytest.TempPathFactory, secrets: dict[str, str]
) -> None:
    work = tmp_path_factory.mktemp("redaction")
    root = write_tree(work / "repo", _repository(secrets))
    out, cache = work / "out", work / "cache"
    out.mkdir()
    runner = CliRunner()
    outputs: list[str] = []
    for name in ("report.json", "report.html", "report.md", "report.sarif", "report.xml"):
        result = runner.invoke(
            app,
            ["scan", str(root), "--cache-dir", str(cache), "-o", str(out / name), "-q"],
            env={"COLUMNS": "400"},
        )
        assert result.exit_code in (0, 1), result.output
        outputs.append((out / name).read_text())
    for fmt in ("terminal", "github", "json"):
        result = runner.invoke(
            app,
            ["scan", str(root), "--cache-dir", str(cache), "-f", fmt, "--verbose"],
            env={"COLUMNS": "400", "GITHUB_ACTIONS": "true"},
        )
        outputs.append(result.output)
    baseline = out / "baseline.json"
    result = runner.invoke(
        app, ["baseline", "create", str(root), "-o", str(baseline), "--cache-dir", str(cache)]
    )
    assert result.exit_code == 0, result.output
    outputs.append(baseline.read_text())
    outputs += [p.read_bytes().decode("latin-1") for p in cache.rglob("*") if p.is_file()]

    # the scan did see them: the secret rules fire
    assert '"RC-SEC-001"' in outputs[0] and "AKIA" in outputs[0]
    for key, secret in secrets.items():
        for text in outputs:
            assert secret not in text, f"{key} leaked"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        # two secrets on one line: each finding used to mask only its own
        (
            "boto3.client('s3', aws_access_key_id='AKIAQYLPMN5HFIGVT3XQ', "
            "aws_secret_access_key='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')",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8TR2mVKE",
        ),
        ("ENV DB_PASSWORD=s3cr3tPassw0rd API_TOKEN=Zt8wq2Lr0pXe", "Zt8wq2Lr0pXe"),
        # secrets that other rules quote
        ("pkg @ git+https://ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6@github.com/a/b", "ghp_aB3d"),
        ("https://user:Pa55w0rdX@host.example/simple/pkg-1.0.whl", "Pa55w0rdX"),
        (
            'headers={"Authorization": "Bearer tok_9f8e7d6c5b4a3f2e1d0c"}',
            "tok_9f8e7d6c5b4a3f2e1d0c",
        ),
        ('mlflow.set_tracking_uri("postgresql://ml:hunter2@db/mlflow")', "hunter2"),
        ('wandb.login(key="5f3c2a9b8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b")', "2a9b8e7d6c5b4a3f"),
        # a private key on one line: its body, not only its header
        (
            '"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\\n'
            '-----END OPENSSH PRIVATE KEY-----"',
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE",
        ),
        ("psql --password hunter2hunter2 -h db", "hunter2hunter2"),
        # a generated key under a name that says nothing
        ("X = 'Qm9vN2xVb3Z5ZkR4S1pQa2Z3YjRlT1c2'", "Qm9vN2xVb3Z5ZkR4S1pQa2Z3YjRlT1c2"),
    ],
)
def test_the_redactor_masks_what_a_line_holds(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "for key, value in sorted(items.items(), key=lambda kv: kv[1]):",
        'password = os.environ["DB_PASSWORD"]',
        "uses: actions/checkout@8ade135a41bc03ea155e62e844d188df1ea18608",
        "token = get_token()",
        'model = joblib.load("models/churn_model_v2.joblib")',
        'image: "ghcr.io/acme/churn@sha256:4f9a1c7e2b6d8e0a4f9a1c7e2b6d8e0a4f9a1c7e2b6d8e0a"',
        "git+https://github.com/acme/churn-lib.git@v1.2.0",
        "DB_PASSWORD: ${DB_PASSWORD}",
        "the password expired yesterday",
        # a path on someone's machine is what RC-HYG-007 must show, not a secret
        'df = pd.read_csv("/Users/maria/Downloads/churn_export_2023.csv")',
    ],
)
def test_the_redactor_leaves_ordinary_code_readable(line: str) -> None:
    assert redact(line) == line


@given(st.text(max_size=200))
def test_redacting_twice_is_redacting_once(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_a_scan_report_masks_a_secret_no_secret_rule_reports(tmp_path: Path) -> None:
    """The pinning rule quotes a requirement whose URL carries a token."""
    token = "ghp_Q8wE2rT5yU7iO9pA1sD3fG4hJ6kL8zX0cV2b"
    root = write_tree(
        tmp_path / "repo",
        {"requirements.txt": f"churn-lib @ git+https://{token}@github.com/acme/churn-lib\n"},
    )
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache", "-f", "json"])
    assert result.exit_code in (0, 1)
    assert token not in result.output
    assert "ghp_********" in result.output


def test_a_value_recognised_as_a_secret_in_one_file_is_masked_where_another_rule_quotes_it(
    tmp_path: Path,
) -> None:
    """The compose file's password (RC-SEC-018) is also the basic-auth password of a call
    the timeout rule quotes in another file, under no name that says it is a secret."""
    password = "w3akPass"
    root = write_tree(
        tmp_path / "repo",
        {
            "docker-compose.yml": (
                f"services:\n  api:\n    build: .\n    environment:\n      DB_PASSWORD: {password}\n"
            ),
            "src/churn/features.py": (
                "import requests\n\n\n"
                "def features(customer: str) -> dict:\n"
                f'    return requests.get(f"https://features.acme.io/{{customer}}", auth=("ml", "{password}")).json()\n'
            ),
        },
    )
    for cache in (
        "--no-cache",
        f"--cache-dir={tmp_path / 'cache'}",
        f"--cache-dir={tmp_path / 'cache'}",
    ):
        result = CliRunner().invoke(app, ["scan", str(root), cache, "-f", "json"])
        report = json.loads(result.output)
        quoted = [
            f["snippet"]
            for r in report["results"]
            for f in r["findings"]
            if r["rule_id"] != "RC-SEC-018" and "features.acme.io" in f["snippet"]
        ]
        assert quoted, "the timeout rule quotes the call"
        assert password not in result.output


@pytest.mark.parametrize(
    "line",
    [
        'DB_PASSWORD = "Tr0ub4dor-and-3"',
        'client_secret: "Zq81-hxPa0Lw"',
        "curl -H 'Authorization: Bearer 9fJ2kLm0PqRs7tUv'",
        "postgres://admin:Sup3rS3cret@db.internal:5432/app",
        "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA",
        # letters a case-insensitive pattern matches although they fold to something else
        'paſsword = "Tr0ub4dor-and-3"',
        'credentİals = "Tr0ub4dor-and-3"',
        'CREDENTıALS = "Tr0ub4dor-and-3"',
    ],
)
def test_the_literal_shortcuts_never_skip_a_secret(line: str) -> None:
    """Each pattern runs only on a text holding the strings its matches need; the test
    for those strings is case-insensitive the way the patterns are."""
    redacted = redact(line)
    assert redacted != line
    assert "********" in redacted
