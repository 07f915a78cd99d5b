import numpy as np
import pytest
from conftest import MODEL_PARAMS

from credit_risk.pipeline import FEATURES, build_pipeline, load_model, save_model
from credit_risk.train import fit_and_score
from credit_risk.validation import TARGET


def test_fit_and_score_on_tiny_frame(loans):
    params = {"seed": 1, "split": {"test_size": 0.25}, "model": MODEL_PARAMS}
    model, holdout, metrics = fit_and_score(loans, params)
    assert len(holdout) == 75
    assert not set(holdout["application_id"]) & set(loans.drop(holdout.index)["application_id"])
    assert 0.5 < metrics["roc_auc"] <= 1.0
    assert 0.0 <= metrics["brier"] <= 0.25


def test_training_is_reproducible(loans):
    a = build_pipeline(MODEL_PARAMS, seed=3).fit(loans[FEATURES], loans[TARGET])
    b = build_pipeline(MODEL_PARAMS, seed=3).fit(loans[FEATURES], loans[TARGET])
    np.testing.assert_array_equal(a.predict_proba(loans[FEATURES]), b.predict_proba(loans[FEATURES]))


def test_save_load_round_trip(loans, tmp_path):
    model = build_pipeline(MODEL_PARAMS, seed=0).fit(loans[FEATURES], loans[TARGET])
    path = save_model(model, tmp_path / "model.skops")
    restored = load_model(path)
    np.testing.assert_array_equal(model.predict_proba(loans[FEATURES]), restored.predict_proba(loans[FEATURES]))


def test_load_refuses_unexpected_types(model_path, monkeypatch):
    import credit_risk.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "TRUSTED_TYPES", set())
    with pytest.raises(ValueError, match="untrusted"):
        pipeline_module.load_model(model_path)
