"""Runtime configuration, read from environment variables (12-factor)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        protected_namespaces=(),
    )

    # model artefact
    model_path: Path = Path("/models/model.skops")
    model_version: str = "1.4.2"
    # kill switch: MODEL_ENABLED=false routes every application to manual review
    model_enabled: bool = True

    # decisions with review_band_low <= p(default) <= review_band_high go to a human
    review_band_low: float = Field(default=0.35, ge=0.0, le=1.0)
    review_band_high: float = Field(default=0.65, ge=0.0, le=1.0)

    # human review queue
    review_queue_url: str = "http://review-queue.risk.svc.cluster.local:8080"
    review_queue_token: SecretStr | None = None
    review_outbox_path: Path = Path("/var/spool/credit-risk/review-outbox.jsonl")
    feedback_store_path: Path = Path("/var/spool/credit-risk/feedback.jsonl")

    # outbound HTTP timeouts (connect, read) in seconds
    http_connect_timeout: float = Field(default=3.05, gt=0)
    http_read_timeout: float = Field(default=10.0, gt=0)

    # comma-free JSON list, e.g. API_KEYS='["k1","k2"]'; injected from a Kubernetes Secret
    api_keys: list[SecretStr] = Field(default_factory=list)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _check_review_band(self) -> Settings:
        if self.review_band_low >= self.review_band_high:
            raise ValueError("review_band_low must be lower than review_band_high")
        return self

    @property
    def http_timeout(self) -> tuple[float, float]:
        return (self.http_connect_timeout, self.http_read_timeout)


@lru_cache
def get_settings() -> Settings:
    return Settings()
