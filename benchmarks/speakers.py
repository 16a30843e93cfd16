"""Who said what on the full eval corpus: 30 hand-checked questions through `QA.ask`.

The questions (`benchmarks/data/speaker_questions.jsonl`) were written by reading RealTime QA articles
(none that a test-split question uses as evidence): persons quoted in one article, in several,
mentioned but never quoted, and absent from the corpus, plus "Who said '...'?" questions. Each holds
the gold: for every article that quotes the person (on the asked topic; published on or before
`as_of` when given) the spans of the person's quote sentences in the stored text, with a short sha1
of each span to catch drift. `allowed` spans are the person's other words (another topic, after the
"as of" date, or not named in full): citing them is no fault, finding them is not required. A
"who_said" question is a template whose `{quote}` is filled from the stored text at run time, so
no article text is kept in the repository.

Figures:
- share of gold articles found: an article counts when the answer cites (overlaps) at least one of
  the person's gold quote sentences in it (target >= 0.85);
- answers that show another person's words: a cited span with quotation marks or a speech verb
  that overlaps none of the person's gold or allowed spans (target 0);
- refusals of mentioned / absent persons, and for mentioned ones whether `Answer.mentions` lists the
  articles that mention them (once the field exists);
- latency p50/p95 of the answers, and of `QA.people()` over 20 calls when it exists.

    QA_BENCH_CACHE=/work/benchcache QA_CACHE_DIR=/work/benchcache/qa-whosaid python -m benchmarks.speakers
    python -m benchmarks.speakers --verbose        # one line per question
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE, INDEX_FORMAT, eval_index, machine, report
from qa_app.vocab import SPEECH_PARTICIPLES, SPEECH_VERBS

QUESTIONS = Path(__file__).resolve().parent / "data" / "speaker_questions.jsonl"
PEOPLE_CALLS = 20
# A speech verb in the active voice ("the death was announced" reports no one's words), or "according to".
_SPEECH_VERB = re.compile(
    rf"(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bbe )\b(?:{SPEECH_VERBS}|{SPEECH_PARTICIPLES}|according to)\b"
)
_TITLE_SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "with", "from", "by"}

Span = tuple[str, int, int]  # (article id, start, end)


def span_sha1(text: str) -> str:
    """The short sha1 the question file stores for a span of text.

    Example: span_sha1("abc") -> "a9993e364706"
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def quoted_words(sentence: str) -> list[str]:
    """The stretches of a sentence inside quotation marks, including one open at its start or end.

    A straight quote opens after white space (or at the start) and closes otherwise, as in `qa_app.quotes`;
    a closing mark with no opening one ends a quotation that began in an earlier sentence.
    Example: quoted_words('“Go home.” It rained. “We') -> ["Go home.", "We"]
    """
    found: list[str] = []
    begin: int | None = None
    for i, ch in enumerate(sentence):
        opening = ch == "“" or (ch == '"' and (i == 0 or sentence[i - 1].isspace() or sentence[i - 1] in "([—–-"))
        if opening:
            begin = i + 1
        elif ch in '”"':
            found.append(sentence[0 if begin is None and not found else (begin or 0) : i])
            begin = None
    if begin is not None:
        found.append(sentence[begin:])
    return found


def is_title(quoted: str) -> bool:
    """Whether quoted words are a title ("White Noise", "Game of Thrones") rather than someone's words.

    Example: is_title("Game of Thrones") -> True; is_title("unprecedented") -> False
    """
    words = re.findall(r"[^\W\d_][\w'’-]*", quoted)
    return bool(words) and all(w[0].isupper() or w.lower() in _TITLE_SMALL_WORDS for w in words)


def is_speech(sentence: str) -> bool:
    """Whether a sentence shows someone's words: words in quotation marks (not a title), or an active speech verb.

    Example: is_speech('"We will not give up," she said.') -> True
    Example: is_speech('The film "White Noise" opens the festival.') -> False
    """
    text = " ".join(sentence.split())
    return any(q.strip() and not is_title(q) for q in quoted_words(text)) or bool(_SPEECH_VERB.search(text))


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def spans(blocks: list[dict[str, Any]] | None) -> list[Span]:
    """The (article, start, end) spans of `gold` or `allowed` blocks."""
    return [(b["article_id"], int(q["start"]), int(q["end"])) for b in blocks or [] for q in b["quotes"]]


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans share a character of the same article.

    Example: overlaps(("d", 0, 10), ("d", 9, 12)) -> True
    """
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def check_drift(questions: list[dict[str, Any]], texts: dict[str, str]) -> list[str]:
    """Every gold, allowed or quote span whose sha1 no longer matches the stored text."""
    bad = []
    for q in questions:
        refs = [(b["article_id"], s) for key in ("gold", "allowed") for b in q.get(key) or [] for s in b["quotes"]]
        if q.get("quote"):
            refs.append((q["quote"]["article_id"], q["quote"]))
        for doc_id, s in refs:
            text = texts.get(doc_id)
            if text is None or span_sha1(text[s["start"] : s["end"]]) != s["sha1"]:
                bad.append(f"{q['id']} {doc_id} {s['start']}:{s['end']}")
    return bad


def question_text(q: dict[str, Any], texts: dict[str, str]) -> str:
    """The question as asked: a "who said" template gets its quoted words from the stored article."""
    if not q.get("quote"):
        return str(q["question"])
    ref = q["quote"]
    return str(q["question"]).replace("{quote}", texts[ref["article_id"]][ref["start"] : ref["end"]])


@dataclass
class Result:
    """One question's outcome."""

    id: str
    kind: str
    seconds: float
    refused: bool
    gold: int = 0  # gold articles
    found: int = 0  # of them, cited
    others: list[str] = field(default_factory=list)  # cited speech by someone else, as "doc:start"
    mentions_ok: bool | None = None  # None: not a `mentioned` question, or no `mentions` field yet


