"""What notebooks say about a repository's kind (precision round 10): a notebook that
deploys a managed endpoint shows the platform serving the model, but only makes the
repository an online service when the code builds the pipeline whose model it deploys;
a schedule a notebook creates is run by hand, not a batch delivery."""

from __future__ import annotations

from pathlib import Path

from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import notebook_json, rule_result, write_tree

_DEPLOY = notebook_json(
    "from sagemaker.xgboost import XGBoostModel\n"
    "model = XGBoostModel(model_data=model_s3_uri, role=role, framework_version='1.7-1')",
    "predictor = model.deploy(\n"
    "    initial_instance_count=1,\n"
    "    instance_type='ml.m5.xlarge',\n"
    "    endpoint_name='churn-xgb',\n"
    ")",
)

_SCHEDULE = notebook_json(
    "import boto3\nscheduler = boto3.client('scheduler')",
    "scheduler.create_schedule(\n"
    "    Name='monitor-churn',\n"
    "    ScheduleExpression='rate(1 day)',\n"
    "    Target={'Arn': pipeline_arn, 'RoleArn': role},\n"
    "    FlexibleTimeWindow={'Mode': 'OFF'},\n"
    ")",
)

_REGISTER_STEP = """\
import argparse

import mlflow
import xgboost as xgb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--model-package-group", required=True)
    args = parser.parse_args()
    booster = xgb.Booster()
    booster.load_model(f"{args.model_dir}/xgboost-model")
    with mlflow.start_run():
        info = mlflow.xgboost.log_model(booster, artifact_path="model")
    mlflow.register_model(model_uri=info.model_uri, name=args.model_package_group)


if __name__ == "__main__":
    main()
"""


def _scan(tmp_path: Path, rulebook: Rulebook, files: dict[str, str]) -> Report:
    return scan(ScanOptions(path=write_tree(tmp_path / "repo", files)), rulebook)


def test_notebooks_that_deploy_an_endpoint_alone_are_research_covered_by_the_platform(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    report = _scan(tmp_path, rulebook, {"05-deploy.ipynb": _DEPLOY})
    assert report.kind is not None and report.kind.id == "research"
    # the endpoint the notebook deploys runs the container and checks its health itself
    probes = rule_result(report, "RC-INFRA-003")
    assert probes.status is Status.NOT_APPLICABLE and "covered" in (probes.reason or "")


def test_a_pipeline_in_code_whose_model_a_notebook_deploys_is_an_online_service(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    files = {"pipeline_steps/register.py": _REGISTER_STEP, "05-deploy.ipynb": _DEPLOY}
    report = _scan(tmp_path, rulebook, files)
    assert report.kind is not None and report.kind.id == "service"
    evidence = report.kind.evidence
    assert evidence is not None and evidence.location is not None
    assert evidence.location.path == "05-deploy.ipynb"
    # judged on what a service's callers need
    assert rule_result(report, "RC-HITL-008").status is not Status.NOT_APPLICABLE


def test_a_schedule_created_from_a_notebook_does_not_make_a_batch_pipeline(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    report = _scan(tmp_path, rulebook, {"06-monitoring.ipynb": _SCHEDULE})
    assert report.kind is not None and report.kind.id == "research"
