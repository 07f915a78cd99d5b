"""DVC stage `train`: fit, track in MLflow, register and export the model."""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import mlflow
import mlflow.data
import mlflow.sklearn
import numpy as np
import pandas as pd
import yaml
from mlflow.models import infer_signature
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from credit_risk.pipeline import FEATURES, build_pipeline, save_model
from credit_risk.validation import TARGET, validate_training_frame

logger = logging.getLogger(__name__)


def git_commit() -> str:
    if sha := os.environ.get("GIT_COMMIT"):
        return sha
    try:
        return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True, timeout=5).strip()  # noqa: S607
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


def fit_and_score(df: pd.DataFrame, params: dict[str, Any]) -> tuple[Any, pd.DataFrame, dict[str, float]]:
    seed = params["seed"]
    # split first: nothing (scaler, encoder, calibration) ever sees the holdout
    train_df, holdout_df = train_test_split(
        df, test_size=params["split"]["test_size"], stratify=df[TARGET], random_state=seed
    )
    model = build_pipeline(params["model"], seed=seed)
    model.fit(train_df[FEATURES], train_df[TARGET])
    proba = model.predict_proba(holdout_df[FEATURES])[:, 1]
    metrics = {
        "roc_auc": float(roc_auc_score(holdout_df[TARGET], proba)),
        "brier": float(brier_score_loss(holdout_df[TARGET], proba)),
        "log_loss": float(log_loss(holdout_df[TARGET], proba)),
    }
    return model, holdout_df, metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    with open(args.params, encoding="utf-8") as fh:
        params = yaml.safe_load(fh)
    seed_everything(params["seed"])

    df = validate_training_frame(pd.read_parquet(params["data"]["processed"]))

    mlflow.set_experiment(params["mlflow"]["experiment"])
    with mlflow.start_run(run_name=f"train-{params['data']['version']}"):
        mlflow.set_tag("git_commit", git_commit())
        mlflow.set_tag("data_version", params["data"]["version"])
        mlflow.log_params({"seed": params["seed"], **params["split"], **params["model"]["gbm"]})
        mlflow.log_param("calibration", params["model"]["calibration"]["method"])
        mlflow.log_input(
            mlflow.data.from_pandas(df, source=params["data"]["processed"], name="loans", targets=TARGET),
            context="training",
        )

        model, holdout_df, metrics = fit_and_score(df, params)
        mlflow.log_metrics(metrics)

        signature = infer_signature(holdout_df[FEATURES], model.predict_proba(holdout_df[FEATURES])[:, 1])
        mlflow.sklearn.log_model(
            model,
            artifact_path="model",
            signature=signature,
            registered_model_name=params["mlflow"]["registered_model_name"],  # "credit-risk"
        )
        artefact = save_model(model, params["model"]["output_path"])
        mlflow.log_artifact(str(artefact))

    holdout_df.to_parquet(params["data"]["holdout"], index=False)
    Path("reports").mkdir(exist_ok=True)
    Path("reports/train_metrics.json").write_text(json.dumps(metrics, indent=2))
    logger.info("trained model: %s", metrics)


if __name__ == "__main__":
    main()
