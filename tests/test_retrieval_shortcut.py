"""indexing_self_check skips a module by the last part of its call names; the shortcut
must never skip a module the full patterns would match."""

from __future__ import annotations

from readycheck.detectors.retrieval import _STORED_WITH_VECTOR, IndexCheckParams, _last_parts
from readycheck.model import DetectorCall
from readycheck.rulebook import Rulebook


def test_the_last_parts_cover_every_write_pattern_of_the_rulebook(rulebook: Rulebook) -> None:
    check = next(rule.check for rule in rulebook.rules if rule.id == "RC-LLM-023")
    assert isinstance(check, DetectorCall) and isinstance(check.params, IndexCheckParams)
    writes = check.params.writes
    parts = _last_parts(writes)
    assert parts is not None
    for pattern in writes:
        assert pattern.rpartition(".")[2] in parts
    assert "add" in parts  # Chroma's collection.add(documents=...)
    assert parts >= _STORED_WITH_VECTOR  # Weaviate's data_object.create(..., vector=...)


def test_a_wildcard_in_a_last_part_turns_the_shortcut_off() -> None:
    assert _last_parts(("*.upsert*",)) is None
    assert _last_parts(("*.upsert", "langchain.indexes.index")) == {
        "upsert",
        "index",
        "add",
        *_STORED_WITH_VECTOR,
    }
