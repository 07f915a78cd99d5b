"""Daily data-drift job: reference (training) vs. last day of production inputs.

Runs as a Kubernetes CronJob (deploy/k8s/drift-cronjob.yaml). Publishes the drift
share to the Prometheus Pushgateway and posts to the alert webhook when the share
of drifted features exceeds the threshold.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime

import pandas as pd
import requests
from evidently.metric_preset import DataDriftPreset
from evidently.report import Report
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from credit_risk.pipeline import FEATURES
from credit_risk.validation import validate_scoring_frame

logger = logging.getLogger("credit_risk.drift")
ALERT_TIMEOUT = (3.05, 10)


def drift_summary(reference: pd.DataFrame, current: pd.DataFrame, report_path: str) -> dict:
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=reference[FEATURES], current_data=current[FEATURES])
    report.save_html(report_path)
    result = report.as_dict()["metrics"][0]["result"]  # DatasetDriftMetric
    return {
        "drift_share": float(result["share_of_drifted_columns"]),
        "drifted_columns": int(result["number_of_drifted_columns"]),
        "dataset_drift": bool(result["dataset_drift"]),
    }


def publish(summary: dict, gateway: str, model_version: str) -> None:
    registry = CollectorRegistry()
    share = Gauge("credit_risk_feature_drift_share", "Share of drifted features", ["model_version"], registry=registry)
    last = Gauge("credit_risk_drift_job_last_success_timestamp_seconds", "Last successful drift run", registry=registry)
    share.labels(model_version=model_version).set(summary["drift_share"])
    last.set_to_current_time()
    push_to_gateway(gateway, job="credit-risk-drift", registry=registry, timeout=10)


def send_alert(webhook_url: str, summary: dict, threshold: float, model_version: str) -> None:
    response = requests.post(
        webhook_url,
        json={
            "source": "credit-risk-drift-job",
            "severity": "warning",
            "model_version": model_version,
            "summary": f"Data drift share {summary['drift_share']:.0%} exceeds {threshold:.0%}",
            "details": summary,
            "detected_at": datetime.now(UTC).isoformat(),
        },
        timeout=ALERT_TIMEOUT,
    )
    response.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=os.environ.get("DRIFT_REFERENCE_URI"))
    parser.add_argument("--current", default=os.environ.get("DRIFT_CURRENT_URI"))
    parser.add_argument("--threshold", type=float, default=float(os.environ.get("DRIFT_SHARE_THRESHOLD", "0.3")))
    # /tmp is a private emptyDir in the CronJob pod (read-only root filesystem)
    parser.add_argument("--report", default=os.environ.get("DRIFT_REPORT_PATH", "/tmp/drift_report.html"))  # noqa: S108
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not args.reference or not args.current:
        parser.error("--reference and --current (or DRIFT_REFERENCE_URI / DRIFT_CURRENT_URI) are required")

    model_version = os.environ.get("MODEL_VERSION", "unknown")
    reference = pd.read_parquet(args.reference)
    current = validate_scoring_frame(pd.read_parquet(args.current))
    summary = drift_summary(reference, current, args.report)
    logger.info("drift summary: %s", summary)

    if gateway := os.environ.get("PUSHGATEWAY_URL"):
        publish(summary, gateway, model_version)
    if summary["drift_share"] > args.threshold:
        logger.warning("drift share %.2f above threshold %.2f", summary["drift_share"], args.threshold)
        send_alert(os.environ["ALERT_WEBHOOK_URL"], summary, args.threshold, model_version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
