"""Runtime configuration, read from environment variables (12-factor)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        protected_namespaces=(),
    )

    service_name: str = "rag-assistant"
    environment: str = "dev"
    log_level: str = "INFO"

    # Kill switch: ASSISTANT_ENABLED=false hands every conversation to the support team.
    assistant_enabled: bool = True

    # --- model provider -------------------------------------------------------------
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str | None = None
    # Dated snapshots only: changing a model is a reviewed change (CODEOWNERS) that re-runs the evals.
    primary_model: str = "gpt-4o-2024-08-06"
    fallback_model: str = "gpt-4o-mini-2024-07-18"
    embedding_model: str = "text-embedding-3-small"
    moderation_model: str = "omni-moderation-2024-09-26"
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=60)
    llm_max_retries: int = Field(default=2, ge=0, le=5)
    temperature: float = Field(default=0.1, ge=0.0, le=1.0)
    max_output_tokens: int = Field(default=600, gt=0, le=4096)

    # --- prompts: prompts/<name>.<version>.txt, loaded once at start-up ----------------
    prompts_dir: Path = Path("prompts")
    system_prompt_version: str = "v3"
    context_prompt_version: str = "v1"

    # --- input limits (checked before any prompt is built) ----------------------------
    max_request_bytes: int = Field(default=16_384, gt=0)
    max_prompt_chars: int = Field(default=16_000, gt=0)
    max_context_chars: int = Field(default=9_000, gt=0)
    retrieval_top_k: int = Field(default=5, ge=1, le=20)
    retrieval_max_distance: float = Field(default=0.55, gt=0.0, le=2.0)

    # --- human in the loop ----------------------------------------------------------
    # answers the model rates below this confidence go to a human agent instead
    min_confidence: Literal["low", "medium", "high"] = "medium"
    max_agent_steps: int = Field(default=5, ge=1, le=10)
    max_refund_cents: int = Field(default=25_000, gt=0)
    allowed_link_hosts: list[str] = Field(
        default_factory=lambda: ["www.northwind-outdoor.com", "help.northwind-outdoor.com"]
    )

    # --- abuse and cost control -----------------------------------------------------
    rate_limit: str = "10/minute;120/day"  # per customer, limits' notation
    rate_limit_storage_uri: str = "memory://"
    conversation_token_budget: int = Field(default=30_000, gt=0)
    conversation_ttl_seconds: int = Field(default=86_400, gt=0)

    # --- PII redaction --------------------------------------------------------------
    spacy_model: str = "en_core_web_md"
    # phone numbers score 0.4 without a context word ("call", "mobile"): keep the threshold below that
    pii_score_threshold: float = Field(default=0.35, ge=0.0, le=1.0)

    # --- backing services -----------------------------------------------------------
    redis_url: str = "redis://localhost:6379/0"
    chroma_host: str = "localhost"
    chroma_port: int = 8000
    chroma_collection: str = "support-kb"
    orders_api_url: str = "http://orders.shop.svc.cluster.local"
    payments_api_url: str = "http://payments.shop.svc.cluster.local"
    notifications_api_url: str = "http://notifications.shop.svc.cluster.local"
    helpdesk_url: str = "http://helpdesk-bridge.support.svc.cluster.local"
    service_token: SecretStr | None = None
    http_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    handoff_outbox_path: Path = Path("/var/spool/rag-assistant/helpdesk-outbox.jsonl")

    # --- auth: JSON lists injected from the rag-assistant-secrets Secret ------------
    api_keys: list[SecretStr] = Field(default_factory=list)  # shop web backend
    reviewer_api_keys: list[SecretStr] = Field(default_factory=list)  # support console (approvals)

    # --- indexing job ---------------------------------------------------------------
    kb_export_path: Path = Path("/data/kb/articles.jsonl")
    index_min_documents: int = Field(default=40, ge=1)
    index_max_failed_ratio: float = Field(default=0.02, ge=0.0, le=1.0)
    pushgateway_url: str | None = None

    # --- telemetry ------------------------------------------------------------------
    tracing_enabled: bool = True

    @model_validator(mode="after")
    def _check_models(self) -> Settings:
        if self.primary_model == self.fallback_model:
            raise ValueError("fallback_model must differ from primary_model")
        return self

    @property
    def prompt_versions(self) -> dict[str, str]:
        return {"support_system": self.system_prompt_version, "context": self.context_prompt_version}


@lru_cache
def get_settings() -> Settings:
    return Settings()
