"""A label set of a capable writer's sentences: how the checks treat what a strong model writes.

The labelled sets before it hold SmolLM2's sentences, few of them supported, so they say little about what
the checks keep of a good model's answer. No endpoint is reachable here; instead a capable writer (a person,
or an assistant given nothing but the prompt) writes the answer an endpoint would, from the same prompt:

    python -m benchmarks.writer_set prompts --count 30 --seed 1204 PROMPTS.jsonl
    # a writer answers each prompt: {"question_id": ..., "answer": "... [1] ..."} a line in ANSWERS.jsonl
    python -m benchmarks.writer_set rows PROMPTS.jsonl ANSWERS.jsonl ROWS.jsonl
    # readers label each row, beside its cited passages, without seeing the checks' verdicts

The briefs the writers and the readers were given are in docs/labelling.md.

The questions ask about articles (by title) that no question, label or attribution file uses, as asked in
the chat: "Summarize the news about “...”". A question whose extractive answer is a refusal is skipped.
Needs the eval index (QA_BENCH_CACHE; see benchmarks.common).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any

from benchmarks.common import QUESTIONS, ROOT, eval_index, read_jsonl
from benchmarks.llm import passage_ref, sentence_records, stored_excerpts

ASKED = (
    "Summarize the news about “{}”.",
    "What happened in “{}”?",
    "Explain the story “{}”.",
    "What are the key facts of “{}”?",
)
DOC_ID = re.compile(r"rtqa-[0-9a-f]{10}")


def used_articles() -> set[str]:
    """Every eval article a question, label or attribution file names (its evidence, passages or titles)."""
    files = [QUESTIONS, *sorted((ROOT / "benchmarks" / "data").glob("*.jsonl"))]
    return {doc_id for path in files for doc_id in DOC_ID.findall(path.read_text(encoding="utf-8"))}


def prompts(qa: Any, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` answerable title questions about unused articles, each with its passages and the model's prompt."""
    from qa_app.llm import build_messages, pick_excerpts

    used = used_articles()
    pool = sorted(
        (r for r in qa.store.list_articles() if r.doc_id not in used and len(r.title) >= 25),
        key=lambda r: r.doc_id,
    )
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for record in rng.sample(pool, len(pool)):
        question = rng.choice(ASKED).format(record.title.strip())
        sources = qa.sources(question)
        if sources.extractive.refused:
            continue
        excerpts = pick_excerpts(sources)
        messages = build_messages(question, [], excerpts)
        out.append(
            {
                "question_id": f"title:{record.doc_id}",
                "question": question,
                "passages": [passage_ref(e) for e in excerpts],
                "system": messages[0]["content"],
                "prompt": messages[-1]["content"],
            }
        )
        if len(out) == count:
            break
    return out


def rows(qa: Any, asked: list[dict[str, Any]], answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers' sentences as unlabelled rows (see `benchmarks.llm.sentence_records`)."""
    by_id = {a["question_id"]: a["answer"] for a in answers}
    out: list[dict[str, Any]] = []
    for item in asked:
        if item["question_id"] not in by_id:
            continue
        excerpts = stored_excerpts(qa, item["passages"], f"prompt of {item['question_id']}")
        out += sentence_records(item["question_id"], by_id[item["question_id"]], excerpts)
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    ask = steps.add_parser("prompts", help="draw the questions and write their prompts")
    ask.add_argument("--count", type=int, default=30)
    ask.add_argument("--seed", type=int, default=1204)
    ask.add_argument("out", type=Path)
    split = steps.add_parser("rows", help="split the written answers into sentences to label")
    split.add_argument("prompts", type=Path)
    split.add_argument("answers", type=Path)
    split.add_argument("out", type=Path)
    args = parser.parse_args(argv)

    from qa_app.qa import QA

    qa = QA(eval_index("onnx"))
    if args.step == "prompts":
        written = prompts(qa, args.count, args.seed)
    else:
        written = rows(qa, read_jsonl(args.prompts), read_jsonl(args.answers))
    write_jsonl(args.out, written)
    print(f"{len(written)} {args.step} written to {args.out}")


if __name__ == "__main__":
    main()
