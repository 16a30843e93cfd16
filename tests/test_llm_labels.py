"""The verifier's label files (benchmarks/llm.py) still point at the stored text, and the held-out set stays apart."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.attribution import stored_texts
from benchmarks.common import ARTICLES, QUESTIONS, ROOT
from benchmarks.llm import (
    LABELS,
    LABELS_BLIND4,
    LABELS_HELDOUT,
    LABELS_TEST,
    WRITER_SETS,
    read_labels,
    span_hash,
)
from benchmarks.quality import load_questions
from ingest.load import load_inputs
from qa_app.config import Settings

USER = ("seed:", "user:")  # questions about the user's article (data/articles), not RealTime QA ones


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict[str, Any]]]:
    return {
        "first": read_labels(LABELS),
        "test": read_labels(LABELS_TEST),
        "heldout": read_labels(LABELS_HELDOUT),
        "blind4": read_labels(LABELS_BLIND4),
        **{path.stem.removeprefix("llm_labels_"): read_labels(path) for path in WRITER_SETS},
    }


@pytest.fixture(scope="module")
def texts(sets: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """doc id -> stored text of every passage's article (the eval corpus read from ../shared/eval, never copied)."""
    if not ARTICLES.exists():
        pytest.skip(f"the eval corpus is not at {ARTICLES} (set QA_EVAL_DIR to the folder holding realtimeqa/)")
    ids = {p["doc_id"] for rows in sets.values() for row in rows for p in row["passages"]}
    found = stored_texts(ids)
    for _, article in load_inputs([str(ROOT / "data" / "articles")], Settings()):
        found[article.doc_id] = article.text  # type: ignore[union-attr]
    return found


def test_every_label_is_complete_and_its_passages_unchanged(
    sets: dict[str, list[dict[str, Any]]], texts: dict[str, str]
) -> None:
    problems = []
    for name, rows in sets.items():
        for i, row in enumerate(rows):
            where = f"{name}[{i}]"
            if row["label"] not in ("supported", "unsupported") or not row["reason"].strip():
                problems.append(f"{where}: label {row['label']!r}, reason {row['reason']!r}")
            if not row["sentence"].strip() or row["cites"] != [p["n"] for p in row["passages"]]:
                problems.append(f"{where}: sentence or cites")
            for p in row["passages"]:
                if span_hash(texts.get(p["doc_id"], "")[p["start"] : p["end"]]) != p["sha1"]:
                    problems.append(f"{where}: passage {p['doc_id']}@{p['start']} changed")
    assert problems == []
    assert all(len(rows) >= 60 for rows in sets.values())  # the issue asks for at least 60 labelled sentences


def test_the_sets_share_no_sentence_and_the_held_out_set_no_question(sets: dict[str, list[dict[str, Any]]]) -> None:
    if not QUESTIONS.exists():
        pytest.skip(f"no questions at {QUESTIONS}")
    split = {q["id"]: q["split"] for q in load_questions("both")}
    asked = {name: {row["question_id"] for row in rows} for name, rows in sets.items()}
    assert {split[q] for q in asked["test"]} == {"test"} and {split[q] for q in asked["heldout"]} == {"dev"}
    assert not asked["heldout"] & (asked["first"] | asked["test"])  # its questions were never asked while shaping
    # blind4 and the writer sets ask about articles (a title each) that no passage of the sets before them comes from
    seen = {p["doc_id"] for name in ("first", "test", "heldout") for row in sets[name] for p in row["passages"]}
    for name in ("blind4", "writer5", "writer6", "writer7", "writer8"):
        articles = {q.removeprefix("title:") for q in asked[name]}
        assert all(q.startswith("title:") for q in asked[name]) and not articles & seen
        seen |= {p["doc_id"] for row in sets[name] for p in row["passages"]} | articles
    sentences = [row["sentence"] for rows in sets.values() for row in rows]
    assert len(set(sentences)) == len(sentences)
