import numpy as np
import pandas as pd
import pytest


def make_transactions(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Synthetic transactions where fraud is more likely at night and for large amounts."""
    rng = np.random.default_rng(seed)
    hours = rng.integers(0, 24, size=n)
    amount = np.round(rng.lognormal(mean=3.5, sigma=1.0, size=n), 2)
    categories = rng.choice(["5411", "5812", "5999", "7995"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    logit = -3.0 + 1.5 * (hours < 6) + 0.8 * (np.log1p(amount) > 4.5) + 1.2 * (categories == "7995")
    is_fraud = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    base = pd.Timestamp("2024-03-01", tz="UTC")
    return pd.DataFrame(
        {
            "transaction_id": [f"tx-{i:05d}" for i in range(n)],
            "amount": amount,
            "timestamp": [base + pd.Timedelta(days=int(i % 28), hours=int(h)) for i, h in enumerate(hours)],
            "merchant_category": categories,
            "is_fraud": is_fraud,
        }
    )


@pytest.fixture
def transactions() -> pd.DataFrame:
    return make_transactions()


@pytest.fixture
def params() -> dict:
    return {
        "target": "is_fraud",
        "test_size": 0.25,
        "threshold": 0.5,
        "model": {"n_estimators": 50, "learning_rate": 0.1, "max_depth": 2, "subsample": 0.8},
    }
