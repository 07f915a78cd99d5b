"""Train the fraud model and track the run in MLflow."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import joblib
import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from fraud_detector.config import load_params
from fraud_detector.data import download_merchant_reference, load_transactions
from fraud_detector.evaluate import baseline_metrics, compare_to_baseline, evaluate
from fraud_detector.features import FEATURES, add_features, build_preprocessor

logger = logging.getLogger(__name__)


def build_pipeline(model_params: dict[str, Any]) -> Pipeline:
    return Pipeline(
        steps=[
            ("preprocess", build_preprocessor()),
            ("clf", GradientBoostingClassifier(random_state=42, **model_params)),
        ]
    )


def train(df: pd.DataFrame, params: dict[str, Any]) -> tuple[Pipeline, dict[str, float]]:
    target = params["target"]
    X = add_features(df)[FEATURES]
    y = df[target]

    # split before anything is fitted so the test set stays unseen
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=params["test_size"], random_state=42, stratify=y
    )

    pipeline = build_pipeline(params["model"])
    pipeline.fit(X_train, y_train)

    model_metrics = evaluate(pipeline, X_test, y_test, threshold=params.get("threshold", 0.5))
    baseline = baseline_metrics(X_train, y_train, X_test, y_test)
    metrics = dict(model_metrics)
    metrics.update({f"baseline_{k}": v for k, v in baseline.items()})
    metrics.update(compare_to_baseline(model_metrics, baseline))
    return pipeline, metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    params = load_params(args.params)
    download_merchant_reference(
        params["data"]["merchant_reference_url"], params["data"]["merchant_reference_path"]
    )
    df = load_transactions(params["data"]["train_path"])

    mlflow.set_experiment(params["mlflow"]["experiment"])
    with mlflow.start_run():
        mlflow.log_params(params["model"])
        mlflow.log_param("test_size", params["test_size"])
        model, metrics = train(df, params)
        mlflow.log_metric("roc_auc", metrics["roc_auc"])
        mlflow.log_metrics({k: v for k, v in metrics.items() if k != "roc_auc"})
        mlflow.sklearn.log_model(model, artifact_path="model")

    out = Path(params["output"]["model_path"])
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    logger.info("saved model to %s (roc_auc=%.3f)", out, metrics["roc_auc"])


if __name__ == "__main__":
    main()
