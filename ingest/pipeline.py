"""Ingest: load, skip what is unchanged, chunk, embed, store; prune what is gone.

Articles are written in batches through `Store.write_articles`, whose write order makes a
`kill -9` at any moment leave a consistent index (see there); the next run's `Store.recover`
sweeps what a crash left. Loading, cleaning and chunking run in a producer thread, so they
overlap with embedding, which releases the GIL.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest.chunk import TITLE_TOKENS, chunk_spans, embed_input, passage_budget
from ingest.load import is_url, load_inputs, load_url
from ingest.model import Article, Failure
from ingest.plan import Decision, Planner, covers, input_roots
from qa_app.config import EMBED_DIM, Settings
from qa_app.embed import Embedder, load_embedder
from qa_app.errors import QAError, StoreError
from qa_app.quotes import RULES_VERSION, find_quotes
from qa_app.records import ArticleRecord, ArticleWrite, ChunkRecord, chunk_id
from qa_app.store import Store, chunk_nodes

# Texts a call to the encoder, and one store write each: multiples of the encoders' own batches
# (32 for torch, 64 for onnx). Small at first, so the first articles are searchable at once;
# then larger, as each store write costs a few round trips whatever its size.
FIRST_BATCH, LARGEST_BATCH = 64, 256
QUEUE_ITEMS = 256
STORE_FAILURES_IN_A_ROW = 3  # articles Chroma refused one after another: the store, not the articles


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
            "failed": [
                {"source": f.source, "error": f.error} | ({"conflict": True} if f.conflict else {}) for f in self.failed
            ],
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
    quotes: list[dict[str, Any]]
    vectors: np.ndarray | None = None


class Batcher:
    """Embeds articles' inputs in batches of a set number of texts, whatever the articles' sizes.

    The encoder thus sees the batches it would see on one long list of the same texts; an
    article is ready once all its vectors are in. `add` and `flush` return the ready articles.
    The batch size doubles after each batch, from `first` up to `largest`. When the encoder
    fails on a batch, the articles waiting are embedded one by one, and those that fail alone
    are dropped into `failed` (with their error), so one bad article never costs the others.
    """

    def __init__(
        self, embed: Callable[[list[str]], np.ndarray], first: int = FIRST_BATCH, largest: int = LARGEST_BATCH
    ) -> None:
        self.embed = embed
        self.size = first
        self.largest = largest
        self.waiting: list[Prepared] = []
        self.texts: list[str] = []
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.failed: list[tuple[Prepared, Exception]] = []

    def add(self, prepared: Prepared) -> list[Prepared]:
        self.waiting.append(prepared)
        self.texts += prepared.inputs
        return self._embed(final=False)

    def flush(self) -> list[Prepared]:
        return self._embed(final=True)

    def _embed(self, *, final: bool) -> list[Prepared]:
        while len(self.texts) >= self.size or (final and self.texts):
            texts, self.texts = self.texts[: self.size], self.texts[self.size :]
            self.size = min(self.size * 2, self.largest)
            try:
                got = self.embed(texts)
            except Exception:
                self.texts = texts + self.texts
                self._one_by_one()
                break  # every article left has all its vectors now
            self.vectors = np.concatenate([self.vectors, got]) if len(self.vectors) else got
        ready: list[Prepared] = []
        while self.waiting and len(self.waiting[0].inputs) <= len(self.vectors):
            first = self.waiting.pop(0)
            n = len(first.inputs)
            first.vectors, self.vectors = self.vectors[:n], self.vectors[n:]
            ready.append(first)
        return ready

    def _one_by_one(self) -> None:
        """Embed what each waiting article still lacks on its own; drop the articles that fail."""
        done, position = len(self.vectors), 0  # vectors come first, then texts, in article order
        kept: list[Prepared] = []
        parts: list[np.ndarray] = []
        for prepared in self.waiting:
            n = len(prepared.inputs)
            have = max(0, min(n, done - position))
            rest = self.texts[position + have - done : position + n - done]
            position += n
            try:
                got = self.embed(rest) if rest else None
            except Exception as exc:
                self.failed.append((prepared, exc))
                continue
            kept.append(prepared)
            parts += [self.vectors[position - n : position - n + have]] if have else []
            parts += [got] if got is not None and len(got) else []
        self.waiting, self.texts = kept, []
        self.vectors = np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


Progress = Callable[[int, int], None]  # (articles done, chunks written)
Fetched = dict[str, list[Article | Failure]]  # what each URL input loaded to
_DONE = object()


class Ingestor:
    """Writes articles into a store; one instance per process, reusable across batches.

    `show_origin` words a file or URL in messages (the UI's hides server folders).
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        store: Store | None = None,
        show_origin: Callable[[str], str] = str,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or Store(settings, self.embedder)
        self.show_origin = show_origin
        self._counter: Embedder | None = None
        self._store_failures = 0  # article writes failed in a row

    @property
    def counter(self) -> Embedder:
        """The embedder's tokenizer for the producer thread, as its own instance: a fast tokenizer
        shared with the encoding thread (the onnx backend encodes with it) is not thread-safe."""
        if self._counter is None:
            e = self.embedder
            self._counter = Embedder(e.model_name, e.backend, e.cache_dir)
        return self._counter

    def run(
        self,
        inputs: list[str],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        dry_run: bool = False,
        replace: bool = False,
    ) -> Summary:
        """Ingest `inputs`; with `dry_run`, only report what would be added, updated or removed.

        An article whose doc id is stored from another origin fails alone, unless `replace`.
        URLs are fetched first; then the index's write lock is taken (not for a dry run) while files
        are read and the store written, so a slow server never keeps a delete or another ingest
        waiting. `LockTimeoutError` when another writer keeps the lock past `Settings.lock_timeout`.
        """
        fetched = {item: list(load_url(item, self.settings)) for item in dict.fromkeys(inputs) if is_url(item)}
        with contextlib.nullcontext() if dry_run else self.store.writing():
            return self._ingest(inputs, fetched, prune=prune, progress=progress, dry_run=dry_run, replace=replace)

    def _ingest(
        self,
        inputs: list[str],
        fetched: Fetched,
        *,
        prune: bool,
        progress: Progress | None,
        dry_run: bool,
        replace: bool,
    ) -> Summary:
        store = self.store
        self._store_failures = 0
        store.check_embedder(claim=not dry_run)
        if not dry_run:
            store.recover()
        existing = {r.doc_id: r for r in store.list_articles()}
        roots = input_roots(inputs)
        planner = Planner(existing, roots, replace=replace, show=self.show_origin)
        summary = Summary()
        failed_origins: set[str] = set()
        stale: list[str] = []
        batcher = Batcher(self.embedder.embed_texts)
        done = 0

        for item in self._produce(inputs, fetched, planner, chunk=not dry_run):
            if isinstance(item, Failure):
                summary.failed.append(item)
                if not item.conflict:  # its input loaded: prune may still remove what it no longer holds
                    failed_origins.add(item.origin or item.source)
                continue
            article = item.article
            summary.notes += [{"source": article.origin, "note": note} for note in article.notes]
            if isinstance(item, Prepared):
                done += self._write(batcher.add(item), summary) + self._embed_failures(batcher, summary)
            else:
                done += 1
                _note_decision(item, summary, stale)
            if progress:
                progress(done, summary.chunks)
        done += self._write(batcher.flush(), summary) + self._embed_failures(batcher, summary)
        summary.removed += stale
        if prune:
            kept = planner.seen | planner.refused | set(stale)
            summary.removed += self._gone(existing, kept, roots, failed_origins, summary)
        if not dry_run and summary.removed:
            store.delete_articles(summary.removed)
        if progress:
            progress(done, summary.chunks)
        if not dry_run and (summary.added or summary.updated or summary.removed):
            store.bump()
        return summary

    def _produce(  # long: the producer thread and its queue hand-over read best in one place
        self, inputs: list[str], fetched: Fetched, planner: Planner, *, chunk: bool
    ) -> Iterator[Failure | Decision | Prepared]:
        """Load, plan and (with `chunk`) chunk in a producer thread; yield its results in order."""
        items: queue.Queue[object] = queue.Queue(maxsize=QUEUE_ITEMS)
        stop = threading.Event()

        def put(item: object) -> None:
            while not stop.is_set():
                try:
                    items.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def decide(decision: Decision | Failure | None) -> None:
            if decision is None:
                return
            if not (isinstance(decision, Decision) and chunk and decision.kind == "write"):
                put(decision)
                return
            try:
                put(self._prepare(decision))
            except Exception as exc:  # a bug or a pathological text: that article fails, the batch goes on
                put(_failure(decision.article, "cannot chunk", exc))

        def work() -> None:
            try:
                for _, result in self._load(inputs, fetched):
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

    def _load(self, inputs: list[str], fetched: Fetched) -> Iterator[tuple[str, Article | Failure]]:
        """Like `load_inputs`, with the URLs' results taken from `fetched`."""
        for item in inputs:
            if item in fetched:
                yield from ((item, result) for result in fetched[item])
            else:
                yield from load_inputs([item], self.settings)

    def _prepare(self, decision: Decision) -> Prepared:
        article = decision.article
        title = self.counter.shorten(article.title, TITLE_TOKENS) if article.title != article.doc_id else ""
        budget = passage_budget(self.counter.count_tokens([title])[0] if title else 0)
        spans = chunk_spans(article.text, self.counter.count_tokens, budget)
        inputs = [embed_input(article.text[a:b], title) for a, b in spans]
        quotes = [q.to_dict() for q in find_quotes(article.text)]
        return Prepared(article, spans, inputs, decision.stored, quotes)

    def _write(self, ready: list[Prepared], summary: Summary) -> int:
        """Store embedded articles in one crash-safe batch; the number of articles done (written or failed).

        When the batch write fails, each article is written alone, so one that Chroma refuses
        fails by itself. When `STORE_FAILURES_IN_A_ROW` articles fail so, the store itself is
        failing (down, full, read-only): that ends the run with a `StoreError`, rather than
        embedding for minutes what no write will keep. A failed write leaves its journal entries,
        which the next run's `recover` sweeps.
        """
        writes: list[tuple[Prepared, ArticleWrite]] = []
        for prepared in ready:
            try:
                writes.append((prepared, _article_write(prepared)))
            except Exception as exc:
                self._fail(summary, _failure(prepared.article, "cannot store", exc))
        if not writes:
            return len(ready)
        try:
            self.store.write_articles([w for _, w in writes])
            stored = [p for p, _ in writes]
            self._store_failures = 0
        except QAError:
            raise  # a refusal of ours (the store's lock, a mismatch): no article's fault
        except Exception as exc:
            if len(writes) > 1:
                stored = self._write_one_by_one(writes, summary)
            else:
                stored = []
                self._count_failure(exc)
                self._fail(summary, _failure(writes[0][0].article, "cannot store", exc))
        for prepared in stored:
            (summary.updated if prepared.stored else summary.added).append(prepared.article.doc_id)
            summary.chunks += len(prepared.spans)
        return len(ready)

    def _write_one_by_one(self, writes: list[tuple[Prepared, ArticleWrite]], summary: Summary) -> list[Prepared]:
        """Write each article alone after its batch failed; the ones stored."""
        stored: list[Prepared] = []
        for prepared, write in writes:
            try:
                self.store.write_articles([write])
            except QAError:
                raise
            except Exception as exc:
                self._count_failure(exc)
                self._fail(summary, _failure(prepared.article, "cannot store", exc))
                continue
            stored.append(prepared)
            self._store_failures = 0
        return stored

    def _count_failure(self, exc: Exception) -> None:
        """Count a failed article write; raise `StoreError` once too many failed in a row."""
        self._store_failures += 1
        if self._store_failures >= STORE_FAILURES_IN_A_ROW:
            raise StoreError(
                f"the store failed {self._store_failures} article writes in a row, the last with {_reason(exc)}"
            ) from exc

    def _embed_failures(self, batcher: Batcher, summary: Summary) -> int:
        """Report the articles the encoder failed on; their number."""
        failed, batcher.failed = batcher.failed, []
        for prepared, exc in failed:
            self._fail(summary, _failure(prepared.article, "cannot embed", exc))
        return len(failed)

    @staticmethod
    def _fail(summary: Summary, failure: Failure) -> None:
        summary.failed.append(failure)

    @staticmethod
    def _gone(
        existing: dict[str, ArticleRecord], seen: set[str], roots: list[str], failed: set[str], summary: Summary
    ) -> list[str]:
        """Stored articles that came from these inputs but are no longer there.

        An article whose file or URL failed to load this time is kept: a timeout or a broken
        line is not a deletion.
        """
        gone = []
        for doc_id, record in existing.items():
            if doc_id in seen or not covers(roots, record.origin):
                continue
            if record.origin in failed:
                summary.notes.append({"source": record.origin, "note": f"{doc_id} kept: its input failed to load"})
            else:
                gone.append(doc_id)
        return gone


def _note_decision(decision: Decision, summary: Summary, stale: list[str]) -> None:
    """Report an article that needs no write: a dry run's write, unchanged, or a duplicate (added
    to `stale` when its stored version is to be deleted)."""
    article = decision.article
    if decision.kind == "write":  # a dry run
        (summary.updated if decision.stored else summary.added).append(article.doc_id)
    elif decision.kind == "unchanged":
        summary.unchanged.append(article.doc_id)
    else:
        summary.duplicates.append({"source": article.origin, "duplicate_of": decision.duplicate_of or ""})
        if decision.stale:
            stale.append(article.doc_id)


def _reason(exc: BaseException) -> str:
    """One line naming an unexpected error.

    Example: _reason(ValueError("bad\\nvalue")) -> "ValueError: bad value"
    """
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _failure(article: Article, what: str, exc: BaseException) -> Failure:
    """The failure of one article after it loaded (named by its doc id)."""
    return Failure(article.doc_id, f"{what}: {_reason(exc)}"[:500], article.origin)


def _article_write(prepared: Prepared) -> ArticleWrite:
    """The record and chunk nodes of an embedded article, and the chunk ids it replaces."""
    article, vectors = prepared.article, prepared.vectors
    assert vectors is not None
    content_hash = article.content_hash
    chunks = [
        ChunkRecord.new(
            article.doc_id,
            content_hash,
            n,
            span,
            title=article.title,
            source=article.source or "",
            published=article.published or "",
        )
        for n, span in enumerate(prepared.spans)
    ]
    nodes = chunk_nodes(chunks, [article.text[a:b] for a, b in prepared.spans], vectors)
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
        quotes=prepared.quotes,
        quotes_version=RULES_VERSION,
    )
    # An article without a passage (empty text) still needs a vector of the model's length.
    mean = vectors.mean(axis=0) if len(vectors) else np.ones(vectors.shape[1] or EMBED_DIM, dtype=np.float32)
    old = prepared.stored
    replaces = [chunk_id(old.doc_id, old.hash, n) for n in range(old.chunks)] if old else []
    return ArticleWrite(record, nodes, mean / (np.linalg.norm(mean) or 1.0), replaces)


def ingest(
    inputs: list[str],
    settings: Settings,
    *,
    prune: bool = False,
    progress: Progress | None = None,
    dry_run: bool = False,
    replace: bool = False,
) -> Summary:
    """Ingest files, folders and URLs into the store named by `settings`."""
    return Ingestor(settings).run(inputs, prune=prune, progress=progress, dry_run=dry_run, replace=replace)
