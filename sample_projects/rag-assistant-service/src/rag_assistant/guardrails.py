"""Input and output guardrails around every model call."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import openai

from rag_assistant import metrics
from rag_assistant.llm import LLMClient

logger = logging.getLogger(__name__)

# Cheap first line against the most common injection phrasing; the system prompt, the
# context delimiters and the tool approval gate are the real defences.
_INJECTION_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"ignore (all |any )?(previous|prior|above) (instructions|prompts|rules)",
        r"disregard (the|your) (system|previous) (prompt|instructions)",
        r"(reveal|print|show) (me )?(your|the) (system )?prompt",
        r"you are now (in )?(developer|dan|jailbreak) mode",
    )
]
_URL = re.compile(r"https?://[^\s)>\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)


ALLOW = Verdict(allowed=True)


class Guardrails:
    def __init__(self, llm: LLMClient, allowed_link_hosts: list[str]) -> None:
        self._llm = llm
        self._allowed_hosts = {h.lower() for h in allowed_link_hosts}

    def check_input(self, text: str) -> Verdict:
        """Run on the redacted customer message, before retrieval and the model call."""
        if any(p.search(text) for p in _INJECTION_PATTERNS):
            return self._block("input", "prompt_injection_suspected")
        return self._moderate("input", text)

    def check_output(self, answer: str) -> Verdict:
        """Run on the model's answer before it is shown to the customer."""
        for url in _URL.findall(answer):
            host = (urlparse(url).hostname or "").lower()
            if host not in self._allowed_hosts:
                return self._block("output", "unapproved_link")
        return self._moderate("output", answer)

    def _moderate(self, stage: str, text: str) -> Verdict:
        try:
            result = self._llm.moderate(text)
        except openai.OpenAIError:
            # fail closed: without a moderation verdict the turn goes to a human
            logger.exception("moderation call failed", extra={"stage": stage})
            return self._block(stage, "moderation_unavailable")
        if result.flagged:
            return self._block(stage, "moderation_flagged", result.categories)
        return ALLOW

    @staticmethod
    def _block(stage: str, reason: str, categories: tuple[str, ...] = ()) -> Verdict:
        metrics.GUARDRAIL_BLOCKS.labels(stage=stage, reason=reason).inc()
        logger.info("guardrail blocked", extra={"stage": stage, "reason": reason, "categories": list(categories)})
        return Verdict(allowed=False, reason=f"{stage}_{reason}", categories=categories)
