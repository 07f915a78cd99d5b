"""One chat turn: kill switch -> limits -> redaction -> guardrails -> retrieval -> agent -> validation."""

from __future__ import annotations

import hashlib
import html
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import openai
from opentelemetry import trace
from pydantic import ValidationError

from rag_assistant import audit, metrics
from rag_assistant.agent import AgentContext, AgentResult, AgentStepLimitError, SupportAgent
from rag_assistant.guardrails import Guardrails
from rag_assistant.human_review import HelpdeskClient
from rag_assistant.llm import LLMUnavailableError, Usage
from rag_assistant.prompts import PromptRegistry
from rag_assistant.quotas import TokenBudget
from rag_assistant.redaction import Redactor
from rag_assistant.retrieval import RetrievedChunk, Retriever
from rag_assistant.schemas import AnswerModel, ChatRequest, ChatResponse, Citation, PendingActionSummary
from rag_assistant.settings import Settings

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

SHOP_NAME = "Northwind Outdoor"
MAX_ANSWER_CHARS = 1500
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}

# Fixed texts: what the customer sees whenever the model's answer is not used.
FALLBACK_ANSWER = (
    "Sorry, I can't answer that reliably right now. I've passed your message to our customer support "
    "team and they'll reply by e-mail within one working day."
)
HANDOFF_ANSWER = (
    "I've passed our conversation to a member of the customer support team. They'll pick it up here, "
    "or reply by e-mail within one working day."
)
DISABLED_ANSWER = (
    "Our assistant is taking a break, so I've passed your message straight to our customer support "
    "team. They'll reply by e-mail within one working day."
)
OUT_OF_SCOPE_ANSWER = (
    "I can only help with Northwind Outdoor orders, products, delivery and returns. "
    "Is there anything about those I can help with?"
)


class InputTooLargeError(ValueError):
    """The prompt would exceed max_prompt_chars even without retrieved context."""


