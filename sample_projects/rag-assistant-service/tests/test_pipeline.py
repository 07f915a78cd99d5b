import json
from datetime import UTC, datetime

import httpx
import openai
import pytest
from conftest import FALLBACK, PRIMARY, PROJECT_ROOT, FakeOpenAI, answer_message

from rag_assistant.indexing import IndexingError, KBArticle, chunk_text, index_articles, load_articles
from rag_assistant.llm import LLMClient, LLMUnavailableError, record_usage
from rag_assistant.prompts import PromptRegistry
from rag_assistant.schemas import AnswerModel

# --- prompts ---------------------------------------------------------------------------------


def test_configured_prompt_versions_exist_and_render(make_settings):
    settings = make_settings()
    registry = PromptRegistry.load(settings.prompts_dir, settings.prompt_versions)
    system = registry.get("support_system").render(shop_name="Northwind Outdoor", today="2024-11-18")
    assert "Northwind Outdoor" in system and "$" not in system
    assert set(registry.describe()) == {"support_system.v3", "context.v1"}


def test_missing_prompt_version_fails_start_up(tmp_path):
    with pytest.raises(FileNotFoundError):
        PromptRegistry.load(PROJECT_ROOT / "prompts", {"support_system": "v99"})


# --- model client ----------------------------------------------------------------------------
def test_usage_and_cost_are_recorded():
    usage = record_usage(PRIMARY, type("U", (), {"prompt_tokens": 1_000_000, "completion_tokens": 100_000})())
    assert usage.total_tokens == 1_100_000
    assert usage.cost_usd == pytest.approx(2.50 + 1.00)


def test_client_errors_do_not_trigger_fallback(make_settings):
    fake = FakeOpenAI()
    request = httpx.Request("POST", "https://api.openai.com/v1/chat/completions")
    fake.completions.script = [
        openai.BadRequestError("bad", response=httpx.Response(400, request=request), body=None),
        answer_message(),
    ]
    llm = LLMClient(fake, make_settings())
    with pytest.raises(openai.BadRequestError):
        llm.parse(messages=[], response_format=AnswerModel, user="c-test")
    assert [c["model"] for c in fake.completions.calls] == [PRIMARY]


def test_all_deployments_down_raises(make_settings):
    fake = FakeOpenAI()
    fake.completions.failing_models = {PRIMARY, FALLBACK}
    llm = LLMClient(fake, make_settings())
    with pytest.raises(LLMUnavailableError):
        llm.parse(messages=[], response_format=AnswerModel, user="c-test")


def test_model_names_are_pinned_snapshots(make_settings):
    settings = make_settings()
    for model in (settings.primary_model, settings.fallback_model):
        assert model[-10:].replace("-", "").isdigit(), f"{model} is not a dated snapshot"


# --- indexing --------------------------------------------------------------------------------
class FakeCollection:
    def __init__(self, existing: list[str] | None = None, drop_writes: bool = False) -> None:
        self.records: dict[str, dict] = {i: {} for i in existing or []}
        self.drop_writes = drop_writes

    def upsert(self, ids, documents, metadatas, embeddings):
        assert len(ids) == len(documents) == len(metadatas) == len(embeddings)
        if not self.drop_writes:
            for i, doc, meta in zip(ids, documents, metadatas, strict=True):
                self.records[i] = {"document": doc, "metadata": meta}

    def get(self, include):
        return {"ids": list(self.records)}

    def delete(self, ids):
        for i in ids:
            self.records.pop(i)

    def count(self):
        return len(self.records)


def article(n: int, body: str | None = None) -> KBArticle:
    return KBArticle(
        id=f"kb-{1000 + n}",
        title=f"Article {n}",
        url=f"https://help.northwind-outdoor.com/articles/kb-{1000 + n}",
        body=body or f"Paragraph one of article {n}, long enough to be indexed.\n\nParagraph two.",
        updated_at=datetime(2024, 11, 1, tzinfo=UTC),
    )


def fake_embed(texts):
    return [[float(len(t)), 0.0, 1.0] for t in texts]


def test_chunks_keep_their_source(tmp_path):
    collection = FakeCollection(existing=["kb-0999#000"])
    report = index_articles(collection, [article(1), article(2)], fake_embed, min_documents=2, max_failed_ratio=0)
    assert report.chunks_deleted == 1  # article removed from the help centre
    assert report.collection_count == 2
    meta = collection.records["kb-1001#000"]["metadata"]
    assert meta["source_id"] == "kb-1001"
    assert meta["url"] == "https://help.northwind-outdoor.com/articles/kb-1001"
    assert meta["title"] == "Article 1"


def test_truncated_export_is_refused():
    collection = FakeCollection(existing=["kb-1001#000"])
    with pytest.raises(IndexingError, match="truncated"):
        index_articles(collection, [article(1)], fake_embed, min_documents=40, max_failed_ratio=0.02)
    assert collection.count() == 1  # the old index is untouched


def test_too_many_failed_articles_fail_the_job(tmp_path):
    export = tmp_path / "articles.jsonl"
    good = [json.loads(article(i).model_dump_json()) for i in range(3)]
    lines = [json.dumps(a) for a in good] + ['{"id": "kb-1", "title": "x"}']
    export.write_text("\n".join(lines) + "\n")
    articles, failed = load_articles(export)
    assert len(articles) == 3 and failed == ["line 4"]
    with pytest.raises(IndexingError, match="failed"):
        index_articles(FakeCollection(), articles, fake_embed, failed=failed, min_documents=1, max_failed_ratio=0.1)


def test_collection_count_is_verified():
    with pytest.raises(IndexingError, match="expected"):
        index_articles(FakeCollection(drop_writes=True), [article(1)], fake_embed, min_documents=1, max_failed_ratio=0)


def test_chunk_text_respects_max_size():
    text = "\n\n".join(["word " * 100] * 6)
    chunks = chunk_text(text, max_chars=1200, overlap=100)
    assert len(chunks) > 1
    assert all(len(c) <= 1200 for c in chunks)
