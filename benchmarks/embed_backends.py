"""Embedding speed and agreement: the torch backend against the int8 ONNX one, on RealTime QA passages.

Cuts N passages of 200-254 word pieces from random articles (read at run time), loads both backends
as the app does, then times them in alternating rounds, so that a busy machine slows both alike.
Prints chunks/s (best and median round), CPU time a chunk (steadier than wall time when other
programs share the cores), the speed-up, and the cosine of each ONNX vector to its torch vector.

    python -m benchmarks.embed_backends                   # 512 passages, 3 rounds
    python -m benchmarks.embed_backends -n 128 --rounds 5
    python -m benchmarks.embed_backends --torch-batch 8   # torch at another batch size than the app's
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.common import ARTICLES, machine
from qa_app.config import Settings


def passages(tokenizer, n: int, *, lo: int = 200, hi: int = 254, seed: int = 0, path: Path = ARTICLES) -> list[str]:
    """`n` article excerpts of `lo`-`hi` word pieces each (256 with [CLS] and [SEP]), at most one per article."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        bodies = [json.loads(line)["body"] for line in f]
    rng = random.Random(seed)
    rng.shuffle(bodies)
    out: list[str] = []
    for body in bodies:
        offsets = tokenizer(body, add_special_tokens=False, return_offsets_mapping=True, verbose=False)[
            "offset_mapping"
        ]
        if len(offsets) < hi:
            continue
        size = rng.randint(lo, hi)
        start = rng.randint(0, len(offsets) - size)
        out.append(body[offsets[start][0] : offsets[start + size - 1][1]])
        if len(out) == n:
            return out
    raise SystemExit(f"only {len(out)} articles in {path} are long enough for {n} passages")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=512, help="passages to embed (default 512)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per backend (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--torch-batch", type=int, help="torch batch size (default: the app's, 32)")
    parser.add_argument("--articles", type=Path, default=ARTICLES, help="RealTime QA articles.jsonl.gz")
    args = parser.parse_args(argv)

    from qa_app.embed import load_embedder

    settings = Settings.from_env()
    print(machine())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    embedders = {}
    for backend in ("torch", "onnx"):
        started = time.perf_counter()
        embedders[backend] = load_embedder(replace(settings, embed_backend=backend))
        embedders[backend].warm()
        print(f"{backend:5s} loaded in {time.perf_counter() - started:.1f} s")
    import torch

    if args.torch_batch:
        embedders["torch"].batch_size = args.torch_batch
    print(
        f"torch: {torch.get_num_threads()} threads, batch {embedders['torch'].batch_size}; "
        f"onnx: {embedders['onnx'].model.model_file}"
    )

    texts = passages(embedders["torch"].tokenizer, args.n, seed=args.seed, path=args.articles)
    tokens = [n + 2 for n in embedders["torch"].count_tokens(texts)]
    print(f"{len(texts)} passages, {min(tokens)}-{max(tokens)} tokens (mean {statistics.mean(tokens):.0f})")

    for embedder in embedders.values():
        embedder.embed_texts(texts[:16])  # warm up
    seconds: dict[str, list[float]] = {name: [] for name in embedders}
    cpu: dict[str, list[float]] = {name: [] for name in embedders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, embedder in embedders.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            vectors[name] = embedder.embed_texts(texts)
            seconds[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)

    rate = {
        name: {"best": len(texts) / min(s), "median": len(texts) / statistics.median(s)} for name, s in seconds.items()
    }
    for name, r in rate.items():
        cpu_ms = 1000 * statistics.median(cpu[name]) / len(texts)
        print(
            f"{name:5s} {r['best']:7.1f} chunks/s best, {r['median']:7.1f} median  ({args.rounds} rounds); "
            f"{cpu_ms:.0f} CPU ms a chunk"
        )
    print(
        f"speed-up onnx/torch: {rate['onnx']['best'] / rate['torch']['best']:.2f}x best, "
        f"{rate['onnx']['median'] / rate['torch']['median']:.2f}x median"
    )
    cosine = (vectors["onnx"] * vectors["torch"]).sum(axis=1)
    print(
        f"cosine onnx to torch: mean {cosine.mean():.4f}, min {cosine.min():.4f}, "
        f"1st percentile {np.percentile(cosine, 1):.4f}"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
