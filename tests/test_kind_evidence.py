"""What makes a repository one kind or another (precision round 11): a projection fitted
to draw a chart trains no model, and a Django project served by Daphne is an online
service."""

from __future__ import annotations

from pathlib import Path

from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import rule_result, write_tree

_RAG = {
    "requirements.txt": "openai==1.51.0\ngradio==4.44.1\numap-learn==0.5.6\nplotly==5.24.1\n",
    "app/answer.py": """\
from openai import OpenAI

client = OpenAI(timeout=30)


def answer(question: str, passages: list[str]) -> str:
    context = "\\n".join(passages)
    reply = client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        messages=[{"role": "user", "content": f"{context}\\n\\nQuestion: {question}"}],
    )
    return reply.choices[0].message.content or ""
""",
    "app/ui.py": """\
import gradio as gr

from app.answer import answer

demo = gr.Interface(fn=lambda q: answer(q, []), inputs="text", outputs="text")
""",
}

_PLOT = """\
import numpy as np
import plotly.graph_objs as go
import umap


def plot_cited(embeddings: np.ndarray) -> go.Figure:
    points = umap.UMAP(n_components=2).fit(embeddings).embedding_
    return go.Figure(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers"))
"""

_TRAIN = """\
import numpy as np
from sklearn.linear_model import LogisticRegression


def train(features: np.ndarray, labels: np.ndarray) -> LogisticRegression:
    return LogisticRegression(max_iter=200).fit(features, labels)
"""


def _scan(tmp_path: Path, rulebook: Rulebook, files: dict[str, str]) -> Report:
    return scan(ScanOptions(path=write_tree(tmp_path / "repo", files)), rulebook)


