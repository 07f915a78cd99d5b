"""Shared fixtures: a fake OpenAI client, in-memory Redis and fakes for the shop's internal services.

Everything between the HTTP layer and the SDK (guardrails, redaction, retrieval handling, agent
loop, approvals, fallback) is the real code.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import fakeredis
import httpx
import openai
import pytest
from fastapi.testclient import TestClient

# before any rag_assistant import: no OTLP exporter in tests
os.environ.setdefault("TRACING_ENABLED", "false")

from rag_assistant.agent import SupportAgent  # noqa: E402
from rag_assistant.api import Services, create_app  # noqa: E402
from rag_assistant.assistant import Assistant  # noqa: E402
from rag_assistant.guardrails import Guardrails  # noqa: E402
from rag_assistant.human_review import ApprovalQueue, FeedbackStore, PendingAction  # noqa: E402
from rag_assistant.llm import LLMClient  # noqa: E402
from rag_assistant.prompts import PromptRegistry  # noqa: E402
from rag_assistant.quotas import RateLimiter, TokenBudget  # noqa: E402
from rag_assistant.redaction import Redactor  # noqa: E402
from rag_assistant.retrieval import RetrievedChunk  # noqa: E402
from rag_assistant.schemas import AnswerModel  # noqa: E402
from rag_assistant.settings import Settings, get_settings  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]
API_KEY = "test-api-key-not-a-secret"  # pragma: allowlist secret
REVIEWER_KEY = "test-reviewer-key-not-a-secret"  # pragma: allowlist secret
CUSTOMER_ID = "cus_T3stCustomer01"
PRIMARY = "gpt-4o-2024-08-06"
FALLBACK = "gpt-4o-mini-2024-07-18"

KB_CHUNKS = [
    RetrievedChunk(
        chunk_id="kb-1001#000",
        source_id="kb-1001",
        title="Returns policy",
        url="https://help.northwind-outdoor.com/articles/kb-1001",
        text="You can return unused items in their original packaging within 30 days of delivery.",
        distance=0.18,
    ),
    RetrievedChunk(
        chunk_id="kb-1006#000",
        source_id="kb-1006",
        title="Damaged or faulty items",
        url="https://help.northwind-outdoor.com/articles/kb-1006",
        text="Report damage within 14 days with a photo; we refund or replace the item.",
        distance=0.31,
    ),
]

ORDER = {
    "order_id": "NW-10023457",
    "status": "delivered",
    "placed_at": "2024-10-02T09:14:00Z",
    "dispatched_at": "2024-10-02T16:40:00Z",
    "carrier": "Royal Mail",
    "tracking_url": "https://www.royalmail.com/track-your-item#/tracking-results/XY123456789GB",
    "items": [{"sku": "STV-100", "name": "Camping stove", "price_cents": 4500}],
    "total_cents": 11950,
}


# --- fake OpenAI SDK -------------------------------------------------------------------------
def completion(message: Any, model: str = PRIMARY, prompt_tokens: int = 900, completion_tokens: int = 120) -> Any:
    return SimpleNamespace(
        model=model,
        choices=[SimpleNamespace(message=message, finish_reason="stop")],
        usage=SimpleNamespace(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        ),
    )


def answer_message(
    text: str = "You can return unused items within 30 days of delivery.",
    source_ids: tuple[str, ...] = ("kb-1001",),
    confidence: str = "high",
    needs_human: bool = False,
    out_of_scope: bool = False,
    refusal: str | None = None,
) -> Any:
    parsed = None
    if refusal is None:
        parsed = AnswerModel(
            answer=text,
            source_ids=list(source_ids),
            confidence=confidence,  # type: ignore[arg-type]
            needs_human=needs_human,
            out_of_scope=out_of_scope,
        )
    return SimpleNamespace(
        content=parsed.model_dump_json() if parsed else None,
        parsed=parsed,
        refusal=refusal,
        tool_calls=None,
    )


def tool_call_message(name: str, arguments: dict[str, Any], call_id: str = "call_1") -> Any:
    call = SimpleNamespace(
        id=call_id,
        type="function",
        function=SimpleNamespace(name=name, arguments=json.dumps(arguments)),
    )
    return SimpleNamespace(content=None, parsed=None, refusal=None, tool_calls=[call])


def timeout_error() -> openai.APITimeoutError:
    return openai.APITimeoutError(request=httpx.Request("POST", "https://api.openai.com/v1/chat/completions"))


class FakeChatCompletions:
    def __init__(self) -> None:
        self.script: list[Any] = []  # completions (or exceptions) returned in order
        self.calls: list[dict[str, Any]] = []
        self.failing_models: set[str] = set()

    def parse(self, **kwargs: Any) -> Any:
        self.calls.append(copy.deepcopy(kwargs))  # the agent keeps appending to the same list
        if kwargs["model"] in self.failing_models:
            raise timeout_error()
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return completion(item, model=kwargs["model"])


class FakeModerations:
    def __init__(self) -> None:
        self.flag_words: set[str] = set()
        self.inputs: list[str] = []

    def create(self, *, model: str, input: str) -> Any:  # noqa: A002 - SDK signature
        self.inputs.append(input)
        flagged = any(word in input.lower() for word in self.flag_words)
        categories = SimpleNamespace(model_dump=lambda by_alias=True: {"violence": flagged, "harassment": False})
        return SimpleNamespace(results=[SimpleNamespace(flagged=flagged, categories=categories)])


class FakeOpenAI:
    def __init__(self) -> None:
        self.completions = FakeChatCompletions()
        self.beta = SimpleNamespace(chat=SimpleNamespace(completions=self.completions))
        self.moderations = FakeModerations()
        self.embeddings = SimpleNamespace(
            create=lambda **kw: SimpleNamespace(
                data=[SimpleNamespace(index=i, embedding=[0.1, 0.2, 0.3]) for i, _ in enumerate(kw["input"])],
                usage=SimpleNamespace(prompt_tokens=8, total_tokens=8),
            )
        )

    def sent_text(self) -> str:
        """Everything the service sent to the provider, for leak checks."""
        chat = json.dumps([c["messages"] for c in self.completions.calls], default=str)
        return chat + json.dumps(self.moderations.inputs)


# --- fakes for the shop's services -----------------------------------------------------------
class FakeRetriever:
    def __init__(self, chunks: list[RetrievedChunk]) -> None:
        self.chunks = chunks
        self.queries: list[str] = []

    def search(self, query: str) -> list[RetrievedChunk]:
        self.queries.append(query)
        return list(self.chunks)

    def ping(self) -> bool:
        return True


class FakeHelpdesk:
    def __init__(self) -> None:
        self.handoffs: list[dict[str, Any]] = []
        self.approval_tasks: list[PendingAction] = []

    def hand_off(self, **kwargs: Any) -> str:
        self.handoffs.append(kwargs)
        return f"ticket-{len(self.handoffs)}"

    def request_approval(self, action: PendingAction) -> str:
        self.approval_tasks.append(action)
        return f"task-{len(self.approval_tasks)}"

    def close(self) -> None:
        pass


class FakeToolbox:
    def __init__(self) -> None:
        self.orders = {ORDER["order_id"]: ORDER}
        self.lookups: list[str] = []
        self.executed: list[PendingAction] = []

    def lookup_order(self, order_id: str, customer_id: str) -> dict[str, Any] | None:
        self.lookups.append(order_id)
        return self.orders.get(order_id)

    def execute(self, action: PendingAction) -> dict[str, Any]:
        if action.status != "approved":
            raise PermissionError(action.action_id)
        self.executed.append(action)
        return {"id": f"re_{len(self.executed)}", "status": "succeeded"}

    def close(self) -> None:
        pass


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    # en_core_web_md is installed from requirements.lock; loading it takes a few seconds
    return Redactor(os.environ.get("SPACY_MODEL", "en_core_web_md"), score_threshold=0.35)


@pytest.fixture
def fakes(redactor: Redactor) -> SimpleNamespace:
    return SimpleNamespace(
        openai=FakeOpenAI(),
        retriever=FakeRetriever(list(KB_CHUNKS)),
        helpdesk=FakeHelpdesk(),
        toolbox=FakeToolbox(),
        redis=fakeredis.FakeRedis(),
        redactor=redactor,
    )


def build_test_services(settings: Settings, fakes: SimpleNamespace) -> Services:
    llm = LLMClient(fakes.openai, settings)  # type: ignore[arg-type]
    approvals = ApprovalQueue(fakes.redis, fakes.helpdesk)  # type: ignore[arg-type]
    assistant = Assistant(
        settings=settings,
        prompts=PromptRegistry.load(settings.prompts_dir, settings.prompt_versions),
        redactor=fakes.redactor,
        guardrails=Guardrails(llm, settings.allowed_link_hosts),
        retriever=fakes.retriever,
        agent=SupportAgent(llm, fakes.toolbox, approvals, settings),
        helpdesk=fakes.helpdesk,
        budget=TokenBudget(fakes.redis, settings.conversation_token_budget, settings.conversation_ttl_seconds),
    )
    return Services(
        assistant=assistant,
        rate_limiter=RateLimiter("memory://", settings.rate_limit),
        approvals=approvals,
        toolbox=fakes.toolbox,
        feedback=FeedbackStore(fakes.redis),
        redis=fakes.redis,
    )


@pytest.fixture
def make_settings(monkeypatch: pytest.MonkeyPatch):
    def _make(**env: str) -> Settings:
        defaults = {
            "API_KEYS": json.dumps([API_KEY]),
            "REVIEWER_API_KEYS": json.dumps([REVIEWER_KEY]),
            "PROMPTS_DIR": str(PROJECT_ROOT / "prompts"),
            "TRACING_ENABLED": "false",
            "RATE_LIMIT": "100/minute",
        }
        for key, value in {**defaults, **env}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return get_settings()

    yield _make
    get_settings.cache_clear()


@pytest.fixture
def make_client(make_settings, fakes):
    def _make(**env: str) -> TestClient:
        make_settings(**env)
        app = create_app(services_factory=lambda settings: build_test_services(settings, fakes))
        return TestClient(app, headers={"X-API-Key": API_KEY})

    return _make


@pytest.fixture
def chat_body() -> dict[str, Any]:
    return {"customer_id": CUSTOMER_ID, "message": "How long do I have to return a tent?"}
