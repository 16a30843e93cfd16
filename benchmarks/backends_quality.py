"""Retrieval quality with each embedding backend: torch against int8 ONNX, on one shared subset.

A full eval index per backend costs half an hour or more each, so both backends index the same
deterministic subset of the RealTime QA corpus: every evidence article of the dev questions plus
every k-th other article up to `--articles`. Both indices are built by the real ingest and cached
(outside the repo). Prints dev Hits@5 and MRR@10 for dense retrieval alone and for what `ask` uses.

    python -m benchmarks.backends_quality                 # 800 articles
    python -m benchmarks.backends_quality --articles 400
"""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import replace
from pathlib import Path

from benchmarks.common import ARTICLES, CACHE, INDEX_FORMAT, QUESTIONS, machine, report
from benchmarks.quality import retrieval_metrics
from qa_app.config import Settings
from qa_app.retrieve import Filters, Mode


def subset(path: Path, size: int, questions: list[dict]) -> Path:
    """Write the subset JSONL once: evidence articles first, then every k-th other article."""
    if path.exists():
        return path
    evidence = {e["article_id"] for q in questions for e in q["evidence"]}
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    gold = [line for line in lines if json.loads(line)["id"] in evidence]
    others = [line for line in lines if json.loads(line)["id"] not in evidence]
    step = max(1, len(others) // max(1, size - len(gold)))
    chosen = gold + others[::step][: max(0, size - len(gold))]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(chosen), encoding="utf-8")
    tmp.rename(path)
    return path


def build(backend: str, corpus: Path, folder: Path) -> Settings:
    from ingest.pipeline import Ingestor

    settings = replace(Settings.from_env(), index_dir=folder / "index", embed_backend=backend)
    if not (folder / "done").exists():
        Ingestor(settings).run([str(corpus)])
        (folder / "done").write_text("ok")
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=800)
    args = parser.parse_args()
    from qa_app.qa import QA

    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    dev = [q for q in questions if q["split"] == "dev"]
    root = CACHE / f"subset-{args.articles}-{INDEX_FORMAT}"
    corpus = subset(root / "articles.jsonl", args.articles, dev)
    gold = [{e["article_id"] for e in q["evidence"]} for q in dev]
    print(f"# {machine()}")
    print(f"# dev questions: {len(dev)}; subset of {args.articles} articles (all dev evidence + every k-th other)")
    print("| backend | retrieval | hits@5 | mrr@10 |")
    print("| --- | --- | --- | --- |")
    figures: dict[str, float] = {}
    for backend in ("torch", "onnx"):
        qa = QA(build(backend, corpus, root / backend))
        modes: list[tuple[str, Mode]] = [("dense alone", "dense"), ("hybrid (ask)", "hybrid")]
        for label, mode in modes:
            ranked = [
                [
                    d
                    for d, _ in qa.retriever.retrieve(
                        q["question"], Filters(as_of=q["question_date"]), mode=mode
                    ).articles
                ]
                for q in dev
            ]
            m = retrieval_metrics(ranked, gold)
            print(f"| {backend} | {label} | {m['hits@5']:.3f} | {m['mrr@10']:.3f} |")
            figures[f"{backend} {label} dev hits@5"] = m["hits@5"]
            figures[f"{backend} {label} dev mrr@10"] = m["mrr@10"]
    report("embedding backends: retrieval", figures)


if __name__ == "__main__":
    main()
