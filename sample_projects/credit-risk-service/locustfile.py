"""Load test for the scoring endpoint.

    locust -f locustfile.py --host https://credit-risk.staging.acme.internal \
        --users 200 --spawn-rate 20 --run-time 10m --headless

SLO under test: p95 latency < 250 ms at 150 req/s with error rate < 0.5 %.
"""

import os
import random

from locust import HttpUser, between, task

PURPOSES = ["debt_consolidation", "home_improvement", "auto", "education", "medical", "other"]


def random_application() -> dict:
    return {
        "applicant_age": random.randint(18, 80),
        "annual_income": round(random.uniform(15_000, 250_000), 2),
        "loan_amount": round(random.uniform(1_000, 60_000), 2),
        "loan_term_months": random.choice([12, 24, 36, 48, 60]),
        "employment_years": round(random.uniform(0, 35), 1),
        "debt_to_income": round(random.uniform(0, 1.2), 3),
        "credit_history_months": random.randint(0, 400),
        "num_open_accounts": random.randint(0, 20),
        "num_delinquencies_2y": random.choice([0, 0, 0, 1, 2]),
        "home_ownership": random.choice(["rent", "own", "mortgage", "other"]),
        "loan_purpose": random.choice(PURPOSES),
    }


class LoanOfficerApp(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        self.client.headers["X-API-Key"] = os.environ["LOCUST_API_KEY"]

    @task(20)
    def predict(self) -> None:
        with self.client.post(
            "/v1/predict", json=random_application(), name="/v1/predict", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif response.elapsed.total_seconds() > 0.25:
                response.failure("slower than 250 ms")

    @task(1)
    def readyz(self) -> None:
        self.client.get("/readyz", name="/readyz")
