"""`make bench`: run every benchmark, show each one's own output, then one table of headline figures.

python -m benchmarks.all                 # everything (the first run builds the eval index: ~30 min)
python -m benchmarks.all --quick         # smaller runs of the slow ones
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, machine

FULL = [
    ("embedding backends", ["benchmarks.embed_backends"]),
    ("backend retrieval", ["benchmarks.backends_quality"]),
    ("ingest", ["benchmarks.ingest", "--articles", "300", "--full-reingest"]),
    ("quality", ["benchmarks.quality"]),
    ("latency", ["benchmarks.latency"]),
    ("browser", ["benchmarks.browser"]),
    ("memory", ["benchmarks.memory"]),
    ("load", ["benchmarks.load"]),
]
QUICK = {
    "embedding backends": ["-n", "128", "--rounds", "2"],
    "backend retrieval": ["--articles", "400"],
    "ingest": ["--articles", "100"],
    "quality": ["--limit", "40", "--skip-refusal"],
    "latency": ["--sizes", "1000,full", "--questions", "30"],
    "load": ["--sessions", "4", "--questions", "5", "--articles", "20"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs of the slow benchmarks")
    parser.add_argument("--only", help="comma-separated names of benchmarks to run")
    args = parser.parse_args()
    wanted = {n.strip() for n in args.only.split(",")} if args.only else None
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", prefix="qa-bench-") as sink:
        env = dict(os.environ, QA_BENCH_REPORT=sink.name)
        failed = []
        for name, command in FULL:
            if wanted and name not in wanted:
                continue
            if args.quick and name in QUICK:
                command = [command[0], *QUICK[name]]
            print(f"\n=== {name}: python -m {' '.join(command)}", flush=True)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, check=False)
            print(f"=== {name}: {time.perf_counter() - started:.0f} s, exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failed.append(name)
        rows = [json.loads(line) for line in Path(sink.name).read_text().splitlines() if line.strip()]
    print(f"\n# {machine()}")
    print("| benchmark | figure | value |")
    print("| --- | --- | --- |")
    for row in rows:
        for key, value in row["figures"].items():
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"| {row['benchmark']} | {key} | {shown} |")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
