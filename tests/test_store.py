"""Ingest into real Chroma, embedded and on a `chroma run` server: re-ingest, change, prune."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.pipeline import Ingestor
from qa_app.qa import QA
from tests.conftest import SAMPLE, USER_ARTICLE


def _chunk_ids(qa: QA) -> list[str]:
    return sorted(cid for cid, _, _ in qa.store.chunk_keys())


def test_reingest_is_unchanged_and_adds_no_chunks(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE, folder)
    ingestor = Ingestor(store_settings, embedder)
    first = ingestor.run([str(folder)])
    assert first.added == [USER_ARTICLE] and first.chunks > 1
    qa = QA(store_settings, embedder)
    before = _chunk_ids(qa)
    assert len(before) == first.chunks
    second = ingestor.run([str(folder)])
    assert second.unchanged == [USER_ARTICLE] and second.added == second.updated == []
    assert _chunk_ids(qa) == before
    answer = qa.ask("What did Rutte say?")
    assert "sovereign country" in answer.text


def test_changed_article_replaces_its_chunks(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / "story.txt"
    path.write_text("Harbour News\n\nThe mayor of Oldtown opened a new harbour bridge on Monday.\n")
    ingestor = Ingestor(store_settings, embedder)
    assert ingestor.run([str(folder)]).added == ["story.txt"]
    qa = QA(store_settings, embedder)
    old = _chunk_ids(qa)
    path.write_text("Harbour News\n\nThe mayor of Oldtown closed the harbour bridge for repairs on Friday.\n")
    summary = ingestor.run([str(folder)])
    assert summary.updated == ["story.txt"]
    new = _chunk_ids(qa)
    assert new and not set(new) & set(old)
    answer = qa.ask("What did the mayor of Oldtown do to the harbour bridge?")
    assert "closed" in answer.text and "opened" not in answer.text


def test_prune_removes_deleted_files_with_their_vectors(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha Story Here\n\nThe alpha committee approved the budget of the zoo.\n")
    (folder / "b.txt").write_text("Beta Story Here\n\nThe beta council rejected the plan for a stadium.\n")
    ingestor = Ingestor(store_settings, embedder)
    assert sorted(ingestor.run([str(folder)]).added) == ["a.txt", "b.txt"]
    (folder / "b.txt").unlink()
    kept = ingestor.run([str(folder)])
    assert kept.removed == []  # without --prune nothing is removed
    pruned = ingestor.run([str(folder)], prune=True)
    assert pruned.removed == ["b.txt"]
    qa = QA(store_settings, embedder)
    assert {doc_id for _, doc_id, _ in qa.store.chunk_keys()} == {"a.txt"}
    assert qa.ask("What did the beta council reject?").refused


def test_same_text_under_two_names_is_stored_once(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    text = "Gamma Story Here\n\nThe gamma festival drew ten thousand visitors to the riverside.\n"
    (folder / "one.txt").write_text(text)
    (folder / "two.txt").write_text(text)
    summary = Ingestor(store_settings, embedder).run([str(folder)])
    assert summary.added == ["one.txt"]
    assert summary.duplicates == [{"source": str((folder / "two.txt").resolve()), "duplicate_of": "one.txt"}]
