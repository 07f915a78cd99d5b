"""Production ML does not live on Kubernetes alone: managed endpoints, infrastructure
as code and cloud schedulers count as evidence as good as a Deployment and an HPA."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from readycheck.model import Report, Status
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]

TRAIN = """\
import joblib
from sklearn.linear_model import LogisticRegression


def train(features, labels):
    model = LogisticRegression(max_iter=500).fit(features, labels)
    joblib.dump(model, "model.joblib")
"""

SAGEMAKER_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ChurnEndpointConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - ModelName: !Ref ChurnModel
          VariantName: AllTraffic
          InitialInstanceCount: 2
          InstanceType: ml.m5.large
      DataCaptureConfig:
        EnableCapture: true
        InitialSamplingPercentage: 20
        DestinationS3Uri: !Sub s3://${CaptureBucket}/churn
        CaptureOptions:
          - CaptureMode: Input
          - CaptureMode: Output
  ChurnEndpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt ChurnEndpointConfig.EndpointConfigName
  ChurnScalableTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MinCapacity: 2
      MaxCapacity: 8
      ResourceId: !Sub endpoint/${ChurnEndpoint.EndpointName}/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ServiceNamespace: sagemaker
  NightlyRetrain:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: cron(0 3 * * ? *)
"""

TERRAFORM = """\
resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-config"

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://ml-capture/churn"
  }
}

resource "aws_sagemaker_endpoint" "churn" {
  name                 = "churn"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name
}

resource "aws_appautoscaling_target" "churn" {
  min_capacity       = 2
  max_capacity       = 10
  resource_id        = "endpoint/${aws_sagemaker_endpoint.churn.name}/variant/primary"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  service_namespace  = "sagemaker"
}

resource "aws_cloudwatch_event_rule" "retrain" {
  name                = "churn-retrain"
  schedule_expression = "cron(0 4 ? * MON *)"
}
"""

VERTEX = """\
from google.cloud import aiplatform


def deploy(model_resource_name: str) -> None:
    model = aiplatform.Model(model_resource_name)
    model.deploy(
        machine_type="n1-standard-4",
        min_replica_count=2,
        max_replica_count=6,
        enable_access_logging=True,
    )
"""

AZURE_DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json
name: blue
endpoint_name: churn-endpoint
model: azureml:churn-model:3
instance_type: defaultinstancetype
scale_settings:
  type: target_utilization
  min_instances: 2
  max_instances: 8
  target_utilization_percentage: 70
data_collector:
  collections:
    model_inputs:
      enabled: "true"
    model_outputs:
      enabled: "true"
"""


def _status(report: Report, rule_id: str) -> Status:
    return rule_result(report, rule_id).status


@pytest.mark.parametrize(
    "infrastructure",
    [
        pytest.param({"infra/template.yaml": SAGEMAKER_TEMPLATE}, id="cloudformation"),
        pytest.param({"infra/main.tf": TERRAFORM}, id="terraform"),
    ],
)
def test_a_sagemaker_endpoint_in_infrastructure_as_code_is_serving_with_scaling_capture_and_schedule(
    scan_tree: Scan, infrastructure: dict[str, str]
) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN, **infrastructure})
    # The managed endpoint makes the repository an online service; its platform runs the
    # container, so "the service is containerised" is covered rather than failed.
    assert report.kind is not None and report.kind.id == "service"
    assert _status(report, "RC-INFRA-001") is Status.NOT_APPLICABLE
    assert _status(report, "RC-INFRA-006") is Status.PASS  # autoscaling
    assert _status(report, "RC-MON-009") is Status.PASS  # data capture
    assert _status(report, "RC-MON-010") is Status.PASS  # scheduled retraining


def test_without_the_endpoint_nothing_is_served(scan_tree: Scan) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN})
    # Training code with no endpoint, pipeline or registry delivers nothing yet: research,
    # judged on the path to production (so the serving practices are asked for, and fail).
    assert report.kind is not None and report.kind.id == "research"
    assert _status(report, "RC-INFRA-017") is Status.FAIL
    assert _status(report, "RC-INFRA-006") is Status.FAIL


def test_a_vertex_ai_deployment_with_replica_bounds_scales(scan_tree: Scan) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN, "src/churn/deploy.py": VERTEX})
    assert report.kind is not None and report.kind.id == "service"
    assert _status(report, "RC-INFRA-006") is Status.PASS


def test_a_vertex_ai_deployment_without_max_replicas_does_not_scale(scan_tree: Scan) -> None:
    fixed_size = VERTEX.replace("        max_replica_count=6,\n", "")
    report = scan_tree({"src/churn/train.py": TRAIN, "src/churn/deploy.py": fixed_size})
    assert _status(report, "RC-INFRA-006") is Status.FAIL


def test_an_azure_ml_online_deployment_scales_and_collects_data(scan_tree: Scan) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN, "deploy/blue.yml": AZURE_DEPLOYMENT})
    assert report.kind is not None and report.kind.id == "service"
    assert _status(report, "RC-INFRA-006") is Status.PASS
    assert _status(report, "RC-MON-009") is Status.PASS


BENTOML_SERVICE = """\
from __future__ import annotations

