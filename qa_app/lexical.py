"""The lexical side of retrieval: BM25 over passages and over whole articles, updated in place.

The index is derived state, built once from the store's chunks and then kept in step with the
store: when its generation changes (any write, by this process or another such as app replicas
sharing one Chroma server) the articles gone or changed are removed and the new versions added;
nothing else is tokenized again. Scores are computed when a question comes, from term counts in
scipy sparse matrices, with the formula and defaults of bm25s ("lucene" BM25, k1=1.5, b=0.75, float32
scores: the same figures to the bit), so document frequencies and lengths can change without
recomputing every stored score. A large store's index is saved to a pickle in the user's own cache
folder (`QA_CACHE_DIR/lexical`, one file per store); the next process loads it (about 1 s at 48k
passages) and updates it to the store's articles, which tokenizes only what changed.
"""

from __future__ import annotations

import copy
import math
import os
import pickle
from collections.abc import Collection
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from qa_app.records import ChunkRecord
from qa_app.text import bm25_tokenizer

CACHE_FORMAT = 3  # 3: passages are `ChunkRecord`s
CACHE_MIN_PASSAGES = 2000  # below this a rebuild takes well under a second
CACHE_KEEP = 4  # saved indexes kept, most recent first
K1, B = 1.5, 0.75  # bm25s's defaults
COMPACT_SHARE = 0.2  # removed or appended rows past this share of all are folded into the main matrix


class Bm25:
    """BM25 over rows of term counts that can be removed and appended without touching the others.

    Removed rows stay as dead rows (out of the document frequencies, lengths and scores); appended
    ones go to a small `extra` matrix. `compacted` folds both into `main`. Never changed in place:
    `updated` returns a new one sharing the untouched arrays, so readers need no lock.
    """

    def __init__(self, counts: sp.csc_matrix, lengths: np.ndarray) -> None:
        self.main = counts
        self.extra = _widen(sp.csc_matrix((0, 0), dtype=np.float32), counts.shape[1])
        self.lengths = lengths
        self.live = np.ones(len(lengths), dtype=bool)
        self.df = np.diff(counts.indptr).astype(np.int64)
        self.n = len(lengths)
        self.total = int(lengths.sum())
        self.norm = self._norm()

    @classmethod
    def of(cls, docs: list[list[str]], vocab: dict[str, int]) -> Bm25:
        return cls(*_counts(docs, vocab))

    def stale(self) -> float:
        """Share of the rows that are dead or appended since the last compaction."""
        return (len(self.live) - self.n + self.extra.shape[0]) / max(len(self.live), 1)

    def updated(self, remove: np.ndarray, docs: list[list[str]], vocab: dict[str, int]) -> Bm25:
        """A copy without the (live) rows `remove` and with `docs` appended; `vocab` grows."""
        added, lengths = _counts(docs, vocab)
        df = np.zeros(len(vocab), dtype=np.int64)
        df[: len(self.df)] = self.df
        for matrix, offset in ((self.main, 0), (self.extra, self.main.shape[0])):
            rows = remove[(remove >= offset) & (remove < offset + matrix.shape[0])] - offset
            if len(rows):
                df[: matrix.shape[1]] -= np.diff(matrix[rows].indptr)
        df[: added.shape[1]] += np.diff(added.indptr)
        new = copy.copy(self)
        new.extra = sp.vstack([_widen(self.extra, len(vocab)), added], format="csc")
        new.live = np.r_[self.live, np.ones(len(lengths), dtype=bool)]
        new.live[remove] = False
        new.lengths = np.r_[self.lengths, lengths]
        new.df = df
        new.n = self.n - len(remove) + len(lengths)
        new.total = self.total - int(self.lengths[remove].sum()) + int(lengths.sum())
        new.norm = new._norm()
        return new

    def _norm(self) -> np.ndarray:
        """Each row's length normalization `k1 * (1 - b + b * len / avgdl)`, infinite for dead rows."""
        avgdl = self.total / self.n if self.total else 1.0  # without a word no row is ever scored
        return np.where(self.live, K1 * ((1 - B) + B * self.lengths / avgdl), np.inf)

    def compacted(self) -> Bm25:
        """The live rows, in order, in one matrix."""
        width = self.extra.shape[1]
        rows = sp.vstack([_widen(self.main, width), self.extra], format="csr")[np.flatnonzero(self.live)]
        return Bm25(rows.tocsc(), self.lengths[self.live])

    def scores(self, terms: list[int]) -> np.ndarray:
        """The BM25 score of every row (0 for dead ones) for distinct term ids, as bm25s sums them."""
        out = np.zeros(len(self.live), dtype=np.float32)
        for t in terms:
            df = int(self.df[t]) if t < len(self.df) else 0
            if not df:
                continue
            idf = np.float32(math.log(1 + (self.n - df + 0.5) / (df + 0.5)))
            for matrix, offset in ((self.main, 0), (self.extra, self.main.shape[0])):
                if t >= matrix.shape[1]:
                    continue
                lo, hi = matrix.indptr[t], matrix.indptr[t + 1]
                rows = matrix.indices[lo:hi] + offset
                tf = matrix.data[lo:hi]
                out[rows] += (idf * (tf / (self.norm[rows] + tf))).astype(np.float32)  # 0 for dead rows
        return out


