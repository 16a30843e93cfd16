"""The records' metadata schema: what is written to Chroma reads back as the same record."""

from __future__ import annotations

import pytest

from qa_app.records import ArticleRecord, ChunkRecord, chunk_id, published_ts


@pytest.mark.parametrize(
    ("source", "published"),
    [("Daily Planet", "2024-03-10"), ("", ""), ("Le Monde 🗞", "2024-03-10T08:00:00Z"), ("x" * 500, "not a date")],
)
def test_a_chunk_record_round_trips_through_its_metadata(source: str, published: str) -> None:
    chunk = ChunkRecord.new("a.txt", "f" * 64, 3, (120, 480), title="Harbor bridge", source=source, published=published)
    assert chunk.chunk_id == chunk_id("a.txt", "f" * 64, 3) == "a.txt:ffffffffffff:3"
    assert chunk.published_ts == published_ts(published)
    meta = chunk.to_metadata()
    assert all(isinstance(v, str | int) for v in meta.values())  # Chroma takes flat values only
    assert ChunkRecord.from_metadata(chunk.chunk_id, meta) == chunk


def test_an_article_record_round_trips_through_its_metadata() -> None:
    record = ArticleRecord(
        doc_id="a.txt",
        title="Harbor bridge",
        source=None,
        published="2024-03-10",
        url="https://example.org/a",
        authors=["Lena Ortiz", "Tomas Berg"],
        hash="f" * 64,
        chunks=4,
        origin="/data/a.txt",
        text_hash="e" * 64,
        text="The harbor bridge reopened.",
        quotes=[{"start": 4, "end": 10, "speaker": "Ortiz"}],
    )
    meta = record.to_metadata()
    assert meta["published_ts"] == published_ts("2024-03-10") and meta["source"] == ""
    assert ArticleRecord.from_metadata("a.txt", meta, record.text) == record


def test_what_ingest_stores_reads_back_as_the_chunk_records(store_settings, embedder, tmp_path) -> None:
    """Through real Chroma (and llama-index's writer, which adds keys of its own)."""
    from ingest.pipeline import Ingestor
    from qa_app.store import Store

    body = " ".join(f"The bridge reopened on Sunday after repair number {i} of the cables." for i in range(80))
    (tmp_path / "a.txt").write_text("Harbor Bridge Reopens\n\n" + body + "\n")
    Ingestor(store_settings, embedder).run([str(tmp_path / "a.txt")])
    store = Store(store_settings, embedder)
    record = store.get_article("a.txt")
    chunks, texts = next(store.chunks_of(["a.txt"]))
    chunks = sorted(chunks, key=lambda c: c.n)
    assert [c.n for c in chunks] == list(range(record.chunks)) and record.chunks > 1
    for chunk in chunks:
        expected = ChunkRecord.new(
            "a.txt", record.hash, chunk.n, (chunk.start, chunk.end), title=record.title, source="", published=""
        )
        assert chunk == expected
    assert {record.text[c.start : c.end] for c in chunks} == set(texts)
