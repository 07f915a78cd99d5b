"""Findings scans of real ML code bases (mlflow's source; bentoml, nannyml and kserve
sdists) showed to be false, each pinned beside a true one of the same rule so the fix
cannot silence the rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from readycheck.model import Location, Report, Status
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]


def _lines(report: Report, rule_id: str) -> set[int | None]:
    result = rule_result(report, rule_id)
    return {f.location.line if f.location else None for f in result.findings}


def test_optional_imports_are_not_swallowed_failures(scan_tree: Scan) -> None:
    code = """\
try:
    import orjson
except ImportError:
    pass


def rows(lines):
    for line in lines:
        try:
            yield int(line)
        except ValueError:
            continue
"""
    assert _lines(scan_tree({"src/etl/load.py": code}), "RC-DATA-006") == {11}


def test_names_flags_and_paths_are_not_hard_coded_passwords(scan_tree: Scan) -> None:
    code = """\
USAGE_KEYS = {"input_tokens": "gen_ai.usage.input_tokens"}
result = {"pass": False, "token": ""}
TOKEN_ENV = "MLFLOW_TRACKING_TOKEN"
secret_path = "/var/run/secrets/token"
admin_password = "password1234"
token_pattern = r"(?u)\\b\\w\\w+\\b"
"""
    assert _lines(scan_tree({"src/svc/settings.py": code}), "RC-SEC-009") == {5}


def test_token_types_scopes_cursors_and_addresses_are_not_passwords(scan_tree: Scan) -> None:
    # Seen in openai, huggingface_hub and mlflow: bandit's B105 reported OAuth token types
    # and grant URNs, a scope name, a page cursor, an endpoint and a `<not set>` placeholder.
    # A database URL that carries its password is a password.
    code = """\
TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
TOKEN_URL = "https://auth.acme.internal/oauth2/token"
SKILL_SEARCH_TOKEN_SCOPE = "skills"
page = {"token_type": "bearer", "next_page_token": "eyJpbmRleCI6IDExfQ=="}
shown = token if token != "<not set>" else "no token"
FEATURE_DB_PASSWORD = "postgresql://reader:Xk29fPq7@features.internal/features"
"""
    assert _lines(scan_tree({"src/svc/auth.py": code}), "RC-SEC-009") == {6}


def test_identity_with_pandas_na_is_the_right_test(scan_tree: Scan) -> None:
    code = """\
import numpy as np
import pandas as pd

def missing(x):
    return x is None or x is pd.NA or x is pd.NaT

def broken(x):
    return x == np.nan
"""
    assert _lines(scan_tree({"src/etl/clean.py": code}), "RC-DATA-007") == {8}


def test_keyword_arguments_hidden_in_kwargs_are_not_claimed(scan_tree: Scan) -> None:
    code = """\
from flask import Flask

app = Flask(__name__)

def evaluate(scorer, **options):
    return scorer.run(**options)

app.run(host="0.0.0.0", debug=True)
"""
    assert _lines(scan_tree({"src/svc/app.py": code}), "RC-INFRA-008") == {8}


def test_marker_quoted_in_pyproject_is_located_and_does_not_crash(scan_tree: Scan) -> None:
    # bentoml's pyproject.toml: the TOML text escapes the marker's quotes, so the parsed
    # requirement was not found verbatim, got no line, and sorting it beside located
    # findings crashed the whole scan.
    pyproject = """\
[project]
name = "svc"
description = "serves numpy arrays"
dependencies = [
    "numpy==1.26.4",
    "tomli>=1.1.0; python_version < \\"3.11\\"",
    "httpx",
]
"""
    assert _lines(scan_tree({"pyproject.toml": pyproject}), "RC-INFRA-007") == {6, 7}


def test_a_location_without_a_line_sorts_before_lines_of_the_same_file() -> None:
    whole, line = Location("pyproject.toml"), Location("pyproject.toml", 3)
    assert sorted([line, whole]) == [whole, line]
    assert Location("a.py", 9) < Location("b.py")


def test_ctrl_c_and_the_end_of_an_iterator_are_not_swallowed_failures(scan_tree: Scan) -> None:
    # bentoml, kserve and nannyml end blocking server and scheduler loops with
    # `except KeyboardInterrupt: pass` and drain generators with `except StopIteration: pass`.
    code = """\
import asyncio
import json


def serve(server):
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass


def peek(stream):
    trial = iter(stream)
    try:
        next(trial)
    except StopIteration:
        pass


