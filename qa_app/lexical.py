"""The lexical side of retrieval: BM25 (bm25s) over passages and over whole articles.

The index is derived state: built from the store's chunks and kept in memory, refreshed when
the store's generation changes (so any number of app replicas can share one Chroma server).
Building it means tokenizing every passage (13 s for 48k passages), so a large store's index is
saved to a cache file tagged with the store's generation and loaded by the next process (0.5 s).
The file is a pickle in the user's own cache folder (`QA_CACHE_DIR/lexical`), read only when its
generation matches.
"""

from __future__ import annotations

import math
import os
import pickle
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa_app.text import bm25_tokenizer

CACHE_FORMAT = 1
CACHE_MIN_PASSAGES = 2000  # below this a rebuild takes well under a second
CACHE_KEEP = 4  # saved indexes kept, most recent first


@dataclass(frozen=True)
class ChunkInfo:
    """What retrieval needs to know of a passage without asking the store."""

    chunk_id: str
    doc_id: str
    hash: str
    start: int
    end: int
    published_ts: int
    source: str


def chunk_info(chunk_id: str, meta: dict[str, Any]) -> ChunkInfo:
    return ChunkInfo(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        hash=str(meta["hash"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        published_ts=int(meta.get("published_ts", -1)),
        source=str(meta.get("source", "")),
    )


class LexicalIndex:
    """BM25 over passages (title + passage) and over articles (title + all passages), plus idf.

    `chunks[i]` is passage i; `doc_ids[j]` is article j and `doc_of[i]` the article of passage i.
    Passages are kept grouped by article (in article order) so per-article maxima are one
    `np.maximum.reduceat`.
    """

    def __init__(self, chunks: list[ChunkInfo], titles: list[str], tokens: list[list[str]]) -> None:
        """`tokens[i]` are passage i's tokens without its title; `titles[i]` its article's title."""
        first_seen = {d: j for j, d in enumerate(dict.fromkeys(c.doc_id for c in chunks))}
        order = sorted(range(len(chunks)), key=lambda i: (first_seen[chunks[i].doc_id], chunks[i].start))
        chunks, titles, tokens = [chunks[i] for i in order], [titles[i] for i in order], [tokens[i] for i in order]
        self.chunks = chunks
        self.position = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.doc_ids = list(dict.fromkeys(c.doc_id for c in chunks))
        doc_index = {d: j for j, d in enumerate(self.doc_ids)}
        self.doc_of = np.array([doc_index[c.doc_id] for c in chunks], dtype=np.int64)
        self.doc_start = np.flatnonzero(np.r_[True, self.doc_of[1:] != self.doc_of[:-1]]) if chunks else self.doc_of
        self.sources = np.array([c.source.lower() for c in chunks], dtype=object)
        self.published = np.array([c.published_ts for c in chunks], dtype=np.int64)
        self.doc_published = np.full(len(self.doc_ids), -1, dtype=np.int64)
        self.doc_published[self.doc_of] = self.published
        title_tokens = {t: bm25_tokenizer(t) for t in set(titles)}
        passages = [title_tokens[t] + toks for t, toks in zip(titles, tokens, strict=True)]
        articles: list[list[str]] = [[] for _ in self.doc_ids]
        for i, (title, toks) in enumerate(zip(titles, tokens, strict=True)):
            article = articles[self.doc_of[i]]
            if not article:
                article += title_tokens[title]
            article += toks
        self.df: Counter[str] = Counter()
        for toks in passages:
            self.df.update(set(toks))
        self.n = len(passages)
        self.passage_bm25 = _bm25(passages)
        self.article_bm25 = _bm25(articles)

    @classmethod
    def from_texts(cls, chunk_ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> LexicalIndex:
        chunks = [chunk_info(cid, m) for cid, m in zip(chunk_ids, metas, strict=True)]
        return cls(chunks, [str(m.get("title", "")) for m in metas], [bm25_tokenizer(t) for t in texts])

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unseen terms weigh the most."""
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def passage_scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is known)."""
        return _scores(self.passage_bm25, bm25_tokenizer(query), self.n)

    def article_scores(self, query: str) -> np.ndarray:
        """BM25 score of every article over its whole text."""
        return _scores(self.article_bm25, bm25_tokenizer(query), len(self.doc_ids))

    def per_article_max(self, values: np.ndarray) -> np.ndarray:
        """The largest value of each article's passages.

        Example: passages of articles [0, 0, 1] with values [1, 3, 2] -> [3, 2]
        """
        if not len(values):
            return np.zeros(0, dtype=values.dtype)
        return np.maximum.reduceat(values, self.doc_start)

    # cache ----------------------------------------------------------------------------------
    def save(self, path: Path, key: str) -> None:
        """Write the index to `path` (atomically), tagged with `key` (the store generation).

        Small indexes rebuild faster than they load and are not saved; of the saved ones only
        the most recent few are kept (one file per store, so the folder cannot grow without end).
        """
        if self.n < CACHE_MIN_PASSAGES:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((CACHE_FORMAT, key, self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        saved = sorted(path.parent.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in saved[CACHE_KEEP:]:
            old.unlink(missing_ok=True)

    @staticmethod
    def load(path: Path, key: str) -> LexicalIndex | None:
        """The index saved at `path` for `key`, or None (missing, stale or unreadable)."""
        try:
            with open(path, "rb") as f:
                fmt, saved_key, index = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
            return None
        return index if fmt == CACHE_FORMAT and saved_key == key and isinstance(index, LexicalIndex) else None


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


def _bm25(tokenized: list[list[str]]) -> Any:
    import bm25s
    from bm25s.tokenization import Tokenized

    if not tokenized:
        return None
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in tokens] for tokens in tokenized]
    model = bm25s.BM25()
    model.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
    return model


def _scores(model: Any, tokens: list[str], size: int) -> np.ndarray:
    if model is None:
        return np.zeros(size, dtype=np.float32)
    known = [model.vocab_dict[t] for t in dict.fromkeys(tokens) if t in model.vocab_dict]
    if not known:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(model.get_scores(known), dtype=np.float32)