import bentoml
import numpy as np


@bentoml.service(resources={"cpu": "2"}, traffic={"timeout": 10})
class FraudScorer:
    model = bentoml.models.BentoModel("fraud_scorer:latest")

    def __init__(self) -> None:
        self.pipeline = bentoml.sklearn.load_model(self.model)

    @bentoml.api
    def score(self, rows: np.ndarray) -> np.ndarray:
        return self.pipeline.predict_proba(rows)[:, 1]
"""
BENTOML_LEGACY = """\
import bentoml
from bentoml.io import JSON

runner = bentoml.sklearn.get("fraud_scorer:latest").to_runner()
svc = bentoml.Service("fraud_scorer", runners=[runner])


@svc.api(input=JSON(), output=JSON())
async def score(payload: dict) -> dict:
    return {"score": await runner.predict_proba.async_run([payload["features"]])}
"""
KSERVE_PREDICTOR = """\
from typing import Dict

import joblib
from kserve import Model, ModelServer


class FraudModel(Model):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.model = None
        self.ready = False

    def load(self) -> bool:
        self.model = joblib.load("/mnt/models/model.joblib")
        self.ready = True
        return self.ready

    def predict(self, payload: Dict, headers: Dict[str, str] = None) -> Dict:
        return {"predictions": self.model.predict(payload["instances"]).tolist()}


if __name__ == "__main__":
    model = FraudModel("fraud")
    model.load()
    ModelServer().start([model])
"""
BENTOML_CLIENT = '''\
"""Nightly batch: score yesterday's transactions through the team's scoring service."""
import bentoml
import pandas as pd


def score_batch(frame: pd.DataFrame) -> pd.Series:
    with bentoml.SyncHTTPClient("http://fraud-scorer.internal:3000", timeout=30) as client:
        return pd.Series(client.score(rows=frame.to_numpy()))
'''
KSERVE_CLIENT = '''\
"""Roll out a new model version by patching the InferenceService another team runs."""
from kserve import KServeClient


def promote(name: str, storage_uri: str) -> None:
    client = KServeClient()
    isvc = client.get(name, namespace="fraud")
    isvc["spec"]["predictor"]["model"]["storageUri"] = storage_uri
    client.patch(name, isvc, namespace="fraud")
'''


@pytest.mark.parametrize(
    ("path", "code"),
    [
        pytest.param("src/service.py", BENTOML_SERVICE, id="bentoml-service"),
        pytest.param("src/service.py", BENTOML_LEGACY, id="bentoml-1.0-service"),
        pytest.param("src/predictor.py", KSERVE_PREDICTOR, id="kserve-predictor"),
    ],
)
def test_a_declared_bentoml_or_kserve_service_serves_predictions(
    scan_tree: Scan, path: str, code: str
) -> None:
    report = scan_tree({path: code})
    assert report.kind is not None and report.kind.id == "service"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        pytest.param("src/batch.py", BENTOML_CLIENT, id="bentoml-client"),
        pytest.param("src/promote.py", KSERVE_CLIENT, id="kserve-client"),
    ],
)
def test_calling_a_bentoml_or_kserve_service_is_not_serving_one(
    scan_tree: Scan, path: str, code: str
) -> None:
    report = scan_tree({path: code})
    assert report.kind is not None and report.kind.id != "service"


TRITON_MODEL = """\
import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        self.config = json.loads(args["model_config"])

    def execute(self, requests):
        responses = []
        for request in requests:
            features = pb_utils.get_input_tensor_by_name(request, "FEATURES").as_numpy()
            scores = np.clip(features.sum(axis=1, keepdims=True), 0, 1)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("SCORE", scores)]))
        return responses
"""
TORCHSERVE_DOCKERFILE = """\
FROM pytorch/torchserve:0.11.0-cpu
COPY model_store/ /home/model-server/model-store/
COPY config.properties /home/model-server/config.properties
USER model-server
CMD ["torchserve", "--start", "--model-store", "/home/model-server/model-store", "--models", "churn=churn.mar", "--ts-config", "/home/model-server/config.properties"]
"""
RAY_SERVE = """\
from ray import serve
from starlette.requests import Request


