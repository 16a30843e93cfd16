"""Draw the eval articles of the blind attribution sets (`benchmarks/data/attribution_blind*.jsonl`), reproducibly.

The blind set is labelled by reading, never by looking at what the rules find, and the final attribution
figures are reported on it. Its articles are drawn at random (fixed seed) among the eval articles whose
stored text has at least 3 quotation marks and 1,000-7,000 characters, leaving out every article of the
tuning and held-out label files, every question's evidence (dev and test) and every article of the
who-said-what questions. Outlets take turns (each outlet's candidates shuffled), so the set is not all
USA Today and CNN.

    python -m benchmarks.draw_attribution_articles              # the 24 article ids of blind, with outlet
    python -m benchmarks.draw_attribution_articles --count 264  # blind (1-24), blind2 (25-64), blind3 (65-104),
                                                                # blind4 (105-144), blind5 (145-184),
                                                                # blind6 (185-224), blind7 (225-264)
    python -m benchmarks.draw_attribution_articles --count 904  # then blind8 (265-904: 640 articles)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Iterable
from pathlib import Path

from benchmarks.attribution import HELDOUT, LABELS, load_labels, stored_text
from benchmarks.common import ARTICLES, QUESTIONS
from benchmarks.speakers import load_questions

SEED = 2612
MIN_CHARS, MAX_CHARS = 1_000, 7_000
MIN_QUOTE_MARKS = 3
_QUOTE_MARKS = '"“”'


def kept_apart(label_files: Iterable[Path] = (LABELS, HELDOUT), questions: Path = QUESTIONS) -> set[str]:
    """Article ids the blind set must not use: labelled elsewhere, a question's evidence, or a who-said-what article."""
    out = {lab["article_id"] for path in label_files for lab in load_labels(path)}
    for line in questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out |= {e["article_id"] for e in json.loads(line).get("evidence") or []}
    for q in load_questions():
        out |= {b["article_id"] for key in ("gold", "allowed") for b in q.get(key) or []}
        out |= set(q.get("mentions") or [])
        if q.get("quote"):
            out.add(q["quote"]["article_id"])
    return out


def candidates(articles: Path = ARTICLES, excluded: set[str] | None = None) -> dict[str, list[str]]:
    """outlet -> ids (corpus order) of the articles that qualify: quote marks, length, not excluded."""
    excluded = kept_apart() if excluded is None else excluded
    by_outlet: dict[str, list[str]] = {}
    with gzip.open(articles, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in excluded:
                continue
            text = stored_text(line)
            marks = sum(text.count(c) for c in _QUOTE_MARKS)
            if MIN_CHARS <= len(text) <= MAX_CHARS and marks >= MIN_QUOTE_MARKS:
                by_outlet.setdefault(row["source"], []).append(row["id"])
    return by_outlet


def draw(by_outlet: dict[str, list[str]], count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """(outlet, id) of `count` articles: each outlet's candidates shuffled, then the outlets take turns.

    Example: draw({"A": ["a1", "a2"], "B": ["b1"]}, 3) -> the two A articles and b1, alternating A, B, A
    """
    rng = random.Random(seed)
    queues = {}
    for outlet in sorted(by_outlet):
        ids = sorted(by_outlet[outlet])
        rng.shuffle(ids)
        queues[outlet] = ids
    out: list[tuple[str, str]] = []
    while len(out) < count and any(queues.values()):
        for outlet, ids in queues.items():
            if ids and len(out) < count:
                out.append((outlet, ids.pop(0)))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=24, help="how many articles to draw")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    by_outlet = candidates()
    print(f"# candidates by outlet: { {k: len(v) for k, v in sorted(by_outlet.items())} }")
    for outlet, article_id in draw(by_outlet, args.count, args.seed):
        print(f"{article_id}\t{outlet}")


if __name__ == "__main__":
    main()
