"""Shared benchmark plumbing: the machine description and the cached RealTime QA index."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path

from qa_app.config import Settings

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("QA_EVAL_DIR", ROOT.parent / "shared" / "eval"))
ARTICLES = EVAL / "realtimeqa" / "articles.jsonl.gz"
QUESTIONS = EVAL / "realtimeqa" / "questions.jsonl"
CACHE = Path(os.environ.get("QA_BENCH_CACHE", Path.home() / ".cache" / "qa_app" / "bench"))


def machine() -> str:
    """One line naming the machine: CPU model, cores, memory, Python and key library versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for name in ("torch", "onnxruntime", "chromadb"):
        with contextlib.suppress(ImportError):
            versions.append(f"{name} {__import__(name).__version__}")
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, " + ", ".join(versions)


# Bump when cleaning, chunking or storing changes what an index of the eval corpus holds.
INDEX_FORMAT = "v3"


def eval_index(backend: str, *, rebuild: bool = False, articles: Path = ARTICLES) -> Settings:
    """Settings for an index of the RealTime QA corpus built by the real ingest, cached on disk.

    The first call ingests (about half an hour with torch on 2 cores); later calls reuse it.
    """
    base = Settings.from_env()
    folder = CACHE / f"realtimeqa-{backend}-{INDEX_FORMAT}"
    settings = replace(base, index_dir=folder / "index", embed_backend=backend, max_file_bytes=1_000_000_000)
    done = folder / "done.json"
    if done.exists() and not rebuild:
        return settings
    from ingest.pipeline import Ingestor

    started = time.perf_counter()
    summary = Ingestor(settings).run([str(articles)])
    seconds = time.perf_counter() - started
    folder.mkdir(parents=True, exist_ok=True)
    done.write_text(json.dumps({"seconds": seconds, "articles": len(summary.added), "chunks": summary.chunks}))
    return settings


if __name__ == "__main__":
    import sys

    for backend in sys.argv[1:] or ["torch"]:
        s = eval_index(backend)
        print(backend, s.index_dir, (s.index_dir.parent / "done.json").read_text())


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON Lines file, blank lines aside."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(benchmark: str, figures: dict[str, float | int | str]) -> None:
    """Record headline figures for `make bench`'s table (a no-op when run on its own)."""
    target = os.environ.get("QA_BENCH_REPORT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"benchmark": benchmark, "figures": figures}) + "\n")
