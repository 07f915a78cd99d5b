"""Pure feature functions shared by training and scoring."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES = ["amount_log", "hour_of_day", "is_night"]
CATEGORICAL_FEATURES = ["merchant_category"]
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES


def log_amount(amount: pd.Series) -> pd.Series:
    """log(1 + amount); negative amounts (refunds) are clipped to 0."""
    return np.log1p(amount.clip(lower=0))


def hour_of_day(timestamp: pd.Series) -> pd.Series:
    return pd.to_datetime(timestamp, utc=True).dt.hour


def add_features(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with the engineered columns added."""
    out = df.copy()
    out["amount_log"] = log_amount(out["amount"])
    out["hour_of_day"] = hour_of_day(out["timestamp"])
    out["is_night"] = out["hour_of_day"].between(0, 5).astype(int)
    out["merchant_category"] = out["merchant_category"].astype(str)
    return out


def build_preprocessor() -> ColumnTransformer:
    return ColumnTransformer(
        transformers=[
            ("num", StandardScaler(), NUMERIC_FEATURES),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
        ],
        remainder="drop",
    )
