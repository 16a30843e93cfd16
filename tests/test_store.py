"""Ingest into real Chroma, embedded and on a `chroma run` server: re-ingest, change, prune; journal leases."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from ingest.pipeline import Ingestor
from qa_app.journal import PENDING
from qa_app.qa import QA
from qa_app.records import chunk_id
from qa_app.store import Store
from tests.conftest import ROOT, SAMPLE, USER_ARTICLE, reset_server


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


# Journal leases: writers on one server, on any hosts, never sweep each other's chunks in progress -------
LEASE = 2.0  # seconds; the live writer below renews its lease every LEASE / 4
HASH = "b" * 64


def _journal(store: Store) -> set[str]:
    return {i.removeprefix(PENDING) for i in store.meta.get(include=[])["ids"] if i.startswith(PENDING)}


def _chunk_docs(store: Store) -> set[str]:
    return {doc_id for _, doc_id, _ in store.chunk_keys()}


def test_recover_sweeps_a_writer_only_once_its_lease_ran_out(chroma_server: str, base_settings, embedder) -> None:
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    reset_server(chroma_server)
    settings = replace(base_settings, chroma_url=chroma_server)
    store = Store(settings, embedder)
    vector = embedder.embed_texts(["A passage being written."])[0].tolist()

    def node(doc_id: str) -> TextNode:
        meta = {"doc_id": doc_id, "hash": HASH, "n": 0}
        source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)}  # llama-index's doc_id
        return TextNode(
            id_=chunk_id(doc_id, HASH, 0), text="A passage.", embedding=vector, metadata=meta, relationships=source
        )

    # Writers on other hosts (any owner but this process): one whose lease ran out, one whose lease runs.
    for doc_id, lease_until in (("expired.txt", time.time() - 1), ("elsewhere.txt", time.time() + 3 * LEASE)):
        meta = {"doc_id": doc_id, "hash": HASH, "owner": "another-host", "lease_until": lease_until}
        store.meta.upsert(ids=[PENDING + doc_id], documents=[""], metadatas=[meta])
        store.add_chunks([node(doc_id)])
    assert store.recover() == 1
    assert _journal(store) == {"elsewhere.txt"} and _chunk_docs(store) == {"elsewhere.txt"}

    # A live writer in another process, with a short lease that it keeps renewing.
    code = (
        "import time; from dataclasses import replace;"
        "from llama_index.core.schema import NodeRelationship as R, RelatedNodeInfo, TextNode;"
        "from qa_app.config import Settings; from qa_app.store import Store; from qa_app.records import chunk_id;"
        f"store = Store(replace(Settings(), chroma_url={chroma_server!r}), None, lease_seconds={LEASE});"
        f"store.begin_writes([('live.txt', {HASH!r})]);"
        f"store.add_chunks([TextNode(id_=chunk_id('live.txt', {HASH!r}, 0), text='A passage.', embedding={vector!r},"
        f" metadata={{'doc_id': 'live.txt', 'hash': {HASH!r}, 'n': 0}},"
        " relationships={R.SOURCE: RelatedNodeInfo(node_id='live.txt')})]);"
        "print('writing', flush=True); time.sleep(300)"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        time.sleep(3 * LEASE)  # the writer's first lease, and the other host's, have run out by now
        assert store.recover() == 1
        assert _journal(store) == {"live.txt"} and _chunk_docs(store) == {"live.txt"}  # renewed: kept
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    deadline = time.monotonic() + 60  # the killed writer's lease runs out within LEASE seconds
    while store.recover() == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _journal(store) == set() and _chunk_docs(store) == set()


def test_a_snapshot_restores_articles_as_they_were(store_settings, embedder, tmp_path: Path) -> None:
    """What the latency benchmark copies between stores: records and chunks, vectors included."""
    from qa_app.audit import audit

    folder = tmp_path / "news"
    shutil.copytree(SAMPLE, folder)
    Ingestor(store_settings, embedder).run([str(folder)])
    store = Store(store_settings, embedder)
    before = store.get_article(USER_ARTICLE)
    chunks = sorted(cid for cid, doc_id, _ in store.chunk_keys() if doc_id == USER_ARTICLE)
    copy = store.snapshot([USER_ARTICLE])
    store.delete_article(USER_ARTICLE)
    assert USER_ARTICLE not in {r.doc_id for r in store.list_articles()}
    store.restore(copy)
    assert store.get_article(USER_ARTICLE) == before and audit(store) == []
    assert sorted(cid for cid, doc_id, _ in store.chunk_keys() if doc_id == USER_ARTICLE) == chunks
    nearest = store.nearest(embedder.embed_query(before.title), 1, articles=True)
    assert nearest[0][0] == USER_ARTICLE
