"""Batch scoring: score a transaction extract with a trained pipeline."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import joblib
import pandas as pd

from fraud_detector.config import load_params
from fraud_detector.data import load_transactions
from fraud_detector.features import FEATURES, add_features

logger = logging.getLogger(__name__)


def score(model, df: pd.DataFrame, threshold: float) -> pd.DataFrame:
    proba = model.predict_proba(add_features(df)[FEATURES])[:, 1]
    return pd.DataFrame(
        {
            "transaction_id": df["transaction_id"],
            "fraud_probability": proba,
            "flagged": (proba >= threshold).astype(int),
        }
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input", help="transactions CSV to score")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    params = load_params(args.params)
    model_path = Path(params["output"]["model_path"])
    model = joblib.load(model_path)
    logger.info("loaded model from %s", model_path)

    df = load_transactions(args.input)
    scores = score(model, df, params["threshold"])
    out = Path(args.out or params["output"]["scores_path"])
    scores.to_csv(out, index=False)
    logger.info("scored %d transactions, %d flagged -> %s", len(scores), scores["flagged"].sum(), out)


if __name__ == "__main__":
    main()
