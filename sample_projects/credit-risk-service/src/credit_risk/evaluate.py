"""DVC stage `evaluate`: holdout metrics overall and per slice, with a release gate."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import pandas as pd
import yaml
from fairlearn.metrics import MetricFrame
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from credit_risk.pipeline import FEATURES, load_model
from credit_risk.validation import TARGET

logger = logging.getLogger(__name__)


def add_slices(df: pd.DataFrame) -> pd.DataFrame:
    bands = pd.cut(df["applicant_age"], bins=[17, 25, 40, 60, 100], labels=["18-25", "26-40", "41-60", "60+"])
    return df.assign(age_band=bands.astype(str))


def score(y: pd.Series, proba: pd.Series, threshold: float) -> dict[str, float]:
    preds = (proba >= threshold).astype(int)
    return {
        "n": int(len(y)),
        "roc_auc": float(roc_auc_score(y, proba)) if y.nunique() > 1 else float("nan"),
        "precision": float(precision_score(y, preds, zero_division=0)),
        "recall": float(recall_score(y, preds, zero_division=0)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    with open(args.params, encoding="utf-8") as fh:
        params = yaml.safe_load(fh)
    cfg = params["evaluate"]

    model = load_model(params["model"]["output_path"])
    holdout = add_slices(pd.read_parquet(params["data"]["holdout"]))
    holdout["proba"] = model.predict_proba(holdout[FEATURES])[:, 1]

    report = {"overall": score(holdout[TARGET], holdout["proba"], cfg["threshold"]), "slices": {}}
    for column in cfg["slices"]:
        by_group = MetricFrame(
            metrics=lambda y, p: score(y, p, cfg["threshold"]),
            y_true=holdout[TARGET],
            y_pred=holdout["proba"],
            sensitive_features=holdout[column],
        )
        report["slices"][column] = {str(group): values for group, values in by_group.by_group.items()}

    Path("reports").mkdir(exist_ok=True)
    Path("reports/metrics.json").write_text(json.dumps(report, indent=2))

    overall_auc = report["overall"]["roc_auc"]
    worst_gap = max(
        overall_auc - s["roc_auc"]
        for slices in report["slices"].values()
        for s in slices.values()
        if s["n"] >= cfg["min_slice_size"]
    )
    if overall_auc < cfg["min_roc_auc"] or worst_gap > cfg["max_slice_auc_gap"]:
        logger.error("release gate failed: auc=%.3f worst slice gap=%.3f", overall_auc, worst_gap)
        return 1
    logger.info("release gate passed: auc=%.3f worst slice gap=%.3f", overall_auc, worst_gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
