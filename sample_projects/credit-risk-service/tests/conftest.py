import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from credit_risk.pipeline import FEATURES, build_pipeline, save_model
from credit_risk.settings import get_settings
from credit_risk.validation import TARGET

API_KEY = "test-key-not-a-real-secret"  # pragma: allowlist secret
MODEL_PARAMS = {
    "gbm": {"n_estimators": 30, "learning_rate": 0.1, "max_depth": 2},
    "calibration": {"method": "sigmoid", "folds": 3},
}


def make_loans(n: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dti = rng.uniform(0, 1.2, n)
    delinquencies = rng.poisson(0.4, n)
    logit = -2.5 + 3.0 * dti + 0.8 * delinquencies
    return pd.DataFrame(
        {
            "application_id": [f"APP-{i:06d}" for i in range(n)],
            "application_date": pd.date_range("2024-01-01", periods=n, freq="h"),
            "applicant_age": rng.integers(18, 80, n),
            "annual_income": rng.uniform(15_000, 250_000, n).round(2),
            "loan_amount": rng.uniform(1_000, 60_000, n).round(2),
            "loan_term_months": rng.choice([12, 24, 36, 48, 60], n),
            "employment_years": rng.uniform(0, 35, n).round(1),
            "debt_to_income": dti.round(3),
            "credit_history_months": rng.integers(0, 400, n),
            "num_open_accounts": rng.integers(0, 20, n),
            "num_delinquencies_2y": delinquencies,
            "home_ownership": rng.choice(["rent", "own", "mortgage", "other"], n),
            "loan_purpose": rng.choice(["debt_consolidation", "auto", "education", "other"], n),
            TARGET: (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


@pytest.fixture(scope="session")
def loans() -> pd.DataFrame:
    return make_loans()


@pytest.fixture(scope="session")
def model_path(tmp_path_factory, loans):
    model = build_pipeline(MODEL_PARAMS, seed=0).fit(loans[FEATURES], loans[TARGET])
    return save_model(model, tmp_path_factory.mktemp("model") / "model.skops")


@pytest.fixture
def application() -> dict:
    return {
        "applicant_age": 41,
        "annual_income": 58_000.0,
        "loan_amount": 12_500.0,
        "loan_term_months": 36,
        "employment_years": 7.5,
        "debt_to_income": 0.21,
        "credit_history_months": 160,
        "num_open_accounts": 4,
        "num_delinquencies_2y": 0,
        "home_ownership": "mortgage",
        "loan_purpose": "debt_consolidation",
    }


class FakeReviewQueue:
    def __init__(self) -> None:
        self.cases: list[dict] = []

    def enqueue(self, case: dict) -> str:
        self.cases.append(case)
        return f"case-{len(self.cases)}"

    def close(self) -> None:
        pass


@pytest.fixture
def make_client(monkeypatch, model_path, tmp_path):
    def _make(**env: str):
        monkeypatch.setenv("MODEL_PATH", str(model_path))
        monkeypatch.setenv("API_KEYS", json.dumps([API_KEY]))
        monkeypatch.setenv("FEEDBACK_STORE_PATH", str(tmp_path / "feedback.jsonl"))
        monkeypatch.setenv("REVIEW_OUTBOX_PATH", str(tmp_path / "outbox.jsonl"))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        from credit_risk.api import app

        return TestClient(app, headers={"X-API-Key": API_KEY})

    yield _make
    get_settings.cache_clear()
