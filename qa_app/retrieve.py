"""Hybrid retrieval: BM25 and dense signals fused per article, with a soft time prior.

Five signals rank the articles: BM25 of their best passage, of their first passage (the lede)
and of the whole article; the dense cosine similarity of their best passage and of the article's
mean passage vector (both from `Store.nearest`, on one scale: `1 - cosine distance`). Each is scaled by its
best score and the weighted sum (or reciprocal-rank fusion) is multiplied by the time prior,
`exp(-days/half-life)` past a few flat days, which prefers articles published shortly before the
"as of" date. Passages for the answer are those of the top articles, each article's best first.
Only passages of an article's committed version are used. The weights were tuned on the dev
split of RealTime QA (`benchmarks/quality.py`) when unfiltered dense search still scored
`exp(-distance)` (llama-index's scale) and filtered search `1 - distance`; since one scale is used,
`dense_passage`, `dense_article` and `dense_floor` (and the answer's MIN_AGREEMENT, which reads the
fused scores) may want retuning.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from qa_app.lexical import LexicalIndex, top_k
from qa_app.records import ChunkRecord, published_ts
from qa_app.store import Store, chunk_where
from qa_app.text import bm25_tokenizer

if TYPE_CHECKING:
    from qa_app.embed import Embedder

Mode = Literal["hybrid", "bm25", "dense"]
# A filter allowing less than this share of passages is left to Chroma's `where` (hand-set in ac4f15e, not tuned).
NARROW_FILTER = 0.05
MAX_NEAREST = 3000  # cap on the nearest ids asked of Chroma in one query (hand-set in ac4f15e, not tuned)


@dataclass(frozen=True)
class Tuning:
    """The knobs of fusion and the time prior.

    The weights, `flat_days` and the fusion kind were chosen on RealTime QA dev (`benchmarks/quality.py`)
    in 0831163 and d6e20f5, when the unfiltered dense similarities were `exp(-distance)`; the
    others were set in 59d77be/0831163 and not tuned.
    """

    fusion: Literal["score", "rrf"] = "score"  # the default since 0831163, chosen on dev with the weights
    rrf_k: float = 60.0  # the usual RRF constant (Cormack et al. 2009), not tuned here
    bm25_passage: float = 0.5  # tuned in d6e20f5
    bm25_article: float = 1.0  # tuned in d6e20f5
    bm25_lead: float = 1.0  # tuned in d6e20f5; BM25 of the article's first passage: a news lede states the story
    dense_passage: float = 0.5  # tuned in d6e20f5, on the old mixed dense scale
    dense_article: float = 1.0  # tuned in d6e20f5, on the old mixed dense scale
    dense_floor: float = 0.0  # cosine below which dense evidence counts for nothing (0831163, hand-set, not tuned)
    half_life_days: float = 30.0  # hand-set in 59d77be, not tuned
    flat_days: float = 3.0  # no decay within this many days before "as of" (tuned in d6e20f5)
    after_as_of: float = 0.1  # weight of articles published after the "as of" date (hand-set in 59d77be, not tuned)
    candidates: int = 100  # nearest passages and articles asked of Chroma, and per signal for RRF (59d77be, not tuned)


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

    chunk: ChunkRecord
    score: float

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id


@dataclass
class Retrieval:
    """What a search found: articles best first (doc_id, score), and their best passages."""

    articles: list[tuple[str, float]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # Per article, its fused score before the time prior over the weight of the signals that
    # found anything: 1.0 when every signal scores it best. Low means no article really matches.
    agreement: list[float] = field(default_factory=list)
    priors: list[float] = field(default_factory=list)  # per article, its time prior (1.0 without "as of")


def time_prior(
    published: int, as_of: int | None, half_life: float = 30.0, after: float = 0.1, flat: float = 0.0
) -> float:
    """Weight of an article published on day `published` for a question asked on day `as_of`.

    Example: time_prior(100, 100) -> 1.0; an article 30 days older weighs exp(-1)
    """
    return float(time_priors(np.array([published]), as_of, half_life, after, flat)[0])


class Retriever:
    """Searches the store; keeps the derived lexical index in step with the store's generation."""

    def __init__(self, store: Store, embedder: Embedder, tuning: Tuning | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        self.full_builds = 0  # lexical indexes built from every chunk (not loaded or updated)
        self._generation: str | None = None
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()
        self._saved: LexicalIndex | None = None  # the index last written to (or read from) the cache
        self._save_lock = threading.Lock()
        self._saver: threading.Thread | None = None

    # derived state -----------------------------------------------------------
    def _cache_path(self) -> Path:
        """One cache file per store: its place (embedded folder or server URL) and its collection's id.

        A store deleted and ingested again at the same place has a new collection, so the index of
        the old one (whose chunks may have been cut differently) is never taken for it.
        """
        where = self.store.settings.chroma_url or str(self.store.settings.index_dir.resolve())
        name = hashlib.sha256(f"{where}|{self.store.collection_id()}".encode()).hexdigest()[:16]
        return self.store.settings.cache_dir / "lexical" / f"{name}.pkl"

    def refresh(self, force: bool = False) -> None:
        """Bring the lexical index in step with the store when another process (or this one) changed it.

        The articles whose version changed or that are gone are removed from the index and the new
        versions added, fetching and tokenizing only their chunks. Every chunk is read only when
        there is no index yet, in memory or in the cache (or when `force`d). The updated index is
        swapped in whole, so a question under way keeps the one it started with, and saved to the
        cache by a background thread. An embedded store another process wrote to is reopened first
        (`Store.sync`), so that its vector index holds what that process wrote.
        """
        self.store.sync()
        generation = self.store.generation()
        if not force and generation == self._generation and self._lexical is not None:
            return
        with self._lock:
            if not force and generation == self._generation and self._lexical is not None:
                return
            hashes = {r.doc_id: r.hash for r in self.store.list_articles()}
            lexical = None if force else self._lexical or self._load()
            if lexical is None:
                lexical = LexicalIndex.from_chunks(*_committed(self.store.all_chunks(), hashes))
                self.full_builds += 1
            else:
                held = lexical.article_hashes()
                gone = [d for d, h in held.items() if hashes.get(d) != h]
                new = [d for d, h in hashes.items() if held.get(d) != h]
                if gone or new:
                    lexical = lexical.updated(gone, *_committed(self.store.chunks_of(new), hashes))
            self._lexical = lexical
            self._generation = generation
            if lexical is not self._saved:
                self._saver = threading.Thread(target=self._save, name="lexical-cache")
                self._saver.start()

    def _load(self) -> LexicalIndex | None:
        self._saved = LexicalIndex.load(self._cache_path())
        return self._saved

    def _save(self) -> None:
        """Write the current index to the cache unless it is there already (the latest one wins)."""
        with self._save_lock:
            lexical = self._lexical
            if lexical is None or lexical is self._saved:
                return
            with contextlib.suppress(OSError):  # a read-only cache only costs the next process a build
                lexical.save(self._cache_path())
            self._saved = lexical

    def wait_saved(self) -> None:
        """Wait for the cache write under way, if any."""
        if self._saver is not None:
            self._saver.join()

    @property
    def lexical(self) -> LexicalIndex:
        self.refresh()
        assert self._lexical is not None
        return self._lexical

    def article_count(self) -> int:
        return len(self.lexical.doc_index)

    # filters -----------------------------------------------------------------
    def allowed(self, filters: Filters, lexical: LexicalIndex) -> np.ndarray:
        """Mask over `lexical`'s passages that pass `filters` (the index a question started with)."""
        mask = lexical.live.copy()  # slots of removed articles never come back
        if filters.source:
            wanted = filters.source.lower()
            mask &= lexical.sources == wanted
        if filters.date_from:
            mask &= lexical.published >= published_ts(filters.date_from)
        if filters.date_to:
            mask &= (lexical.published >= 0) & (lexical.published <= published_ts(filters.date_to))
        return mask

    # signals -----------------------------------------------------------------
    def dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the `k` nearest passages that pass `filters` (Chroma's `where`)."""
        where = chunk_where(
            filters.source,
            published_ts(filters.date_from) if filters.date_from else None,
            published_ts(filters.date_to) if filters.date_to else None,
        )
        return self.store.nearest(vector, k, where=where)

    def _nearest(self, vector: np.ndarray, filters: Filters, k: int, share: float) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest passages for a question whose filters allow
        `share` of the passages; the caller's mask keeps the allowed ones.

        Chroma answers a `where` query by scanning (~80-300 ms at 48k passages), so unless the
        filter is very narrow, ask for enough nearest ids to hold ~k allowed ones instead. Both
        ways return the same similarity for the same passage (`Store.nearest`).
        """
        if not (filters.source or filters.date_from or filters.date_to) or share < NARROW_FILTER:
            return self.dense(vector, filters, k)
        # x1.5: a margin over the expected k allowed ids, as the allowed share is uneven along the
        # ranking (hand-set in ac4f15e, not tuned).
        wanted = min(int(k / share * 1.5), MAX_NEAREST)
        return self.store.nearest(vector, wanted)

    def dense_articles(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(doc_id, cosine similarity) of the articles whose mean passage vector is nearest.

        Filters are applied by the caller: the collection is small, so asking for more is cheaper
        than a `where` query.
        """
        return self.store.nearest(vector, k, articles=True)

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
        mask = self.allowed(filters, lexical)
        if exclude:
            hidden = [j for j, d in enumerate(lexical.doc_ids) if d in exclude]
            mask &= ~np.isin(lexical.doc_of, hidden)
        if not mask.any() or (mode == "bm25" and not bm25_tokenizer(query)):
            return Retrieval()
        doc_allowed = np.zeros(len(lexical.doc_ids), dtype=bool)
        doc_allowed[lexical.doc_of[mask]] = True
        as_of = published_ts(filters.as_of) if filters.as_of else None
        n_docs = len(lexical.doc_ids)
        signals: list[tuple[float, np.ndarray]] = []  # (weight, a score per article; 0 = no evidence)
        p_bm25 = np.zeros(len(lexical.chunks), dtype=np.float32)
        p_dense = np.zeros(len(lexical.chunks), dtype=np.float32)

        if mode in ("hybrid", "bm25"):
            p_bm25 = np.where(mask, lexical.passage_scores(query), 0.0).astype(np.float32)
            signals.append((t.bm25_passage, lexical.per_article_max(p_bm25)))
            signals.append((t.bm25_lead, p_bm25[lexical.doc_start]))
            signals.append((t.bm25_article, np.where(doc_allowed, lexical.article_scores(query), 0.0)))
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            # One nearest-neighbour query: a second one kept to the weeks before "as of" found
            # nothing more on RealTime QA dev and costs ~90 ms (Chroma filters by brute force).
            hits = self._nearest(vector, filters, t.candidates, float(mask.mean()))
            for cid, sim in hits:
                pos = lexical.position.get(cid)
                if pos is not None and mask[pos]:  # not a stale version, and allowed
                    # 1e-6: found by the dense search counts, however weakly (hand-set, not tuned)
                    p_dense[pos] = max(p_dense[pos], sim - t.dense_floor, 1e-6)
            signals.append((t.dense_passage, lexical.per_article_max(p_dense)))
            a_dense = np.zeros(n_docs, dtype=np.float32)
            share = float(doc_allowed.mean())
            for doc_id, sim in self.dense_articles(vector, min(int(t.candidates / share), MAX_NEAREST, n_docs)):
                j = lexical.doc_index.get(doc_id)
                if j is not None and doc_allowed[j]:
                    a_dense[j] = max(sim - t.dense_floor, 1e-6)
            signals.append((t.dense_article, a_dense))

        agreement = self._fuse(signals, n_docs)
        prior = time_priors(lexical.doc_published, as_of, t.half_life_days, t.after_as_of, t.flat_days)
        fused = np.where(doc_allowed, agreement * prior, 0.0)
        ranked = top_k(fused, limit)
        articles = [(lexical.doc_ids[j], score) for j, score in ranked]
        total = sum(w for w, scores in signals if scores.any()) or 1.0  # of the signals that found anything
        agreements = [float(agreement[j]) / total for j, _ in ranked]
        # The answer reads the passages of the top articles, each article's best first.
        p_score = p_bm25 / max(float(p_bm25.max()), 1e-9) + p_dense
        passages = []
        for j, _ in ranked:
            first = int(lexical.doc_start[j])
            last = int(lexical.doc_start[j + 1]) if j + 1 < n_docs else len(lexical.chunks)
            own = sorted(range(first, last), key=lambda pos: -p_score[pos])
            passages += [Passage(lexical.chunks[pos], float(p_score[pos])) for pos in own if mask[pos]]
        return Retrieval(articles, passages, agreements, [float(prior[j]) for j, _ in ranked])

    def _fuse(self, signals: list[tuple[float, np.ndarray]], n_docs: int) -> np.ndarray:
        """Weighted sum of each signal's scores over its best (score fusion), or of 1/(k + rank) (RRF)."""
        t = self.tuning
        fused = np.zeros(n_docs, dtype=np.float64)
        for weight, scores in signals:
            if weight == 0 or not scores.any():
                continue
            if t.fusion == "rrf":
                for rank, (j, _) in enumerate(top_k(scores, t.candidates), start=1):
                    fused[j] += weight / (t.rrf_k + rank)
            else:
                fused += weight * scores / float(scores.max())
        return fused


def _committed(
    pages: Iterable[tuple[list[ChunkRecord], list[str]]], hashes: dict[str, str]
) -> tuple[list[ChunkRecord], list[str]]:
    """(chunks, texts) of the committed versions (`hashes`) among `pages`."""
    chunks: list[ChunkRecord] = []
    texts: list[str] = []
    for page_chunks, page_texts in pages:
        for chunk, text in zip(page_chunks, page_texts, strict=True):
            if hashes.get(chunk.doc_id) == chunk.hash:
                chunks.append(chunk)
                texts.append(text)
    return chunks, texts


def time_priors(published: np.ndarray, as_of: int | None, half_life: float, after: float, flat: float) -> np.ndarray:
    """`time_prior` for every article at once.

    Example: time_priors(np.array([100, 50, 101]), 100, 30, 0.1, 0) -> [1.0, exp(-50/30), 0.1]
    """
    if as_of is None:
        return np.ones(len(published))
    days = as_of - published
    prior = np.exp(-np.maximum(days - flat, 0) / half_life)
    prior = np.where(days < 0, after, prior)
    return np.where(published < 0, 1.0, prior)
