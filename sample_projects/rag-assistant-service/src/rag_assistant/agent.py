"""Bounded tool-using agent.

The model may call three tools. ``lookup_order`` is read-only and runs automatically.
``issue_refund`` and ``send_email`` change the world, so they are never executed here: they are
validated, queued in the ``ApprovalQueue`` and only run after a support agent approves them
(``POST /internal/v1/actions/{id}/decision``). Model output is parsed as data, never executed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import openai
from pydantic import BaseModel, Field, ValidationError

from rag_assistant import metrics
from rag_assistant.human_review import ApprovalQueue, PendingAction
from rag_assistant.llm import LLMClient, Usage
from rag_assistant.schemas import ORDER_ID_PATTERN, AnswerModel
from rag_assistant.settings import Settings

logger = logging.getLogger(__name__)

_ORDER_ID = re.compile(ORDER_ID_PATTERN)

# Fields of an order the model may see: no names, addresses, e-mail or payment details.
ORDER_FIELDS_FOR_MODEL = (
    "order_id",
    "status",
    "placed_at",
    "dispatched_at",
    "carrier",
    "tracking_url",
    "items",
    "total_cents",
)


# --- tool argument schemas (strict function calling: no validation keywords, see AnswerModel) ---
class LookupOrder(BaseModel):
    order_id: str = Field(description="Order number, e.g. NW-10023456")


class IssueRefund(BaseModel):
    order_id: str = Field(description="Order number, e.g. NW-10023456")
    amount_cents: int = Field(description="Amount to refund in pence")
    reason: Literal["damaged", "not_delivered", "wrong_item", "late_delivery", "other"]


class SendEmail(BaseModel):
    order_id: str = Field(description="Order number the e-mail is about")
    template: Literal["return_label", "refund_confirmation", "delivery_update"]


@dataclass(frozen=True)
class ToolSpec:
    args_model: type[BaseModel]
    description: str
    requires_approval: bool


TOOL_SPECS: dict[str, ToolSpec] = {
    "lookup_order": ToolSpec(
        LookupOrder, "Look up status, items and tracking of one of the customer's orders.", requires_approval=False
    ),
    "issue_refund": ToolSpec(
        IssueRefund,
        "Propose a refund. It is queued for a support agent to approve; tell the customer it is pending.",
        requires_approval=True,
    ),
    "send_email": ToolSpec(
        SendEmail,
        "Propose sending the customer a standard e-mail. Queued for approval by a support agent.",
        requires_approval=True,
    ),
}

TOOLS = [
    openai.pydantic_function_tool(spec.args_model, name=name, description=spec.description)
    for name, spec in TOOL_SPECS.items()
]


class AgentStepLimitError(RuntimeError):
    def __init__(self, steps: int, usage: Usage) -> None:
        super().__init__(f"no final answer after {steps} model calls")
        self.usage = usage


@dataclass
class AgentContext:
    customer_id: str
    conversation_id: str
    user_ref: str  # hashed customer id sent to the provider as `user` for abuse monitoring
    verified_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_actions: list[PendingAction] = field(default_factory=list)
    tool_sources: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentResult:
    answer: AnswerModel | None
    refusal: str | None
    model: str
    usage: Usage
    steps: int
    fallback_used: bool


class Toolbox:
    """Calls the shop's internal APIs with the assistant's own service token and short timeouts."""

    def __init__(self, settings: Settings) -> None:
        token = settings.service_token.get_secret_value() if settings.service_token else ""
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(settings.http_timeout_seconds, connect=2.0),
            transport=httpx.HTTPTransport(retries=2),
        )
        self._orders = settings.orders_api_url.rstrip("/")
        self._payments = settings.payments_api_url.rstrip("/")
        self._notifications = settings.notifications_api_url.rstrip("/")

    def lookup_order(self, order_id: str, customer_id: str) -> dict[str, Any] | None:
        # the orders service checks that the order belongs to this customer
        response = self._http.get(f"{self._orders}/v1/customers/{customer_id}/orders/{order_id}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        response.raise_for_status()
        order = response.json()
        return {key: order.get(key) for key in ORDER_FIELDS_FOR_MODEL}

    def execute(self, action: PendingAction) -> dict[str, Any]:
        """Run an approved action. The action id is the idempotency key, so a retry cannot pay twice."""
        if action.status != "approved":
            raise PermissionError(f"action {action.action_id} is {action.status}, not approved")
        headers = {"Idempotency-Key": action.action_id}
        if action.tool == "issue_refund":
            refund = IssueRefund.model_validate(action.arguments)
            response = self._http.post(
                f"{self._payments}/v1/refunds",
                json={**refund.model_dump(), "customer_id": action.customer_id, "approved_by": action.decided_by},
                headers=headers,
            )
        else:
            email = SendEmail.model_validate(action.arguments)
            # recipient is resolved by the notifications service from the customer id, never by the model
            response = self._http.post(
                f"{self._notifications}/v1/emails",
                json={**email.model_dump(), "customer_id": action.customer_id},
                headers=headers,
            )
        response.raise_for_status()
        return dict(response.json())

    def close(self) -> None:
        self._http.close()


class SupportAgent:
    def __init__(self, llm: LLMClient, toolbox: Toolbox, approvals: ApprovalQueue, settings: Settings) -> None:
        self._llm = llm
        self._toolbox = toolbox
        self._approvals = approvals
        self._settings = settings

    def run(self, messages: list[dict[str, Any]], ctx: AgentContext) -> AgentResult:
        usage = Usage()
        for step in range(self._settings.max_agent_steps):  # bounded: a model that keeps calling tools is handed off
            result = self._llm.parse(messages=messages, response_format=AnswerModel, tools=TOOLS, user=ctx.user_ref)
            usage += result.usage
            message = result.message
            if not message.tool_calls:
                metrics.AGENT_STEPS.observe(step + 1)
                return AgentResult(
                    answer=message.parsed,
                    refusal=message.refusal,
                    model=result.model,
                    usage=usage,
                    steps=step + 1,
                    fallback_used=result.fallback_used,
                )
            messages.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.function.name, "arguments": call.function.arguments},
                        }
                        for call in message.tool_calls
                    ],
                }
            )
            for call in message.tool_calls:
                output = self._dispatch(call.function.name, call.function.arguments, ctx)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(output)})
        metrics.AGENT_STEP_LIMIT.inc()
        raise AgentStepLimitError(self._settings.max_agent_steps, usage)

    def _dispatch(self, name: str, raw_arguments: str, ctx: AgentContext) -> dict[str, Any]:
        spec = TOOL_SPECS.get(name)
        if spec is None:
            metrics.TOOL_CALLS.labels(tool="unknown", outcome="rejected").inc()
            return {"error": f"unknown tool {name!r}"}
        try:
            args = spec.args_model.model_validate_json(raw_arguments)
        except ValidationError as exc:
            metrics.TOOL_CALLS.labels(tool=name, outcome="invalid_arguments").inc()
            return {"error": "invalid arguments", "details": exc.errors(include_url=False, include_input=False)}

        problem = self._check_business_rules(args, ctx)
        if problem:
            metrics.TOOL_CALLS.labels(tool=name, outcome="rejected").inc()
            return {"error": problem}

        if spec.requires_approval:
            action = self._approvals.submit(
                PendingAction(
                    tool=name,
                    arguments=args.model_dump(),
                    customer_id=ctx.customer_id,
                    conversation_id=ctx.conversation_id,
                )
            )
            ctx.pending_actions.append(action)
            metrics.TOOL_CALLS.labels(tool=name, outcome="queued_for_approval").inc()
            return {
                "status": "pending_human_approval",
                "action_id": action.action_id,
                "note": "A support agent will review this within one working day. Do not say it is done.",
            }

        if isinstance(args, LookupOrder):
            return self._lookup_order(args, ctx)
        return {"error": f"tool {name!r} is not available"}

    def _lookup_order(self, args: LookupOrder, ctx: AgentContext) -> dict[str, Any]:
        try:
            order = self._toolbox.lookup_order(args.order_id, ctx.customer_id)
        except httpx.HTTPError:
            logger.exception("order lookup failed", extra={"order_id": args.order_id})
            metrics.TOOL_CALLS.labels(tool="lookup_order", outcome="error").inc()
            return {"error": "order service unavailable"}
        if order is None:
            metrics.TOOL_CALLS.labels(tool="lookup_order", outcome="not_found").inc()
            return {"error": f"no order {args.order_id} for this customer"}
        source_id = f"order:{args.order_id}"
        ctx.verified_orders[args.order_id] = order
        ctx.tool_sources[source_id] = {
            "title": f"Your order {args.order_id}",
            "url": f"https://www.northwind-outdoor.com/account/orders/{args.order_id}",
        }
        metrics.TOOL_CALLS.labels(tool="lookup_order", outcome="ok").inc()
        return {"source_id": source_id, "order": order}

    def _check_business_rules(self, args: BaseModel, ctx: AgentContext) -> str | None:
        order_id = getattr(args, "order_id", "")
        if not _ORDER_ID.fullmatch(order_id):
            return "order_id must look like NW-12345678"
        if isinstance(args, IssueRefund | SendEmail) and order_id not in ctx.verified_orders:
            return "look the order up with lookup_order first"
        if isinstance(args, IssueRefund):
            total = int(ctx.verified_orders[order_id].get("total_cents") or 0)
            limit = min(total, self._settings.max_refund_cents)
            if not 0 < args.amount_cents <= limit:
                return f"refund must be between 1 and {limit} pence for this order"
        return None
