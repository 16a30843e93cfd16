"""Latency of `ask` in a warm process at about 1k, 10k and 40k passages.

The smaller stores are slices of the RealTime QA eval index: whole articles (evidence articles of
the questions first) copied with their stored vectors into a scratch Chroma store, so nothing is
re-embedded. The largest is a copy of the eval index itself (it is written to). For each size it
reports the lexical index build (tokenizing every passage; what the first question pays when there
is no index yet, in memory or cached), loading the cached index instead, the first `ask`, then
p50/p95 of the following ones (questions of the test split, each with its date as "as of"), and
p95 with an outlet filter (the most common outlet) and with a date range of the 30 days before the
question; then the BM25 scoring of a question (passages and articles), and what the next question
pays to update the lexical index after one article is deleted from the store and after it is added
back (copied with its vectors, as another process's ingest would write it).

    python -m benchmarks.latency
    python -m benchmarks.latency --sizes 1000,10000 --questions 50 --index DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import QUESTIONS, machine, report
from benchmarks.quality import find_index
from qa_app.config import Settings
from qa_app.retrieve import Filters, Retriever
from qa_app.store import Store


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method.

    Example: percentile([1, 2, 3, 4], 50) -> 2
    """
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def copy_slice(source: Store, target: Store, chunks: int, first: list[str]) -> int:
    """Copy whole articles (those in `first` first) until about `chunks` passages; return the count."""
    per_doc: dict[str, list[str]] = {}
    for cid, doc_id, _ in source.chunk_keys():
        per_doc.setdefault(doc_id, []).append(cid)
    order = [d for d in first if d in per_doc] + sorted(d for d in per_doc if d not in set(first))
    chosen: list[str] = []
    total = 0
    for doc_id in order:
        if total >= chunks:
            break
        chosen.append(doc_id)
        total += len(per_doc[doc_id])
    target.restore(source.snapshot(chosen))
    target.bump()
    return total


def month_before(day: str) -> str:
    """The date 30 days before an ISO date.

    Example: month_before("2022-07-31") -> "2022-07-01"
    """
    return (dt.date.fromisoformat(day) - dt.timedelta(days=30)).isoformat()


def timed(qa: Any, questions: list[dict[str, Any]], filters: Callable[[dict[str, Any]], Filters]) -> list[float]:
    """Milliseconds of `ask` for each question."""
    times = []
    for q in questions:
        started = time.perf_counter()
        qa.ask(q["question"], None, filters(q))
        times.append((time.perf_counter() - started) * 1000)
    return times


