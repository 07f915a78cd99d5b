"""Per-prediction explanations (top SHAP contributions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shap
from sklearn.pipeline import Pipeline


class Explainer:
    """TreeExplainer on the first calibrated gradient-boosting member.

    Contributions are in log-odds of the uncalibrated model; they rank features,
    they are not meant to add up to the calibrated probability.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._preprocess = pipeline.named_steps["preprocess"]
        calibrated = pipeline.named_steps["model"]
        booster = calibrated.calibrated_classifiers_[0].estimator
        self._explainer = shap.TreeExplainer(booster)
        self._feature_names = [str(n) for n in self._preprocess.get_feature_names_out()]

    def top_contributions(self, frame: pd.DataFrame, k: int = 3) -> list[dict[str, float | str]]:
        transformed = self._preprocess.transform(frame)
        values = np.asarray(self._explainer.shap_values(transformed))
        row = values[0] if values.ndim == 2 else values[-1][0]
        order = np.argsort(-np.abs(row))[:k]
        return [{"feature": self._feature_names[i], "contribution": round(float(row[i]), 4)} for i in order]
