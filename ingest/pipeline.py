"""Ingest: load, skip what is unchanged, chunk, embed, store; prune what is gone.

Write order per article, so that a `kill -9` anywhere leaves a consistent index:
journal entry -> new chunks (ids carry the content hash) -> article record (the commit point)
-> old version's chunks deleted -> journal entry removed. Readers only show chunks whose hash
matches the committed record, so a question sees the old version or the new, never both or
neither. The next ingest sweeps whatever a crash left (`Store.recover`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunk import CHUNK_TOKENS, TITLE_TOKENS, chunk_spans, embed_input
from ingest.load import is_url, load_inputs
from ingest.model import Article, Failure
from qa_app.config import Settings
from qa_app.embed import Embedder, load_embedder
from qa_app.quotes import find_quotes
from qa_app.store import ArticleRecord, Store, chunk_id, published_ts

BATCH_CHUNKS = 64


@dataclass
class Summary:
    """What an ingest did; `failed` holds one reason per bad input."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "duplicates": self.duplicates,
            "failed": [{"source": f.source, "error": f.error} for f in self.failed],
            "notes": self.notes,
            "chunks": self.chunks,
        }


@dataclass
class Prepared:
    """An article chunked and ready to embed."""

    article: Article
    spans: list[tuple[int, int]]
    inputs: list[str]
    is_update: bool


Progress = Callable[[int, int], None]  # (articles done, chunks done)


class Ingestor:
    """Writes articles into a store; one instance per process, reusable across batches."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or Store(settings, self.embedder)

    def run(self, inputs: list[str], *, prune: bool = False, progress: Progress | None = None) -> Summary:
        store = self.store
        store.check_embedder(claim=True)
        store.recover()
        summary = Summary()
        existing = {r.doc_id: r for r in store.list_articles()}
        by_text = {r.text_hash: r.doc_id for r in existing.values() if r.text_hash}
        seen: set[str] = set()
        batch: list[Prepared] = []
        done = 0

        def flush() -> None:
            nonlocal done
            if batch:
                self._write(batch, summary)
                done += len(batch)
                if progress:
                    progress(done, summary.chunks)
                batch.clear()

        for _, result in load_inputs(inputs, self.settings):
            if isinstance(result, Failure):
                summary.failed.append(result)
                continue
            article = result
            for note in article.notes:
                summary.notes.append({"source": article.origin, "note": note})
            if article.doc_id in seen:
                summary.duplicates.append({"source": article.origin, "duplicate_of": article.doc_id})
                continue
            seen.add(article.doc_id)
            stored = existing.get(article.doc_id)
            if stored and stored.hash == article.content_hash:
                summary.unchanged.append(article.doc_id)
                continue
            twin = by_text.get(article.text_hash)
            if twin and twin != article.doc_id:
                summary.duplicates.append({"source": article.origin, "duplicate_of": twin})
                continue
            by_text[article.text_hash] = article.doc_id
            prepared = self._prepare(article, is_update=stored is not None)
            batch.append(prepared)
            if sum(len(p.spans) for p in batch) >= BATCH_CHUNKS:
                flush()
        flush()
        if prune:
            self._prune(inputs, existing, seen, summary)
        if summary.added or summary.updated or summary.removed:
            store.bump()
        return summary

    def _prepare(self, article: Article, *, is_update: bool) -> Prepared:
        spans = chunk_spans(article.text, self.embedder.count_tokens, CHUNK_TOKENS)
        title = self.embedder.shorten(article.title, TITLE_TOKENS) if article.title != article.doc_id else ""
        inputs = [embed_input(article.title, article.text[a:b], title) for a, b in spans]
        return Prepared(article, spans, inputs, is_update)

    def _write(self, batch: list[Prepared], summary: Summary) -> None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        vectors = self.embedder.embed_texts([text for p in batch for text in p.inputs])
        offset = 0
        for prepared in batch:
            article = prepared.article
            own = vectors[offset : offset + len(prepared.spans)]
            offset += len(prepared.spans)
            content_hash = article.content_hash
            base = {
                "doc_id": article.doc_id,
                "hash": content_hash,
                "title": article.title,
                "source": article.source or "",
                "published": article.published or "",
                "published_ts": published_ts(article.published),
            }
            nodes = [
                TextNode(
                    id_=chunk_id(article.doc_id, content_hash, n),
                    text=article.text[a:b],
                    embedding=own[n].tolist(),
                    metadata={**base, "n": n, "start": a, "end": b},
                    relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.doc_id)},
                )
                for n, (a, b) in enumerate(prepared.spans)
            ]
            record = ArticleRecord(
                doc_id=article.doc_id,
                title=article.title,
                source=article.source,
                published=article.published,
                url=article.url,
                authors=article.authors,
                hash=content_hash,
                chunks=len(nodes),
                origin=article.origin,
                text_hash=article.text_hash,
                text=article.text,
                quotes=[q.to_dict() for q in find_quotes(article.text)],
            )
            mean = own.mean(axis=0) if len(own) else np.ones(vectors.shape[1], dtype=np.float32)
            self.store.begin_write(article.doc_id, content_hash)
            if nodes:
                self.store.vector_store.add(nodes)
            self.store.put_article(record, mean / (np.linalg.norm(mean) or 1.0))
            self.store.delete_stale_chunks(article.doc_id, content_hash)
            self.store.end_write(article.doc_id)
            (summary.updated if prepared.is_update else summary.added).append(article.doc_id)
            summary.chunks += len(nodes)

    def _prune(
        self, inputs: Iterable[str], existing: dict[str, ArticleRecord], seen: set[str], summary: Summary
    ) -> None:
        """Remove stored articles that came from these inputs but are no longer there."""
        roots = [item if is_url(item) else str(Path(item).resolve()) for item in inputs]
        for doc_id, record in existing.items():
            if doc_id in seen:
                continue
            origin = record.origin
            if any(origin == root or origin.startswith(root.rstrip("/") + "/") for root in roots):
                self.store.delete_article(doc_id)
                summary.removed.append(doc_id)


def ingest(inputs: list[str], settings: Settings, *, prune: bool = False, progress: Progress | None = None) -> Summary:
    """Ingest files, folders and URLs into the store named by `settings`."""
    return Ingestor(settings).run(inputs, prune=prune, progress=progress)
