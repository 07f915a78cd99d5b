"""Vector search over the help-centre knowledge base (Chroma), keeping each chunk's source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag_assistant import metrics
from rag_assistant.settings import Settings

Embedder = Callable[[Sequence[str]], list[list[float]]]


@dataclass(frozen=True)
class RetrievedChunk:
    chunk_id: str
    source_id: str  # help-centre article id, e.g. "kb-1001"; cited back to the customer
    title: str
    url: str
    text: str
    distance: float


def connect_collection(settings: Settings, *, create: bool = False) -> Any:
    client = chromadb.HttpClient(
        host=settings.chroma_host,
        port=settings.chroma_port,
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    if create:
        return client.get_or_create_collection(settings.chroma_collection, metadata={"hnsw:space": "cosine"})
    # the API never creates the collection: a missing index must stop start-up, not serve empty answers
    return client.get_collection(settings.chroma_collection)


class Retriever:
    def __init__(self, collection: Any, embed: Embedder, top_k: int, max_distance: float) -> None:
        self._collection = collection
        self._embed = embed
        self._top_k = top_k
        self._max_distance = max_distance

    def search(self, query: str) -> list[RetrievedChunk]:
        result = self._collection.query(
            query_embeddings=self._embed([query]),
            n_results=self._top_k,
            include=["documents", "metadatas", "distances"],
        )
        chunks = [
            RetrievedChunk(
                chunk_id=chunk_id,
                source_id=str(meta["source_id"]),
                title=str(meta["title"]),
                url=str(meta["url"]),
                text=text,
                distance=float(distance),
            )
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
            if distance <= self._max_distance
        ]
        metrics.RETRIEVED_CHUNKS.observe(len(chunks))
        return chunks

    def ping(self) -> bool:
        return bool(self._collection.count() > 0)
