"""Long article: one generated single-line text of 5 MB ingested into a temporary index.

Prints wall time, chunks, articles/chunks per second and the peak RSS of the ingest (this
process), with the machine. Two kinds of text: prose (sentences and quotes on one line) and
`--no-stops` (one "sentence" of speech verbs and lower-case words, the worst case of the
sentence splitter, the chunker and quote attribution).

    python -m benchmarks.long_article
    python -m benchmarks.long_article --mb 1 --no-stops
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.common import machine, report

WORDS = [
    "the",
    "council",
    "met",
    "on",
    "monday",
    "to",
    "discuss",
    "a",
    "budget",
    "for",
    "the",
    "harbor",
    "bridge",
    "after",
    "repairs",
    "that",
    "cost",
    "millions",
    "while",
    "residents",
    "said",
    "traffic",
    "would",
    "flow",
    "again",
    "once",
    "an",
    "inspection",
    "of",
    "its",
    "cables",
    "was",
    "done",
    "by",
    "officials",
]
NAMES = ["Mark Rutte", "Lena Ortiz", "Tomas Berg", "Ana Silva", "Ravi Menon"]


def prose(n_bytes: int, seed: int = 0) -> str:
    """Distinct sentences, a tenth of them quotes, all on one line (no title line either)."""
    rng = random.Random(seed)
    size = 0
    line: list[str] = []
    while size < n_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25)))
        sentence = f"{sentence[0].upper()}{sentence[1:]} {rng.randint(1, 10**6)}."
        if rng.random() < 0.1:
            sentence = f'"{sentence[:-1]}," {rng.choice(NAMES)} said.'
        line.append(sentence)
        size += len(sentence) + 1
    return " ".join(line)


def no_stops(n_bytes: int, seed: int = 0) -> str:
    """One line without a full stop, a speech verb every few words and no name before it."""
    rng = random.Random(seed)
    words = ["the", "mayor", "said", "council", "harbor", "bridge", "told", "residents", "repairs", "cost", "added"]
    return " ".join(rng.choice(words) for _ in range(n_bytes // 6))


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0, help="size of the article in MB (default 5)")
    parser.add_argument("--no-stops", action="store_true", help="a text without full stops")
    parser.add_argument("--backend", default=None, help="embedding backend (default: QA_EMBED_BACKEND or onnx)")
    args = parser.parse_args(argv)

    from ingest.pipeline import Ingestor
    from qa_app.config import Settings
    from qa_app.embed import load_embedder

    n_bytes = int(args.mb * 1_000_000)
    text = (no_stops if args.no_stops else prose)(n_bytes)
    with tempfile.TemporaryDirectory(prefix="qa-long-") as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(text, encoding="utf-8")
        settings = replace(Settings.from_env(), index_dir=Path(tmp) / "index")
        if args.backend:
            settings = replace(settings, embed_backend=args.backend)
        embedder = load_embedder(settings)
        embedder.warm()  # the model's load is not the article's cost
        before = peak_rss_mib()
        started = time.perf_counter()
        summary = Ingestor(settings, embedder).run([str(path)])
        seconds = time.perf_counter() - started
    if summary.failed or summary.added != ["long.txt"]:
        raise SystemExit(f"ingest failed: {summary.to_json()}")
    peak = peak_rss_mib()
    kind = "no full stops" if args.no_stops else "prose"
    print(f"machine: {machine()}")
    print(f"article: {len(text.encode()):,} bytes on one line ({kind})")
    print(f"backend: {settings.embed_backend}")
    print(f"wall time: {seconds:.1f} s")
    print(f"chunks: {summary.chunks} ({summary.chunks / seconds:.1f} chunks/s)")
    print(f"peak RSS: {peak:.0f} MiB (after loading the model: {before:.0f} MiB)")
    report("long_article", {"seconds": round(seconds, 1), "chunks": summary.chunks, "peak_rss_mib": round(peak)})


if __name__ == "__main__":
    main()