def updates(store: Store, retriever: Retriever) -> tuple[float, float]:
    """Seconds `retriever.refresh` takes after an article of median length is deleted from the store,
    then after it is added back with its vectors (no full build either time)."""
    lexical = retriever.lexical
    sizes = np.diff(np.r_[lexical.doc_start, len(lexical.chunks)])
    by_size = sorted(lexical.doc_index, key=lambda d: sizes[lexical.doc_index[d]])
    doc_id = by_size[len(by_size) // 2]
    copy = store.snapshot([doc_id])
    builds = retriever.full_builds
    store.delete_article(doc_id)
    store.bump()
    started = time.perf_counter()
    retriever.refresh()
    deleted = time.perf_counter() - started
    retriever.wait_saved()  # the cache write runs in the background; keep it out of the next figure
    store.restore(copy)
    store.bump()
    started = time.perf_counter()
    retriever.refresh()
    added = time.perf_counter() - started
    retriever.wait_saved()
    assert retriever.full_builds == builds and doc_id in retriever.lexical.doc_index
    return added, deleted


def measure(settings: Settings, questions: list[dict[str, Any]], embedder: Any) -> dict[str, float]:
    from qa_app.qa import QA

    store = Store(settings, embedder)
    started = time.perf_counter()
    built = Retriever(store, embedder)
    built.refresh(force=True)  # tokenize everything
    rebuild = time.perf_counter() - started
    built.wait_saved()  # the cache file, written in the background
    started = time.perf_counter()
    Retriever(store, embedder).refresh()  # what a restart costs with the cache
    cached = time.perf_counter() - started
    qa = QA(settings, embedder)
    started = time.perf_counter()
    qa.ask(questions[0]["question"], None, Filters(as_of=questions[0]["question_date"]))
    first = time.perf_counter() - started
    times = timed(qa, questions[1:], lambda q: Filters(as_of=q["question_date"]))
    outlet = Counter(r.source for r in qa.store.list_articles() if r.source).most_common(1)[0][0]
    by_outlet = timed(qa, questions[1:], lambda q: Filters(source=outlet, as_of=q["question_date"]))
    by_month = timed(
        qa, questions[1:], lambda q: Filters(date_from=month_before(q["question_date"]), date_to=q["question_date"])
    )
    lexical = qa.retriever.lexical
    started = time.perf_counter()
    for q in questions:
        lexical.passage_scores(q["question"])
        lexical.article_scores(q["question"])
    scoring = (time.perf_counter() - started) / len(questions)
    added, deleted = updates(qa.store, qa.retriever)
    return {
        "scoring_ms": scoring * 1000,
        "added_ms": added * 1000,
        "deleted_ms": deleted * 1000,
        "outlet_p95": percentile(by_outlet, 95),
        "month_p95": percentile(by_month, 95),
        "chunks": qa.retriever.lexical.n,
        "articles": qa.retriever.article_count(),
        "rebuild_s": rebuild,
        "cached_s": cached,
        "first_ms": first * 1000,
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        "n": len(times),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="the Chroma index of the RealTime QA corpus")
    parser.add_argument("--backend", choices=["torch", "onnx"], help="the embedder the index was built with")
    parser.add_argument("--sizes", default="1000,10000,full", help="passage counts; 'full' is the whole index")
    parser.add_argument("--questions", type=int, default=100, help="questions timed per size")
    args = parser.parse_args(argv)

    from qa_app.embed import load_embedder

    full = find_index(args.index, args.backend)
    embedder = load_embedder(full)
    embedder.warm()
    every = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    questions = [q for q in every if q["split"] == "test"]
    questions = (questions * (1 + args.questions // max(1, len(questions))))[: args.questions + 1]
    evidence = list(dict.fromkeys(e["article_id"] for q in questions for e in q["evidence"]))
    print(f"# {machine()}")
    print(
        "| passages | articles | lexical build, no cache (s) | cached load (s) | first ask (ms) | p50 (ms) | p95 (ms) "
        "| p95, outlet filter (ms) | p95, 30-day date range (ms) | BM25 scoring (ms) "
        "| update, one article added (ms) | update, one article deleted (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            cache = Path(tmp) / f"cache-{size}"
            if size == "full":
                settings = replace(full, index_dir=Path(tmp) / "index-full", cache_dir=cache)
                shutil.copytree(full.index_dir, settings.index_dir)  # never write to the eval index
            else:
                settings = replace(full, index_dir=Path(tmp) / f"index-{size}", cache_dir=cache)
                copy_slice(Store(full, embedder), Store(settings, embedder), int(size), evidence)
            m = measure(settings, questions, embedder)
            print(
                f"| {m['chunks']:,} | {m['articles']:,} | {m['rebuild_s']:.1f} | {m['cached_s']:.1f} | "
                f"{m['first_ms']:.0f} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {m['outlet_p95']:.0f} | "
                f"{m['month_p95']:.0f} | {m['scoring_ms']:.1f} | {m['added_ms']:.0f} | {m['deleted_ms']:.0f} |"
            )
            figures = {k: round(float(m[k]), 1) for k in ("p50_ms", "p95_ms", "added_ms", "deleted_ms")}
            report(f"latency at {m['chunks']:,} passages", figures)


if __name__ == "__main__":
    main()
