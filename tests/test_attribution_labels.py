"""The attribution label files still point at the stored text, and the held-out and blind sets stay apart."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from benchmarks.attribution import (
    BLIND,
    BLIND2,
    BLIND3,
    BLIND4,
    BLIND5,
    BLIND6,
    BLIND7,
    BLIND8,
    HELDOUT,
    KINDS,
    LABELS,
    drifted,
    load_labels,
    stored_texts,
)
from benchmarks.common import ARTICLES, QUESTIONS
from benchmarks.draw_attribution_articles import candidates, draw
from benchmarks.speakers import load_questions
from qa_app.sentences import split_sentences


def problems(labels: list[dict[str, Any]], texts: dict[str, str], kept_apart: set[str]) -> list[str]:
    """What is wrong with a label file: a drifted span, a span that is no sentence, a bad kind, a duplicate,
    or an article it must not use (one in `kept_apart`)."""
    out = [f"drifted {lab['article_id']}@{lab['start']}" for lab in drifted(labels, texts)]
    sentences = {doc_id: set(split_sentences(text)) for doc_id, text in texts.items()}
    for lab in labels:
        where = f"{lab['article_id']}@{lab['start']}"
        if (lab["start"], lab["end"]) not in sentences[lab["article_id"]]:
            out.append(f"not a sentence {where}")
        if lab["kind"] not in KINDS:
            out.append(f"kind {lab['kind']!r} {where}")
        if lab["speaker"] is not None and not (isinstance(lab["speaker"], str) and lab["speaker"].strip()):
            out.append(f"speaker {lab['speaker']!r} {where}")
    twice = [span for span, n in Counter((lab["article_id"], lab["start"]) for lab in labels).items() if n > 1]
    out += [f"twice {doc_id}@{start}" for doc_id, start in twice]
    out += [f"kept apart {doc_id}" for doc_id in sorted({lab["article_id"] for lab in labels} & kept_apart)]
    return out


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict[str, Any]]]:
    return {
        "tuning": load_labels(LABELS),
        "heldout": load_labels(HELDOUT),
        "blind": load_labels(BLIND),
        "blind2": load_labels(BLIND2),
        "blind3": load_labels(BLIND3),
        "blind4": load_labels(BLIND4),
        "blind5": load_labels(BLIND5),
        "blind6": load_labels(BLIND6),
        "blind7": load_labels(BLIND7),
        "blind8": load_labels(BLIND8),
    }


@pytest.fixture(scope="module")
def texts(sets: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The stored text of every labelled article (read at test time from ../shared/eval, never copied)."""
    if not ARTICLES.exists():
        pytest.skip(f"the eval corpus is not at {ARTICLES} (set QA_EVAL_DIR to the folder holding realtimeqa/)")
    found = stored_texts({lab["article_id"] for labels in sets.values() for lab in labels})
    assert set(found) == {lab["article_id"] for labels in sets.values() for lab in labels}
    return found


