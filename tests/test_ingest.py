"""The ingest pipeline into real Chroma: every format at once, re-ingest (unchanged, changed,
deleted, duplicate), prune, dry runs, and the command line's summary and progress line."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.pipeline import Ingestor
from qa_app.audit import audit
from qa_app.store import Store
from tests.conftest import ROOT, TEST_CACHE, run_cli
from tests.test_crash import vectors_missing, write_articles
from tests.test_load import corpus, write


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder: Any) -> None:
        self.inner = embedder
        self.texts = 0

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed_texts(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def chunk_ids(settings, embedder) -> list[str]:
    return sorted(cid for cid, _, _ in Store(settings, embedder).chunk_keys())


def texts(settings, embedder) -> dict[str, str]:
    store = Store(settings, embedder)
    return {r.doc_id: store.get_article(r.doc_id).text for r in store.list_articles()}


def test_every_format_in_one_batch_and_bad_inputs_fail_alone(base_settings, embedder, tmp_path: Path) -> None:
    settings = replace(base_settings, index_dir=tmp_path / "index", max_file_bytes=20_000)
    folder = corpus(tmp_path / "in")
    write(folder / "bad" / "empty.txt", "")
    write(folder / "bad" / "scan.pdf", b"%PDF-1.7")
    write(folder / "bad" / "huge.txt", "A Huge Story\n\n" + "Words here. " * 3000)
    write(
        folder / "bad" / "feed.jsonl", '{"id": "ok-1", "body": "Fine."}\n{"id": oops}\n{"id": "ok-3", "body": "Also."}'
    )
    write(folder / "bad" / "latin.txt", "Caf\xe9 Story Here\n\nThe caf\xe9 opened.".encode("cp1252"))
    counting = CountingEmbedder(embedder)
    ingestor = Ingestor(settings, counting)  # type: ignore[arg-type]

    first = ingestor.run([str(folder)])
    assert len(first.added) == 16 and "ok-1" in first.added and "ok-3" in first.added
    # The page's gzipped copy, read first, has the same text: stored once.
    assert first.duplicates == [{"source": str((folder / "page.html").resolve()), "duplicate_of": "deep/page.html.gz"}]
    failed = {Path(f.source).name: f.error for f in first.failed}
    assert failed == {
        "empty.txt": "empty file",
        "scan.pdf": failed["scan.pdf"],
        "huge.txt": "file is 36,014 bytes, over the 20,000-byte limit",
        "feed.jsonl:2": "malformed JSON on line 2: Expecting value",
    }
    assert failed["scan.pdf"].startswith("unsupported file type (.pdf)")
    assert [n["note"] for n in first.notes] == ["invalid UTF-8 at byte 3, decoded as cp1252"]
    store = Store(settings, embedder)
    assert audit(store) == []
    assert counting.texts == first.chunks == sum(r.chunks for r in store.list_articles())

    before, embedded = chunk_ids(settings, embedder), counting.texts
    again = ingestor.run([str(folder)])
    assert sorted(again.unchanged) == sorted(first.added) and again.added == again.updated == []
    assert counting.texts == embedded  # nothing re-embedded
    assert chunk_ids(settings, embedder) == before


def test_jsonl_records_changed_and_removed(store_settings, embedder, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    records = [{"id": k, "title": f"Story {k}", "body": f"The {k} council met on Monday and voted."} for k in "abc"]
    write(feed, "\n".join(json.dumps(r) for r in records))
    ingestor = Ingestor(store_settings, embedder)
    assert ingestor.run([str(feed)]).added == ["a", "b", "c"]
    old = chunk_ids(store_settings, embedder)

    records[1]["body"] = "The b council adjourned without a vote."
    write(feed, "\n".join(json.dumps(r) for r in records[:2]))  # b changed, c gone
    kept = ingestor.run([str(feed)])
    assert (kept.unchanged, kept.updated, kept.removed) == (["a"], ["b"], [])  # no --prune: c stays
    summary = ingestor.run([str(feed)], prune=True)
    assert (summary.unchanged, summary.updated, summary.removed) == (["a", "b"], [], ["c"])
    store = Store(store_settings, embedder)
    assert audit(store) == []
    assert {d for _, d, _ in store.chunk_keys()} == {"a", "b"}
    new = chunk_ids(store_settings, embedder)
    assert [c for c in new if c.startswith("a:")] == [c for c in old if c.startswith("a:")]
    assert not {c for c in new if c.startswith("b:")} & set(old)  # b's old version is gone
    assert store.get_article("b").text == "The b council adjourned without a vote."


def test_records_without_ids_follow_the_file(store_settings, embedder, tmp_path: Path) -> None:
    """Records named by line number shift when a line goes; the store still ends as the file is."""
    feed = tmp_path / "feed.jsonl"
    bodies = [f"Body {n}: the {word} committee approved it." for n, word in enumerate(["first", "second", "third"])]
    write(feed, "\n".join(json.dumps({"body": b}) for b in bodies))
    ingestor = Ingestor(store_settings, embedder)
    ingestor.run([str(feed)])
    write(feed, "\n".join(json.dumps({"body": b}) for b in bodies[1:]))  # the first line deleted
    summary = ingestor.run([str(feed)], prune=True)
    assert summary.duplicates == [] and summary.removed == ["feed.jsonl#3"]
    assert texts(store_settings, embedder) == {"feed.jsonl#1": bodies[1], "feed.jsonl#2": bodies[2]}
    assert audit(Store(store_settings, embedder)) == []


def test_same_text_is_stored_once_across_copies_renames_and_edits(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    story = "Copy Story Here\n\nThe harbour festival drew ten thousand visitors.\n"
    other = "Other Story Here\n\nThe school board hired two teachers.\n"
    write(folder / "b.txt", story)
    write(folder / "x.txt", other)
    ingestor = Ingestor(store_settings, embedder)
    ingestor.run([str(folder)])

    write(folder / "a.txt", story)  # a copy, read before the stored original
    summary = ingestor.run([str(folder)])
    assert summary.added == [] and summary.duplicates == [
        {"source": str((folder / "a.txt").resolve()), "duplicate_of": "b.txt"}
    ]

    (folder / "a.txt").unlink()
    (folder / "b.txt").rename(folder / "c.txt")  # a rename
    write(folder / "x.txt", story)  # an edit that makes x another copy: its old version must go
    summary = ingestor.run([str(folder)], prune=True)
    assert summary.added == ["c.txt"] and sorted(summary.removed) == ["b.txt", "x.txt"]
    assert summary.duplicates == [{"source": str((folder / "x.txt").resolve()), "duplicate_of": "c.txt"}]
    assert texts(store_settings, embedder) == {"c.txt": "The harbour festival drew ten thousand visitors."}
    assert audit(Store(store_settings, embedder)) == []


def test_dry_run_reports_and_writes_nothing(store_settings, embedder, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    names = write_articles(folder, 3, paragraphs=2)
    ingestor = Ingestor(store_settings, embedder)
    ingestor.run([str(folder)])
    before = chunk_ids(store_settings, embedder)
    write(folder / names[0], "Changed Story Here\n\nIt changed.")
    (folder / names[1]).unlink()
    write_articles(folder, 1, paragraphs=2, start=7)
    plan = ingestor.run([str(folder)], prune=True, dry_run=True)
    assert (plan.added, plan.updated, plan.unchanged, plan.removed) == (
        ["report-007.txt"],
        [names[0]],
        [names[2]],
        [names[1]],
    )
    assert plan.chunks == 0 and chunk_ids(store_settings, embedder) == before


def test_prune_keeps_articles_whose_input_failed(store_settings, embedder, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    write(feed, '{"id": "a", "body": "The a story."}\n{"id": "b", "body": "The b story."}')
    ingestor = Ingestor(store_settings, embedder)
    ingestor.run([str(feed)])
    write(feed, '{"id": "a", "body": "The a story."}\n{"id": "b", "body": "The b sto')  # b's line broke
    summary = ingestor.run([str(feed)], prune=True)
    assert summary.removed == [] and [f.source for f in summary.failed] == [f"{feed}:2"]
    assert summary.notes == [{"source": str(feed.resolve()), "note": "b kept: its input failed to load"}]
    assert set(texts(store_settings, embedder)) == {"a", "b"}


def test_cli_summary_exit_code_and_progress_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3, paragraphs=2)
    write(folder / "scan.pdf", b"%PDF")
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CACHE_DIR": str(TEST_CACHE)}
    piped = run_cli("ingest", str(folder), "--json", env=env)
    assert piped.returncode == 1  # the PDF failed; the rest went in
    summary = json.loads(piped.stdout)  # nothing but the summary on stdout
    assert len(summary["added"]) == 3 and summary["failed"][0]["error"].startswith("unsupported file type (.pdf)")
    assert "\x1b" not in piped.stdout + piped.stderr

    # On a terminal: a live line with both rates, cleared before the summary.
    write_articles(folder, 2, paragraphs=2, start=5)
    main, secondary = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | env
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(folder)], stdout=secondary, stderr=subprocess.PIPE, env=full_env, cwd=ROOT
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    proc.wait(timeout=300)
    os.close(main)
    screen = shown.decode(errors="replace")
    assert proc.returncode == 1
    assert "articles (" in screen and "chunks (" in screen and "/s)" in screen
    assert "added: 2" in screen and "unchanged: 3" in screen


# --- long articles and failures that stay with their article ------------------------------------


def _article_write(doc_id: str, n: int, seed: int = 0):
    """An article of `n` one-word chunks with made-up unit vectors, ready for `Store.write_articles`."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    from qa_app.records import ArticleRecord, ArticleWrite, chunk_id

    text = " ".join(f"w{i}" for i in range(n))
    content_hash = f"{seed:064x}"
    vectors = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    nodes, start = [], 0
    for i in range(n):
        end = start + len(f"w{i}")
        meta = {"doc_id": doc_id, "hash": content_hash, "title": doc_id, "source": "", "published": ""}
        meta |= {"published_ts": -1, "n": i, "start": start, "end": end}
        source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)}  # what llama-index stores as doc_id
        node = TextNode(
            id_=chunk_id(doc_id, content_hash, i), text=text[start:end], metadata=meta, relationships=source
        )
        node.embedding = vectors[i].tolist()
        nodes.append(node)
        start = end + 1
    record = ArticleRecord(doc_id, doc_id, None, None, None, [], content_hash, n, doc_id, text=text)
    return ArticleWrite(record, nodes, vectors[0])


