"""Dated questions on the full eval corpus: answered right when the corpus holds the date, refused when not.

The questions (`benchmarks/data/dated_questions.jsonl`) name a day, a month or a year. Answerable ones
were checked by reading RealTime QA articles: each lists the articles that hold its answer and a short
string of the answer that each of them holds (`--check` verifies this against the corpus, so the file
keeps no article text). The others name a year or a month the corpus (2012-2022) does not cover.

- answered right: not refused, a citation in one of the listed articles, the answer string in the
  answer or its quotes;
- refused right: an unanswerable question refused.

    QA_BENCH_CACHE=/work/benchcache QA_CACHE_DIR=/work/benchcache/qa-dates python -m benchmarks.dated
    python -m benchmarks.dated --verbose     # one line per question
    python -m benchmarks.dated --check       # the listed articles hold the answer strings (no index needed)
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ARTICLES, machine, read_jsonl, report

QUESTIONS = Path(__file__).resolve().parent / "data" / "dated_questions.jsonl"


def answered_right(q: dict[str, Any], refused: bool, cited: set[str], said: str) -> bool:
    """Whether an answer to an answerable question cites a listed article and states the answer.

    Example: answered_right({"articles": ["a"], "answer": "7%"}, False, {"a"}, "Prices rose 7% [1]") -> True
    """
    return not refused and bool(cited & set(q["articles"])) and q["answer"].lower() in said.lower()


def check(questions: list[dict[str, Any]]) -> int:
    """Print every listed article that does not hold its question's answer string; the count of them."""
    wanted = {a for q in questions for a in q.get("articles", [])}
    texts = {}
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["id"] in wanted:
                texts[record["id"]] = (record["title"] + " " + record["body"]).lower()
    bad = [
        (q["question"], a)
        for q in questions
        for a in q.get("articles", [])
        if q["answer"].lower() not in texts.get(a, "")
    ]
    for question, article in bad:
        print(f"{article} does not hold the answer to: {question}")
    return len(bad)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="the Chroma index of the RealTime QA corpus")
    parser.add_argument("--verbose", action="store_true", help="one line per question")
    parser.add_argument("--check", action="store_true", help="only check the question file against the corpus")
    args = parser.parse_args(argv)
    questions = read_jsonl(QUESTIONS)
    if args.check:
        sys.exit(1 if check(questions) else 0)

    from benchmarks.quality import find_index
    from qa_app.qa import QA
    from qa_app.retrieve import Filters

    qa = QA(find_index(args.index))
    print(f"# {machine()}")
    right = {True: 0, False: 0}
    times = []
    for q in questions:
        started = time.perf_counter()
        answer = qa.ask(q["question"], None, Filters(as_of=q.get("as_of")))
        times.append((time.perf_counter() - started) * 1000)
        said = answer.text + " " + " ".join(c.quote for c in answer.citations)
        cited = {c.doc_id for c in answer.citations}
        ok = answered_right(q, answer.refused, cited, said) if q["answerable"] else answer.refused
        right[q["answerable"]] += ok
        if args.verbose:
            outcome = "refused" if answer.refused else f"cites {sorted(cited)}"
            print(f"{'ok ' if ok else 'BAD'} {q['question']} ({q.get('as_of') or 'no as of'}): {outcome}")
    n_yes = sum(q["answerable"] for q in questions)
    n_no = len(questions) - n_yes
    print("| questions | answered right | refused right | ms per question (median) |")
    print("| --- | --- | --- | --- |")
    print(f"| {len(questions)} | {right[True]}/{n_yes} | {right[False]}/{n_no} | {statistics.median(times[1:]):.0f} |")
    report("dated", {"answered_right": right[True], "refused_right": right[False]})


if __name__ == "__main__":
    main()
