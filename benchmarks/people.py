"""Latency of who-said-what on the RealTime QA eval index: the people index, speaker answers, the People list.

    QA_BENCH_CACHE=/work/benchcache QA_CACHE_DIR=/tmp/qa-people python -m benchmarks.people

Prints the time to build the people index from the store (first run on a cache folder), to load it
from the cache (a new process), and p50/p95 of 50 speaker questions (persons spread over the People
list, half with a topic, several phrasings) and of the People list (all, and searched by name).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from benchmarks.common import eval_index, machine, report
from qa_app.config import Settings
from qa_app.people import PeopleIndex, fold
from qa_app.people_sync import PeopleSync
from qa_app.qa import QA
from qa_app.text import terms

PHRASINGS = [
    "What did {} say?",
    "What did {} say about {}?",
    "What has {} said?",
    "How did {} respond to the {}?",
    "What was {}'s reaction to the {}?",
    "Quote {} on {}",
]


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds. Example: percentiles([0.001] * 20) -> (1.0, 1.0)"""
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def questions(qa: QA, n: int = 50) -> list[str]:
    """`n` speaker questions about persons spread over the People list (quoted twice or more)."""
    people = [p for p in qa.people() if p.quotes >= 2]
    step = max(1, len(people) // n)
    index = qa.people_index
    asked = []
    for k, person in enumerate(people[::step][:n]):
        key = index.resolve(person.name.lower()) or ""
        doc_id = next(iter(index.quotes_of(key)), None)
        title = index.entries[doc_id].title if doc_id else ""
        topic = next((w for w in title.split() if len(w) > 5 and terms(w)), "war")
        asked.append(PHRASINGS[k % len(PHRASINGS)].format(person.name, topic))
    return asked


def merges(index: PeopleIndex) -> tuple[Counter[str], int]:
    """Quotes of surname-only speakers whose person the surname rules (`qa_app.identity`) changed, by
    (surname, person now), against the rule before them (join only the one full name of the surname)."""
    moved: Counter[str] = Counter()
    for entry in index.entries.values():
        for speaker in entry.speakers:
            key = fold(speaker)
            every = index.rule.every.get(key, [])
            if " " in key or not every:
                continue
            before = every[0] if len(every) == 1 else key
            now = index._person(entry, key)
            moved[f"{speaker} -> {index.names[now]}" if now != key else f"{speaker} (was {before})"] += now != before
    return +moved, sum(moved.values())


def timed(call: object, *args: object) -> float:
    started = time.perf_counter()
    call(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    base = eval_index("onnx")
    settings: Settings = replace(base, cache_dir=Path(Settings.from_env().cache_dir))
    print(machine())
    qa = QA(settings)
    lexical_seconds = timed(lambda: qa.retriever.lexical)
    build = timed(qa.people_sync.refresh)
    built = qa.people_sync.full_builds
    qa.people_sync.wait_saved()
    again = PeopleSync(qa.store, qa.retriever.sync)
    load = timed(again.refresh)
    index = qa.people_index
    print(f"articles {len(index.entries)}, quotes {sum(len(e.quotes) for e in index.entries.values())}, "
          f"people {len(index.by_person)}; lexical index ready in {lexical_seconds:.1f} s")  # fmt: skip
    print(f"people index: {'built' if built else 'loaded and updated'} in {build:.1f} s; cached load {load:.2f} s")
    moved, total = merges(index)
    print(f"surname-only quotes given another person by the surname rules: {total}; the 20 largest moves:")
    for move, n in moved.most_common(20):
        print(f"  {n:5d}  {move}")
    asked = questions(qa)
    qa.ask(asked[0])  # warm: the embedder and the first Chroma read
    speaker = [timed(qa.ask, q) for q in asked]
    listing = [timed(qa.people) for _ in range(20)] + [timed(qa.people, q) for q in ("rutte", "orban", "a") * 5]
    (s50, s95), (l50, l95) = percentiles(speaker), percentiles(listing)
    print(f"speaker answers ({len(asked)}): p50 {s50:.0f} ms, p95 {s95:.0f} ms")
    print(f"People list ({len(listing)}): p50 {l50:.0f} ms, p95 {l95:.0f} ms")
    report("people", {"build_s": round(build, 1), "load_s": round(load, 2), "speaker_p95_ms": round(s95),
                      "people_p95_ms": round(l95)})  # fmt: skip


if __name__ == "__main__":
    main()
