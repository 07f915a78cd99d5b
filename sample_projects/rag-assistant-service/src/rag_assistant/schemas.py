"""Request / response models of the HTTP API and the structured answer the model must return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ORDER_ID_PATTERN = r"^NW-\d{8}$"
CUSTOMER_ID_PATTERN = r"^cus_[A-Za-z0-9]{8,32}$"
HEX_ID_PATTERN = r"^[a-f0-9]{32}$"

Confidence = Literal["low", "medium", "high"]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_id: str = Field(pattern=CUSTOMER_ID_PATTERN, description="Signed-in customer, set by the shop backend")
    conversation_id: str | None = Field(default=None, pattern=HEX_ID_PATTERN)
    message: str = Field(min_length=1, max_length=2000)
    order_id: str | None = Field(default=None, pattern=ORDER_ID_PATTERN)
    request_human: bool = Field(default=False, description="Customer pressed 'talk to a person'")


class Citation(BaseModel):
    source_id: str
    title: str
    url: str


class PendingActionSummary(BaseModel):
    action_id: str
    tool: str
    status: str


class ChatResponse(BaseModel):
    message_id: str
    conversation_id: str
    status: Literal["answered", "handed_off", "declined"]
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    handoff_reason: str | None = None
    ticket_id: str | None = None
    pending_actions: list[PendingActionSummary] = Field(default_factory=list)
    model: str | None = None
    prompt_version: str


# Structured answer requested from the model (OpenAI structured outputs, strict schema). The class
# docstring and field descriptions are sent to the model. Keep validation keywords (lengths,
# patterns) out of this schema: strict mode rejects them. ``Assistant._validate_answer`` checks them.
class AnswerModel(BaseModel):
    """Answer to the customer's latest message."""

    answer: str = Field(description="Reply to the customer in plain text, at most 150 words.")
    source_ids: list[str] = Field(description="ids of the documents or order records the answer is based on.")
    confidence: Confidence = Field(description="How well the sources support the answer.")
    needs_human: bool = Field(
        description="true if the customer asks for a person, complains, mentions legal action, "
        "or the request cannot be resolved from the sources."
    )
    out_of_scope: bool = Field(description="true if the question is not about Northwind Outdoor.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message_id: str = Field(pattern=HEX_ID_PATTERN)
    conversation_id: str = Field(pattern=HEX_ID_PATTERN)
    customer_id: str = Field(pattern=CUSTOMER_ID_PATTERN)
    rating: Literal["up", "down"]
    reason: Literal["wrong", "unhelpful", "unsafe", "slow", "other"] | None = None
    comment: str | None = Field(default=None, max_length=1000)


class ActionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approved: bool
    reviewer_id: str = Field(pattern=r"^agent-[a-z0-9]{3,20}$")
    note: str | None = Field(default=None, max_length=500)