def test_a_projection_fitted_for_a_chart_trains_no_model(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    report = _scan(tmp_path, rulebook, {**_RAG, "app/visualize.py": _PLOT})
    assert report.kind is not None and report.kind.id == "llm_app"
    assert rule_result(report, "RC-LLM-005").status is not Status.NOT_APPLICABLE


def test_a_classifier_trained_beside_the_prompts_makes_it_no_llm_application(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    report = _scan(tmp_path, rulebook, {**_RAG, "app/train.py": _TRAIN})
    assert report.kind is not None and report.kind.id != "llm_app"


def test_a_django_project_served_by_daphne_is_an_online_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {
        "requirements.txt": "django==5.1.2\nchannels==4.1.0\ndaphne==4.1.2\nscikit-learn==1.5.2\n",
        "site/asgi.py": """\
import os

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")
application = ProtocolTypeRouter({"http": get_asgi_application()})
""",
        "site/train.py": _TRAIN,
        "start.sh": "#!/bin/sh\ndaphne -b 0.0.0.0 -p 8090 site.asgi:application\n",
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"
    assert rule_result(report, "RC-INFRA-017").status is Status.PASS


def test_a_repository_of_project_templates_is_judged_as_a_library(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """Round 14 (kedro-org/kedro-starters): the code lives in cookiecutter templates."""
    files = {
        "README.md": "# Starters\n",
        "iris/cookiecutter.json": '{"repo_name": "iris"}',
        "iris/{{ cookiecutter.repo_name }}/src/nodes.py": _TRAIN,
        "iris/{{ cookiecutter.repo_name }}/src/pipeline.py": "from .nodes import train\n",
        "spaceflights/{{ cookiecutter.repo_name }}/src/nodes.py": _TRAIN,
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "library"
    assert "templates" in report.kind.reason


def test_a_template_folder_in_a_project_leaves_it_the_project_it_is(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {
        "{{cookiecutter.project_slug}}/src/model.py": _TRAIN,
        "src/churn/train.py": _TRAIN,
        "src/churn/features.py": "def tenure(frame):\n    return frame['tenure']\n",
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id != "library"


def test_an_example_s_serving_image_does_not_make_a_library_a_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """jxnl/instructor: a published library whose examples/ hold a FastAPI app and its
    Dockerfile is still a library: the example's image is not the project's."""
    publish = (
        "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: poetry publish --build\n"
    )
    files = {
        "pyproject.toml": '[project]\nname = "structured"\nversion = "1.0.0"\n',
        ".github/workflows/publish.yml": publish,
        "structured/__init__.py": "def patch(client):\n    return client\n",
        "examples/citations/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "examples/citations/Dockerfile": (
            "FROM python:3.12.6-slim\nCOPY . /app\nWORKDIR /app\n"
            'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]\n'
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "library"


def test_the_project_s_own_serving_image_makes_it_a_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": (
            "FROM python:3.12.6-slim\nCOPY app /app\nWORKDIR /\n"
            'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]\n'
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"


def test_a_jina_executor_served_by_a_flow_is_an_online_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """jina-ai/clip-as-service: executors answer /encode and /rank, the image runs the
    Flow; it was read as a library (and its image as a batch job)."""
    files = {
        "server/clip_server/__init__.py": "",
        "server/clip_server/executors/clip_torch.py": """\
import torch
from jina import DocumentArray, Executor, requests


class CLIPEncoder(Executor):
    @requests(on="/encode")
    def encode(self, docs: DocumentArray, **kwargs) -> DocumentArray:
        with torch.inference_mode():
            docs.embeddings = torch.zeros(len(docs), 512).numpy()
        return docs
""",
        "server/clip_server/__main__.py": """\
from jina import Flow

if __name__ == "__main__":
    flow = Flow.load_config("torch-flow.yml")
    with flow:
        flow.block()
""",
        "Dockerfiles/server.Dockerfile": (
            "FROM python:3.10.14-slim\nCOPY server /cas/server\nWORKDIR /cas/server\n"
            'ENTRYPOINT ["python", "-m", "clip_server"]\n'
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"
    delivery = rule_result(report, "RC-INFRA-017")
    assert delivery.status is Status.PASS
    assert not any("as a job" in e.detail for e in delivery.evidence)


_PUBLISHED_SERVER = {
    "pyproject.toml": '[project]\nname = "chatserve"\nversion = "0.2.0"\n',
    ".github/workflows/publish.yml": (
        "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: python -m build\n"
        "      - run: twine upload dist/*\n"
    ),
    "chatserve/__init__.py": "",
    "chatserve/serve/__init__.py": "",
    "chatserve/serve/api_server.py": """\
import argparse

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.post("/v1/chat/completions")
def complete(prompt: str) -> dict:
    return {"text": prompt[::-1]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    uvicorn.run(app, host="0.0.0.0", port=parser.parse_args().port)
""",
    "docker/Dockerfile": (
        "FROM python:3.11.9-slim\nRUN pip install --no-cache-dir chatserve==0.2.0\n"
    ),
}


def _compose(command: str) -> str:
    return (
        "services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile\n"
        f'    ports:\n      - "8000:8000"\n    entrypoint: [{command}]\n'
    )


def test_a_published_package_its_compose_file_runs_as_a_server_is_a_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """lm-sys/FastChat: the image installs the released package and compose starts its
    API server on a published port; it was read as a library."""
    compose = _compose('"python", "-m", "chatserve.serve.api_server", "--port", "8000"')
    report = _scan(tmp_path, rulebook, {**_PUBLISHED_SERVER, "docker/docker-compose.yml": compose})
    assert report.kind is not None and report.kind.id == "service"


def test_a_published_port_of_a_training_command_serves_nothing(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    compose = _compose('"python", "-m", "chatserve.train", "--epochs", "3"')
    report = _scan(tmp_path, rulebook, {**_PUBLISHED_SERVER, "docker/docker-compose.yml": compose})
    assert report.kind is not None and report.kind.id == "library"


_EVALUATE = """\
from sklearn import metrics
from sklearn.preprocessing import MultiLabelBinarizer


def f1(truth: list[list[str]], predicted: list[list[str]]) -> float:
    binarizer = MultiLabelBinarizer()
    binarizer.fit([sorted({label for labels in truth + predicted for label in labels})])
    return metrics.f1_score(
        binarizer.transform(truth), binarizer.transform(predicted), average="samples"
    )
"""


def test_a_label_binarizer_fitted_for_a_metric_trains_no_model(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """i-dot-ai/consult: an evaluation's MultiLabelBinarizer().fit made an application
    built on hosted models a trainer of its own, so none of the LLM rules applied."""
    report = _scan(tmp_path, rulebook, {**_RAG, "app/evaluate.py": _EVALUATE})
    assert report.kind is not None and report.kind.id == "llm_app"
    assert rule_result(report, "RC-HYG-006").status is Status.NOT_APPLICABLE


_HTTP_GENERATOR = """\
import aiohttp


async def generate(question: str, context: str, api_key: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            "https://api.openai.com/v1/chat/completions",
            headers={"Authorization": f"Bearer {api_key}"},
            json={"model": "gpt-4o-2024-08-06", "messages": [{"role": "user", "content": context + question}]},
            timeout=aiohttp.ClientTimeout(total=60),
        ) as response:
            body = await response.json()
            return body["choices"][0]["message"]["content"]
"""


def test_an_application_asking_models_over_their_http_apis_is_an_llm_application(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """weaviate/Verba: its generators call OpenAI, Anthropic and Ollama over HTTP, while
    spaCy's document objects hold chunks and a PCA draws the embeddings: it was read as
    a classic ML service, so none of the LLM rules applied."""
    files = {
        "requirements.txt": "fastapi==0.115.0\naiohttp==3.10.5\nspacy==3.7.5\nscikit-learn==1.5.2\n",
        "rag/api.py": "from fastapi import FastAPI\n\nfrom rag.generation.openai import generate\n\napp = FastAPI()\n",
        "rag/generation/openai.py": _HTTP_GENERATOR,
        "rag/generation/ollama.py": _HTTP_GENERATOR.replace(
            "https://api.openai.com/v1/chat/completions", "http://localhost:11434/api/chat"
        ),
        "rag/chunk.py": "from spacy.tokens import Doc, Span\n\n\ndef spans(doc: Doc) -> list[Span]:\n    return list(doc.sents)\n",
        "rag/plot.py": (
            "from sklearn.decomposition import PCA\n\n\n"
            "def project(vectors):\n    return PCA(n_components=3).fit_transform(vectors)\n"
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "llm_app"


_INPAINT_API = """\
from fastapi import FastAPI
from PIL import ImageOps
import torch


app = FastAPI()


def thumbnail(image, size):
    return ImageOps.fit(image, size)


@app.post("/api/v1/inpaint")
def inpaint(payload: dict) -> dict:
    with torch.no_grad():
        return {"ok": True}
"""


#: A tool released by its setup.py and installed by name, with a local web UI.
_INPAINT_PACKAGE = {
    "setup.py": 'import setuptools\n\nsetuptools.setup(\n    name="InpaintKit",\n    version="1.2.0",\n)\n',
    "README.md": "# InpaintKit\n\n```bash\npip3 install inpaintkit\ninpaintkit start\n```\n",
    "inpaintkit/api.py": _INPAINT_API,
}


def test_a_tool_released_by_its_setup_py_and_run_by_its_users_is_judged_as_a_package(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """Sanster/IOPaint: `pip3 install iopaint` in the README, setup(name="IOPaint"), a
    local web UI, and Docker images that start a shell: a tool its users install and run,
    not a service the repository operates."""
    files = {
        **_INPAINT_PACKAGE,
        "docker/CPUDockerfile": (
            "FROM python:3.10.11-slim-buster\nRUN pip3 install inpaintkit==1.2.0\n"
            'EXPOSE 8080\nCMD ["bash"]\n'
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "library"
    assert rule_result(report, "RC-INFRA-006").status is Status.NOT_APPLICABLE


def test_the_same_tool_with_an_image_that_starts_its_server_is_a_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {
        **_INPAINT_PACKAGE,
        "docker/CPUDockerfile": (
            "FROM python:3.10.11-slim-buster\nCOPY inpaintkit /inpaintkit\n"
            'EXPOSE 8080\nCMD ["uvicorn", "inpaintkit.api:app", "--host", "0.0.0.0"]\n'
        ),
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"


def test_an_image_library_s_fit_trains_no_model(tmp_path: Path, rulebook: Rulebook) -> None:
    """PIL's ImageOps.fit crops an image to a size; `*.fit` is otherwise training."""
    report = _scan(tmp_path, rulebook, {"inpaintkit/api.py": _INPAINT_API})
    assert rule_result(report, "RC-MON-004").status is Status.NOT_APPLICABLE
    trained = _INPAINT_API + "\n\ndef train(model, x, y):\n    return model.fit(x, y)\n"
    report = _scan(tmp_path / "trained", rulebook, {"inpaintkit/api.py": trained})
    assert rule_result(report, "RC-MON-004").status is not Status.NOT_APPLICABLE


def test_the_kind_is_shown_with_the_product_s_evidence_before_a_script_s(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """HwangChulHee/sepsis-mlops: the service was shown by a smoke script's FastAPI import
    (scripts/ sorts before src/) rather than by the service itself."""
    files = {
        "scripts/smoke.py": "from fastapi.testclient import TestClient\nfrom fastapi import FastAPI\n",
        "src/serve/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.evidence is not None
    assert report.kind.evidence.location is not None
    assert report.kind.evidence.location.path == "src/serve/api.py"


def test_a_pass_shows_the_prediction_path_s_evidence_before_a_management_route_s(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """tycheung/EasyMLOps: typed input was shown from the deployment-management routes
    (app/routes/deployments.py sorts before the prediction handler), not from /predict."""
    files = {
        "app/routes/deployments.py": (
            "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
            "router = APIRouter()\n\n\nclass DeploymentCreate(BaseModel):\n    model_id: str\n\n\n"
            "@router.post('/deployments')\ndef create_deployment(body: DeploymentCreate) -> dict[str, str]:\n"
            "    return {'id': body.model_id}\n"
        ),
        "app/routes/predict.py": (
            "import joblib\nfrom fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
            "router = APIRouter()\nmodel = joblib.load('model.joblib')\n\n\n"
            "class Applicant(BaseModel):\n    income: float\n    age: int\n\n\n"
            "@router.post('/predict')\ndef predict(applicant: Applicant) -> dict[str, float]:\n"
            "    return {'score': float(model.predict([[applicant.income, applicant.age]])[0])}\n"
        ),
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import deployments, predict\n\n"
            "app = FastAPI()\napp.include_router(deployments.router)\napp.include_router(predict.router)\n"
        ),
    }
    result = rule_result(_scan(tmp_path, rulebook, files), "RC-DATA-002")
    assert result.status is Status.PASS
    first = result.evidence[0]
    assert first.location is not None and first.location.path == "app/routes/predict.py", first


def test_an_application_that_asks_bedrock_through_boto3_is_an_llm_application(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """aws-samples/multi-tenant-full-stack-rag-application-demo: the answers come from
    Bedrock's Converse API through a boto3 client, with no LLM SDK imported; the
    repository was judged as a classic ML service and every LLM rule left out."""
    files = {
        "backend/clients.py": (
            "import boto3\n\n\ndef bedrock_runtime():\n"
            "    return boto3.client('bedrock-runtime', region_name='eu-west-1')\n"
        ),
        "backend/generation.py": (
            "import json\n\nfrom backend.clients import bedrock_runtime\n\nclient = bedrock_runtime()\n\n\n"
            "def handler(event, context):\n    question = json.loads(event['body'])['question']\n"
            "    reply = client.converse(\n        modelId='anthropic.claude-3-5-sonnet-20240620-v1:0',\n"
            "        messages=[{'role': 'user', 'content': [{'text': question}]}],\n    )\n"
            "    return {'statusCode': 200, 'body': reply['output']['message']['content'][0]['text']}\n"
        ),
        "backend/sandbox_api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "llm_app", report.kind


def test_a_pass_shows_the_training_seed_before_a_simulator_s_or_a_load_test_s(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """vijaypratap3364/production-mlops-ticket-router: seeding was shown from a drift
    simulator and a Locust user (they sort before the training module), not from training."""
    files = {
        "load_tests/locustfile.py": (
            "import random\n\nfrom locust import HttpUser, task\n\nRNG = random.Random(7)\n\n\n"
            "class Operator(HttpUser):\n    @task\n    def route(self) -> None:\n"
            "        self.client.post('/route', json={'text': RNG.choice(['a', 'b'])})\n"
        ),
        "src/router/monitoring/simulate_drift.py": (
            "import numpy as np\n\nrng = np.random.default_rng(11)\n\n\n"
            "def drifted(n: int):\n    return rng.normal(size=n)\n"
        ),
        "src/router/training/train.py": (
            "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n"
            "np.random.seed(42)\n\n\ndef train(x, y):\n"
            "    return LogisticRegression(random_state=42).fit(x, y)\n"
        ),
    }
    result = rule_result(_scan(tmp_path, rulebook, files), "RC-HYG-006")
    assert result.status is Status.PASS
    first = result.evidence[0]
    assert first.location is not None, first
    assert first.location.path == "src/router/training/train.py", first


_AGENT_API = (
    "from fastapi import FastAPI\nfrom langchain_ollama import ChatOllama\n\n"
    "app = FastAPI()\nllm = ChatOllama(model='beru-llama3-ft', timeout=60)\n\n\n"
    "@app.post('/ask')\ndef ask(question: str) -> dict[str, str]:\n"
    "    return {'answer': str(llm.invoke(question).content)}\n"
)
_AGENT_TOOLS = (
    "from langchain_core.tools import tool\n\n\n@tool\ndef lookup(ticket: str) -> str:\n"
    "    '''Find a ticket.'''\n    return ticket\n"
)


def _agent_kind(tmp_path: Path, rulebook: Rulebook, path: str, trainer: str) -> str | None:
    """The kind of a repository serving the agent above beside one training module."""
    files = {"agent/api.py": _AGENT_API, "agent/tools.py": _AGENT_TOOLS, path: trainer}
    report = _scan(tmp_path, rulebook, files)
    return report.kind.id if report.kind is not None else None


def test_an_agent_that_fine_tunes_its_language_model_is_an_llm_application(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """jimjrxieb/MLOPS-project: a LangGraph agent served over FastAPI on a Llama model the
    repository fine-tunes with LoRA (PEFT, TRL); the fine-tune made it a classic ML service
    and every LLM rule was left out."""
    trainer = (
        "import torch\nfrom peft import LoraConfig, get_peft_model\n"
        "from transformers import AutoModelForCausalLM\n\n\ndef train(batches):\n"
        "    model = get_peft_model(AutoModelForCausalLM.from_pretrained('llama-3-8b'), LoraConfig(r=16))\n"
        "    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4)\n"
        "    for batch in batches:\n        loss = model(**batch).loss\n"
        "        loss.backward()\n        optimizer.step()\n        optimizer.zero_grad()\n"
    )
    assert _agent_kind(tmp_path, rulebook, "finetune/train.py", trainer) == "llm_app"


def test_an_agent_beside_a_classifier_the_team_trains_is_an_ml_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """The same agent, but the repository also trains a classifier of its own: it is an ML
    system that also asks a language model."""
    trainer = (
        "from sklearn.linear_model import LogisticRegression\n\n\n"
        "def train(x, y):\n    return LogisticRegression().fit(x, y)\n"
    )
    assert _agent_kind(tmp_path, rulebook, "ranking/train.py", trainer) == "service"


_LOCAL_CHAT = """\
from llama_cpp import Llama

llm = Llama(model_path="models/llama-3.2-1b-instruct.Q4_K_M.gguf", n_ctx=4096)


def answer(question: str, passages: list[str]) -> str:
    context = "\\n".join(passages)
    reply = llm.create_chat_completion(
        messages=[{"role": "user", "content": f"{context}\\n\\nQuestion: {question}"}],
        max_tokens=512,
    )
    return reply["choices"][0]["message"]["content"]
"""

_LOCAL_CHAT_API = """\
from fastapi import FastAPI

from bot.client import answer

app = FastAPI()


@app.post("/chat")
def chat(question: str) -> dict:
    return {"answer": answer(question, [])}
"""


def test_an_application_running_its_language_model_in_process_is_an_llm_application(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """umbertogriffo/rag-chatbot (round 43): a local RAG chatbot runs its model through
    llama.cpp in the server's own process; read as a classic service, none of the LLM
    rules judged it."""
    files = {
        "requirements.txt": "fastapi==0.115.0\nllama-cpp-python==0.3.1\nchromadb==0.5.5\n",
        "bot/client.py": _LOCAL_CHAT,
        "backend/api.py": _LOCAL_CHAT_API,
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "llm_app"
    assert rule_result(report, "RC-LLM-018").status is not Status.NOT_APPLICABLE


def test_a_service_running_a_classifier_in_process_stays_a_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {
        "requirements.txt": "fastapi==0.115.0\nscikit-learn==1.5.2\njoblib==1.4.2\n",
        "bot/client.py": (
            "import joblib\n\nmodel = joblib.load('models/intent.joblib')\n\n\n"
            "def answer(question: str, passages: list[str]) -> str:\n"
            "    return str(model.predict([question])[0])\n"
        ),
        "backend/api.py": _LOCAL_CHAT_API,
    }
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"
