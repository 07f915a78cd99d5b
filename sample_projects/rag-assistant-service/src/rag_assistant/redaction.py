"""PII redaction with Microsoft Presidio, applied before any customer text is sent to the provider."""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, RecognizerResult
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import PhoneRecognizer
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from rag_assistant import metrics
from rag_assistant.schemas import ORDER_ID_PATTERN

# LOCATION is deliberately absent: it would turn "do you ship to Ireland?" into "<LOCATION>".
# Street addresses are therefore not reliably removed (see MODEL_CARD.md, limitations).
REDACTED_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "UK_NHS",
    "US_SSN",
)

# Presidio's default phone regions contain "UK", which is not a libphonenumber region, so UK
# numbers written without +44 ("07911 123456") were missed. Our customers are in GB and IE.
PHONE_REGIONS = ("GB", "IE")

_ORDER_ID = re.compile(ORDER_ID_PATTERN.strip("^$"))


@dataclass(frozen=True)
class RedactionResult:
    text: str
    entities: tuple[str, ...]


class Redactor:
    def __init__(self, spacy_model: str = "en_core_web_md", score_threshold: float = 0.35) -> None:
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": spacy_model}],
            }
        )
        self._analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
        self._analyzer.registry.remove_recognizer("PhoneRecognizer")
        self._analyzer.registry.add_recognizer(PhoneRecognizer(supported_regions=PHONE_REGIONS))
        self._anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self._threshold = score_threshold

    def redact(self, text: str) -> RedactionResult:
        findings = self._analyzer.analyze(
            text=text,
            language="en",
            entities=list(REDACTED_ENTITIES),
            score_threshold=self._threshold,
        )
        findings = [f for f in findings if not _inside_order_id(text, f)]
        if not findings:
            return RedactionResult(text=text, entities=())
        anonymized = self._anonymizer.anonymize(
            text=text,
            analyzer_results=findings,  # type: ignore[arg-type]
            operators={"DEFAULT": OperatorConfig("replace")},  # -> "<EMAIL_ADDRESS>", "<PERSON>", ...
        )
        entities = tuple(sorted({f.entity_type for f in findings}))
        for entity in entities:
            metrics.PII_REDACTIONS.labels(entity=entity).inc()
        return RedactionResult(text=anonymized.text, entities=entities)


def _inside_order_id(text: str, finding: RecognizerResult) -> bool:
    """Order numbers (NW-12345678) look like phone numbers to Presidio but must reach the model."""
    return any(m.start() <= finding.start and finding.end <= m.end() for m in _ORDER_ID.finditer(text))
