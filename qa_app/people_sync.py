"""Keep the people index in step with the store, and cache it (and quotes found again) on disk.

The people index follows the lexical index (`qa_app.lexical_sync.LexicalSync`): that one already
notices when this process or another wrote to the store (a new generation) and holds the committed
version (content hash) of every article. When the lexical index is a new object, the articles whose
version changed or that are gone are dropped from the people index and the new versions read from
the store (records and text) and added. Nothing is written to the store: what is derived goes to
`QA_CACHE_DIR`:

- `people/<store>.pkl`: every article's entry as a plain tuple (`Entry.row`), one file per store (its
  place and collection id), so the next process loads it (well under a second for 70k quotes; the
  people are derived again from the entries) and reads only what changed.
- `quotes.sqlite`: quotes found again, by article hash and `quotes.RULES_VERSION`. A stored article
  whose quotes an older version of the rules found is read with the current rules, from its stored
  text, without re-embedding; the cache makes that a one-time cost per version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa_app.lexical import LexicalIndex
from qa_app.lexical_sync import LexicalSync
from qa_app.people import Entry, PeopleIndex, make_entry
from qa_app.quotes import RULES_VERSION, find_quotes
from qa_app.records import ArticleRecord
from qa_app.store import Store

CACHE_FORMAT = 2  # 2: entries as plain tuples, titles before speakers' names
CACHE_MIN_ARTICLES = 200  # a smaller index rebuilds in well under a second (hand-set, not tuned)
READ_PAGE = 200  # articles read from the store per call (hand-set)


class QuoteCache:
    """Quotes found again by the current rules, by (article hash, rules version), in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS quotes (hash TEXT, version INT, quotes TEXT, PRIMARY KEY (hash, version))"
            )
            yield db
            db.commit()
        finally:
            db.close()

    def quotes(self, records: list[ArticleRecord]) -> dict[str, list[dict[str, Any]]]:
        """{doc_id: quotes} of these records by the current rules: stored, cached or found now (and cached)."""
        found = {r.doc_id: r.quotes for r in records if r.quotes_version >= RULES_VERSION}
        old = [r for r in records if r.doc_id not in found]
        if not old:
            return found
        cached: dict[str, list[dict[str, Any]]] = {}
        # No cache (read-only, broken): the quotes are found each time.
        with contextlib.suppress(OSError, sqlite3.Error), self._db() as db:
            marks = ",".join("?" * len(old))
            rows = db.execute(
                f"SELECT hash, quotes FROM quotes WHERE version = ? AND hash IN ({marks})",
                [RULES_VERSION, *(r.hash for r in old)],
            )
            cached = {h: json.loads(q) for h, q in rows}
        new = {r.hash: [q.to_dict() for q in find_quotes(r.text)] for r in old if r.hash not in cached}
        if new:
            with contextlib.suppress(OSError, sqlite3.Error), self._db() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO quotes VALUES (?, ?, ?)",
                    [(h, RULES_VERSION, json.dumps(q)) for h, q in new.items()],
                )
        return found | {r.doc_id: cached.get(r.hash, new.get(r.hash, [])) for r in old}


class PeopleSync:
    """The people index of one store, refreshed whenever its lexical index changes."""

    def __init__(self, store: Store, lexical: LexicalSync) -> None:
        self.store = store
        self.lexical = lexical
        self.full_builds = 0  # indexes built from every article (not loaded or updated)
        self.quote_cache = QuoteCache(store.settings.cache_dir / "quotes.sqlite")
        self._basis: LexicalIndex | None = None  # the lexical index the people index was brought in step with
        self._index: PeopleIndex | None = None
        self._saved: PeopleIndex | None = None
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._saver: threading.Thread | None = None

    @property
    def index(self) -> PeopleIndex:
        """The people index, brought in step with the store first (a few µs when nothing changed)."""
        self.refresh()
        assert self._index is not None
        return self._index

    def refresh(self) -> None:
        """Drop the articles whose version changed or that are gone, and read the new versions.

        The new index is swapped in whole, so a question under way keeps the one it started with,
        and saved to the cache by a background thread.
        """
        basis = self.lexical.lexical  # refreshed: another process's writes are seen here
        if basis is self._basis and self._index is not None:
            return
        with self._lock:
            basis = self.lexical.lexical
            if basis is self._basis and self._index is not None:
                return
            hashes = basis.article_hashes()
            index = self._index or self._load()
            if index is None:
                self.full_builds += 1
                index = PeopleIndex({})
            gone = [d for d, e in index.entries.items() if hashes.get(d) != e.hash]
            new = [d for d, h in hashes.items() if d not in index.entries or index.entries[d].hash != h]
            if gone or new:
                index = index.updated(gone, self._entries(new))
            self._index, self._basis = index, basis
            if index is not self._saved and len(index.entries) >= CACHE_MIN_ARTICLES:
                self._saver = threading.Thread(target=self._save, name="people-cache")
                self._saver.start()

    def _entries(self, doc_ids: list[str]) -> list[Entry]:
        """Entries of the stored versions of these articles (a page of records and texts at a time)."""
        entries = []
        for start in range(0, len(doc_ids), READ_PAGE):
            records = list(self.store.get_articles(doc_ids[start : start + READ_PAGE]).values())
            quotes = self.quote_cache.quotes(records)
            entries += [make_entry(r, quotes[r.doc_id]) for r in records]
        return entries

    def wait_saved(self) -> None:
        """Wait for the cache write under way, if any."""
        if self._saver is not None:
            self._saver.join()

    def _cache_path(self) -> Path:
        """One file per store, named as the lexical cache names its own (place and collection id)."""
        settings = self.store.settings
        where = settings.chroma_url or str(settings.index_dir.resolve())
        name = hashlib.sha256(f"{where}|{self.store.collection_id()}".encode()).hexdigest()[:16]
        return settings.cache_dir / "people" / f"{name}.pkl"

    def _load(self) -> PeopleIndex | None:
        """The saved index if it was made by this format and these rules, else None."""
        try:
            with open(self._cache_path(), "rb") as f:
                fmt, version, rows = pickle.load(f)
            if fmt != CACHE_FORMAT or version != RULES_VERSION:
                return None
            index = PeopleIndex({row[0]: Entry(*row) for row in rows})
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return None
        self._saved = index
        return index

    def _save(self) -> None:
        """Write the current index to the cache (atomically) unless it is there already."""
        with self._save_lock:
            index = self._index
            if index is None or index is self._saved:
                return
            path = self._cache_path()
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with contextlib.suppress(OSError):  # a read-only cache only costs the next process a build
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as f:
                    rows = [entry.row() for entry in index.entries.values()]
                    pickle.dump((CACHE_FORMAT, RULES_VERSION, rows), f, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
            self._saved = index
