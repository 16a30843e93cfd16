"""The Chroma store: the only module that talks to Chroma (client, collections, queries).

Three collections, embedded (`PersistentClient`) or on a `chroma run` server (`HttpClient`):

- `chunks`: one record a passage (`ChunkRecord`, qa_app/records.py), id `"{doc_id}:{hash12}:{n}"`,
  its text a verbatim slice `text[start:end]` of the article's cleaned text; written through
  llama-index's ChromaVectorStore.
- `articles`: one record an article (`ArticleRecord`), id = doc_id, the cleaned text as document.
  Written after all of an article's chunks, so a record here is the commit point: chunks whose
  (doc_id, hash) has no record are never shown and are swept away by the next ingest.
- `qa_meta`: the record `state` holds the embedder identity and a generation that changes with
  every write, so readers (app replicas) know when to refresh their lexical index; records
  `pending:{doc_id}` are the write journal (qa_app/journal.py), so that `recover` can sweep what a
  killed ingest left.

Crash safety: `write_articles` writes journal -> new chunks (their ids carry the hash) -> article
records (the commit point) -> the replaced versions' chunks -> journal cleared, so a `kill -9`
at any moment leaves the old version or the new one visible, never both or neither; writers hold
`Store.writing()` (the index's write lock, qa_app/lock.py), and the journal's leases keep writers
on one server from sweeping each other's work in progress.

Dense search is `Store.nearest`: cosine similarity, `1 - distance` in the collections' cosine space.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

import numpy as np

from qa_app.config import Settings
from qa_app.errors import EmptyIndexError, IndexMismatchError, NotFoundError, StoreError
from qa_app.journal import LEASE_SECONDS, Journal
from qa_app.lock import holds_write_lock, last_written, mark_written, write_lock
from qa_app.records import ArticleRecord, ArticleWrite, ChunkRecord

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.collection_configuration import CreateCollectionConfiguration
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata, Where

    from qa_app.embed import Embedder

CHUNKS, ARTICLES, META = "chunks", "articles", "qa_meta"
STATE_ID = "state"
PAGE = 2000  # records per Chroma read or write (hand-set; within the client's batch limit, see `_max_batch`)


def chunk_nodes(chunks: list[ChunkRecord], texts: list[str], vectors: np.ndarray) -> list[Any]:
    """An article version's chunks as llama-index `TextNode`s carrying their embeddings, for `add_chunks`."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    return [
        TextNode(
            id_=chunk.chunk_id,
            text=text,
            embedding=vector.tolist(),
            metadata=chunk.to_metadata(),
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.doc_id)},
        )
        for chunk, text, vector in zip(chunks, texts, vectors, strict=True)
    ]


def chunk_where(source: str | None = None, first_day: int | None = None, last_day: int | None = None) -> Where | None:
    """A Chroma `where` over chunk metadata: this source (as stored), published within these days
    (`published_ts`, inclusive); None when nothing is restricted.

    Example: chunk_where("Reuters") -> {"source": "Reuters"}
    """
    conditions: list[dict[str, Any]] = []
    if source:
        conditions.append({"source": source})
    if first_day is not None:
        conditions.append({"published_ts": {"$gte": first_day}})
    if last_day is not None:
        conditions.append({"published_ts": {"$lte": last_day}})
    if not conditions:
        return None
    return cast("Where", conditions[0] if len(conditions) == 1 else {"$and": conditions})


