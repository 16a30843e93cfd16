"""Check a store's invariants: every article has all its chunks, once, and nothing is left over."""

from __future__ import annotations

from collections import Counter

from qa_app.records import chunk_id
from qa_app.store import Store


def audit(store: Store, *, committed_only: bool = False) -> list[str]:
    """Problems found, one line each; an empty list means the store is consistent.

    Checks: each article record has exactly `chunks` chunks of its committed hash, numbered
    0..chunks-1 (their ids as `chunk_id` makes them), each once; no chunk belongs to a missing
    article or to a version that was never committed; no journal entry is left. With
    `committed_only`, only what a reader sees: each record with all its chunks (stale or
    uncommitted chunks and journal entries, which readers never see, are allowed, as right
    after a crash).
    """
    records = {r.doc_id: r for r in store.list_articles()}
    found: dict[str, Counter[str]] = {doc_id: Counter() for doc_id in records}
    problems: list[str] = []
    for chunks, _ in store.all_chunks(texts=False):
        for chunk in chunks:
            record = records.get(chunk.doc_id)
            if record is not None and record.hash == chunk.hash:
                found[chunk.doc_id][chunk_id(chunk.doc_id, chunk.hash, chunk.n)] += 1
                if chunk.chunk_id != chunk_id(chunk.doc_id, chunk.hash, chunk.n):
                    problems.append(f"chunk {chunk.chunk_id} is numbered {chunk.n}")
            elif committed_only:
                continue
            elif record is None:
                problems.append(f"orphan chunk {chunk.chunk_id} (no article record)")
            else:
                problems.append(f"stale chunk {chunk.chunk_id} (hash {chunk.hash[:12]} is not the committed one)")
    for doc_id, record in records.items():
        expected = Counter(chunk_id(doc_id, record.hash, n) for n in range(record.chunks))
        if found[doc_id] != expected:
            problems.append(f"{doc_id}: {sum(found[doc_id].values())} chunks, expected {record.chunks}")
        doubled = sorted(cid for cid, count in found[doc_id].items() if count > 1)
        if doubled:
            problems.append(f"{doc_id}: chunks {doubled} stored more than once")
    if not committed_only:
        problems += [f"journal entry left: {doc_id}" for doc_id in store.journal.pending()]
    return problems
