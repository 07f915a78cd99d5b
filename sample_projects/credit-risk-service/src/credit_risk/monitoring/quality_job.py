"""Daily model-quality job.

Labels (defaults) arrive 30-90 days after a decision, so quality is tracked two
ways: NannyML's confidence-based performance estimation (CBPE) on yesterday's
predictions, and Evidently's classification report on the cohort whose labels
have matured. Both are published per model version; the alert rules in
deploy/k8s/prometheusrule.yaml page the owning team when they degrade.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import nannyml
import pandas as pd
from evidently.metric_preset import ClassificationPreset
from evidently.pipeline.column_mapping import ColumnMapping
from evidently.report import Report
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from credit_risk.pipeline import FEATURES
from credit_risk.validation import TARGET

logger = logging.getLogger("credit_risk.quality")


def estimated_auc(reference: pd.DataFrame, current: pd.DataFrame) -> float:
    """ROC AUC estimated from calibrated scores, before any label is known."""
    estimator = nannyml.CBPE(
        y_pred_proba="proba",
        y_pred="prediction",
        y_true=TARGET,
        metrics=["roc_auc"],
        problem_type="classification_binary",
        chunk_period="D",
        timestamp_column_name="decided_at",
    )
    estimator.fit(reference)
    results = estimator.estimate(current).filter(period="analysis").to_df()
    return float(results[("roc_auc", "value")].iloc[-1])


def realised_quality(reference: pd.DataFrame, matured: pd.DataFrame, report_path: str) -> float:
    """Measured ROC AUC on the cohort whose labels have arrived."""
    mapping = ColumnMapping(target=TARGET, prediction="proba", numerical_features=FEATURES)
    report = Report(metrics=[ClassificationPreset()])
    report.run(reference_data=reference, current_data=matured, column_mapping=mapping)
    report.save_html(report_path)
    return float(report.as_dict()["metrics"][0]["result"]["current"]["roc_auc"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=os.environ.get("QUALITY_REFERENCE_URI"))
    parser.add_argument("--scored", default=os.environ.get("QUALITY_SCORED_URI"))
    parser.add_argument("--matured", default=os.environ.get("QUALITY_MATURED_URI"))
    parser.add_argument("--report", default=os.environ.get("QUALITY_REPORT_PATH", "/tmp/quality.html"))  # noqa: S108
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    reference = pd.read_parquet(args.reference)
    estimated = estimated_auc(reference, pd.read_parquet(args.scored))
    realised = realised_quality(reference, pd.read_parquet(args.matured), args.report)
    logger.info("estimated auc %.3f, realised auc %.3f", estimated, realised)

    if gateway := os.environ.get("PUSHGATEWAY_URL"):
        registry = CollectorRegistry()
        version = os.environ.get("MODEL_VERSION", "unknown")
        gauge = Gauge("credit_risk_roc_auc", "Model ROC AUC in production", ["model_version", "kind"], registry=registry)
        gauge.labels(model_version=version, kind="estimated").set(estimated)
        gauge.labels(model_version=version, kind="realised").set(realised)
        push_to_gateway(gateway, job="credit-risk-quality", registry=registry, timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
