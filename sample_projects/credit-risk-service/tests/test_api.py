import json

import numpy as np
from conftest import FakeReviewQueue


class ConstantModel:
    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, frame):
        return np.tile([1 - self.p, self.p], (len(frame), 1))


def test_healthz_and_readyz(make_client):
    with make_client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_model_missing(make_client, tmp_path):
    with make_client(MODEL_PATH=str(tmp_path / "missing.skops")) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503


def test_predict_ok(make_client, application):
    with make_client() as client:
        response = client.post("/v1/predict", json=application)
    assert response.status_code == 200
    body = response.json()
    assert 0.0 <= body["probability"] <= 1.0
    assert body["decision"] in {"approve", "decline", "manual_review"}
    assert body["model_version"]
    assert len(body["explanation"]) == 3
    assert "X-Request-ID" in response.headers


def test_missing_api_key_is_rejected(make_client, application):
    with make_client() as client:
        response = client.post("/v1/predict", json=application, headers={"X-API-Key": ""})
    assert response.status_code == 401


def test_extra_field_is_rejected(make_client, application):
    with make_client() as client:
        response = client.post("/v1/predict", json={**application, "ssn": "000-00-0000"})
    assert response.status_code == 422


def test_out_of_range_value_is_rejected(make_client, application):
    with make_client() as client:
        response = client.post("/v1/predict", json={**application, "applicant_age": 12})
    assert response.status_code == 422


def test_low_confidence_goes_to_review(make_client, application):
    with make_client(REVIEW_BAND_LOW="0.4", REVIEW_BAND_HIGH="0.6") as client:
        queue = FakeReviewQueue()
        client.app.state.review_queue = queue
        client.app.state.model = ConstantModel(0.52)
        body = client.post("/v1/predict", json=application).json()
    assert body["decision"] == "manual_review"
    assert body["needs_review"] is True
    assert queue.cases[0]["prediction_id"] == body["prediction_id"]
    assert queue.cases[0]["reason"] == "low_confidence"


def test_confident_prediction_is_not_escalated(make_client, application):
    with make_client() as client:
        queue = FakeReviewQueue()
        client.app.state.review_queue = queue
        client.app.state.model = ConstantModel(0.95)
        body = client.post("/v1/predict", json=application).json()
    assert body["decision"] == "decline"
    assert queue.cases == []


def test_kill_switch_routes_everything_to_review(make_client, application):
    with make_client(MODEL_ENABLED="false") as client:
        queue = FakeReviewQueue()
        client.app.state.review_queue = queue
        body = client.post("/v1/predict", json=application).json()
    assert body["decision"] == "manual_review"
    assert body["probability"] is None
    assert queue.cases[0]["reason"] == "model_disabled"


def test_feedback_is_stored(make_client, tmp_path):
    payload = {"prediction_id": "a" * 32, "corrected_label": "approve", "reviewer_id": "rev-042"}
    with make_client() as client:
        response = client.post("/v1/feedback", json=payload)
    assert response.status_code == 202
    stored = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert stored[0]["prediction_id"] == payload["prediction_id"]
    assert stored[0]["reviewer_id"] == "rev-042"