def judge(q: dict[str, Any], answer: Any, seconds: float) -> Result:
    """Score one answer against the question's gold."""
    cited = [((c.doc_id, c.start, c.end), c.quote) for c in answer.citations]
    gold = spans(q.get("gold"))
    own = gold + spans(q.get("allowed"))
    result = Result(q["id"], q["kind"], seconds, bool(answer.refused))
    result.gold = len(q.get("gold") or [])
    result.found = sum(any(overlaps(c, g) for c, _ in cited for g in spans([block])) for block in q.get("gold") or [])
    result.others = [
        f"{c[0]}:{c[1]}" for c, quote in cited if is_speech(quote) and not any(overlaps(c, o) for o in own)
    ]
    if q["kind"] == "mentioned":
        mentions = getattr(answer, "mentions", None)
        if mentions is not None:
            result.mentions_ok = set(q["mentions"]) <= set(mentions)
    return result


def summary(results: list[Result]) -> dict[str, Any]:
    """The headline figures of a run."""
    from benchmarks.latency import percentile  # imports the store (chromadb): not for the question-file test

    quoted = [r for r in results if r.kind in ("one", "several", "who_said")]
    several = [r for r in results if r.kind == "several"]
    unquoted = [r for r in results if r.kind in ("mentioned", "absent")]
    mentioned = [r for r in results if r.kind == "mentioned"]
    checked = [r for r in mentioned if r.mentions_ok is not None]
    seconds = [r.seconds for r in results]
    return {
        "gold_articles": sum(r.gold for r in quoted),
        "found_articles": sum(r.found for r in quoted),
        "found_share": round(sum(r.found for r in quoted) / max(1, sum(r.gold for r in quoted)), 3),
        "several_more_than_one": sum(r.found > 1 for r in several),
        "several": len(several),
        "wrongly_refused": sum(r.refused for r in quoted),
        "others_words": sum(bool(r.others) for r in results),
        "others_ids": ",".join(r.id for r in results if r.others) or "-",
        "refused_right": sum(r.refused for r in unquoted),
        "unquoted": len(unquoted),
        "mentions_right": f"{sum(bool(r.mentions_ok) for r in checked)}/{len(checked)}" if checked else "n/a",
        "p50_ms": round(percentile(seconds, 50) * 1000),
        "p95_ms": round(percentile(seconds, 95) * 1000),
    }


def time_people(qa: Any, calls: int = PEOPLE_CALLS) -> dict[str, Any]:
    """p50/p95 of `QA.people()` over `calls` calls after one warm-up call (timed apart)."""
    from benchmarks.latency import percentile

    started = time.perf_counter()
    listed = len(qa.people())
    first = time.perf_counter() - started
    seconds = []
    for _ in range(calls):
        started = time.perf_counter()
        qa.people()
        seconds.append(time.perf_counter() - started)
    return {
        "people": listed,
        "people_first_ms": round(first * 1000),
        "people_p50_ms": round(percentile(seconds, 50) * 1000),
        "people_p95_ms": round(percentile(seconds, 95) * 1000),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="print each question's result")
    parser.add_argument(
        "--articles", type=int, default=0, help="article groups an answer shows (default: QA_SPEAKER_ARTICLES)"
    )
    args = parser.parse_args(argv)

    folder = CACHE / f"realtimeqa-onnx-{INDEX_FORMAT}"
    if not (folder / "done.json").exists():
        # eval_index would start an hour-long build: never from here.
        sys.exit(
            f"no finished eval index at {folder} (set QA_BENCH_CACHE; build it with python -m benchmarks.common onnx)"
        )
    from qa_app.qa import QA
    from qa_app.retrieve import Filters

    questions = load_questions()
    settings = eval_index("onnx")
    if args.articles:
        settings = replace(settings, speaker_articles=args.articles)
    qa = QA(settings)
    doc_ids = {b["article_id"] for q in questions for key in ("gold", "allowed") for b in q.get(key) or []}
    doc_ids |= {q["quote"]["article_id"] for q in questions if q.get("quote")}
    texts = {doc_id: record.text for doc_id, record in qa.store.get_articles(sorted(doc_ids)).items()}
    drifted = check_drift(questions, texts)
    if drifted:
        sys.exit("the stored text no longer matches the gold spans (re-check the labels): " + "; ".join(drifted))

    print(f"# {machine()}")
    print(f"# {len(questions)} who-said-what questions, {len(qa.store.list_articles())} articles in the index")
    print(f"# an answer shows up to {settings.speaker_articles} articles (--articles)")
    qa.ask("What did Biden say?")  # warm: lexical index, embedder session
    results = []
    for q in questions:
        filters = Filters(as_of=q["as_of"]) if q.get("as_of") else None
        text = question_text(q, texts)
        started = time.perf_counter()
        answer = qa.ask(text, filters=filters)
        result = judge(q, answer, time.perf_counter() - started)
        results.append(result)
        if args.verbose:
            mentions = "" if result.mentions_ok is None else f" mentions={'ok' if result.mentions_ok else 'MISSING'}"
            others = f" OTHERS={','.join(result.others)}" if result.others else ""
            print(
                f"{q['id']} {q['kind']:9s} found {result.found}/{result.gold} refused={result.refused}"
                f"{mentions}{others} {result.seconds * 1000:.0f} ms  {q['person']}: {text[:70]}"
            )
    figures = summary(results)
    if hasattr(qa, "people"):
        figures |= time_people(qa)
    print("| figure | value |")
    print("| --- | --- |")
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    report("speakers", figures)


if __name__ == "__main__":
    main()
