"""OpenAI access: timeouts and retries, fallback deployment, structured outputs, usage and cost."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import openai
from openai import NOT_GIVEN, OpenAI
from pydantic import BaseModel

from rag_assistant import metrics
from rag_assistant.settings import Settings

logger = logging.getLogger(__name__)

# USD per 1M tokens (input, output). Keep in step with the pinned snapshots in settings.py.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-2024-08-06": (2.50, 10.00),
    "gpt-4o-mini-2024-07-18": (0.15, 0.60),
    "text-embedding-3-small": (0.02, 0.0),
}

# Errors worth trying the fallback deployment for. The SDK has already retried these
# (max_retries) with backoff; 4xx errors such as BadRequestError are ours and are not retried.
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)


class LLMUnavailableError(RuntimeError):
    """Neither the primary nor the fallback model answered."""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost_usd + other.cost_usd,
        )


@dataclass(frozen=True)
class ParsedResult:
    message: Any  # openai ParsedChatCompletionMessage: .parsed, .refusal, .tool_calls
    model: str
    usage: Usage
    fallback_used: bool


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    categories: tuple[str, ...]


def build_openai_client(settings: Settings) -> OpenAI:
    return OpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,  # 20 s by default: never wait on the provider forever
        max_retries=settings.llm_max_retries,  # 2 by default, exponential backoff inside the SDK
    )


def record_usage(model: str, usage: Any) -> Usage:
    """Turn ``response.usage`` into token and cost metrics."""
    if usage is None:
        logger.warning("provider returned no usage", extra={"model": model})
        return Usage()
    prompt_tokens = int(usage.prompt_tokens or 0)
    completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    if model not in PRICES_PER_MTOK:
        logger.warning("no price configured for model, cost recorded as 0", extra={"model": model})
    input_price, output_price = PRICES_PER_MTOK.get(model, (0.0, 0.0))
    cost = (prompt_tokens * input_price + completion_tokens * output_price) / 1_000_000
    metrics.LLM_TOKENS.labels(model=model, kind="prompt").inc(prompt_tokens)
    metrics.LLM_TOKENS.labels(model=model, kind="completion").inc(completion_tokens)
    metrics.LLM_COST.labels(model=model).inc(cost)
    return Usage(prompt_tokens, completion_tokens, cost)


class LLMClient:
    def __init__(self, client: OpenAI, settings: Settings) -> None:
        self._client = client
        self._deployments = (settings.primary_model, settings.fallback_model)
        self._embedding_model = settings.embedding_model
        self._moderation_model = settings.moderation_model
        self._temperature = settings.temperature
        self._max_output_tokens = settings.max_output_tokens

    @property
    def primary_model(self) -> str:
        return self._deployments[0]

    def parse(
        self,
        *,
        messages: list[dict[str, Any]],
        response_format: type[BaseModel],
        tools: Iterable[Any] | None = None,
        user: str,
    ) -> ParsedResult:
        """Chat completion validated against ``response_format``; falls back to the second deployment.

        May raise ``openai.LengthFinishReasonError`` / ``ContentFilterFinishReasonError`` or a pydantic
        ``ValidationError``; callers treat those as an invalid answer and fail closed.
        """
        last_error: Exception | None = None
        for index, model in enumerate(self._deployments):
            started = time.perf_counter()
            try:
                response = self._client.beta.chat.completions.parse(
                    model=model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format=response_format,
                    tools=list(tools) if tools else NOT_GIVEN,
                    parallel_tool_calls=False if tools else NOT_GIVEN,
                    temperature=self._temperature,
                    max_completion_tokens=self._max_output_tokens,
                    user=user,
                )
            except RETRYABLE_ERRORS as exc:
                metrics.LLM_ERRORS.labels(model=model, error=type(exc).__name__).inc()
                logger.warning(
                    "model call failed",
                    extra={"model": model, "error": type(exc).__name__, "next": "fallback" if index == 0 else "none"},
                )
                last_error = exc
                continue
            finally:
                metrics.LLM_LATENCY.labels(model=model).observe(time.perf_counter() - started)

            if index > 0:
                metrics.LLM_FALLBACKS.labels(model=model).inc()
            usage = record_usage(model, response.usage)
            return ParsedResult(
                message=response.choices[0].message,
                model=model,
                usage=usage,
                fallback_used=index > 0,
            )
        raise LLMUnavailableError("primary and fallback models failed") from last_error

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if len(texts) == 1:
            return [list(self._embed_one(texts[0]))]
        response = self._client.embeddings.create(model=self._embedding_model, input=list(texts))
        record_usage(self._embedding_model, response.usage)
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one client per process, kept for its life
    def _embed_one(self, text: str) -> tuple[float, ...]:
        """Customers ask the same questions all day: a question is embedded once."""
        response = self._client.embeddings.create(model=self._embedding_model, input=[text])
        record_usage(self._embedding_model, response.usage)
        return tuple(response.data[0].embedding)

    def moderate(self, text: str) -> ModerationResult:
        response = self._client.moderations.create(model=self._moderation_model, input=text)
        result = response.results[0]
        categories = tuple(sorted(name for name, hit in result.categories.model_dump(by_alias=True).items() if hit))
        return ModerationResult(flagged=bool(result.flagged), categories=categories)