@dataclass
class Assistant:
    settings: Settings
    prompts: PromptRegistry
    redactor: Redactor
    guardrails: Guardrails
    retriever: Retriever
    agent: SupportAgent
    helpdesk: HelpdeskClient
    budget: TokenBudget

    def chat(self, request: ChatRequest) -> ChatResponse:
        started = time.perf_counter()
        conversation_id = request.conversation_id or uuid.uuid4().hex
        turn = _Turn(message_id=uuid.uuid4().hex, conversation_id=conversation_id, request=request)
        with tracer.start_as_current_span("assistant.chat") as span:
            span.set_attribute("assistant.conversation_id", conversation_id)
            span.set_attribute("assistant.prompt_version", self._prompt_version)
            response = self._answer(turn)
            span.set_attribute("assistant.status", response.status)
            span.set_attribute("assistant.handoff_reason", response.handoff_reason or "")
        metrics.CHAT_LATENCY.labels(status=response.status).observe(time.perf_counter() - started)
        metrics.ANSWERS.labels(status=response.status, model=response.model or "none").inc()
        audit.record(
            "chat_turn",
            message_id=turn.message_id,
            conversation_id=conversation_id,
            customer_ref=_customer_ref(request.customer_id),
            message_sha256=audit.text_hash(request.message),
            redacted_entities=list(turn.redacted_entities),
            status=response.status,
            handoff_reason=response.handoff_reason,
            model=response.model,
            prompt_versions=self.prompts.describe(),
            source_ids=[c.source_id for c in response.citations],
            pending_actions=[a.action_id for a in response.pending_actions],
            prompt_tokens=turn.usage.prompt_tokens,
            completion_tokens=turn.usage.completion_tokens,
            cost_usd=round(turn.usage.cost_usd, 6),
        )
        return response

    # ------------------------------------------------------------------------------------------
    def _answer(self, turn: _Turn) -> ChatResponse:
        request = turn.request
        if not self.settings.assistant_enabled:
            return self._hand_off(turn, "assistant_disabled", DISABLED_ANSWER)
        if request.request_human:
            return self._hand_off(turn, "customer_requested", HANDOFF_ANSWER)
        if self.budget.exhausted(turn.conversation_id):
            return self._hand_off(turn, "token_budget_exhausted", HANDOFF_ANSWER)

        redacted = self.redactor.redact(request.message)
        turn.redacted_entities = redacted.entities

        verdict = self.guardrails.check_input(redacted.text)
        if not verdict.allowed:
            return self._hand_off(turn, verdict.reason or "input_blocked", FALLBACK_ANSWER)

        chunks = self.retriever.search(redacted.text)
        messages = self._build_messages(redacted.text, chunks, request.order_id)

        ctx = AgentContext(
            customer_id=request.customer_id,
            conversation_id=turn.conversation_id,
            user_ref=_customer_ref(request.customer_id),
        )
        try:
            result = self.agent.run(messages, ctx)
        except LLMUnavailableError:
            logger.exception("model unavailable", extra={"conversation_id": turn.conversation_id})
            return self._hand_off(turn, "llm_unavailable", FALLBACK_ANSWER, ctx)
        except AgentStepLimitError as exc:
            self._charge(turn, exc.usage)
            return self._hand_off(turn, "agent_step_limit", FALLBACK_ANSWER, ctx)
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError, ValidationError) as exc:
            metrics.STRUCTURED_OUTPUT_FAILURES.labels(reason=type(exc).__name__).inc()
            return self._hand_off(turn, "invalid_model_output", FALLBACK_ANSWER, ctx)
        self._charge(turn, result.usage)
        turn.model = result.model

        known_sources = {c.source_id: {"title": c.title, "url": c.url} for c in chunks} | ctx.tool_sources
        answer, problem = self._validate_answer(result, known_sources)
        if problem or answer is None:
            metrics.STRUCTURED_OUTPUT_FAILURES.labels(reason=problem or "missing").inc()
            return self._hand_off(turn, problem or "invalid_model_output", FALLBACK_ANSWER, ctx)
        if answer.needs_human:
            return self._hand_off(turn, "model_requested_human", HANDOFF_ANSWER, ctx)
        if answer.out_of_scope:
            return self._response(turn, "declined", OUT_OF_SCOPE_ANSWER, [], ctx)

        verdict = self.guardrails.check_output(answer.answer)
        if not verdict.allowed:
            return self._hand_off(turn, verdict.reason or "output_blocked", FALLBACK_ANSWER, ctx)
        if CONFIDENCE_RANK[answer.confidence] < CONFIDENCE_RANK[self.settings.min_confidence]:
            return self._hand_off(turn, "low_confidence", HANDOFF_ANSWER, ctx)

        citations = [
            Citation(source_id=sid, title=known_sources[sid]["title"], url=known_sources[sid]["url"])
            for sid in dict.fromkeys(answer.source_ids)
        ]
        return self._response(turn, "answered", answer.answer, citations, ctx)

    def _validate_answer(
        self, result: AgentResult, known_sources: dict[str, dict[str, str]]
    ) -> tuple[AnswerModel | None, str | None]:
        """Fail closed: anything but a well-formed, grounded answer is replaced by the fallback."""
        if result.refusal:
            return None, "model_refusal"
        answer = result.answer
        if answer is None:
            return None, "missing_structured_output"
        if answer.needs_human or answer.out_of_scope:
            return answer, None
        if not answer.answer.strip() or len(answer.answer) > MAX_ANSWER_CHARS:
            return None, "answer_length"
        if not answer.source_ids:
            return None, "ungrounded_answer"
        if any(sid not in known_sources for sid in answer.source_ids):
            return None, "unknown_source_id"
        return answer, None

    def _build_messages(self, message: str, chunks: list[RetrievedChunk], order_id: str | None) -> list[dict[str, Any]]:
        system = self.prompts.get("support_system").render(
            shop_name=SHOP_NAME, today=datetime.now(UTC).date().isoformat()
        )
        user = message if order_id is None else f"{message}\n\n(Order selected in the chat widget: {order_id})"
        if len(system) + len(user) > self.settings.max_prompt_chars:
            raise InputTooLargeError("message too long")

        budget = min(self.settings.max_context_chars, self.settings.max_prompt_chars - len(system) - len(user))
        documents: list[str] = []
        used = 0
        for chunk in chunks:  # best first; drop the rest once the context budget is spent
            block = (
                f'<document id="{html.escape(chunk.source_id)}" title="{html.escape(chunk.title)}">\n'
                f"{html.escape(chunk.text, quote=False)}\n</document>"
            )
            if used + len(block) > budget:
                break
            documents.append(block)
            used += len(block)
        context = self.prompts.get("context").render(documents="\n\n".join(documents) or "(no documents found)")
        return [
            {"role": "system", "content": system},
            {"role": "system", "content": context},
            {"role": "user", "content": user},
        ]

    def _charge(self, turn: _Turn, usage: Usage) -> None:
        turn.usage = turn.usage + usage
        self.budget.charge(turn.conversation_id, usage.total_tokens)

    def _hand_off(self, turn: _Turn, reason: str, answer: str, ctx: AgentContext | None = None) -> ChatResponse:
        metrics.HANDOFFS.labels(reason=reason).inc()
        turn.ticket_id = self.helpdesk.hand_off(
            conversation_id=turn.conversation_id,
            customer_id=turn.request.customer_id,
            reason=reason,
            message=turn.request.message,  # our own helpdesk: agents see what the customer wrote
        )
        logger.info("handed off", extra={"conversation_id": turn.conversation_id, "reason": reason})
        return self._response(turn, "handed_off", answer, [], ctx, handoff_reason=reason)

    def _response(
        self,
        turn: _Turn,
        status: str,
        answer: str,
        citations: list[Citation],
        ctx: AgentContext | None,
        handoff_reason: str | None = None,
    ) -> ChatResponse:
        pending = ctx.pending_actions if ctx else []
        return ChatResponse(
            message_id=turn.message_id,
            conversation_id=turn.conversation_id,
            status=status,
            answer=answer,
            citations=citations,
            handoff_reason=handoff_reason,
            ticket_id=turn.ticket_id,
            pending_actions=[
                PendingActionSummary(action_id=a.action_id, tool=a.tool, status=a.status) for a in pending
            ],
            model=turn.model,
            prompt_version=self._prompt_version,
        )

    @property
    def _prompt_version(self) -> str:
        return self.prompts.get("support_system").id


@dataclass
class _Turn:
    message_id: str
    conversation_id: str
    request: ChatRequest
    redacted_entities: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    ticket_id: str | None = None


def _customer_ref(customer_id: str) -> str:
    """Stable pseudonym for the provider's `user` field and the audit log."""
    return "c-" + hashlib.sha256(customer_id.encode("utf-8")).hexdigest()[:16]
