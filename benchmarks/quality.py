"""Quality on RealTime QA: evidence retrieval, answer hit rate and refusal, dev and test splits.

Every question is asked as the user would (the question alone), with its `question_date` as "as of".

- Retrieval: Hits@1/5/10 and MRR@10 at article level for BM25 alone, dense alone and the hybrid
  (the three share the time prior), plus the hybrid without the prior.
- Answers: the share of questions whose correct choice appears in the answer or its quotes.
- Refusal: "answered" is the positive class. Positives are the questions as asked; negatives are
  the same questions with their evidence and every article holding the answer string hidden, plus
  absent-person and absent-topic questions about the user's article (`data/articles`).

    python -m benchmarks.quality                   # the cached eval index, both splits
    python -m benchmarks.quality --index DIR --split dev --skip-refusal
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import ARTICLES, CACHE, INDEX_FORMAT, QUESTIONS, ROOT, eval_index, machine, report
from qa_app.config import Settings
from qa_app.retrieve import Filters, Mode

# Questions about the user's article: answerable ones, and ones it cannot answer.
USER_ANSWERABLE = [
    "What did Rutte say?",
    "what did carpenter say",
    "What did Putin say about foreign troops in Ukraine?",
    "How many countries committed to sending troops for the reassurance force?",
    "Who hosted the September 4 talks?",
    "What did Macron say about American support?",
    "What did Zelenskyy say about the United States?",
    "Where did the Coalition of the Willing meet?",
    "How much did EU imports of Russian fossil fuels total this year?",
    "When will the EU phase out imports of Russian oil and gas?",
    "How many people did Russian drones kill in the Kharkiv region?",
    "What did Peskov tell Interfax?",
]
USER_UNANSWERABLE = [
    "What did Angela Merkel say about the reassurance force?",
    "What did Olaf Scholz say?",
    "What did Barack Obama say about Ukraine?",
    "What is the capital of Australia?",
    "Who won the 1998 football world cup?",
    "How many tanks did Germany send to Ukraine in 2023?",
    "What did the Pope say about the peace talks?",
    "What is the price of bitcoin?",
    "Who won the Eurovision song contest?",
    "What did Keir Starmer say about the reassurance force?",
    "How many goals did Messi score this season?",
    "What are the symptoms of measles?",
]


def find_index(explicit: Path | None, backend: str | None = None) -> Settings:
    """Settings for the eval index: `--index`, else a finished cached build (never starts one).

    The backend (torch or onnx) is the one the index was built with, taken from its folder name.
    """
    base = Settings.from_env()
    if explicit is not None:
        return replace(base, index_dir=explicit, embed_backend=backend or base.embed_backend)
    done = [p for p in CACHE.glob("realtimeqa-*/done.json") if backend is None or f"-{backend}-" in p.parent.name]
    done.sort(key=lambda p: (p.parent.name.endswith(f"-{INDEX_FORMAT}"), p.stat().st_mtime), reverse=True)
    if not done:
        sys.exit(f"no finished eval index under {CACHE}: build one (python -m benchmarks.common onnx) or pass --index")
    folder = done[0].parent
    return replace(eval_index(folder.name.split("-")[1]), index_dir=folder / "index")


def load_questions(split: str) -> list[dict[str, Any]]:
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [q for q in questions if split == "both" or q["split"] == split]


def correct(question: dict[str, Any]) -> str:
    index = question["answer_index"]
    return str(question["choices"][index[0] if isinstance(index, list) else index])


_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    )
} | {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}


def answer_terms(text: str) -> set[str]:
    """Stemmed content words, number words as digits.

    Example: answer_terms("Six months, extended") -> {"6", "month", "extend"}
    """
    from qa_app.text import STOPWORDS, stem, words

    return {_NUMBER_WORDS.get(w) or stem(w) for w in words(text) if w in _NUMBER_WORDS or w not in STOPWORDS}


def choice_scores(question: dict[str, Any], haystack: str) -> tuple[bool, bool]:
    """Whether the answer holds every word of the correct choice, and whether it favours that choice.

    A reader picking the quiz option whose words the answer holds most (as a share of the option's
    words) picks the correct one only when it scores strictly above every other option.
    """
    said = answer_terms(haystack)
    shares = []
    for choice in question["choices"]:
        wanted = answer_terms(str(choice))
        shares.append(len(wanted & said) / len(wanted) if wanted else 0.0)
    best = shares[question["choices"].index(correct(question))]
    return best == 1.0, best > 0 and all(
        best > share for i, share in enumerate(shares) if question["choices"][i] != correct(question)
    )


def retrieval_metrics(ranked: list[list[str]], gold: list[set[str]]) -> dict[str, float]:
    """Hits@1/5/10 and MRR@10 at article level.

    Example: retrieval_metrics([["a", "b"]], [{"b"}]) -> {"hits@1": 0.0, "hits@5": 1.0, ..., "mrr@10": 0.5}
    """
    out = {"hits@1": 0.0, "hits@5": 0.0, "hits@10": 0.0, "mrr@10": 0.0}
    for ids, wanted in zip(ranked, gold, strict=True):
        rank = next((r for r, d in enumerate(ids[:10], start=1) if d in wanted), None)
        if rank is not None:
            out["hits@1"] += rank <= 1
            out["hits@5"] += rank <= 5
            out["hits@10"] += 1
            out["mrr@10"] += 1 / rank
    return {k: v / max(1, len(ranked)) for k, v in out.items()}


def precision_recall(answered: list[bool], answerable: list[bool]) -> tuple[float, float, int, int]:
    """Precision and recall of "answered" against "answerable", and the counts of each class.

    Example: precision_recall([True, True, False], [True, False, False]) -> (0.5, 1.0, 1, 2)
    """
    tp = sum(a and b for a, b in zip(answered, answerable, strict=True))
    precision = tp / max(1, sum(answered))
    recall = tp / max(1, sum(answerable))
    return precision, recall, sum(answerable), len(answerable) - sum(answerable)


def indexed_copies(indexed: set[str]) -> dict[str, set[str]]:
    """For an article ingest dropped as a copy of another (same body), the indexed copies.

    Bodies under 500 characters (the ad-feedback boilerplate some pages hold) are not matched.
    """
    by_body: dict[str, list[str]] = {}
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if len(record["body"]) >= 500:
                by_body.setdefault(record["body"], []).append(record["id"])
    return {
        doc_id: {d for d in ids if d in indexed}
        for ids in by_body.values()
        for doc_id in ids
        if doc_id not in indexed and any(d in indexed for d in ids)
    }


def copies(q: dict[str, Any], twins: dict[str, set[str]]) -> set[str]:
    return {d for e in q["evidence"] for d in twins.get(e["article_id"], set())}


def hide_answer(qa: Any, q: dict[str, Any], twins: dict[str, set[str]]) -> frozenset[str]:
    """The evidence articles plus every article among the top ten that holds the answer string.

    Repeated until the top ten hold no copy of the answer, so the question becomes unanswerable.
    """
    needle = correct(q).lower().strip("“”\"' ")
    hidden = {e["article_id"] for e in q["evidence"]} | copies(q, twins)
    for _ in range(10):
        found = qa.retriever.retrieve(q["question"], Filters(as_of=q["question_date"]), exclude=frozenset(hidden))
        records = qa.store.get_articles([d for d, _ in found.articles])
        holders = {d for d, r in records.items() if needle in (r.title + " " + r.text).lower()}
        if not holders:
            break
        hidden |= holders
    return frozenset(hidden)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="the Chroma index of the RealTime QA corpus")
    parser.add_argument("--backend", choices=["torch", "onnx"], help="the embedder the index was built with")
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--skip-refusal", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of each split")
    args = parser.parse_args(argv)

    from qa_app.qa import QA

    settings = find_index(args.index, args.backend)
    qa = QA(settings)
    print(f"# {machine()}")
    size = f"{qa.retriever.article_count()} articles, {qa.retriever.lexical.n} passages"
    print(f"# index {settings.index_dir}: {size}")
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    modes: list[tuple[str, Mode, bool]] = [
        ("BM25", "bm25", True),
        ("dense", "dense", True),
        ("hybrid", "hybrid", True),
        ("hybrid, no time prior", "hybrid", False),
    ]
    indexed = {r.doc_id for r in qa.store.list_articles()}
    twins = indexed_copies(indexed)
    hybrid: dict[str, tuple[list[dict[str, Any]], list[list[str]], list[set[str]]]] = {}
    figures: dict[str, float | int | str] = {}
    print("\n## Evidence retrieval (article level, as of the question date)")
    print("| split | retriever | Hits@1 | Hits@5 | Hits@10 | MRR@10 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for split in splits:
        questions = load_questions(split)[: args.limit or None]
        gold = [{e["article_id"] for e in q["evidence"]} | copies(q, twins) for q in questions]
        for name, mode, prior in modes:
            ranked = []
            for q in questions:
                filters = Filters(as_of=q["question_date"] if prior else None)
                ranked.append([d for d, _ in qa.retriever.retrieve(q["question"], filters, mode=mode).articles])
            m = retrieval_metrics(ranked, gold)
            print(
                f"| {split} | {name} | {m['hits@1']:.2f} | {m['hits@5']:.2f} | {m['hits@10']:.2f} | {m['mrr@10']:.2f} |"
            )
            if mode == "hybrid" and prior:
                hybrid[split] = (questions, ranked, gold)
                figures[f"{split}_hits@5"] = round(m["hits@5"], 3)
                figures[f"{split}_mrr@10"] = round(m["mrr@10"], 3)
    print(
        "\nQuestions whose evidence is not in the index (its page holds only an ad-feedback survey and no "
        "headline, which ingest refuses; a copy of an indexed article counts as that article): "
        + ", ".join(f"{s} {sum(not (g & indexed) for g in hybrid[s][2])}" for s in hybrid)
    )
    print("\n## Hybrid, counting any retrieved article that holds the answer string as a hit")
    print("| split | Hits@1 | Hits@5 | MRR@10 |")
    print("| --- | --- | --- | --- |")
    for split, (questions, ranked, gold) in hybrid.items():
        holders = []
        for q, ids, wanted in zip(questions, ranked, gold, strict=True):
            needle = correct(q).lower().strip("“”\"' ")
            texts = qa.store.get_articles(ids[:10])
            holders.append(wanted | {d for d, r in texts.items() if needle in (r.title + " " + r.text).lower()})
        m = retrieval_metrics(ranked, holders)
        print(f"| {split} | {m['hits@1']:.2f} | {m['hits@5']:.2f} | {m['mrr@10']:.2f} |")

    print("\n## Answers (correct choice in the answer or its quotes)")
    print(
        "| split | questions | answer hit rate | every word of the correct choice | favours the correct choice "
        "| refused | ms per question (median) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    answered_pos: dict[str, list[bool]] = {}
    for split in splits:
        questions = load_questions(split)[: args.limit or None]
        hits, words, picks, refused, times = 0, 0, 0, 0, []
        answered_pos[split] = []
        for q in questions:
            started = time.perf_counter()
            answer = qa.ask(q["question"], None, Filters(as_of=q["question_date"]))
            times.append((time.perf_counter() - started) * 1000)
            haystack = (answer.text + " " + " ".join(c.quote for c in answer.citations)).lower()
            hits += correct(q).lower().strip('“”"') in haystack
            has_words, favours = choice_scores(q, haystack)
            words += has_words
            picks += favours
            refused += answer.refused
            answered_pos[split].append(not answer.refused)
        n = max(1, len(questions))
        figures[f"{split}_answer_hit_rate"] = round(hits / n, 3)
        print(
            f"| {split} | {len(questions)} | {hits / n:.2f} | {words / n:.2f} | {picks / n:.2f} | {refused / n:.2f} "
            f"| {statistics.median(times):.0f} |"
        )

    if args.skip_refusal:
        report("quality", figures)
        return
    print("\n## Refusal (positive class: answered)")
    print("| set | answerable | unanswerable | precision | recall |")
    print("| --- | --- | --- | --- | --- |")
    for split in splits:
        questions = load_questions(split)[: args.limit or None]
        answered_neg = []
        for q in questions:
            answer = qa.answer(q["question"], Filters(as_of=q["question_date"]), exclude=hide_answer(qa, q, twins))
            answered_neg.append(not answer.refused)
        answered = answered_pos[split] + answered_neg
        truth = [True] * len(answered_pos[split]) + [False] * len(answered_neg)
        p, r, npos, nneg = precision_recall(answered, truth)
        print(f"| RealTime QA {split} | {npos} | {nneg} | {p:.2f} | {r:.2f} |")
        figures[f"{split}_refusal_precision"], figures[f"{split}_refusal_recall"] = round(p, 3), round(r, 3)
    p, r, npos, nneg = user_article_refusal(settings)
    print(f"| user's article | {npos} | {nneg} | {p:.2f} | {r:.2f} |")
    report("quality", figures)


def user_article_refusal(base: Settings) -> tuple[float, float, int, int]:
    """Precision/recall of "answered" on questions about the user's article, in a scratch index."""
    from ingest.pipeline import Ingestor
    from qa_app.qa import QA

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(base, index_dir=Path(tmp) / "index", cache_dir=Path(tmp) / "cache")
        Ingestor(settings).run([str(ROOT / "data" / "articles")])
        qa = QA(settings)
        questions = USER_ANSWERABLE + USER_UNANSWERABLE
        answered = [not qa.ask(q).refused for q in questions]
    truth = [True] * len(USER_ANSWERABLE) + [False] * len(USER_UNANSWERABLE)
    return precision_recall(answered, truth)


if __name__ == "__main__":
    main()