async def drain(task):
    try:
        await task
    except asyncio.CancelledError:
        pass


def parse(lines):
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows
"""
    assert _lines(scan_tree({"src/svc/server.py": code}), "RC-DATA-006") == {32}


def test_type_names_of_generated_api_models_are_not_passwords(scan_tree: Scan) -> None:
    # kserve's OpenAPI-generated models map each field to its type name.
    code = """\
class NetUrlUserinfo:
    openapi_types = {
        "password": "str",
        "password_set": "bool",
        "automount_service_account_token": "bool",
        "registry_tokens": "list[str]",
    }
    attribute_map = {"password": "password", "password_set": "passwordSet"}


registry_password = "Kf8#vq2LzP"
"""
    assert _lines(scan_tree({"src/client/models.py": code}), "RC-SEC-009") == {11}


def test_a_package_folder_named_dockerfile_is_no_dockerfile(scan_tree: Scan) -> None:
    # bentoml keeps its Dockerfile templates in a package src/.../frontend/dockerfile/.
    service = """\
from fastapi import FastAPI

app = FastAPI()


@app.post("/predict")
def predict(payload: dict) -> dict:
    return {"score": 0.5}
"""
    files = {
        "src/svc/app.py": service,
        "src/svc/container/dockerfile/__init__.py": "TEMPLATE = 'FROM python:3.11-slim'\n",
        "src/svc/container/dockerfile/templates/base.j2": "FROM {{ image }}\n",
    }
    report = scan_tree(files)
    result = rule_result(report, "RC-INFRA-001")
    assert result.status is Status.FAIL
    image = 'FROM python:3.11-slim\nEXPOSE 8000\nCMD ["uvicorn", "svc.app:app", "--port", "8000"]\n'
    containerised = scan_tree({**files, "deploy/serving.Dockerfile": image})
    result = rule_result(containerised, "RC-INFRA-001")
    assert result.status is Status.PASS


def test_a_dockerfile_inside_a_folder_named_dockerfile_is_still_one(scan_tree: Scan) -> None:
    report = scan_tree(
        {
            "src/svc/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "build/dockerfile/Dockerfile": 'FROM python:3.11-slim\nCMD ["uvicorn", "svc.app:app"]\n',
        }
    )
    result = rule_result(report, "RC-INFRA-001")
    assert result.status is Status.PASS


def test_a_model_feature_toggle_is_no_kill_switch(scan_tree: Scan) -> None:
    # bentoml's diffusers integration: enable_model_cpu_offload moves weights to the CPU.
    service = """\
from diffusers import StableDiffusionPipeline
from fastapi import FastAPI

app = FastAPI()


def load(pipeline, enable_model_cpu_offload: bool = False):
    if enable_model_cpu_offload:
        pipeline.enable_model_cpu_offload()
    return pipeline
"""
    report = scan_tree({"src/svc/app.py": service})
    result = rule_result(report, "RC-HITL-006")
    assert result.status is Status.FAIL
    switch = "import os\n\nDISABLE_MODEL = os.environ.get('DISABLE_MODEL') == '1'\n"
    report = scan_tree({"src/svc/app.py": service, "src/svc/settings.py": switch})
    result = rule_result(report, "RC-HITL-006")
    assert result.status is Status.PASS


def test_an_httpx_transport_without_retries_is_no_retry_policy(scan_tree: Scan) -> None:
    # bentoml's client builds httpx.HTTPTransport(uds=...) to talk over a Unix socket.
    client = """\
import httpx


