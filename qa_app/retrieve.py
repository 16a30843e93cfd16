"""Hybrid retrieval: BM25 and dense passages fused by reciprocal rank, with a soft time prior.

llama-index's ChromaVectorStore answers the dense side (with metadata filters); the lexical side
is `LexicalIndex`. Only passages of an article's committed version are returned.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qa_app.lexical import ChunkInfo, LexicalIndex
from qa_app.store import Store, published_ts

if TYPE_CHECKING:
    from qa_app.embed import Embedder

RRF_K = 60
CANDIDATES = 60
HALF_LIFE_DAYS = 30.0
AFTER_AS_OF_FACTOR = 0.1


@dataclass(frozen=True)
class Filters:
    """Restrictions and preferences for one question."""

    source: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    as_of: str | None = None  # prefer articles published shortly before this date


@dataclass
class Passage:
    """A retrieved passage with its fused score."""

    chunk: ChunkInfo
    score: float
    text: str = ""

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id


def time_prior(published: int, as_of: int | None) -> float:
    """Weight of an article published on day `published` for a question asked on day `as_of`.

    Example: time_prior(100, 100) -> 1.0; an article 30 days older weighs exp(-1)
    """
    if as_of is None or published < 0:
        return 1.0
    days = as_of - published
    if days < 0:
        return AFTER_AS_OF_FACTOR
    return math.exp(-days / HALF_LIFE_DAYS)


class Retriever:
    """Searches the store; keeps the derived lexical index in step with the store's generation."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._generation: str | None = None
        self._lexical: LexicalIndex | None = None
        self._hashes: dict[str, str] = {}
        self._texts: list[str] = []
        self._lock = threading.Lock()

    # derived state -----------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Rebuild the lexical index when another process (or this one) changed the store."""
        generation = self.store.generation()
        if not force and generation == self._generation and self._lexical is not None:
            return
        with self._lock:
            if not force and generation == self._generation and self._lexical is not None:
                return
            ids: list[str] = []
            metas: list[dict] = []
            texts: list[str] = []
            for page_ids, page_metas, page_docs in self.store.all_chunks():
                ids += page_ids
                metas += page_metas
                texts += page_docs
            hashes = {r.doc_id: r.hash for r in self.store.list_articles()}
            keep = [i for i, m in enumerate(metas) if hashes.get(str(m["doc_id"])) == m["hash"]]
            self._lexical = LexicalIndex([ids[i] for i in keep], [texts[i] for i in keep], [metas[i] for i in keep])
            self._texts = [texts[i] for i in keep]
            self._hashes = hashes
            self._generation = generation

    @property
    def lexical(self) -> LexicalIndex:
        self.refresh()
        assert self._lexical is not None
        return self._lexical

    def article_count(self) -> int:
        self.refresh()
        return len(self._hashes)

    # search ------------------------------------------------------------------
    def _allowed(self, chunk: ChunkInfo, filters: Filters) -> bool:
        if self._hashes.get(chunk.doc_id) != chunk.hash:
            return False
        if filters.source and chunk.source.lower() != filters.source.lower():
            return False
        if filters.date_from and chunk.published_ts < published_ts(filters.date_from):
            return False
        return not (filters.date_to and (chunk.published_ts < 0 or chunk.published_ts > published_ts(filters.date_to)))

    def dense(self, query: str, filters: Filters, k: int = CANDIDATES) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) from Chroma through llama-index."""
        from llama_index.core.vector_stores.types import (
            FilterOperator,
            MetadataFilter,
            MetadataFilters,
            VectorStoreQuery,
        )

        conditions = []
        if filters.source:
            conditions.append(MetadataFilter(key="source", value=filters.source))
        if filters.date_from:
            conditions.append(
                MetadataFilter(key="published_ts", value=published_ts(filters.date_from), operator=FilterOperator.GTE)
            )
        if filters.date_to:
            conditions.append(
                MetadataFilter(key="published_ts", value=published_ts(filters.date_to), operator=FilterOperator.LTE)
            )
        vector = self.embedder.embed_query(query)
        result = self.store.vector_store.query(
            VectorStoreQuery(
                query_embedding=vector.tolist(),
                similarity_top_k=k,
                filters=MetadataFilters(filters=conditions) if conditions else None,
            )
        )
        ids = result.ids or []
        sims = result.similarities or [0.0] * len(ids)
        return list(zip(ids, sims, strict=True))

    def search(self, query: str, filters: Filters | None = None, k: int = CANDIDATES) -> list[Passage]:
        """Fused passages, best first, at most `k`."""
        filters = filters or Filters()
        lexical = self.lexical
        mask = np.array([self._allowed(c, filters) for c in lexical.chunks], dtype=bool)
        if not mask.any():
            return []
        lexical_hits = lexical.search(query, k, mask if not mask.all() else None)
        dense_hits = [
            (lexical.position[cid], sim)
            for cid, sim in self.dense(query, filters, k)
            if cid in lexical.position and mask[lexical.position[cid]]
        ]
        fused: dict[int, float] = {}
        for hits in (lexical_hits, dense_hits):
            for rank, (pos, _) in enumerate(hits):
                fused[pos] = fused.get(pos, 0.0) + 1.0 / (RRF_K + rank + 1)
        as_of = published_ts(filters.as_of) if filters.as_of else None
        scored = [
            Passage(lexical.chunks[pos], score * time_prior(lexical.chunks[pos].published_ts, as_of), self._texts[pos])
            for pos, score in fused.items()
        ]
        scored.sort(key=lambda p: p.score, reverse=True)
        return scored[:k]


def rank_articles(passages: list[Passage], limit: int = 10) -> list[tuple[str, float]]:
    """Distinct articles in the order of their best passage.

    Example: passages of docs a, b, a -> [("a", best a score), ("b", ...)]
    """
    seen: dict[str, float] = {}
    for p in passages:
        if p.doc_id not in seen:
            seen[p.doc_id] = p.score
    return list(seen.items())[:limit]


def today() -> str:
    return dt.date.today().isoformat()
