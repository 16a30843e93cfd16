"""What the store holds, as plain records: an article, a chunk (passage) and a new article version.

The metadata schema of both collections is spelled here and nowhere else: `ArticleRecord` and
`ChunkRecord` turn themselves into Chroma metadata (`to_metadata`) and back (`from_metadata`).
Chroma metadata values are flat (str, int, float, bool), so lists are stored as JSON and a
missing date as "" (with `published_ts` -1, as filters need numbers).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def published_ts(published: str | None) -> int:
    """Days since 1970-01-01 of an ISO date, or -1 when unknown (Chroma filters need numbers).

    Example: published_ts("1970-01-02") -> 1
    """
    if not published:
        return -1
    try:
        day = dt.date.fromisoformat(published[:10])
    except ValueError:
        return -1
    return (day - dt.date(1970, 1, 1)).days


def chunk_id(doc_id: str, content_hash: str, n: int) -> str:
    """The id of passage `n` of one version of an article: the hash keeps versions apart.

    Example: chunk_id("a.txt", "0123456789abcdef", 2) -> "a.txt:0123456789ab:2"
    """
    return f"{doc_id}:{content_hash[:12]}:{n}"


@dataclass
class ArticleRecord:
    """An article as stored: metadata plus the cleaned text that citations index into."""

    doc_id: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    authors: list[str]
    hash: str
    chunks: int
    origin: str
    text_hash: str = ""
    text: str = ""
    quotes: list[dict[str, Any]] = field(default_factory=list)
    # The `qa_app.quotes.RULES_VERSION` that found `quotes`; 0 for records stored before versions were kept.
    # Readers find the quotes of an older version again from the text (qa_app/people_sync.py).
    quotes_version: int = 0

    def to_metadata(self) -> dict[str, Any]:
        """The record's Chroma metadata (the text is the record's document)."""
        return {
            "title": self.title,
            "source": self.source or "",
            "published": self.published or "",
            "published_ts": published_ts(self.published),
            "url": self.url or "",
            "authors": json.dumps(self.authors),
            "hash": self.hash,
            "text_hash": self.text_hash,
            "chunks": self.chunks,
            "origin": self.origin,
            "quotes": json.dumps(self.quotes),
            "quotes_version": self.quotes_version,
        }

    @classmethod
    def from_metadata(cls, doc_id: str, meta: Mapping[str, Any], text: str | None) -> ArticleRecord:
        return cls(
            doc_id=doc_id,
            title=meta.get("title") or doc_id,
            source=meta.get("source") or None,
            published=meta.get("published") or None,
            url=meta.get("url") or None,
            authors=json.loads(meta.get("authors") or "[]"),
            hash=meta["hash"],
            chunks=int(meta.get("chunks", 0)),
            origin=meta.get("origin", ""),
            text_hash=meta.get("text_hash", ""),
            text=text or "",
            quotes=json.loads(meta.get("quotes") or "[]"),
            quotes_version=int(meta.get("quotes_version") or 0),
        )


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """A passage as stored: `text[start:end]` of one version (`hash`) of an article, its `n`th.

    The lexical index keeps one per passage (48k at the eval index), so it has slots and its
    repeated strings (title, source, date) are interned by `from_metadata`.
    """

    chunk_id: str
    doc_id: str
    hash: str
    n: int
    start: int
    end: int
    title: str = ""
    source: str = ""
    published: str = ""
    published_ts: int = -1

    @classmethod
    def new(
        cls, doc_id: str, content_hash: str, n: int, span: tuple[int, int], *, title: str, source: str, published: str
    ) -> ChunkRecord:
        """Passage `n` (characters `span`) of an article version, its id and day number derived."""
        return cls(
            chunk_id(doc_id, content_hash, n), doc_id, content_hash, n, *span, title, source, published,
            published_ts(published),
        )  # fmt: skip

    def to_metadata(self) -> dict[str, Any]:
        """The chunk's Chroma metadata (its id is the record id, its text the document)."""
        return {
            "doc_id": self.doc_id,
            "hash": self.hash,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "published_ts": self.published_ts,
            "n": self.n,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_metadata(cls, chunk_id: str, meta: Mapping[str, Any]) -> ChunkRecord:
        """Read back what `to_metadata` wrote; fields missing from older or hand-made records take defaults.

        Example: ChunkRecord.from_metadata("a:h:0", {"doc_id": "a", "hash": "h"}).n -> -1
        """
        return cls(
            chunk_id=chunk_id,
            doc_id=str(meta["doc_id"]),
            hash=str(meta["hash"]),
            n=int(meta.get("n", -1)),
            start=int(meta.get("start", -1)),
            end=int(meta.get("end", -1)),
            title=sys.intern(str(meta.get("title", ""))),
            source=sys.intern(str(meta.get("source", ""))),
            published=sys.intern(str(meta.get("published", ""))),
            published_ts=int(meta.get("published_ts", -1)),
        )


@dataclass
class ArticleWrite:
    """A new version of an article: its record, its chunks (llama-index `TextNode`s with their
    embeddings, see `qa_app.store.chunk_nodes`), its unit mean vector, and the chunk ids of the
    version it replaces."""

    record: ArticleRecord
    nodes: list[Any]
    vector: np.ndarray
    replaces: list[str] = field(default_factory=list)
