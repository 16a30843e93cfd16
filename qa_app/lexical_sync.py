"""Keep a lexical index in step with the store: refresh on a new generation, load and save the cache.

The index itself (`qa_app.lexical.LexicalIndex`) is derived state. `LexicalSync` decides when to
update it (the store's generation changed), which articles to remove and add (their committed
version differs from the one held), and where its cache file lives (one per store); a question
reads `LexicalSync.lexical` and ranks with it (qa_app/retrieve.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

from qa_app.lexical import LexicalIndex
from qa_app.records import ChunkRecord
from qa_app.store import Store


class LexicalSync:
    """The lexical index of one store, updated when the store's generation changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.full_builds = 0  # lexical indexes built from every chunk (not loaded or updated)
        self._generation: str | None = None
        self._lexical: LexicalIndex | None = None
        self._lock = threading.Lock()
        self._saved: LexicalIndex | None = None  # the index last written to (or read from) the cache
        self._save_lock = threading.Lock()
        self._saver: threading.Thread | None = None

    @property
    def lexical(self) -> LexicalIndex:
        """The index, refreshed first (a few µs when nothing changed)."""
        self.refresh()
        assert self._lexical is not None
        return self._lexical

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

    def wait_saved(self) -> None:
        """Wait for the cache write under way, if any."""
        if self._saver is not None:
            self._saver.join()

    def _cache_path(self) -> Path:
        """One cache file per store: its place (embedded folder or server URL) and its collection's id.

        A store deleted and ingested again at the same place has a new collection, so the index of
        the old one (whose chunks may have been cut differently) is never taken for it.
        """
        settings = self.store.settings
        where = settings.chroma_url or str(settings.index_dir.resolve())
        name = hashlib.sha256(f"{where}|{self.store.collection_id()}".encode()).hexdigest()[:16]
        return settings.cache_dir / "lexical" / f"{name}.pkl"

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
