"""Crash safety: an ingest stopped at any step, or killed with SIGKILL, leaves a consistent index
once the next ingest has run.

Consistent: every article record has exactly its `chunks` chunks, all of its committed hash;
no chunk without a record; no journal entry left; the vector index holds every chunk.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from qa_app.audit import audit
from qa_app.config import Settings
from qa_app.store import Store
from tests.conftest import ROOT, TEST_CACHE

WORDS = ["harbour", "council", "bridge", "mayor", "river", "festival", "budget", "school", "station", "market"]
WORDS += ["library", "museum", "railway", "airport", "hospital", "ferry", "tunnel", "stadium", "garden", "theatre"]


def write_articles(folder: Path, n: int, *, paragraphs: int = 6, seed: int = 0, start: int = 0) -> list[str]:
    """`n` small distinct articles as text files; their doc ids."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(start, start + n):
        body = []
        for p in range(paragraphs):
            words = " ".join(rng.choice(WORDS) for _ in range(18))
            body.append(f"In report {i}, part {p}, the {words} plan was approved by {rng.randint(2, 99)} votes.")
        name = f"report-{i:03d}.txt"
        (folder / name).write_text(f"Town Report Number {i} Is Out\n\n" + "\n\n".join(body) + "\n")
        names.append(name)
    return names


def vectors_missing(store: Store) -> list[str]:
    """Chunks the vector index cannot find by their own embedding."""
    missing = []
    offset = 0
    while True:
        got = store.chunks.get(include=["embeddings"], limit=500, offset=offset)
        if not got["ids"]:
            return missing
        hits = store.chunks.query(query_embeddings=got["embeddings"], n_results=1, include=[])
        missing += [cid for cid, ids in zip(got["ids"], hits["ids"], strict=True) if ids != [cid]]
        offset += len(got["ids"])