@serve.deployment(
    autoscaling_config={"min_replicas": 2, "max_replicas": 8, "target_ongoing_requests": 5},
    ray_actor_options={"num_cpus": 1},
)
class ChurnModel:
    def __init__(self) -> None:
        import joblib

        self.model = joblib.load("model.joblib")

    async def __call__(self, request: Request) -> dict:
        payload = await request.json()
        return {"churn": float(self.model.predict_proba([payload["features"]])[0, 1])}


app = ChurnModel.bind()
"""
BICEP = """\
param location string = resourceGroup().location

resource endpoint 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2024-04-01' = {
  name: 'ws-churn/churn-endpoint'
  location: location
  identity: { type: 'SystemAssigned' }
  properties: { authMode: 'Key' }
}
"""


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"models/churn/1/model.py": TRITON_MODEL}, id="triton-python-backend"),
        pytest.param({"Dockerfile": TORCHSERVE_DOCKERFILE}, id="torchserve"),
        pytest.param({"src/churn/serve.py": RAY_SERVE}, id="ray-serve"),
        pytest.param({"infra/endpoint.bicep": BICEP}, id="azure-ml-bicep"),
    ],
)
def test_serving_frameworks_and_managed_endpoints_serve_predictions(
    scan_tree: Scan, files: dict[str, str]
) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN, **files})
    assert report.kind is not None and report.kind.id == "service"


def test_a_ray_serve_deployment_with_an_autoscaling_config_scales(scan_tree: Scan) -> None:
    report = scan_tree({"src/churn/serve.py": RAY_SERVE})
    assert _status(report, "RC-INFRA-006") is Status.PASS
    fixed = RAY_SERVE.replace(
        '    autoscaling_config={"min_replicas": 2, "max_replicas": 8, "target_ongoing_requests": 5},\n',
        "    num_replicas=2,\n",
    )
    assert _status(scan_tree({"src/churn/serve.py": fixed}), "RC-INFRA-006") is Status.FAIL


ORCHESTRATED = {
    "airflow": (
        "dags/retrain.py",
        "from datetime import datetime\n\nfrom airflow import DAG\n"
        "from airflow.operators.python import PythonOperator\n\n"
        'with DAG("churn_retrain", schedule="@weekly", start_date=datetime(2024, 1, 1), catchup=False):\n'
        '    PythonOperator(task_id="retrain", python_callable=print)\n',
    ),
    "prefect": (
        "flows/drift.py",
        "from prefect import flow\n\n\n@flow(log_prints=True)\ndef drift_report() -> None:\n"
        '    print("drift")\n\n\nif __name__ == "__main__":\n'
        '    drift_report.serve(name="nightly-drift", cron="0 2 * * *")\n',
    ),
    "dagster": (
        "pipelines/schedules.py",
        "import dagster\n\nretrain_job = dagster.define_asset_job('retrain')\n"
        "weekly = dagster.ScheduleDefinition(job=retrain_job, cron_schedule='0 3 * * 1')\n",
    ),
    "metaflow": (
        "flows/train_flow.py",
        "from metaflow import FlowSpec, schedule, step\n\n\n@schedule(weekly=True)\n"
        "class TrainFlow(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n",
    ),
    "kubeflow": (
        "pipelines/submit.py",
        "import kfp\n\nclient = kfp.Client(host='https://kfp.acme.internal')\n"
        "client.create_recurring_run(experiment_id='churn', job_name='weekly-retrain',\n"
        "                            cron_expression='0 0 3 * * 1', pipeline_package_path='retrain.yaml')\n",
    ),
    "argo-cron-workflow": (
        "workflows/retrain.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata:\n  name: churn-retrain\n"
        "spec:\n  schedule: '0 3 * * 1'\n  workflowSpec:\n    entrypoint: retrain\n    templates:\n"
        "      - name: retrain\n        container:\n          image: ghcr.io/acme/churn-train:1.4.2\n"
        "          command: [python, -m, churn.train]\n",
    ),
}


@pytest.mark.parametrize("orchestrator", list(ORCHESTRATED))
def test_orchestrator_schedules_count_as_scheduled_jobs(scan_tree: Scan, orchestrator: str) -> None:
    path, code = ORCHESTRATED[orchestrator]
    report = scan_tree({"src/churn/train.py": TRAIN, path: code})
    assert _status(report, "RC-MON-010") is Status.PASS


def test_without_a_schedule_nothing_runs_on_its_own(scan_tree: Scan) -> None:
    report = scan_tree({"src/churn/train.py": TRAIN})
    assert _status(report, "RC-MON-010") is Status.FAIL