class LexicalIndex:
    """BM25 over passages (title + passage) and over articles (title + all passages), plus idf.

    `chunks[i]` is passage slot i; `doc_ids[j]` is article slot j and `doc_of[i]` the article of
    passage i. Slots of removed articles stay (`live` is False there) until a compaction; `position`
    and `doc_index` map only live ones. Passages are kept grouped by article (new articles are
    appended) so per-article maxima are one `np.maximum.reduceat`. Never changed in place: `updated`
    returns a new index, so a question under way keeps a consistent one.
    """

    def __init__(self, chunks: list[ChunkRecord], titles: list[str], tokens: list[list[str]]) -> None:
        """`tokens[i]` are passage i's tokens without its title; `titles[i]` its article's title."""
        chunks, passages, articles = _documents(chunks, titles, tokens)
        self.vocab: dict[str, int] = {}
        self.passage_bm25 = Bm25.of(passages, self.vocab)
        self.article_bm25 = Bm25.of(articles, self.vocab)
        self._lay_out(chunks, *_grouping(chunks))

    @classmethod
    def from_chunks(cls, chunks: list[ChunkRecord], texts: list[str]) -> LexicalIndex:
        """The index of these passages (`texts[i]` is `chunks[i]`'s text)."""
        return cls(*_parse(chunks, texts))

    def updated(self, remove: Collection[str], chunks: list[ChunkRecord], texts: list[str]) -> LexicalIndex:
        """A copy without the articles `remove` and with the articles of the given chunks added.

        Only the added chunks are tokenized. An article added must not be held: to replace one,
        remove it in the same call.
        """
        chunks, passages, articles = _documents(*_parse(chunks, texts))
        gone = np.array(sorted(self.doc_index[d] for d in remove if d in self.doc_index), dtype=np.int64)
        index = copy.copy(self)
        index.vocab = dict(self.vocab)  # this index may still be read or pickled: never change it
        gone_passages = np.flatnonzero(np.isin(self.doc_of, gone))
        index.passage_bm25 = self.passage_bm25.updated(gone_passages, passages, index.vocab)
        index.article_bm25 = self.article_bm25.updated(gone, articles, index.vocab)
        if index.passage_bm25.stale() > COMPACT_SHARE or index.article_bm25.stale() > COMPACT_SHARE:
            slots = [c for c, alive in zip(self.chunks + chunks, index.live, strict=True) if alive]
            index.passage_bm25 = index.passage_bm25.compacted()
            index.article_bm25 = index.article_bm25.compacted()
            index._lay_out(slots, *_grouping(slots))
        else:  # a new version's slots may follow its old ones: articles are told apart by slot, not id
            doc_ids, doc_of = _grouping(chunks)
            index._lay_out(self.chunks + chunks, self.doc_ids + doc_ids, np.r_[self.doc_of, doc_of + len(self.doc_ids)])
        return index

    def _lay_out(self, chunks: list[ChunkRecord], doc_ids: list[str], doc_of: np.ndarray) -> None:
        """Set the passage slots `chunks`, grouped by article slot `doc_of`, and what derives from them."""
        self.chunks = chunks
        self.doc_ids = doc_ids
        self.doc_of = doc_of
        self.doc_start = np.flatnonzero(np.diff(self.doc_of, prepend=-1))
        self.sources = np.array([c.source.lower() for c in chunks], dtype=object)
        # Each outlet's stored spelling by its lower case: a filter matches in any case, Chroma's `where` exactly.
        self.source_names = {c.source.lower(): c.source for c in chunks}
        self.published = np.array([c.published_ts for c in chunks], dtype=np.int64)
        self.doc_published = np.full(len(self.doc_ids), -1, dtype=np.int64)
        self.doc_published[self.doc_of] = self.published
        live = self.live
        self.position = {c.chunk_id: i for i, (c, alive) in enumerate(zip(chunks, live, strict=True)) if alive}
        self.doc_index = {self.doc_ids[j]: j for j in np.flatnonzero(self.article_bm25.live).tolist()}

    @property
    def live(self) -> np.ndarray:
        """Mask over the passage slots: False for those of removed articles."""
        return self.passage_bm25.live

    @property
    def n(self) -> int:
        """Live passages."""
        return self.passage_bm25.n

    def article_hashes(self) -> dict[str, str]:
        """The version (content hash) of each article held."""
        return {d: self.chunks[self.doc_start[j]].hash for d, j in self.doc_index.items()}

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency over live passages; unseen terms weigh the most."""
        t = self.vocab.get(term)
        df = int(self.passage_bm25.df[t]) if t is not None and t < len(self.passage_bm25.df) else 0
        return math.log(1 + (self.n + 1) / (df + 0.5))

    def passage_scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage slot (zeros when no query term is known, and for dead slots)."""
        return self.passage_bm25.scores(self._terms(query))

    def article_scores(self, query: str) -> np.ndarray:
        """BM25 score of every article slot over its whole text."""
        return self.article_bm25.scores(self._terms(query))

    def _terms(self, query: str) -> list[int]:
        return [self.vocab[t] for t in dict.fromkeys(bm25_tokenizer(query)) if t in self.vocab]

    def term_passages(self, term: str) -> np.ndarray:
        """The live passage slots that hold a (stemmed) term."""
        t = self.vocab.get(term)
        if t is None:
            return np.zeros(0, dtype=np.int64)
        bm25 = self.passage_bm25
        slots = []
        for matrix, offset in ((bm25.main, 0), (bm25.extra, bm25.main.shape[0])):
            if t < matrix.shape[1]:
                slots.append(matrix.indices[matrix.indptr[t] : matrix.indptr[t + 1]] + offset)
        found = np.concatenate(slots) if slots else np.zeros(0, dtype=np.int64)
        return found[bm25.live[found]]

    def passage_at(self, doc_id: str, offset: int) -> int | None:
        """The slot of the passage of an article that holds character `offset`, or None."""
        j = self.doc_index.get(doc_id)
        if j is None:
            return None
        last = int(self.doc_start[j + 1]) if j + 1 < len(self.doc_ids) else len(self.chunks)
        for pos in range(int(self.doc_start[j]), last):
            if self.chunks[pos].start <= offset < self.chunks[pos].end:
                return pos
        return None

    def per_article_max(self, values: np.ndarray) -> np.ndarray:
        """The largest value of each article's passages.

        Example: passages of articles [0, 0, 1] with values [1, 3, 2] -> [3, 2]
        """
        if not len(values):
            return np.zeros(0, dtype=values.dtype)
        return np.maximum.reduceat(values, self.doc_start)

    # cache ----------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to `path` (atomically).

        Small indexes rebuild faster than they load and are not saved; of the saved ones only
        the most recent few are kept (one file per store, so the folder cannot grow without end).
        """
        if self.n < CACHE_MIN_PASSAGES:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((CACHE_FORMAT, self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        saved = sorted(path.parent.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in saved[CACHE_KEEP:]:
            old.unlink(missing_ok=True)

    @staticmethod
    def load(path: Path) -> LexicalIndex | None:
        """The index saved at `path` (of any store generation: it knows its articles' versions), or None."""
        try:
            with open(path, "rb") as f:
                fmt, index = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return None
        return index if fmt == CACHE_FORMAT and isinstance(index, LexicalIndex) else None


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(position, score) of the `k` highest positive scores, best first.

    Example: top_k(np.array([0.0, 2.0, 1.0]), 5) -> [(1, 2.0), (2, 1.0)]
    """
    k = min(k, int((scores > 0).sum()))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(i), float(scores[i])) for i in best]


def _parse(chunks: list[ChunkRecord], texts: list[str]) -> tuple[list[ChunkRecord], list[str], list[list[str]]]:
    return chunks, [c.title for c in chunks], [bm25_tokenizer(t) for t in texts]


def _documents(
    chunks: list[ChunkRecord], titles: list[str], tokens: list[list[str]]
) -> tuple[list[ChunkRecord], list[list[str]], list[list[str]]]:
    """Passages grouped by article (first seen first, by offset within one), the tokens of each
    (title + own) and of each article (title once + every passage's own).

    Example: passages ("a", 50), ("b", 0), ("a", 0) -> ordered ("a", 0), ("a", 50), ("b", 0)
    """
    first_seen = {d: j for j, d in enumerate(dict.fromkeys(c.doc_id for c in chunks))}
    order = sorted(range(len(chunks)), key=lambda i: (first_seen[chunks[i].doc_id], chunks[i].start))
    title_tokens = {t: bm25_tokenizer(t) for t in set(titles)}
    passages: list[list[str]] = []
    articles: dict[str, list[str]] = {}
    for i in order:
        title = title_tokens[titles[i]]
        passages.append(title + tokens[i])
        articles.setdefault(chunks[i].doc_id, list(title)).extend(tokens[i])
    return [chunks[i] for i in order], passages, list(articles.values())


def _grouping(chunks: list[ChunkRecord]) -> tuple[list[str], np.ndarray]:
    """The articles of passages grouped by article, and the article of each passage.

    Example: passages of articles ["b", "b", "a"] -> ["b", "a"], [0, 0, 1]
    """
    doc_ids = list(dict.fromkeys(c.doc_id for c in chunks))
    slot = {d: j for j, d in enumerate(doc_ids)}
    return doc_ids, np.array([slot[c.doc_id] for c in chunks], dtype=np.int64)


def _counts(docs: list[list[str]], vocab: dict[str, int]) -> tuple[sp.csc_matrix, np.ndarray]:
    """Term counts of `docs` (a row each, a column per term id of `vocab`, which grows) and their lengths.

    Example: [["flood", "flood"], ["river"]] -> [[2, 0], [0, 1]], lengths [2, 1]
    """
    ids = [vocab.setdefault(t, len(vocab)) for tokens in docs for t in tokens]
    lengths = np.array([len(tokens) for tokens in docs], dtype=np.int64)
    rows = np.repeat(np.arange(len(docs)), lengths)
    counts = sp.csc_matrix((np.ones(len(ids), dtype=np.float32), (rows, ids)), shape=(len(docs), len(vocab)))
    counts.sum_duplicates()  # counts, not ones
    return counts, lengths


def _widen(matrix: sp.csc_matrix, width: int) -> sp.csc_matrix:
    """`matrix` with empty columns appended up to `width` (terms added to the vocabulary since)."""
    if matrix.shape[1] == width:
        return matrix
    indptr = np.r_[matrix.indptr, np.full(width - matrix.shape[1], matrix.indptr[-1])]
    return sp.csc_matrix((matrix.data, matrix.indices, indptr), shape=(matrix.shape[0], width))