@pytest.fixture(scope="module")
def kept_apart(sets: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Articles the held-out set must not use: the tuning set's, every question's evidence, the who-said-what set's."""
    if not QUESTIONS.exists():
        pytest.skip(f"the eval questions are not at {QUESTIONS} (set QA_EVAL_DIR to the folder holding realtimeqa/)")
    quiz = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    evidence = {e["article_id"] for q in quiz for e in q.get("evidence") or []}
    speakers = load_questions()
    used = {b["article_id"] for q in speakers for key in ("gold", "allowed") for b in q.get(key) or []}
    used |= {d for q in speakers for d in q.get("mentions") or []}
    used |= {q["quote"]["article_id"] for q in speakers if q.get("quote")}
    tuning = {lab["article_id"] for lab in sets["tuning"]}
    assert evidence and used and tuning
    return tuning | evidence | used


def test_tuning_labels_match_the_stored_text(sets: dict[str, list[dict[str, Any]]], texts: dict[str, str]) -> None:
    assert problems(sets["tuning"], texts, set()) == []


def test_heldout_labels_match_the_stored_text_and_stay_apart(
    sets: dict[str, list[dict[str, Any]]], texts: dict[str, str], kept_apart: set[str]
) -> None:
    heldout = sets["heldout"]
    assert problems(heldout, texts, kept_apart) == []
    assert sum(1 for lab in heldout if lab["speaker"]) >= 150
    assert len({lab["article_id"] for lab in heldout}) >= 20


@pytest.mark.parametrize(
    ("key", "earlier", "speakers", "articles"),
    [
        ("blind", ("heldout",), 150, 20),
        ("blind2", ("heldout", "blind"), 300, 30),
        ("blind3", ("heldout", "blind", "blind2"), 300, 30),
        ("blind4", ("heldout", "blind", "blind2", "blind3"), 300, 30),
        ("blind5", ("heldout", "blind", "blind2", "blind3", "blind4"), 300, 30),
        ("blind6", ("heldout", "blind", "blind2", "blind3", "blind4", "blind5"), 300, 30),
        ("blind7", ("heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6"), 300, 30),
        ("blind8", ("heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7"), 4000, 550),
    ],
)
def test_a_blind_set_matches_the_stored_text_and_stays_apart_from_every_other_set(
    sets: dict[str, list[dict[str, Any]]],
    texts: dict[str, str],
    kept_apart: set[str],
    key: str,
    earlier: tuple[str, ...],
    speakers: int,
    articles: int,
) -> None:
    labels = sets[key]
    others = {lab["article_id"] for other in earlier for lab in sets[other]}
    assert problems(labels, texts, kept_apart | others) == []
    people = [lab for lab in labels if lab["speaker"]]
    assert len(people) >= speakers
    assert len({lab["article_id"] for lab in people}) >= articles


def test_the_blind_articles_are_the_ones_the_draw_script_gives(sets: dict[str, list[dict[str, Any]]]) -> None:
    """Anyone can re-draw the blind sets: the committed script (fixed seed) gives the first 24 articles (blind),
    the next 40 (blind2), then blind3 to blind7, 40 each, then blind8's 640."""
    if not ARTICLES.exists() or not QUESTIONS.exists():
        pytest.skip(f"the eval corpus is not at {ARTICLES.parent}")
    drawn = draw(candidates(), 904)
    ids = [article_id for _, article_id in drawn]
    spans = {
        "blind": (0, 24),
        "blind2": (24, 64),
        "blind3": (64, 104),
        "blind4": (104, 144),
        "blind5": (144, 184),
        "blind6": (184, 224),
        "blind7": (224, 264),
        "blind8": (264, 904),
    }
    for key, (start, stop) in spans.items():
        assert set(ids[start:stop]) == {lab["article_id"] for lab in sets[key]}, key
    assert len({outlet for outlet, _ in drawn}) >= 3


def test_a_tampered_label_or_a_tuned_article_is_caught(
    sets: dict[str, list[dict[str, Any]]], texts: dict[str, str], kept_apart: set[str]
) -> None:
    tampered = copy.deepcopy(sets["heldout"])
    tampered[0]["sha1"] = "0" * 12
    tampered[1]["start"] += 1
    tuned = sets["tuning"][0]
    tampered.append(dict(tuned))
    found = problems(tampered, texts, kept_apart)
    first, second = tampered[0], tampered[1]
    assert f"drifted {first['article_id']}@{first['start']}" in found
    assert f"not a sentence {second['article_id']}@{second['start']}" in found
    assert f"kept apart {tuned['article_id']}" in found
    # a held-out article in the blind set is caught too
    leaked = dict(sets["heldout"][0])
    heldout = {lab["article_id"] for lab in sets["heldout"]}
    assert f"kept apart {leaked['article_id']}" in problems([*sets["blind"], leaked], texts, kept_apart | heldout)
