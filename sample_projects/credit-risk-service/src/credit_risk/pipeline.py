"""Model definition and (safe) persistence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES = [
    "applicant_age",
    "annual_income",
    "loan_amount",
    "loan_term_months",
    "employment_years",
    "debt_to_income",
    "credit_history_months",
    "num_open_accounts",
    "num_delinquencies_2y",
]
CATEGORICAL_FEATURES = ["home_ownership", "loan_purpose"]
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES

# Types we expect inside our own artefact; anything else is refused at load time.
TRUSTED_TYPES = {
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.tree._tree.Tree",
    "sklearn.dummy.DummyClassifier",
    "numpy.random._mt19937.MT19937",
}


def build_pipeline(params: dict[str, Any], seed: int) -> Pipeline:
    preprocess = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC_FEATURES),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL_FEATURES),
        ]
    )
    booster = GradientBoostingClassifier(random_state=seed, **params["gbm"])
    model = CalibratedClassifierCV(
        booster,
        method=params["calibration"]["method"],
        cv=params["calibration"]["folds"],
    )
    return Pipeline([("preprocess", preprocess), ("model", model)])


def save_model(model: Pipeline, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path)
    return path


def load_model(path: str | Path) -> Pipeline:
    """Load a skops artefact, refusing any type we did not explicitly trust."""
    untrusted = set(sio.get_untrusted_types(file=path))
    unexpected = untrusted - TRUSTED_TYPES
    if unexpected:
        raise ValueError(f"refusing to load {path}: untrusted types {sorted(unexpected)}")
    return sio.load(path, trusted=sorted(untrusted))
