"""Score the assistant against the golden question set; exit 1 when a threshold is missed.

Runs the real pipeline (redaction, guardrails, retrieval, agent, validation) against the pinned
models in settings.py, with the help-centre snapshot in evals/kb_snapshot.jsonl indexed into an
in-memory Chroma collection. The shop's order, helpdesk and payment services are stubbed, so an
eval run never creates tickets or moves money. CI runs it on every pull request:

    python evals/run_eval.py --report eval-report.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import chromadb
import fakeredis
from chromadb.config import Settings as ChromaSettings

from rag_assistant.agent import SupportAgent
from rag_assistant.assistant import Assistant
from rag_assistant.guardrails import Guardrails
from rag_assistant.human_review import ApprovalQueue, PendingAction
from rag_assistant.indexing import index_articles, load_articles
from rag_assistant.llm import LLMClient, build_openai_client
from rag_assistant.prompts import PromptRegistry
from rag_assistant.quotas import TokenBudget
from rag_assistant.redaction import Redactor
from rag_assistant.retrieval import Retriever
from rag_assistant.schemas import ChatRequest, ChatResponse
from rag_assistant.settings import get_settings

EVAL_DIR = Path(__file__).resolve().parent
EVAL_CUSTOMER = "cus_EvalCustomer01"

STUB_ORDERS: dict[str, dict[str, Any]] = {
    "NW-10023456": {
        "order_id": "NW-10023456",
        "status": "dispatched",
        "placed_at": "2024-11-11T10:02:00Z",
        "dispatched_at": "2024-11-12T15:30:00Z",
        "carrier": "DPD",
        "tracking_url": "https://track.dpd.co.uk/parcels/15501234567890",
        "items": [{"sku": "TNT-R2", "name": "Ridgeline 2-person tent", "price_cents": 18999}],
        "total_cents": 18999,
    },
    "NW-10023457": {
        "order_id": "NW-10023457",
        "status": "delivered",
        "placed_at": "2024-11-08T19:45:00Z",
        "dispatched_at": "2024-11-09T11:10:00Z",
        "carrier": "Royal Mail",
        "tracking_url": "https://www.royalmail.com/track-your-item#/tracking-results/XY123456789GB",
        "items": [
            {"sku": "RCK-35", "name": "Trail 35L rucksack", "price_cents": 7450},
            {"sku": "STV-100", "name": "Camping stove", "price_cents": 4500},
        ],
        "total_cents": 11950,
    },
}


class StubToolbox:
    def lookup_order(self, order_id: str, customer_id: str) -> dict[str, Any] | None:
        return STUB_ORDERS.get(order_id)

    def execute(self, action: PendingAction) -> dict[str, Any]:
        raise RuntimeError("evals never execute actions")

    def close(self) -> None:
        pass


class StubHelpdesk:
    def hand_off(self, **kwargs: Any) -> str:
        return "eval-ticket"

    def request_approval(self, action: PendingAction) -> str:
        return "eval-task"

    def close(self) -> None:
        pass


def build_assistant(kb_path: Path) -> Assistant:
    settings = get_settings()
    llm = LLMClient(build_openai_client(settings), settings)
    collection = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False)).get_or_create_collection(
        "eval-kb", metadata={"hnsw:space": "cosine"}
    )
    articles, failed = load_articles(kb_path)
    index_articles(collection, articles, llm.embed, failed=failed, min_documents=len(articles), max_failed_ratio=0.0)
    redis = fakeredis.FakeRedis()
    helpdesk = StubHelpdesk()
    approvals = ApprovalQueue(redis, helpdesk)  # type: ignore[arg-type]
    return Assistant(
        settings=settings,
        prompts=PromptRegistry.load(settings.prompts_dir, settings.prompt_versions),
        redactor=Redactor(settings.spacy_model, settings.pii_score_threshold),
        guardrails=Guardrails(llm, settings.allowed_link_hosts),
        retriever=Retriever(collection, llm.embed, settings.retrieval_top_k, settings.retrieval_max_distance),
        agent=SupportAgent(llm, StubToolbox(), approvals, settings),  # type: ignore[arg-type]
        helpdesk=helpdesk,  # type: ignore[arg-type]
        budget=TokenBudget(redis, settings.conversation_token_budget, settings.conversation_ttl_seconds),
    )


def score(case: dict[str, Any], response: ChatResponse) -> dict[str, Any]:
    answer = response.answer.lower()
    cited = {c.source_id for c in response.citations}
    checks = {
        "status": response.status == case["expected_status"],
        "citations": all(sid in cited for sid in case["expected_source_ids"]),
        "must_include": all(s.lower() in answer for s in case["must_include"]),
        "must_not_include": not any(s.lower() in answer for s in case["must_not_include"]),
        "pending_tools": sorted(a.tool for a in response.pending_actions) == sorted(case["expected_pending_tools"]),
    }
    return {
        "id": case["id"],
        "passed": all(checks.values()),
        "checks": checks,
        "status": response.status,
        "handoff_reason": response.handoff_reason,
        "citations": sorted(cited),
        "answer": response.answer,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=EVAL_DIR / "golden_questions.jsonl")
    parser.add_argument("--kb", type=Path, default=EVAL_DIR / "kb_snapshot.jsonl")
    parser.add_argument("--report", type=Path, default=Path("eval-report.json"))
    parser.add_argument("--min-pass-rate", type=float, default=0.85)
    parser.add_argument("--min-citation-accuracy", type=float, default=0.90)
    parser.add_argument("--min-routing-accuracy", type=float, default=0.90)
    parser.add_argument("--max-p95-seconds", type=float, default=12.0)
    args = parser.parse_args(argv)

    cases = [json.loads(line) for line in args.golden.read_text(encoding="utf-8").splitlines() if line.strip()]
    assistant = build_assistant(args.kb)

    results, latencies = [], []
    for case in cases:
        started = time.perf_counter()
        response = assistant.chat(
            ChatRequest(customer_id=EVAL_CUSTOMER, message=case["question"], order_id=case.get("order_id"))
        )
        latencies.append(time.perf_counter() - started)
        results.append(score(case, response))

    answered = [r for r, case in zip(results, cases, strict=True) if case["expected_status"] == "answered"]
    summary = {
        "cases": len(results),
        "pass_rate": sum(r["passed"] for r in results) / len(results),
        "routing_accuracy": sum(r["checks"]["status"] for r in results) / len(results),
        "citation_accuracy": sum(r["checks"]["citations"] for r in answered) / max(len(answered), 1),
        "p95_seconds": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0],
        "models": {"primary": get_settings().primary_model, "fallback": get_settings().fallback_model},
        "prompt": assistant.prompts.describe(),
    }
    gates = {
        "pass_rate": summary["pass_rate"] >= args.min_pass_rate,
        "citation_accuracy": summary["citation_accuracy"] >= args.min_citation_accuracy,
        "routing_accuracy": summary["routing_accuracy"] >= args.min_routing_accuracy,
        "p95_seconds": summary["p95_seconds"] <= args.max_p95_seconds,
    }
    args.report.write_text(json.dumps({"summary": summary, "gates": gates, "results": results}, indent=2))

    for r in results:
        print(f"{'PASS' if r['passed'] else 'FAIL'}  {r['id']}  {r['status']:<10} {r['handoff_reason'] or ''}")
    print(json.dumps({"summary": summary, "gates": gates}, indent=2))
    if not all(gates.values()):
        print(f"eval gate failed: {[name for name, ok in gates.items() if not ok]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
