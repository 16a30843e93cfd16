"""Ingest speed: the pipeline against the raw encoder on the same chunks, re-ingest, peak memory.

Ingests the first N articles of a JSONL corpus into a temporary index, timing the pipeline
(loading, cleaning, chunking, embedding, Chroma writes); then encodes the very inputs the
pipeline embedded directly with the embedder (the raw encoder); then re-ingests the unchanged
slice. `--full-reingest` also times a re-ingest of the whole corpus against a copy of the cached
index (`python -m benchmarks.common`), which is never written to. Everything runs in this one
process, with the model loaded before any clock starts.

    python -m benchmarks.ingest --articles 300 --repeat 2
    python -m benchmarks.ingest --articles 20 --full-reingest
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ARTICLES, CACHE, machine
from ingest.pipeline import Ingestor
from qa_app.config import Settings
from qa_app.embed import Embedder, load_embedder


class RecordingEmbedder:
    """The real embedder, keeping every list of texts the pipeline asked it to embed."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.calls: list[list[str]] = []
        self.seconds = 0.0

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.embed_texts(texts)
        self.seconds += time.perf_counter() - started
        self.calls.append(list(texts))
        return vectors

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def write_slice(corpus: Path, n: int, dest: Path) -> int:
    """The first `n` articles (lines) of a JSONL corpus, gzipped or not, into `dest`; 0 = all."""
    opener = gzip.open if corpus.name.endswith(".gz") else open
    count = 0
    with opener(corpus, "rt", encoding="utf-8") as src, dest.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            out.write(line)
            count += 1
            if count == n:
                break
    return count


def cached_index(backend: str) -> tuple[Path, str] | None:
    """The newest finished cached index of the RealTime QA corpus and its backend, `backend`'s first.

    A re-ingest of an unchanged corpus embeds nothing, so an index of the other backend serves too.
    """
    done = sorted(
        CACHE.glob("realtimeqa-*-*/done.json"),
        key=lambda p: (p.parent.name.split("-")[1] == backend, p.stat().st_mtime),
    )
    return (done[-1].parent / "index", done[-1].parent.name.split("-")[1]) if done else None


def cpu_seconds() -> float:
    """User + system CPU time of this process so far: less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(ingestor: Ingestor, inputs: list[str], **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    summary = ingestor.run(inputs, **kwargs)
    return time.perf_counter() - started, summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ARTICLES, help="a JSONL(.gz) corpus (default: RealTime QA)")
    parser.add_argument("--articles", type=int, default=300, help="ingest the first N articles (0 = all)")
    parser.add_argument("--backend", default=None, help="torch or onnx (default: QA_EMBED_BACKEND)")
    parser.add_argument("--repeat", type=int, default=1, help="pipeline and raw encoder alternately, N times each")
    parser.add_argument("--full-reingest", action="store_true", help="also re-ingest the whole corpus, unchanged")
    args = parser.parse_args(argv)

    base = Settings.from_env()
    backend = args.backend or base.embed_backend
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        corpus = folder / "slice.jsonl"
        count = write_slice(args.corpus, args.articles, corpus)
        settings = replace(base, embed_backend=backend, max_file_bytes=2_000_000_000)
        embedder = load_embedder(settings)
        embedder.warm()
        print(f"corpus: first {count} articles of {args.corpus}; backend {backend}")
        best_pipeline = best_raw = 0.0
        for round_ in range(1, args.repeat + 1):
            # Pipeline and raw encoder alternate, so that a change in the machine's other load
            # falls on both; each pipeline run starts from an empty index.
            recording = RecordingEmbedder(embedder)
            ingestor = Ingestor(replace(settings, index_dir=folder / f"index-{round_}"), recording)  # type: ignore[arg-type]
            cpu = cpu_seconds()
            seconds, summary = timed(ingestor, [str(corpus)])
            cpu = cpu_seconds() - cpu
            articles, chunks = len(summary.added), summary.chunks
            print(
                f"[{round_}] pipeline: {articles} articles, {chunks} chunks in {seconds:.1f} s = "
                f"{articles / seconds:.2f} articles/s, {chunks / seconds:.1f} chunks/s "
                f"(of which embedding {recording.seconds:.1f} s; CPU {cpu:.0f} s)"
            )
            if summary.failed:
                print(f"  failed: {len(summary.failed)}, e.g. {summary.failed[0].source}: {summary.failed[0].error}")
            inputs = [text for call in recording.calls for text in call]
            assert len(inputs) == chunks, (len(inputs), chunks)
            started, cpu = time.perf_counter(), cpu_seconds()
            embedder.embed_texts(inputs)
            raw, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            print(
                f"[{round_}] raw encoder: the same {len(inputs)} inputs in {raw:.1f} s = "
                f"{len(inputs) / raw:.1f} chunks/s (CPU {cpu:.0f} s); pipeline / raw: {raw / seconds:.0%}"
            )
            best_pipeline, best_raw = max(best_pipeline, chunks / seconds), max(best_raw, len(inputs) / raw)
        print(
            f"pipeline / raw encoder, best of {args.repeat}: {best_pipeline:.1f} / {best_raw:.1f} chunks/s = "
            f"{best_pipeline / best_raw:.0%} (target >= 85%)"
        )

        seconds, again = timed(ingestor, [str(corpus)])
        print(f"re-ingest, unchanged: {len(again.unchanged)} articles in {seconds:.2f} s ({len(again.added)} added)")

        if args.full_reingest:
            full_reingest(args.corpus, backend, base, folder)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:,.0f} MiB")


def full_reingest(corpus: Path, backend: str, base: Settings, folder: Path) -> None:
    """Re-ingest the whole corpus against a copy of the cached index; a dry run when it differs."""
    found = cached_index(backend)
    if found is None:
        print(f"full re-ingest: no finished cached index under {CACHE} (python -m benchmarks.common)")
        return
    source, backend = found
    copy = folder / "full-index"
    shutil.copytree(source, copy)
    settings = replace(base, index_dir=copy, embed_backend=backend, max_file_bytes=2_000_000_000)
    ingestor = Ingestor(settings, load_embedder(settings))
    # A dry run first: an index cached by an older cleaner differs, and re-embedding it is not
    # what is measured here. A dry run does the work of an unchanged re-ingest (read the store,
    # load, clean and hash every article, plan) and writes nothing.
    seconds, plan = timed(ingestor, [str(corpus)], dry_run=True)
    changed = len(plan.added) + len(plan.updated)
    print(
        f"full re-ingest, dry run: {len(plan.unchanged)} unchanged, {changed} would change, "
        f"{len(plan.duplicates)} duplicates, in {seconds:.2f} s (index copied from {source})"
    )
    if changed == 0:
        seconds, again = timed(ingestor, [str(corpus)])
        print(f"full re-ingest, unchanged: {len(again.unchanged)} articles in {seconds:.2f} s")


if __name__ == "__main__":
    main()
