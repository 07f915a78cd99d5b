"""Model evaluation helpers."""
from __future__ import annotations

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.metrics import precision_score, recall_score, roc_auc_score


def evaluate(model, X: pd.DataFrame, y: pd.Series, threshold: float = 0.5) -> dict[str, float]:
    proba = model.predict_proba(X)[:, 1]
    preds = (proba >= threshold).astype(int)
    return {
        "roc_auc": float(roc_auc_score(y, proba)),
        "precision": float(precision_score(y, preds, zero_division=0)),
        "recall": float(recall_score(y, preds, zero_division=0)),
    }


def baseline_metrics(
    X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame, y_test: pd.Series
) -> dict[str, float]:
    """Metrics of a class-prior dummy model, the floor any real model must beat."""
    dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
    return evaluate(dummy, X_test, y_test)


def compare_to_baseline(model_metrics: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    return {f"lift_{k}": model_metrics[k] - baseline[k] for k in model_metrics}
