"""Re-index the help-centre export into the vector store.

Runs nightly as the ``rag-assistant-indexer`` CronJob (deploy/k8s/indexer-cronjob.yaml)::

    python -m rag_assistant.indexing

The job refuses to index an export that looks truncated, fails when too many articles cannot be
processed, and checks the collection afterwards. A failed Job and a stale
``rag_indexer_last_success_timestamp_seconds`` both alert (deploy/k8s/monitoring.yaml).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from rag_assistant.llm import LLMClient, build_openai_client
from rag_assistant.retrieval import Embedder, connect_collection
from rag_assistant.settings import get_settings
from rag_assistant.telemetry import configure_logging

logger = logging.getLogger("rag_assistant.indexing")

EMBED_BATCH_SIZE = 64


class IndexingError(RuntimeError):
    """The export or the resulting index cannot be trusted; the Job fails and alerts."""


class KBArticle(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(pattern=r"^kb-\d{3,6}$")
    title: str = Field(min_length=3, max_length=200)
    url: HttpUrl
    body: str = Field(min_length=40)
    updated_at: datetime


@dataclass
class IndexReport:
    articles_total: int
    articles_indexed: int
    failed: list[str] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    collection_count: int = 0


def chunk_text(text: str, max_chars: int = 1200, overlap: int = 150) -> list[str]:
    """Pack paragraphs into chunks of at most ``max_chars``; long paragraphs are split with overlap."""
    chunks: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        while len(paragraph) > max_chars:
            chunks.append(paragraph[:max_chars])
            paragraph = paragraph[max_chars - overlap :]
        if current and len(current) + len(paragraph) + 2 > max_chars:
            chunks.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        chunks.append(current)
    return chunks


def load_articles(path: Path) -> tuple[list[KBArticle], list[str]]:
    """Parse the JSON-lines export; invalid records are reported, not silently dropped."""
    articles: list[KBArticle] = []
    failed: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                articles.append(KBArticle.model_validate_json(line))
            except ValidationError as exc:
                failed.append(f"line {line_no}")
                logger.warning("invalid article", extra={"line": line_no, "errors": exc.error_count()})
    return articles, failed


def index_articles(
    collection: Any,
    articles: Sequence[KBArticle],
    embed: Embedder,
    *,
    failed: Sequence[str] = (),
    min_documents: int,
    max_failed_ratio: float,
) -> IndexReport:
    report = IndexReport(articles_total=len(articles) + len(failed), articles_indexed=0, failed=list(failed))
    if report.articles_total < min_documents:
        raise IndexingError(
            f"export has {report.articles_total} articles, expected at least {min_documents}: refusing to "
            "replace the index with a truncated export"
        )

    ids: list[str] = []
    documents: list[str] = []
    metadatas: list[dict[str, Any]] = []
    for article in articles:
        chunks = chunk_text(article.body)
        if not chunks:
            report.failed.append(article.id)
            continue
        for index, chunk in enumerate(chunks):
            ids.append(f"{article.id}#{index:03d}")
            documents.append(chunk)
            metadatas.append(
                {
                    "source_id": article.id,
                    "title": article.title,
                    "url": str(article.url),
                    "chunk_index": index,
                    "updated_at": article.updated_at.isoformat(),
                    "content_sha256": hashlib.sha256(chunk.encode("utf-8")).hexdigest(),
                }
            )
        report.articles_indexed += 1

    failed_ratio = len(report.failed) / report.articles_total
    if failed_ratio > max_failed_ratio:
        raise IndexingError(f"{len(report.failed)} of {report.articles_total} articles failed ({failed_ratio:.1%})")

    for start in range(0, len(ids), EMBED_BATCH_SIZE):
        batch = slice(start, start + EMBED_BATCH_SIZE)
        collection.upsert(
            ids=ids[batch],
            documents=documents[batch],
            metadatas=metadatas[batch],
            embeddings=embed(documents[batch]),
        )
    report.chunks_written = len(ids)

    stale = sorted(set(collection.get(include=[])["ids"]) - set(ids))
    if stale:
        collection.delete(ids=stale)
    report.chunks_deleted = len(stale)

    report.collection_count = collection.count()
    if report.collection_count != len(ids):
        raise IndexingError(f"collection holds {report.collection_count} chunks after indexing, expected {len(ids)}")
    return report


def push_metrics(pushgateway_url: str, report: IndexReport | None) -> None:
    registry = CollectorRegistry()
    if report is not None:
        Gauge("rag_indexer_last_success_timestamp_seconds", "Last successful run", registry=registry).set(time.time())
        Gauge("rag_indexer_articles_indexed", "Articles in the index", registry=registry).set(report.articles_indexed)
        Gauge("rag_indexer_chunks", "Chunks in the collection", registry=registry).set(report.collection_count)
        Gauge("rag_indexer_articles_failed", "Articles that failed", registry=registry).set(len(report.failed))
    else:
        Gauge("rag_indexer_last_failure_timestamp_seconds", "Last failed run", registry=registry).set(time.time())
    push_to_gateway(pushgateway_url, job="rag-assistant-indexer", registry=registry, timeout=10)


def main() -> int:
    settings = get_settings()
    configure_logging(settings.log_level)
    llm = LLMClient(build_openai_client(settings), settings)
    articles, failed = load_articles(settings.kb_export_path)
    collection = connect_collection(settings, create=True)
    report: IndexReport | None = None
    try:
        report = index_articles(
            collection,
            articles,
            llm.embed,
            failed=failed,
            min_documents=settings.index_min_documents,
            max_failed_ratio=settings.index_max_failed_ratio,
        )
    except IndexingError:
        logger.exception("indexing failed", extra={"export": str(settings.kb_export_path)})
        return 1
    finally:
        if settings.pushgateway_url:
            push_metrics(settings.pushgateway_url, report)
    logger.info("indexing complete", extra={"report": asdict(report)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
