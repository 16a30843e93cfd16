"""The who-said-what question file is well formed and its gold still points at the stored article text."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import json
import re
from collections import Counter
from typing import Any

import pytest

from benchmarks.common import ARTICLES, QUESTIONS
from benchmarks.speakers import check_drift, is_speech, load_questions, question_text, spans
from ingest.formats import from_json
from ingest.model import Article

KINDS = {"one", "several", "mentioned", "absent", "who_said"}
# How the questions ask, so the set keeps its variety of phrasings.
PHRASINGS = {
    "what did X say": r"^What did .+ say\b",
    "what has X said": r"^What has .+ said\b",
    "how did X respond": r"^How did .+ respond to\b",
    "how did X react": r"^How did .+ react to\b",
    "what was X's reaction": r"^What was .+['’]s reaction to\b",
    "how did X describe": r"^How did .+ describe\b",
    "quote X on": r"^Quote .+ on\b",
    "X's comments on": r"^.+['’]s comments on\b",
    "who said": r"^Who said '\{quote\}'\?$",
}


@pytest.fixture(scope="module")
def questions() -> list[dict[str, Any]]:
    return load_questions()


def used_ids(questions: list[dict[str, Any]]) -> set[str]:
    ids = {b["article_id"] for q in questions for key in ("gold", "allowed") for b in q.get(key) or []}
    ids |= {d for q in questions for d in q.get("mentions") or []}
    return ids | {q["quote"]["article_id"] for q in questions if q.get("quote")}


@pytest.fixture(scope="module")
def raw_records() -> dict[str, dict[str, Any]]:
    """The eval corpus as its JSON records, by id (read at test time from ../shared/eval, never copied)."""
    if not ARTICLES.exists():
        pytest.skip(f"the eval corpus is not at {ARTICLES} (set QA_EVAL_DIR to the folder holding realtimeqa/)")
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return {str(r["id"]): r for r in records}


@pytest.fixture(scope="module")
def stored_texts(questions: list[dict[str, Any]], raw_records: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The text the app stores for each article the questions use, cleaned by ingest's own JSONL loader."""
    wanted = [raw_records[d] for d in sorted(used_ids(questions)) if d in raw_records]
    lines = "\n".join(json.dumps(r) for r in wanted)
    articles = [a for a in from_json(lines, name="eval", doc_id="eval", origin="eval", lines=True)]
    return {a.doc_id: a.text for a in articles if isinstance(a, Article)}


def test_thirty_questions_of_each_kind(questions: list[dict[str, Any]]) -> None:
    kinds = Counter(q["kind"] for q in questions)
    assert len(questions) == 30 and set(kinds) == KINDS
    assert kinds["several"] >= 8 and kinds["mentioned"] >= 4 and kinds["absent"] >= 3 and kinds["one"] >= 5
    assert len({q["id"] for q in questions}) == 30


def test_each_question_is_complete(questions: list[dict[str, Any]]) -> None:
    for q in questions:
        assert set(q) <= {"id", "question", "as_of", "person", "kind", "gold", "allowed", "mentions", "quote"}, q["id"]
        assert q["person"] and q["question"].strip(), q["id"]
        if "as_of" in q:
            dt.date.fromisoformat(q["as_of"])
        articles = [b["article_id"] for b in q["gold"]]
        assert len(articles) == len(set(articles)), q["id"]
        assert all(b["quotes"] for b in q["gold"]), q["id"]
        if q["kind"] == "one":
            assert len(articles) == 1, q["id"]
        elif q["kind"] == "several":
            assert len(articles) >= 2, q["id"]
        elif q["kind"] == "who_said":
            assert q["quote"] and "{quote}" in q["question"] and len(articles) == 1, q["id"]
        else:
            assert not articles and not q.get("allowed"), q["id"]
        assert bool(q.get("mentions")) == (q["kind"] == "mentioned"), q["id"]
        gold, allowed = set(spans(q["gold"])), set(spans(q.get("allowed")))
        assert not gold & allowed, q["id"]


def test_phrasings_vary(questions: list[dict[str, Any]]) -> None:
    used = {name for q in questions for name, rx in PHRASINGS.items() if re.search(rx, q["question"])}
    assert used == set(PHRASINGS)


def test_no_test_split_evidence_article_is_used(questions: list[dict[str, Any]]) -> None:
    if not QUESTIONS.exists():
        pytest.skip(f"the eval questions are not at {QUESTIONS}")
    quiz = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    test_evidence = {e["article_id"] for q in quiz if q["split"] == "test" for e in q["evidence"]}
    assert test_evidence and not used_ids(questions) & test_evidence


def test_gold_spans_match_the_stored_text(questions: list[dict[str, Any]], stored_texts: dict[str, str]) -> None:
    assert set(stored_texts) == used_ids(questions)
    assert check_drift(questions, stored_texts) == []
    for q in questions:
        for doc_id, start, end in spans(q["gold"]):
            sentence = stored_texts[doc_id][start:end]
            assert sentence.strip() == sentence and len(sentence.split()) >= 3, (q["id"], doc_id, start)
        if q.get("quote"):  # the quoted words lie inside one of the gold sentences
            ref = q["quote"]
            inside = [(d, a, b) for d, a, b in spans(q["gold"]) if d == ref["article_id"] and a <= ref["start"]]
            assert any(ref["end"] <= b for _, _, b in inside), q["id"]
            assert "{quote}" not in question_text(q, stored_texts)


def test_a_wrong_sha1_or_moved_span_is_caught(questions: list[dict[str, Any]], stored_texts: dict[str, str]) -> None:
    tampered = copy.deepcopy(questions)
    tampered[0]["gold"][0]["quotes"][0]["sha1"] = "0" * 12
    tampered[5]["gold"][0]["quotes"][0]["start"] += 1
    assert [line.split()[0] for line in check_drift(tampered, stored_texts)] == [tampered[0]["id"], tampered[5]["id"]]


def test_the_persons_are_where_the_labels_say(
    questions: list[dict[str, Any]], raw_records: dict[str, dict[str, Any]], stored_texts: dict[str, str]
) -> None:
    """Every gold and mentioning article names the person; an absent person is named in no article at all."""
    for q in questions:
        surname = q["person"].split()[-1]
        stem = surname[:6].lower()  # transliterations differ at the end: Arestovych, Arestovich
        if q["kind"] == "absent":
            rx = re.compile(re.escape(surname), re.I)
            assert not [d for d, r in raw_records.items() if rx.search(f"{r.get('title')} {r.get('body')}")], q["id"]
            continue
        for doc_id in [b["article_id"] for b in q["gold"]] + (q.get("mentions") or []):
            assert stem in (stored_texts[doc_id] + str(raw_records[doc_id].get("title"))).lower(), (q["id"], doc_id)


def test_speech_is_told_from_titles_and_passives() -> None:
    assert is_speech('"We will not give up," she said.')
    assert is_speech("Everybody sees that,” Vereshchuk said.")  # the end of a quotation begun earlier
    assert is_speech("Birol described the move as “unprecedented” in an interview.")
    assert not is_speech('The film "White Noise" opens the festival.')
    assert not is_speech("The death of the Queen was announced on September 8.")
