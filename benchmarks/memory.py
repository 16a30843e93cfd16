"""Memory: peak RSS of the real app (`python app.py`) serving the RealTime QA eval index.

Copies the cached eval index (never writes to the cache), starts the app on the copy, asks a
number of test-split questions through gradio_client so the lexical index and the model are
loaded, then reads the app process's peak and current resident memory from /proc.

    python -m benchmarks.memory
    python -m benchmarks.memory --questions 50 --index DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import QUESTIONS, machine, report
from benchmarks.quality import find_index
from harness.servers import app_with_process


def proc_memory(pid: int) -> dict[str, float]:
    """VmHWM (peak) and VmRSS (now) of a process, in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="the Chroma index of the RealTime QA corpus")
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args()
    from gradio_client import Client

    from qa_app.embed import load_embedder
    from qa_app.store import Store

    settings = find_index(args.index)
    chunks = Store(settings, load_embedder(settings)).count_chunks()
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()][: args.questions]
    with tempfile.TemporaryDirectory(prefix="qa-memory-") as tmp:
        copy = Path(tmp) / "index"
        shutil.copytree(settings.index_dir, copy)
        env = {"QA_INDEX_DIR": str(copy), "QA_EMBED_BACKEND": settings.embed_backend}
        with app_with_process(env, Path(tmp) / "app.log") as (url, proc):
            loaded = proc_memory(proc.pid)
            client = Client(url, verbose=False)
            started = time.perf_counter()
            for q in questions:
                client.predict(q["question"], [], "", "", "", q["question_date"], api_name="/ask")
            seconds = time.perf_counter() - started
            after = proc_memory(proc.pid)
    print(f"# {machine()}")
    print(f"# app on the eval index: {chunks} passages, backend {settings.embed_backend}")
    print(f"after start (model loaded):  RSS {loaded['VmRSS']:.0f} MiB")
    rss, peak = after["VmRSS"], after["VmHWM"]
    print(f"after {len(questions)} questions ({seconds:.1f} s): RSS {rss:.0f} MiB, peak {peak:.0f} MiB")
    report("memory", {"passages": chunks, "app_peak_rss_mib": peak, "app_rss_mib": rss})


if __name__ == "__main__":
    main()