def test_an_article_of_more_chunks_than_chroma_takes_in_one_call(store_settings, embedder) -> None:
    store = Store(store_settings, embedder)
    n = store.client.get_max_batch_size() + 10
    store.write_articles([_article_write("huge", n)])
    assert store.chunks.count() == n
    assert audit(store) == []
    assert store.get_article("huge").chunks == n


def _no_full_stops(n_bytes: int) -> str:
    """One line of speech verbs and lower-case words: one "sentence" with a verb every few words."""
    import random

    rng = random.Random(7)
    words = ["the", "mayor", "said", "council", "harbor", "bridge", "told", "residents", "repairs", "cost", "added"]
    return "A Story Without Full Stops\n\n" + " ".join(rng.choice(words) for _ in range(n_bytes // 6))


def test_a_long_single_line_article_and_the_next_file_ingest(tmp_path: Path) -> None:
    """250 KB without a full stop: quote-finding was quadratic in a sentence's length (minutes here)."""
    folder = tmp_path / "in"
    long_text = _no_full_stops(250_000)
    write(folder / "long.txt", long_text)
    write(folder / "next.txt", "The Next Story\n\nThe council met on Monday.")
    env = {"QA_INDEX_DIR": str(tmp_path / "index")}
    result = run_cli("ingest", str(folder / "long.txt"), str(folder / "next.txt"), "--json", env=env, timeout=150)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["added"] == ["long.txt", "next.txt"] and summary["failed"] == []
    assert summary["chunks"] > 100
    from qa_app.config import Settings

    settings = replace(Settings(), index_dir=tmp_path / "index")
    store = Store(settings, None)  # type: ignore[arg-type]
    assert audit(store) == []
    stored = store.get_article("long.txt")
    assert stored.text == long_text.split("\n\n", 1)[1] and stored.chunks == summary["chunks"] - 1
    chunks, docs = next(store.chunks_of(["long.txt"]))
    assert all(stored.text[c.start : c.end] == d for c, d in zip(chunks, docs, strict=True))


class FailingIngestor(Ingestor):
    """Raises while chunking one article, as a bug met on one odd text would."""

    def _prepare(self, decision):
        if decision.article.doc_id == "b.txt":
            raise RuntimeError("boom\nat line 2")
        return super()._prepare(decision)


def test_an_article_that_raises_in_processing_fails_alone_and_the_cli_prints_the_summary(
    tmp_path: Path, base_settings, embedder, monkeypatch, capsys
) -> None:
    import ingest.pipeline
    from ingest.cli import main

    folder = tmp_path / "in"
    for name in "abc":
        write(folder / f"{name}.txt", f"Story {name.upper()} Is Here\n\nThe {name} council voted on Monday.")
    monkeypatch.setattr(ingest.pipeline, "Ingestor", FailingIngestor)
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("QA_CACHE_DIR", str(base_settings.cache_dir))
    code = main([str(folder / f"{name}.txt") for name in "abc"])
    out = capsys.readouterr().out
    assert code == 1
    assert "added: 2" in out and "failed: 1" in out
    assert "  b.txt: cannot chunk: RuntimeError: boom at line 2" in out
    store = Store(replace(base_settings, index_dir=tmp_path / "index"), embedder)
    assert sorted(r.doc_id for r in store.list_articles()) == ["a.txt", "c.txt"]
    assert audit(store) == []


class PoisonedEmbedder(CountingEmbedder):
    """The real embedder, failing on any batch that holds the word POISON (as on a text it chokes on)."""

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        if any("POISON" in t for t in texts):
            raise ValueError("cannot encode this text")
        return super().embed_texts(texts)


def test_an_article_the_encoder_fails_on_fails_alone(base_settings, embedder, tmp_path: Path) -> None:
    settings = replace(base_settings, index_dir=tmp_path / "index")
    folder = tmp_path / "in"
    names = write_articles(folder, 6, paragraphs=8)  # several per encoder batch
    bad = names[2]
    (folder / bad).write_text("A Bad Report\n\n" + " ".join(f"The POISON plan {i} was approved." for i in range(30)))
    summary = Ingestor(settings, PoisonedEmbedder(embedder)).run([str(folder)])  # type: ignore[arg-type]
    assert sorted(summary.added) == sorted(set(names) - {bad})
    assert [(f.source, f.error) for f in summary.failed] == [(bad, "cannot embed: ValueError: cannot encode this text")]
    store = Store(settings, embedder)
    assert audit(store) == [] and vectors_missing(store) == []
    # Each article's vectors are its own: its first passage finds it.
    for name in summary.added:
        first = next(store.chunks_of([name]))[1][0]
        assert store.chunks.query(query_embeddings=[embedder.embed_query(first)], n_results=1)["ids"][0][0].startswith(
            name + ":"
        )


class RefusingStore(Store):
    """A real store whose writes fail for some articles (a record Chroma refuses) or for all (a store gone)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.refuse: set[str] | None = set()  # None: every write fails

    def write_articles(self, writes):
        if self.refuse is None or any(w.record.doc_id in self.refuse for w in writes):
            raise ValueError("refused by the store")
        super().write_articles(writes)


def test_a_store_write_failure_fails_its_article_and_a_failing_store_ends_the_run(
    base_settings, embedder, tmp_path: Path
) -> None:
    from qa_app.errors import StoreError

    settings = replace(base_settings, index_dir=tmp_path / "index")
    names = write_articles(tmp_path / "in", 5, paragraphs=2)  # all five in one store write
    store = RefusingStore(settings, embedder)
    store.refuse = {names[1]}
    summary = Ingestor(settings, embedder, store).run([str(tmp_path / "in")])
    assert sorted(summary.added) == sorted(set(names) - {names[1]})
    assert [(f.source, f.error) for f in summary.failed] == [
        (names[1], "cannot store: ValueError: refused by the store")
    ]
    assert audit(Store(settings, embedder), committed_only=True) == []

    more = write_articles(tmp_path / "more", 5, paragraphs=2, start=10)
    store.refuse = None
    with pytest.raises(StoreError, match="failed 3 article writes in a row, the last with ValueError: refused"):
        Ingestor(settings, embedder, store).run([str(tmp_path / "more")])
    assert not {r.doc_id for r in Store(settings, embedder).list_articles()} & set(more)
