"""The lexical side of retrieval: BM25 (bm25s) over passages, rebuilt when the store changes.

The index is derived state: built from the store's chunks and kept in memory, refreshed when
the store's generation changes (so any number of app replicas can share one Chroma server).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa_app.text import bm25_tokenizer


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


class LexicalIndex:
    """BM25 over passage texts, plus document frequencies for term weighting."""

    def __init__(self, chunk_ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
        import bm25s

        self.chunks = [
            ChunkInfo(
                chunk_id=cid,
                doc_id=str(m["doc_id"]),
                hash=str(m["hash"]),
                start=int(m["start"]),
                end=int(m["end"]),
                published_ts=int(m.get("published_ts", -1)),
                source=str(m.get("source", "")),
            )
            for cid, m in zip(chunk_ids, metas, strict=True)
        ]
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        tokenized = [bm25_tokenizer(f"{m.get('title', '')} {t}") for t, m in zip(texts, metas, strict=True)]
        self.df: Counter[str] = Counter()
        for tokens in tokenized:
            self.df.update(set(tokens))
        self.n = len(tokenized)
        self.bm25: Any = None
        if tokenized:
            self.bm25 = bm25s.BM25()
            self.bm25.index(_as_tokenized(tokenized), show_progress=False)
            self.vocab = self.bm25.vocab_dict

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unseen terms weigh the most."""
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk position, score) of the best `k` passages, allowed ones only when `mask` is given."""
        if self.bm25 is None:
            return []
        tokens = [t for t in bm25_tokenizer(query) if t in self.vocab]
        if not tokens:
            return []
        k = min(k, self.n)
        ids, scores = self.bm25.retrieve(
            [[self.vocab[t] for t in tokens]], k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


def _as_tokenized(tokenized: list[list[str]]) -> Any:
    """bm25s's Tokenized form: ids per document plus the vocabulary."""
    from bm25s.tokenization import Tokenized

    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in tokens] for tokens in tokenized]
    return Tokenized(ids=ids, vocab=vocab)
