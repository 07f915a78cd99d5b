import numpy as np

from fraud_detector.features import FEATURES, add_features
from fraud_detector.train import train


def test_train_returns_fitted_pipeline(transactions, params):
    model, metrics = train(transactions, params)
    proba = model.predict_proba(add_features(transactions)[FEATURES])[:, 1]
    assert proba.shape == (len(transactions),)
    assert np.all((proba >= 0) & (proba <= 1))
    assert {"roc_auc", "precision", "recall", "baseline_roc_auc"} <= metrics.keys()


def test_training_is_deterministic(transactions, params):
    model_a, metrics_a = train(transactions, params)
    model_b, metrics_b = train(transactions, params)
    X = add_features(transactions)[FEATURES]
    np.testing.assert_allclose(model_a.predict_proba(X), model_b.predict_proba(X))
    assert metrics_a == metrics_b


def test_model_beats_dummy_baseline(transactions, params):
    _, metrics = train(transactions, params)
    assert metrics["roc_auc"] > metrics["baseline_roc_auc"] + 0.1
    assert metrics["lift_roc_auc"] > 0
