"""Ingest: load, skip what is unchanged, chunk, embed, store; prune what is gone.

Articles are written in batches through `Store.write_articles`, whose write order makes a
`kill -9` at any moment leave a consistent index (see there); the next run's `Store.recover`
sweeps what a crash left. Loading, cleaning and chunking run in a producer thread, so they
overlap with embedding, which releases the GIL.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ingest.chunk import CHUNK_TOKENS, TITLE_TOKENS, chunk_spans, embed_input
from ingest.load import load_inputs
from ingest.model import Article, Failure
from ingest.plan import Decision, Planner, covers, input_roots
from qa_app.config import Settings
from qa_app.embed import Embedder, load_embedder
from qa_app.quotes import find_quotes
from qa_app.store import ArticleRecord, ArticleWrite, Store, chunk_id, published_ts

BATCH_CHUNKS = 128  # chunks embedded and written together
BATCH_ARTICLES = 32  # at most this many articles a batch, so small articles commit early too
QUEUE_ITEMS = 256


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
    stored: ArticleRecord | None


Progress = Callable[[int, int], None]  # (articles done, chunks written)
_DONE = object()


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
        existing = {r.doc_id: r for r in store.list_articles()}
        roots = input_roots(inputs)
        planner = Planner(existing, roots)
        summary = Summary()
        failed_origins: set[str] = set()
        stale: list[str] = []
        batch: list[Prepared] = []
        done = 0

        for item in self._produce(inputs, planner):
            if isinstance(item, Failure):
                summary.failed.append(item)
                failed_origins.add(item.origin or item.source)
                continue
            summary.notes += [{"source": item.article.origin, "note": note} for note in item.article.notes]
            if isinstance(item, Prepared):
                batch.append(item)
                if sum(len(p.spans) for p in batch) >= BATCH_CHUNKS or len(batch) >= BATCH_ARTICLES:
                    done += len(batch)
                    self._write(batch, summary)
            else:
                done += 1
                article = item.article
                if item.kind == "unchanged":
                    summary.unchanged.append(article.doc_id)
                else:
                    summary.duplicates.append({"source": article.origin, "duplicate_of": item.duplicate_of or ""})
                    if item.stale:
                        stale.append(article.doc_id)
            if progress:
                progress(done, summary.chunks)
        done += len(batch)
        self._write(batch, summary)
        if stale:
            store.delete_articles(stale)
            summary.removed += stale
        if prune:
            self._prune(existing, planner.seen, roots, failed_origins, summary)
        if progress:
            progress(done, summary.chunks)
        if summary.added or summary.updated or summary.removed:
            store.bump()
        return summary

    def _produce(self, inputs: list[str], planner: Planner) -> Iterator[Failure | Decision | Prepared]:
        """Load, plan and chunk in a producer thread; yield its results in order."""
        items: queue.Queue[object] = queue.Queue(maxsize=QUEUE_ITEMS)
        stop = threading.Event()

        def put(item: object) -> None:
            while not stop.is_set():
                try:
                    items.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def decide(decision: Decision | None) -> None:
            if decision is None:
                return
            put(self._prepare(decision) if decision.kind == "write" else decision)

        def work() -> None:
            try:
                for _, result in load_inputs(inputs, self.settings):
                    if stop.is_set():
                        return
                    if isinstance(result, Failure):
                        put(result)
                        continue
                    decide(planner.consider(result))
                for decision in planner.finish():
                    decide(decision)
            except BaseException as exc:  # handed to the consumer, which raises it
                put(exc)
            finally:
                put(_DONE)

        thread = threading.Thread(target=work, name="ingest-producer", daemon=True)
        thread.start()
        try:
            while (item := items.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            thread.join(timeout=5)

    def _prepare(self, decision: Decision) -> Prepared:
        article = decision.article
        spans = chunk_spans(article.text, self.embedder.count_tokens, CHUNK_TOKENS)
        title = self.embedder.shorten(article.title, TITLE_TOKENS) if article.title != article.doc_id else ""
        inputs = [embed_input(article.title, article.text[a:b], title) for a, b in spans]
        return Prepared(article, spans, inputs, decision.stored)

    def _write(self, batch: list[Prepared], summary: Summary) -> None:
        """Embed a batch of articles and store it; empties `batch`."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        if not batch:
            return
        vectors = self.embedder.embed_texts([text for p in batch for text in p.inputs])
        writes, offset = [], 0
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
            old = prepared.stored
            replaces = [chunk_id(old.doc_id, old.hash, n) for n in range(old.chunks)] if old else []
            writes.append(ArticleWrite(record, nodes, mean / (np.linalg.norm(mean) or 1.0), replaces))
        self.store.write_articles(writes)
        for prepared in batch:
            (summary.updated if prepared.stored else summary.added).append(prepared.article.doc_id)
        summary.chunks += len(vectors)
        batch.clear()

    def _prune(
        self,
        existing: dict[str, ArticleRecord],
        seen: set[str],
        roots: list[str],
        failed: set[str],
        summary: Summary,
    ) -> None:
        """Remove stored articles that came from these inputs but are no longer there.

        An article whose file or URL failed to load this time is kept: a timeout or a broken
        line is not a deletion.
        """
        gone = []
        for doc_id, record in existing.items():
            if doc_id in seen or doc_id in summary.removed or not covers(roots, record.origin):
                continue
            if record.origin in failed:
                summary.notes.append({"source": record.origin, "note": f"{doc_id} kept: its input failed to load"})
            else:
                gone.append(doc_id)
        self.store.delete_articles(gone)
        summary.removed += gone


def ingest(inputs: list[str], settings: Settings, *, prune: bool = False, progress: Progress | None = None) -> Summary:
    """Ingest files, folders and URLs into the store named by `settings`."""
    return Ingestor(settings).run(inputs, prune=prune, progress=progress)
