import numpy as np
import pandas as pd
import pytest

from fraud_detector.features import (
    FEATURES,
    add_features,
    build_preprocessor,
    hour_of_day,
    log_amount,
)


def test_log_amount_clips_refunds():
    out = log_amount(pd.Series([-10.0, 0.0, np.e - 1]))
    assert out.tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_hour_of_day():
    ts = pd.Series(["2024-03-01T00:15:00Z", "2024-03-01T23:59:00Z"])
    assert hour_of_day(ts).tolist() == [0, 23]


def test_add_features_keeps_rows_and_has_no_nans(transactions):
    out = add_features(transactions)
    assert len(out) == len(transactions)
    assert set(FEATURES) <= set(out.columns)
    assert not out[FEATURES].isna().any().any()


def test_add_features_does_not_mutate_input(transactions):
    before = transactions.copy()
    add_features(transactions)
    pd.testing.assert_frame_equal(transactions, before)


def test_preprocessor_ignores_unknown_merchant_category(transactions):
    X = add_features(transactions)[FEATURES]
    pre = build_preprocessor().fit(X)
    unseen = X.head(3).assign(merchant_category="0000")
    transformed = pre.transform(unseen)
    assert transformed.shape == (3, pre.transform(X.head(3)).shape[1])