# Crashes at each step, simulated in process ----------------------------------------------------
class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, no cleanup catches it."""


def crashing_store(step: str, when: str) -> type[Store]:
    """A Store that dies just before or just after its first call of `step`."""

    class CrashingStore(Store):
        armed = True

        def _step(self, name: str, *args: object) -> object:
            fire = self.armed and name == step
            if fire and when == "before":
                raise Crash(step)
            result = getattr(super(), name)(*args)
            if fire:
                raise Crash(step)
            return result

        def begin_writes(self, entries):  # type: ignore[no-untyped-def]
            return self._step("begin_writes", entries)

        def add_chunks(self, nodes):  # type: ignore[no-untyped-def]
            return self._step("add_chunks", nodes)

        def put_articles(self, records, vectors):  # type: ignore[no-untyped-def]
            return self._step("put_articles", records, vectors)

        def delete_chunks(self, chunk_ids):  # type: ignore[no-untyped-def]
            return self._step("delete_chunks", chunk_ids)

        def delete_chunks_of(self, doc_ids):  # type: ignore[no-untyped-def]
            return self._step("delete_chunks_of", doc_ids)

        def end_writes(self, doc_ids):  # type: ignore[no-untyped-def]
            return self._step("end_writes", doc_ids)

    return CrashingStore


CRASH_POINTS = [
    ("begin_writes", "after"),  # journal written, nothing else
    ("add_chunks", "after"),  # new chunks in, not committed
    ("put_articles", "after"),  # committed; the old version's chunks and the journal still there
    ("delete_chunks_of", "before"),  # pruned records gone, their chunks not yet
]


@pytest.mark.parametrize(("step", "when"), CRASH_POINTS)
def test_a_crash_at_any_step_is_recovered(store_settings, embedder, tmp_path: Path, step: str, when: str) -> None:
    folder = tmp_path / "articles"
    write_articles(folder, 4, paragraphs=3)
    Ingestor(store_settings, embedder).run([str(folder)])
    # Change one article, delete one, add one: an update, a prune and an addition to crash in.
    (folder / "report-000.txt").write_text("Town Report Number 0 Is Out\n\nThe plan was withdrawn on Friday.\n")
    (folder / "report-001.txt").unlink()
    write_articles(folder, 1, paragraphs=3, seed=9, start=4)
    store = crashing_store(step, when)(store_settings, embedder)
    with pytest.raises(Crash):
        Ingestor(store_settings, embedder, store).run([str(folder)], prune=True)
    assert audit(Store(store_settings, embedder), committed_only=True) == []  # readers see whole articles

    summary = Ingestor(store_settings, embedder).run([str(folder)], prune=True)
    after = Store(store_settings, embedder)
    assert audit(after) == []
    records = {r.doc_id: r for r in after.list_articles()}
    assert set(records) == {"report-000.txt", "report-002.txt", "report-003.txt", "report-004.txt"}
    assert after.get_article("report-000.txt").text == "The plan was withdrawn on Friday."
    assert not summary.failed


# kill -9 of a real `python -m ingest` -------------------------------------------------------------
def _count(index: Path, collection: str) -> int:
    """Records of a collection, read from Chroma's SQLite file without opening Chroma."""
    try:
        with sqlite3.connect(f"file:{index / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=0.2) as db:
            row = db.execute(
                "SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name = ?",
                (collection,),
            ).fetchone()
        return int(row[0])
    except sqlite3.Error:
        return 0  # not created yet, or busy: ask again


def _ingest(folder: Path, index: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env |= {"QA_INDEX_DIR": str(index), "QA_CACHE_DIR": str(TEST_CACHE)}
    cmd = [sys.executable, "-m", "ingest", str(folder), "--prune", "--json"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(proc: subprocess.Popen[str], index: Path, chunks_over: int, extra: float, timeout: float = 240) -> bool:
    """SIGKILL the ingest once the store holds more than `chunks_over` chunks, `extra` s later.

    False when the ingest finished first.
    """
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if _count(index, "chunks") > chunks_over:
            time.sleep(extra)
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.communicate(timeout=timeout)
    return False


def _check(index: Path, *, committed_only: bool) -> list[str]:
    """`audit` in a fresh process, as embedded Chroma caches state per process."""
    code = (
        "import json, sys; from dataclasses import replace; from qa_app.config import Settings;"
        "from qa_app.store import Store; from qa_app.audit import audit;"
        f"s = replace(Settings(), index_dir=__import__('pathlib').Path({str(index)!r}));"
        f"print(json.dumps(audit(Store(s, None), committed_only={committed_only})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_kill_9_at_any_moment_then_rerun_leaves_a_consistent_index(tmp_path: Path, embedder) -> None:
    folder, index = tmp_path / "articles", tmp_path / "index"
    names = write_articles(folder, 36, paragraphs=12)  # about 4 chunks each: 3 batches of 64
    killed, left = 0, []
    # Kill points: as chunks land, a moment later, and later still; after the second kill some
    # articles change and some go, so the reruns also update and prune.
    for attempt, extra in enumerate([0.0, 0.05, 0.3]):
        proc = _ingest(folder, index)
        killed += _kill_when(proc, index, _count(index, "chunks"), extra)
        assert _check(index, committed_only=True) == []  # readers see every article whole
        left += _check(index, committed_only=False)  # what the next run must sweep up
        if attempt == 1:
            for name in names[:3]:
                (folder / name).write_text("Town Report Was Withdrawn\n\nThe " + name + " plan was withdrawn.\n")
            for name in names[-2:]:
                (folder / name).unlink()
    assert killed >= 2, "the ingests finished before they could be killed"
    assert left, "no kill landed mid-write: nothing was left to recover"
    print(f"killed {killed} times; left for recovery: {left[:3]} ... ({len(left)})")

    final = _ingest(folder, index)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err[-2000:]
    assert json.loads(out)["failed"] == []
    store = Store(replace(Settings(), index_dir=index), embedder)
    assert audit(store) == []
    assert {r.doc_id for r in store.list_articles()} == set(names[:-2])
    assert store.get_article(names[0]).text == f"The {names[0]} plan was withdrawn."
    assert vectors_missing(store) == []
