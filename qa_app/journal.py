"""The write journal: which articles are being written or deleted, and by whom, with leases.

Before a writer touches an article's chunks it journals `pending:{doc_id}` (with the new version's
hash, or "" for a deletion) in the store's `qa_meta` collection; it clears the entry once the
article's record (the commit point) and the old version's chunks are dealt with. An entry left
behind means a writer died mid-way: `Store.recover` then sweeps the chunks of versions that never
got committed.

An entry carries a lease (`lease_until`, epoch seconds) that its writer renews from a background
thread every quarter lease while it writes. An entry is swept only when its writer is surely gone:
its lease ran out, or it is this process's own and no longer being written (an error stopped it),
or, embedded, the sweeper holds the write lock, which no live writer can then hold. So writers on
one Chroma server, on any hosts, never sweep each other's chunks in progress, and a killed
writer's are swept once its lease runs out.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

PENDING = "pending:"  # journal entry ids in the meta collection: "pending:{doc_id}"
LEASE_SECONDS = 60.0  # a journal entry's lease; its writer renews it every quarter of that
_PROCESS = uuid.uuid4().hex  # owner of this process's journal entries: unique across hosts and restarts
_IN_FLIGHT: set[str] = set()  # journal ids this process is writing now


class MetaRecords(Protocol):
    """The store's small-record collection, as the journal uses it (see `qa_app.store.Store`)."""

    def put_meta(self, ids: list[str], metas: list[dict[str, Any]]) -> None: ...

    def merge_meta(self, ids: list[str], meta: dict[str, Any]) -> None: ...

    def meta_records(self) -> list[tuple[str, Mapping[str, Any]]]: ...

    def delete_meta(self, ids: list[str]) -> None: ...


class Journal:
    """Journal entries of one store, and the thread that renews this store's leases."""

    def __init__(self, records: MetaRecords, lease_seconds: float = LEASE_SECONDS) -> None:
        self.records = records
        self.lease_seconds = lease_seconds
        self._held: set[str] = set()  # entries whose leases this journal renews
        self._lease_lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    def begin(self, entries: list[tuple[str, str]]) -> None:
        """Journal (doc_id, new hash) pairs, one round trip; "" as hash journals a deletion.

        The entries' leases are renewed by a background thread until `end` or `release`.
        """
        if not entries:
            return
        ids = [PENDING + doc_id for doc_id, _ in entries]
        _IN_FLIGHT.update(ids)
        lease = time.time() + self.lease_seconds
        metas = [
            {"doc_id": doc_id, "hash": content_hash, "owner": _PROCESS, "lease_until": lease}
            for doc_id, content_hash in entries
        ]
        self.records.put_meta(ids, metas)
        with self._lease_lock:
            self._held.update(ids)
            if self._renewer is None:
                self._renewer = threading.Thread(target=self._renew_leases, name="journal-lease", daemon=True)
                self._renewer.start()

    def end(self, doc_ids: list[str]) -> None:
        """Clear these articles' entries: their writes are done."""
        ids = [PENDING + doc_id for doc_id in doc_ids]
        self._stop_renewing(ids)
        if ids:
            self.records.delete_meta(ids)
        _IN_FLIGHT.difference_update(ids)

    def release(self, doc_ids: list[str]) -> None:
        """Stop writing these articles, whether `end` ran or not (after an error their entries
        stay, for `Store.recover`, which may then sweep them at once as this process's own)."""
        ids = [PENDING + doc_id for doc_id in doc_ids]
        self._stop_renewing(ids)
        _IN_FLIGHT.difference_update(ids)

    def abandoned(self, *, exclusive: bool) -> dict[str, str]:
        """{entry id: doc_id} of the entries whose writers are surely gone.

        `exclusive`: the caller holds the write lock of an embedded store, so no other writer lives.
        """
        now = time.time()

        def gone(journal_id: str, meta: Mapping[str, Any]) -> bool:
            if journal_id in _IN_FLIGHT:
                return False
            if exclusive or meta.get("owner") == _PROCESS:
                return True
            lease_until = meta.get("lease_until")
            return not isinstance(lease_until, int | float) or lease_until < now

        return {i: str(m["doc_id"]) for i, m in self.records.meta_records() if i.startswith(PENDING) and gone(i, m)}

    def pending(self) -> list[str]:
        """The doc ids of every entry, live or abandoned."""
        return [i.removeprefix(PENDING) for i, _ in self.records.meta_records() if i.startswith(PENDING)]

    def _stop_renewing(self, ids: list[str]) -> None:
        # Under the lock: a renewal under way finishes first, so it never brings back a deleted entry.
        with self._lease_lock:
            self._held.difference_update(ids)

    def _renew_leases(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 4)
            with self._lease_lock:
                ids = sorted(self._held)
                if not ids:
                    self._renewer = None
                    return
                # `merge_meta` skips ids that are gone. A failed renewal (a server restarting) is
                # tried again next time: the lease outlasts three of them.
                with contextlib.suppress(Exception):
                    self.records.merge_meta(ids, {"lease_until": time.time() + self.lease_seconds})