def _client(settings: Settings) -> tuple[ClientAPI, Any]:
    """A Chroma client and, embedded, the chromadb system it alone uses (see `_own_system`)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            return client, None
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return _own_system(settings.index_dir, chroma_settings)
    except Exception as exc:  # chromadb raises many kinds; name the store in one line
        where = settings.chroma_url or settings.index_dir
        raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc


_SYSTEMS_LOCK = threading.Lock()


def _own_system(index_dir: Path, chroma_settings: Any) -> tuple[ClientAPI, Any]:
    """A `PersistentClient` of `index_dir` on a chromadb system of its own, and that system.

    chromadb shares one system per folder within a process, and that system keeps each collection's
    vector index as it first read it: what another process writes afterwards is in SQLite but not in
    that index (queries miss it, or fail with "Error finding id"), and a write from it would save an
    index without the other process's vectors. A store therefore reopens its client when another
    process wrote (`Store.sync`), which needs a system nobody else holds.
    """
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(index_dir)  # chromadb's key for a persistent system: the path as given
    with _SYSTEMS_LOCK:
        SharedSystemClient._identifier_to_system.pop(key, None)
        client = chromadb.PersistentClient(path=key, settings=chroma_settings)
        return client, SharedSystemClient._identifier_to_system.pop(key)


def _close_system(system: Any) -> None:
    """Let a replaced system (and the vector indexes it holds in memory) be freed once nothing uses it.

    Its components and it refer to each other, so only the garbage collector, much later, would
    free them (about the index's size in memory, and a few files, per reopen). Clients and
    collections made from it keep their own references, so a read under way in another thread
    finishes on it.
    """
    system._instances.clear()


def _embedding_functions() -> tuple[type, type]:  # long: two small classes, defined after the lazy chromadb import
    """Chroma embedding functions, defined lazily so chromadb is imported only when needed."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class QAEmbedding(EmbeddingFunction[Documents]):
        """Our embedder, so that Chroma never falls back to its downloading default."""

        def __init__(self, embedder: Embedder | None = None) -> None:
            self.embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            if self.embedder is None:
                raise StoreError("this Chroma collection was opened without an embedder")
            return list(self.embedder.embed_texts(list(input)))

        @staticmethod
        def name() -> str:
            return "qa_app"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> QAEmbedding:
            return QAEmbedding()

        def default_space(self) -> Any:
            return "cosine"

    @register_embedding_function
    class StateEmbedding(EmbeddingFunction[Documents]):
        """A one-dimensional constant: the state collection is read by id only."""

        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            return [np.ones(1, dtype=np.float32) for _ in input]

        @staticmethod
        def name() -> str:
            return "qa_app_state"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> StateEmbedding:
            return StateEmbedding()

    return QAEmbedding, StateEmbedding


_EF: tuple[type, type] | None = None


def _efs() -> tuple[type, type]:
    global _EF
    if _EF is None:
        _EF = _embedding_functions()
    return _EF


class Store:
    """Typed access to the three collections; the only module that talks to Chroma."""

    def __init__(self, settings: Settings, embedder: Embedder, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self.settings = settings
        self.embedder = embedder
        self._embedded = not settings.chroma_url
        # The write marker as before opening, and the one this store last wrote (see `sync`, `writing`).
        self._seen = last_written(settings.index_dir) if self._embedded else ""
        self._own: str | None = "" if not self._seen else None  # no marker: no writer since it opened
        self._sync_lock = threading.Lock()
        self.journal = Journal(self, lease_seconds)
        self._system: Any = None
        self._open()

    def _open(self) -> None:
        """(Re)open the client and the collections; each is replaced whole, for readers in other threads."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        qa_ef, state_ef = _efs()
        client, system = _client(self.settings)
        try:
            cosine: CreateCollectionConfiguration = {"hnsw": {"space": "cosine"}}
            chunks = client.get_or_create_collection(
                CHUNKS, embedding_function=qa_ef(self.embedder), configuration=cosine
            )
            articles = client.get_or_create_collection(
                ARTICLES, embedding_function=qa_ef(self.embedder), configuration=cosine
            )
            meta = client.get_or_create_collection(META, embedding_function=state_ef())
        except Exception as exc:
            if system is not None:
                _close_system(system)
            raise StoreError(f"cannot open the Chroma collections: {exc}") from exc
        old, self._system = self._system, system
        self.client = client
        self.chunks: Collection = chunks
        self.articles: Collection = articles
        self.meta: Collection = meta
        self.vector_store = ChromaVectorStore(chroma_collection=chunks)
        if old is not None:
            _close_system(old)

    # other processes' writes -------------------------------------------------
    def sync(self) -> bool:
        """Reopen an embedded store that another process wrote to since this one last looked; True if so.

        One small file read when nothing changed (a few µs); a reopen costs a few ms, and the first
        query after it reads the vector index from disk. A server needs nothing of this.
        """
        if not self._embedded:
            return False
        token = last_written(self.settings.index_dir)
        if token == self._seen:
            return False
        with self._sync_lock:
            if token == self._seen:
                return False
            self._open()
            self._seen = token
        return True

    def reopen(self) -> bool:
        """Reopen an embedded store now, whatever the write marker says; False on a server (nothing to do)."""
        if not self._embedded:
            return False
        with self._sync_lock:
            self._open()
        return True

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (qa_app/lock.py) around writes; a thread may nest them.

        Embedded, the store is first reopened unless the last write was its own: a write from a view
        older than what another process wrote would drop that process's vectors. The write marker is
        replaced at the start (so a writer killed mid-way still tells the next writer to reopen) and
        at the end, so readers see the writes.
        """
        with write_lock(self.settings):
            if self._embedded:
                with self._sync_lock:
                    token = last_written(self.settings.index_dir)
                    if token != self._own:
                        self._open()
                self._mark()
            try:
                yield
            finally:
                self._mark()

    def _mark(self) -> None:
        """Tell other processes that this one wrote (embedded)."""
        if self._embedded:
            self._own = self._seen = mark_written(self.settings.index_dir)

    # state -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        got = self.meta.get(ids=[STATE_ID], include=["metadatas"])
        metas = got.get("metadatas") or []
        return dict(metas[0]) if metas and metas[0] else {}

    def generation(self) -> str:
        return str(self.state().get("generation", ""))

    def check_embedder(self, *, claim: bool = False) -> None:
        """Refuse to mix vectors of two models; `claim` records ours on a new store."""
        stored = self.state().get("embedder")
        if stored and stored != self.embedder.identity:
            raise IndexMismatchError(
                f"the index was built with {stored!r} but this process embeds with "
                f"{self.embedder.identity!r}; set QA_EMBED_MODEL/QA_EMBED_BACKEND to match "
                "or re-ingest into a new QA_INDEX_DIR"
            )
        if claim and not stored:
            self.bump()

    def bump(self) -> str:
        """Record a write: a new generation (and our embedder identity)."""
        generation = uuid.uuid4().hex
        meta: Metadata = {"generation": generation, "embedder": self.embedder.identity, "updated": time.time()}
        self.meta.upsert(ids=[STATE_ID], documents=[""], metadatas=[meta])
        self._mark()
        return generation

    # dense search ------------------------------------------------------------
    def nearest(
        self, vector: np.ndarray, k: int, *, articles: bool = False, where: Where | None = None
    ) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the `k` nearest passages (or, with `articles`, article mean vectors).

        The one dense search of the app. The collections use Chroma's cosine space, whose distance
        is `1 - cos`, so the similarity returned is `1 - distance`: 1.0 for the same direction, 0.0
        for unrelated, down to -1.0. `where` (see `chunk_where`) restricts passages by metadata;
        Chroma answers it by scanning the allowed records. Embedded, a `where` query from a view
        older than what another process has just written fails ("Error finding id": SQLite holds
        chunks the view's vector index lacks): it is tried once more on a view reopened now.
        """
        collection = self.articles if articles else self.chunks
        query: dict[str, Any] = {"query_embeddings": [vector], "n_results": max(1, k), "include": ["distances"]}
        if where:
            query["where"] = where
        try:
            got = collection.query(**query)
        except Exception:
            if not where or not self.reopen():
                raise
            got = self.chunks.query(**query)
        distances = (got["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], distances, strict=True)]

    # articles --------------------------------------------------------------
    def count_articles(self) -> int:
        return self.articles.count()

    def require_articles(self) -> None:
        if self.count_articles() == 0:
            where = self.settings.chroma_url or self.settings.index_dir
            raise EmptyIndexError(f"the index at {where} is empty: ingest articles first (python -m ingest PATH)")

    # the small records of `qa_meta`, for the journal ------------------------------------------
    def put_meta(self, ids: list[str], metas: list[dict[str, Any]]) -> None:
        self.meta.upsert(ids=ids, documents=[""] * len(ids), metadatas=metas)  # type: ignore[arg-type]

    def merge_meta(self, ids: list[str], meta: dict[str, Any]) -> None:
        """Merge `meta` into these records' metadata; ids that are gone are skipped."""
        self.meta.update(ids=ids, metadatas=[meta] * len(ids))  # type: ignore[list-item]

    def meta_records(self) -> list[tuple[str, Mapping[str, Any]]]:
        got = self.meta.get(include=["metadatas"])
        return [(i, m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True) if m]

    def delete_meta(self, ids: list[str]) -> None:
        self.meta.delete(ids=ids)

    # journal: articles being written or deleted, so a crash mid-write can be swept up ------
    def begin_writes(self, entries: list[tuple[str, str]]) -> None:
        """Journal (doc_id, new hash) pairs; "" as hash journals a deletion (see `Journal.begin`)."""
        self.journal.begin(entries)

    def end_writes(self, doc_ids: list[str]) -> None:
        """Clear these articles' journal entries and tell readers of the writes."""
        self.journal.end(doc_ids)
        self._mark()

    def recover(self) -> int:
        """Finish what a killed writer left: drop chunks of versions that never got committed.

        Only entries whose writers are surely gone are swept (`Journal.abandoned`); embedded, a
        caller holding the write lock is the only writer alive. A live writer's entries, on any
        host, are left alone.
        """
        pending = self.journal.abandoned(exclusive=self._embedded and holds_write_lock(self.settings))
        if not pending:
            return 0
        committed = self.articles.get(ids=list(pending.values()), include=["metadatas"])
        kept = {i: str(m["hash"]) for i, m in zip(committed["ids"], committed["metadatas"] or [], strict=True) if m}
        for doc_id in pending.values():
            self.delete_stale_chunks(doc_id, kept.get(doc_id))
        self.delete_meta(list(pending))
        return len(pending)

    def write_articles(self, writes: list[ArticleWrite]) -> None:
        """Store new versions of articles so that a crash at any point leaves the store consistent.

        Order: journal -> new chunks (ids carry the hash) -> article records, the commit point ->
        the replaced versions' chunks -> journal cleared; one round trip each for the whole batch.
        Readers show only chunks whose hash matches the committed record, so a question sees the
        old version or the new, never both or neither; `recover` sweeps what a crash leaves.
        """
        if not writes:
            return
        doc_ids = [w.record.doc_id for w in writes]
        self.begin_writes([(w.record.doc_id, w.record.hash) for w in writes])
        try:
            nodes = [node for w in writes for node in w.nodes]
            if nodes:
                self.add_chunks(nodes)
            self.put_articles([w.record for w in writes], np.stack([w.vector for w in writes]))
            stale = [cid for w in writes for cid in w.replaces]
            if stale:
                self.delete_chunks(stale)
            self.end_writes(doc_ids)
        finally:  # after an error the entries stay in the journal, for `recover`
            self.journal.release(doc_ids)

    def delete_articles(self, doc_ids: list[str]) -> None:
        """Remove articles and every chunk of them (records first, so readers stop at once)."""
        for start in range(0, len(doc_ids), PAGE):
            part = doc_ids[start : start + PAGE]
            self.begin_writes([(doc_id, "") for doc_id in part])
            try:
                self.articles.delete(ids=part)
                self.delete_chunks_of(part)
                self.end_writes(part)
            finally:
                self.journal.release(part)

    def list_articles(self) -> list[ArticleRecord]:
        records = []
        for ids, metas, _ in self._pages(self.articles, include=["metadatas"]):
            records += [ArticleRecord.from_metadata(i, m, None) for i, m in zip(ids, metas, strict=True)]
        return records

    def get_article(self, doc_id: str) -> ArticleRecord:
        got = self.articles.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"] or not got["metadatas"] or not got["documents"]:
            raise NotFoundError(f"no article with doc id {doc_id!r}")
        return ArticleRecord.from_metadata(doc_id, got["metadatas"][0], got["documents"][0])

    def get_articles(self, doc_ids: list[str]) -> dict[str, ArticleRecord]:
        """The stored articles of `doc_ids` (each once: Chroma refuses an id asked for twice)."""
        if not doc_ids:
            return {}
        got = self.articles.get(ids=list(dict.fromkeys(doc_ids)), include=["metadatas", "documents"])
        return {
            i: ArticleRecord.from_metadata(i, m, d)
            for i, m, d in zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=True)
        }

    def put_articles(self, records: list[ArticleRecord], vectors: np.ndarray) -> None:
        step = self._max_batch()
        for start in range(0, len(records), step):
            part = records[start : start + step]
            self.articles.upsert(
                ids=[r.doc_id for r in part],
                documents=[r.text for r in part],
                metadatas=[r.to_metadata() for r in part],
                embeddings=vectors[start : start + step],
            )

    def delete_article(self, doc_id: str) -> None:
        """Remove an article and every chunk of it."""
        self.delete_articles([doc_id])

    # chunks ----------------------------------------------------------------
    def _max_batch(self) -> int:
        """Records one Chroma call may write: the client's limit (asked once, then cached by it), at most `PAGE`."""
        limit = self.client.get_max_batch_size()
        return min(PAGE, limit) if limit > 0 else PAGE

    def add_chunks(self, nodes: list[Any]) -> None:
        """Add llama-index `TextNode`s that carry their embeddings, in calls within Chroma's batch limit.

        Several calls are safe: chunks are invisible until their article's record commits them.
        """
        step = self._max_batch()
        for start in range(0, len(nodes), step):
            self.vector_store.add(nodes[start : start + step])

    def delete_chunks_of(self, doc_ids: list[str]) -> None:
        """Delete every chunk of these articles, whatever their version."""
        self.chunks.delete(where={"doc_id": {"$in": doc_ids}})  # type: ignore[dict-item]

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        step = self._max_batch()
        for start in range(0, len(chunk_ids), step):
            self.chunks.delete(ids=chunk_ids[start : start + step])

    def delete_stale_chunks(self, doc_id: str, keep_hash: str | None) -> None:
        """Delete the chunks of `doc_id` that belong to any version but `keep_hash`."""
        if keep_hash is None:
            self.chunks.delete(where={"doc_id": doc_id})
        else:
            stale = cast("Where", {"$and": [{"doc_id": doc_id}, {"hash": {"$ne": keep_hash}}]})
            self.chunks.delete(where=stale)

    def chunk_keys(self) -> Iterator[tuple[str, str, str]]:
        """(chunk id, doc_id, hash) of every stored chunk."""
        for chunks, _ in self.all_chunks(texts=False):
            yield from ((c.chunk_id, c.doc_id, c.hash) for c in chunks)

    def all_chunks(self, *, texts: bool = True) -> Iterator[tuple[list[ChunkRecord], list[str]]]:
        """Pages of (chunk records, texts) over every chunk, whatever its version ("" texts unless `texts`)."""
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        for ids, metas, docs in self._pages(self.chunks, include=include):
            yield [ChunkRecord.from_metadata(i, m) for i, m in zip(ids, metas, strict=True)], docs

    def chunks_of(self, doc_ids: list[str]) -> Iterator[tuple[list[ChunkRecord], list[str]]]:
        """Batches of (chunk records, texts) of every chunk of these articles, whatever their version."""
        for start in range(0, len(doc_ids), PAGE // 10):
            part = doc_ids[start : start + PAGE // 10]
            got = self.chunks.get(where=cast("Where", {"doc_id": {"$in": part}}), include=["metadatas", "documents"])
            metas = [m or {} for m in got["metadatas"] or []]
            yield (
                [ChunkRecord.from_metadata(i, m) for i, m in zip(got["ids"], metas, strict=True)],
                list(got["documents"] or []),
            )

    def count_chunks(self) -> int:
        return self.chunks.count()

    # copies, for benchmarks ------------------------------------------------------------------
    def snapshot(self, doc_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """These articles' records and every chunk of them as stored (with vectors), for `restore`.

        Pairs of (collection name, a Chroma `get` result), in pages of `PAGE // 10` articles.
        """
        include: Any = ["metadatas", "documents", "embeddings"]
        parts: list[tuple[str, dict[str, Any]]] = []
        for start in range(0, len(doc_ids), PAGE // 10):
            part = doc_ids[start : start + PAGE // 10]
            parts.append((ARTICLES, dict(self.articles.get(ids=part, include=include))))
            where = cast("Where", {"doc_id": {"$in": part}})
            parts.append((CHUNKS, dict(self.chunks.get(where=where, include=include))))
        return parts

    def restore(self, parts: list[tuple[str, dict[str, Any]]]) -> None:
        """Add what `snapshot` (of this store or another) read, as it was; chunks before records."""
        for name, got in sorted(parts, key=lambda part: part[0] != CHUNKS):
            collection = self.chunks if name == CHUNKS else self.articles
            step = self._max_batch()
            for start in range(0, len(got["ids"]), step):
                cut = slice(start, start + step)
                collection.add(
                    ids=got["ids"][cut],
                    metadatas=got["metadatas"][cut],
                    documents=got["documents"][cut],
                    embeddings=got["embeddings"][cut],
                )

    def collection_id(self) -> str:
        """The chunks collection's id: a store deleted and made again at the same place has a new one."""
        return str(self.chunks.id)

    def _pages(
        self, collection: Collection, include: list[str]
    ) -> Iterator[tuple[list[str], list[dict[str, Any]], list[str]]]:
        offset = 0
        while True:
            got = collection.get(limit=PAGE, offset=offset, include=include)  # type: ignore[arg-type]
            ids = got["ids"]
            if not ids:
                return
            metas = [dict(m or {}) for m in (got.get("metadatas") or [{}] * len(ids))]
            docs = list(got.get("documents") or [""] * len(ids))
            yield ids, metas, docs
            if len(ids) < PAGE:
                return
            offset += PAGE
