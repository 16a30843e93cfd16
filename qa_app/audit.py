"""Check a store's invariants: every article has all its chunks, once, and no chunk is orphaned."""

from __future__ import annotations

from collections import Counter

from qa_app.store import Store


def audit(store: Store) -> list[str]:
    """Problems found, one line each; an empty list means the store is consistent.

    Checks: each article record has exactly `chunks` chunks of its committed hash, numbered
    0..chunks-1; no chunk belongs to a missing article or to a version that was never committed.
    """
    records = {r.doc_id: r for r in store.list_articles()}
    per_doc: dict[str, Counter[int]] = {}
    problems: list[str] = []
    for _, metas, _ in store.all_chunks():
        for meta in metas:
            doc_id, content_hash = str(meta["doc_id"]), str(meta["hash"])
            record = records.get(doc_id)
            if record is None:
                problems.append(f"orphan chunk of {doc_id} (no article record)")
            elif record.hash != content_hash:
                problems.append(f"stale chunk of {doc_id} (hash {content_hash[:12]} is not the committed one)")
            else:
                per_doc.setdefault(doc_id, Counter())[int(meta["n"])] += 1
    for doc_id, record in records.items():
        numbers = per_doc.get(doc_id, Counter())
        if sorted(numbers) != list(range(record.chunks)):
            problems.append(f"{doc_id}: has chunks {sorted(numbers)}, expected 0..{record.chunks - 1}")
        doubled = [n for n, count in numbers.items() if count > 1]
        if doubled:
            problems.append(f"{doc_id}: chunks {doubled} stored more than once")
    return problems