def make_client(socket_path: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(uds=socket_path), timeout=10)
"""
    report = scan_tree({"src/svc/client.py": client})
    result = rule_result(report, "RC-INFRA-011")
    assert result.status is Status.FAIL
    retrying = client.replace("uds=socket_path", "uds=socket_path, retries=3")
    report = scan_tree({"src/svc/client.py": retrying})
    result = rule_result(report, "RC-INFRA-011")
    assert result.status is Status.PASS


def _many_optional_fields(name: str, fields: int) -> str:
    """An __init__ that sets `fields` optional attributes, one branch each (kserve's models)."""
    params = ", ".join(f"f{i}=None" for i in range(fields))
    body = "".join(
        f"        if f{i} is not None:\n            self.f{i} = f{i}\n" for i in range(fields)
    )
    return f"class {name}:\n    def __init__(self, {params}):\n{body}"


def test_generated_modules_are_not_judged_for_complexity(scan_tree: Scan) -> None:
    # kserve's OpenAPI client: every V1beta1*Spec.__init__ has one branch per optional field.
    header = '"""\n    KServe\n\n    Generated by: https://openapi-generator.tech\n"""\n\n'
    report = scan_tree(
        {
            "src/client/models/v1_pod_spec.py": header + _many_optional_fields("V1PodSpec", 30),
            "src/svc/routing.py": _many_optional_fields("Router", 30),
        }
    )
    result = rule_result(report, "RC-HYG-010")
    assert {f.location.path for f in result.findings if f.location} == {"src/svc/routing.py"}


def test_a_monitoring_library_counts_for_drift_only_where_it_compares_distributions(
    scan_tree: Scan,
) -> None:
    # nannyml's own code raised its exceptions (nannyml.*) and passed RC-MON-003; an
    # evidently classification report measures quality, not input drift.
    quality = """\
import nannyml
import pandas as pd
from evidently import Report
from evidently.presets import ClassificationPreset
from sklearn.linear_model import LogisticRegression


def train(frame: pd.DataFrame) -> LogisticRegression:
    if "churned" not in frame:
        raise nannyml.exceptions.InvalidArgumentsException("no target column")
    return LogisticRegression().fit(frame.drop(columns="churned"), frame["churned"])


def quality(reference: pd.DataFrame, current: pd.DataFrame) -> dict:
    return Report([ClassificationPreset()]).run(current, reference).dict()
"""
    report = scan_tree({"src/churn/model.py": quality})
    assert rule_result(report, "RC-MON-003").status is Status.FAIL
    drift = """\
import nannyml
import pandas as pd


def drift(reference: pd.DataFrame, current: pd.DataFrame):
    calculator = nannyml.UnivariateDriftCalculator(
        column_names=list(reference.columns), chunk_period="D"
    )
    return calculator.fit(reference).calculate(current)
"""
    report = scan_tree({"src/churn/model.py": quality, "src/churn/drift.py": drift})
    assert rule_result(report, "RC-MON-003").status is Status.PASS


_ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: churn-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: churn-api
  template:
    metadata:
      labels:
        app: churn-api
    spec:
      containers:
      - name: api
        image: europe-docker.pkg.dev/acme/images/churn-api:latest
        ports:
        - containerPort: 8000
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {duration: 60s}
"""


def test_an_argo_rollout_is_a_kubernetes_workload(scan_tree: Scan) -> None:
    # DuqueOM/ML-MLOps-Portfolio deploys its model API as an Argo Rollout (canary steps):
    # its pod template was never judged, so a `:latest` image, missing probes and a
    # missing security context passed unseen, and a repository with only Rollouts had
    # "no Kubernetes workload manifests".
    files = {
        "src/svc/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "deploy/rollout.yaml": _ROLLOUT,
    }
    report = scan_tree(files)
    assert _lines(report, "RC-INFRA-010") == {17}
    probes = rule_result(report, "RC-INFRA-003")
    assert probes.status is Status.FAIL
    assert rule_result(report, "RC-SEC-006").status is Status.FAIL
    pinned = _ROLLOUT.replace("churn-api:latest", "churn-api:1.4.2")
    assert _lines(scan_tree({**files, "deploy/rollout.yaml": pinned}), "RC-INFRA-010") == set()


def test_kserve_and_seldon_containers_are_judged_like_a_deployments(scan_tree: Scan) -> None:
    # kyryl-opens-ml/ml-in-production-practice serves its model from a Deployment and, beside
    # it, from a KServe InferenceService and a SeldonDeployment whose custom containers use
    # `:latest` images: only the Deployment's image was flagged, because the others keep
    # their containers under spec.predictor and spec.predictors[].componentSpecs[].spec.
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-fastapi
spec:
  selector:
    matchLabels: {app: app-fastapi}
  template:
    metadata:
      labels: {app: app-fastapi}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: app-fastapi
          image: ghcr.io/acme/app-fastapi:1.2.0
          securityContext: {allowPrivilegeEscalation: false}
"""
    kserve = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: custom-model
spec:
  predictor:
    containers:
      - name: kserve-container
        image: ghcr.io/acme/app-kserve:latest
"""
    seldon = """\
apiVersion: machinelearning.seldon.io/v1
kind: SeldonDeployment
metadata:
  name: nlp-sample
spec:
  predictors:
  - name: model
    replicas: 1
    graph: {name: classifier, type: MODEL}
    componentSpecs:
    - spec:
        securityContext: {runAsNonRoot: true}
        containers:
        - image: acme/app-seldon:2.0.1
          name: classifier
          securityContext: {allowPrivilegeEscalation: false}
"""
    report = scan_tree(
        {
            "src/svc/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "k8s/app-fastapi.yaml": deployment,
            "k8s/kserve.yaml": kserve,
            "k8s/seldon.yaml": seldon,
        }
    )
    result = rule_result(report, "RC-INFRA-010")
    assert {(f.location.path, f.location.line) for f in result.findings if f.location} == {
        ("k8s/kserve.yaml", 9)
    }
    result = rule_result(report, "RC-SEC-006")
    assert {f.location.path for f in result.findings if f.location} == {"k8s/kserve.yaml"}


def test_an_aiohttp_web_server_calls_no_remote_service(scan_tree: Scan) -> None:
    # kyryl-opens-ml/ml-in-production-practice serves its model with aiohttp.web
    # (module-5/serving/aiohttp_api.py): importing aiohttp made "the code calls remote HTTP
    # services" true, and retries, circuit breakers and response checks were demanded of a
    # service that calls nobody.
    server = """\
from aiohttp import web


async def handle_predict(request: web.Request) -> web.Response:
    payload = await request.json()
    return web.json_response({"score": len(payload["text"])})


app = web.Application()
app.router.add_post("/predict", handle_predict)
"""
    report = scan_tree({"src/svc/aiohttp_api.py": server})
    result = rule_result(report, "RC-INFRA-011")
    assert result.status is Status.NOT_APPLICABLE
    client = """\
import aiohttp


async def features(customer_id: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://features.internal/{customer_id}") as response:
            return await response.json()
"""
    report = scan_tree({"src/svc/aiohttp_api.py": server, "src/svc/features.py": client})
    result = rule_result(report, "RC-INFRA-011")
    assert result.status is Status.FAIL


def test_an_init_container_must_not_escalate_privileges_either(scan_tree: Scan) -> None:
    # DuqueOM/ML-MLOps-Portfolio (k8s/bankchurn-deployment.yaml): the download-model init
    # container pip-installs a GCS client and fetches the model with the bucket's credentials.
    # Its missing runAsNonRoot was reported but its missing allowPrivilegeEscalation: false
    # was not, though the restricted Pod Security Standard asks both of init containers.
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: churn-api
spec:
  selector:
    matchLabels: {app: churn-api}
  template:
    metadata:
      labels: {app: churn-api}
    spec:
      securityContext: {runAsNonRoot: true}
      initContainers:
      - name: download-model
        image: python:3.11-alpine
        command: ["sh", "-c", "pip install google-cloud-storage==2.18.2 && python /scripts/get.py"]
      containers:
      - name: api
        image: ghcr.io/acme/churn-api:1.4.2
        securityContext: {allowPrivilegeEscalation: false}
"""
    report = scan_tree({"k8s/deployment.yaml": deployment})
    result = rule_result(report, "RC-SEC-006")
    assert [f.message for f in result.findings] == [
        "init container download-model in Deployment/churn-api: no allowPrivilegeEscalation: false"
    ]
    hardened = deployment.replace(
        'python /scripts/get.py"]\n',
        'python /scripts/get.py"]\n        securityContext: {allowPrivilegeEscalation: false}\n',
    )
    report = scan_tree({"k8s/deployment.yaml": hardened})
    assert rule_result(report, "RC-SEC-006").status is Status.PASS


def test_a_module_imported_by_its_full_name_is_tested_when_the_package_is_scanned(
    scan_tree: Scan,
) -> None:
    # Scanning scikit-learn's installed package (the folder `sklearn` itself), utils/validation.py
    # was "imported by no test", though utils/tests/test_validation.py does
    # `from sklearn.utils.validation import check_array`: the middle of that name is the path.
    validation = "def check_array(array):\n    return array\n"
    test = "from sklearn.utils.validation import check_array\n\n\ndef test_it():\n    assert check_array(1) == 1\n"
    files = {"utils/validation.py": validation, "utils/data.py": validation}
    report = scan_tree({**files, "utils/tests/test_validation.py": test})
    assert _lines(report, "RC-DATA-014") == {None}
    result = rule_result(report, "RC-DATA-014")
    assert [f.location.path for f in result.findings if f.location] == ["utils/data.py"]
