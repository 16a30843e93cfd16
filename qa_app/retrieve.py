"""Hybrid retrieval: BM25 and dense signals fused per article, with a soft time prior.

Four signals rank the articles: BM25 of their best passage, BM25 of the whole article, the dense
similarity of their best passage (Chroma through llama-index) and of the article's mean passage
vector (Chroma's `articles` collection). Reciprocal-rank fusion combines them; the time prior
`exp(-days/half-life)` then prefers articles published shortly before the "as of" date. Passages
for the answer are the best ones of the top articles. Only passages of an article's committed
version are used. The weights were tuned on the dev split of RealTime QA (`benchmarks/quality.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from qa_app.lexical import ChunkInfo, LexicalIndex, top_k
from qa_app.store import Store, published_ts
from qa_app.text import bm25_tokenizer

if TYPE_CHECKING:
    from qa_app.embed import Embedder

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass(frozen=True)
class Tuning:
    """The knobs of fusion and the time prior (defaults tuned on RealTime QA dev)."""

    rrf_k: float = 60.0
    bm25_passage: float = 1.0
    bm25_article: float = 1.0
    dense_passage: float = 1.0
    dense_article: float = 1.0
    half_life_days: float = 30.0
    after_as_of: float = 0.1  # weight of articles published after the "as of" date
    candidates: int = 100  # per signal
    window_days: int = 30  # a second dense query keeps this many days before "as of"


@dataclass(frozen=True)
class Filters:
    """Restrictions and preferences for one question."""

    source: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    as_of: str | None = None  # prefer articles published shortly before this date


@dataclass
class Passage:
    """A retrieved passage with its score."""

    chunk: ChunkInfo
    score: float

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id


@dataclass
class Retrieval:
    """What a search found: articles best first (doc_id, score), and their best passages."""

    articles: list[tuple[str, float]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)


def time_prior(published: int, as_of: int | None, half_life: float = 30.0, after: float = 0.1) -> float:
    """Weight of an article published on day `published` for a question asked on day `as_of`.

    Example: time_prior(100, 100) -> 1.0; an article 30 days older weighs exp(-1)
    """
    if as_of is None or published < 0:
        return 1.0
    days = as_of - published
    if days < 0:
        return after
    return math.exp(-days / half_life)


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    """1-based rank of each key by descending score.

    Example: _ranks({7: 0.2, 3: 0.9}) -> {3: 1, 7: 2}
    """
    return {key: r for r, key in enumerate(sorted(scores, key=lambda k: -scores[k]), start=1)}


class Retriever:
    """Searches the store; keeps the derived lexical index in step with the store's generation."""

    def __init__(self, store: Store, embedder: Embedder, tuning: Tuning | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        self._generation: str | None = None
        self._lexical: LexicalIndex | None = None
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()
        self.last_refresh_seconds = 0.0

    # derived state -----------------------------------------------------------
    def _cache_path(self) -> Path:
        """One cache file per store (embedded folder or server URL); it records its generation."""
        where = self.store.settings.chroma_url or str(self.store.settings.index_dir.resolve())
        name = hashlib.sha256(where.encode()).hexdigest()[:16]
        return self.store.settings.cache_dir / "lexical" / f"{name}.pkl"

    def refresh(self, force: bool = False) -> None:
        """Rebuild the lexical index when another process (or this one) changed the store."""
        generation = self.store.generation()
        if not force and generation == self._generation and self._lexical is not None:
            return
        with self._lock:
            if not force and generation == self._generation and self._lexical is not None:
                return
            started = time.perf_counter()
            hashes = {r.doc_id: r.hash for r in self.store.list_articles()}
            path = self._cache_path()
            key = f"{generation}:{hashlib.sha256(repr(sorted(hashes.items())).encode()).hexdigest()}"
            lexical = None if force else LexicalIndex.load(path, key)
            if lexical is None:
                ids: list[str] = []
                metas: list[dict] = []
                texts: list[str] = []
                for page_ids, page_metas, page_docs in self.store.all_chunks():
                    ids += page_ids
                    metas += page_metas
                    texts += page_docs
                keep = [i for i, m in enumerate(metas) if hashes.get(str(m["doc_id"])) == m["hash"]]
                lexical = LexicalIndex.from_texts(
                    [ids[i] for i in keep], [texts[i] for i in keep], [metas[i] for i in keep]
                )
                with contextlib.suppress(OSError):  # a read-only cache only costs the next process the rebuild
                    lexical.save(path, key)
            self._lexical = lexical
            self._hashes = hashes
            self._generation = generation
            self.last_refresh_seconds = time.perf_counter() - started

    @property
    def lexical(self) -> LexicalIndex:
        self.refresh()
        assert self._lexical is not None
        return self._lexical

    def article_count(self) -> int:
        self.refresh()
        return len(self._hashes)

    # filters -----------------------------------------------------------------
    def allowed(self, filters: Filters) -> np.ndarray:
        """Mask over the lexical index's passages that pass `filters`."""
        lexical = self.lexical
        mask = np.ones(len(lexical.chunks), dtype=bool)
        if filters.source:
            wanted = filters.source.lower()
            mask &= lexical.sources == wanted
        if filters.date_from:
            mask &= lexical.published >= published_ts(filters.date_from)
        if filters.date_to:
            mask &= (lexical.published >= 0) & (lexical.published <= published_ts(filters.date_to))
        return mask

    def _where(self, filters: Filters, since: int | None = None) -> list:
        from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter

        conditions = []
        if filters.source:
            conditions.append(MetadataFilter(key="source", value=filters.source))
        low = max(published_ts(filters.date_from) if filters.date_from else -1, since if since is not None else -1)
        if filters.date_from or since is not None:
            conditions.append(MetadataFilter(key="published_ts", value=low, operator=FilterOperator.GTE))
        if filters.date_to:
            conditions.append(
                MetadataFilter(key="published_ts", value=published_ts(filters.date_to), operator=FilterOperator.LTE)
            )
        return conditions

    # signals -----------------------------------------------------------------
    def dense(self, vector: np.ndarray, filters: Filters, k: int, since: int | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest passages, from Chroma through llama-index."""
        from llama_index.core.vector_stores.types import MetadataFilters, VectorStoreQuery

        conditions = self._where(filters, since)
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

    def dense_articles(self, vector: np.ndarray, filters: Filters, k: int) -> list[tuple[str, float]]:
        """(doc_id, cosine similarity) of the articles whose mean passage vector is nearest."""
        where: dict = {}
        parts = []
        if filters.source:
            parts.append({"source": filters.source})
        if filters.date_from:
            parts.append({"published_ts": {"$gte": published_ts(filters.date_from)}})
        if filters.date_to:
            parts.append({"published_ts": {"$lte": published_ts(filters.date_to)}})
        if parts:
            where = parts[0] if len(parts) == 1 else {"$and": parts}
        got = self.store.articles.query(
            query_embeddings=[vector], n_results=k, where=where or None, include=["distances"]
        )
        return [(doc_id, 1.0 - float(d)) for doc_id, d in zip(got["ids"][0], got["distances"][0], strict=True)]

    # search ------------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        limit: int = 10,
        exclude: frozenset[str] = frozenset(),
    ) -> Retrieval:
        """The best `limit` articles for `query` and the best passages of the top ones.

        `exclude` hides articles by doc id (evaluation asks questions whose evidence is hidden).
        """
        filters = filters or Filters()
        t = self.tuning
        lexical = self.lexical
        if filters.source:  # outlets match in any case; Chroma needs the stored spelling
            stored = {c.source.lower(): c.source for c in lexical.chunks}
            filters = replace(filters, source=stored.get(filters.source.lower(), filters.source))
        mask = self.allowed(filters)
        if exclude:
            hidden = [j for j, d in enumerate(lexical.doc_ids) if d in exclude]
            mask &= ~np.isin(lexical.doc_of, hidden)
        if not mask.any() or (mode == "bm25" and not bm25_tokenizer(query)):
            return Retrieval()
        doc_allowed = np.zeros(len(lexical.doc_ids), dtype=bool)
        doc_allowed[lexical.doc_of[mask]] = True
        as_of = published_ts(filters.as_of) if filters.as_of else None
        passage_scores: dict[int, float] = {}  # passage position -> best evidence, for the answer
        signals: list[tuple[float, dict[int, float]]] = []  # (weight, article index -> score)

        if mode in ("hybrid", "bm25"):
            p_scores = np.where(mask, lexical.passage_scores(query), 0.0)
            signals.append((t.bm25_passage, dict(top_k(lexical.per_article_max(p_scores), t.candidates))))
            if mode == "hybrid":
                a_scores = np.where(doc_allowed, lexical.article_scores(query), 0.0)
                signals.append((t.bm25_article, dict(top_k(a_scores, t.candidates))))
            best = top_k(p_scores, t.candidates)
            top = best[0][1] if best else 1.0
            for pos, score in best:
                passage_scores[pos] = score / top
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            hits = self.dense(vector, filters, t.candidates)
            if as_of is not None:
                hits += self.dense(vector, filters, t.candidates, since=as_of - t.window_days)
            per_doc_dense: dict[int, float] = {}
            doc_index = {d: j for j, d in enumerate(lexical.doc_ids)}
            for cid, sim in hits:
                pos = lexical.position.get(cid)
                if pos is None or not mask[pos]:
                    continue  # a stale version, or not allowed
                j = int(lexical.doc_of[pos])
                per_doc_dense[j] = max(per_doc_dense.get(j, -1.0), sim)
                passage_scores[pos] = max(passage_scores.get(pos, 0.0), sim)
            signals.append((t.dense_passage, per_doc_dense))
            if mode == "hybrid":
                docs = {
                    doc_index[d]: s
                    for d, s in self.dense_articles(vector, filters, t.candidates)
                    if d in doc_index and doc_allowed[doc_index[d]]
                }
                signals.append((t.dense_article, docs))

        fused: dict[int, float] = {}
        for weight, scores in signals:
            for j, rank in _ranks(scores).items():
                fused[j] = fused.get(j, 0.0) + weight / (t.rrf_k + rank)
        for j in fused:
            fused[j] *= time_prior(int(lexical.doc_published[j]), as_of, t.half_life_days, t.after_as_of)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:limit]
        rank_of = {j: r for r, (j, _) in enumerate(ranked)}
        kept = [pos for pos in passage_scores if int(lexical.doc_of[pos]) in rank_of]
        kept.sort(key=lambda pos: (rank_of[int(lexical.doc_of[pos])], -passage_scores[pos]))
        articles = [(lexical.doc_ids[j], score) for j, score in ranked]
        passages = [Passage(lexical.chunks[pos], passage_scores[pos]) for pos in kept]
        return Retrieval(articles, passages)


def today() -> str:
    return dt.date.today().isoformat()
