"""The seed questions about the user's article, answered by the engine itself."""

from __future__ import annotations

import pytest

from qa_app.cite import REFUSAL
from tests.conftest import load_seeds

SEEDS = load_seeds()


def check_seed(seed: dict, answer_text: str, quotes: list[str], refused: bool) -> None:
    if seed.get("refuse"):
        assert refused, f"should refuse: {seed['question']!r} got {answer_text!r}"
        assert quotes == []
        return
    assert not refused, f"refused {seed['question']!r}"
    haystack = (answer_text + " " + " ".join(quotes)).lower()
    for needle in seed.get("expect_all", []):
        assert needle.lower() in haystack, f"{needle!r} missing for {seed['question']!r}: {answer_text!r}"
    if seed.get("expect_any"):
        assert any(n.lower() in haystack for n in seed["expect_any"]), answer_text


@pytest.mark.parametrize("seed", SEEDS, ids=[s["question"] for s in SEEDS])
def test_seed_question(sample_qa, seed: dict) -> None:
    answer = sample_qa.ask(seed["question"], seed.get("history"))
    check_seed(seed, answer.text, [c.quote for c in answer.citations], answer.refused)
    text = sample_qa.show(answer.citations[0].doc_id).text if answer.citations else ""
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("What is the capital of Australia?", REFUSAL),
        ("Who won the 1998 football world cup?", REFUSAL),
        ("What did Barack Obama say?", "No article mentions Barack Obama."),  # a speaker refusal says why
    ],
)
def test_refuses_what_the_article_does_not_hold(sample_qa, question: str, text: str) -> None:
    answer = sample_qa.ask(question)
    assert answer.refused and answer.text == text and answer.citations == []


def test_surname_in_lower_case_finds_the_speaker(sample_qa) -> None:
    answer = sample_qa.ask("what did carpenter say")
    assert not answer.refused
    assert "Potemkin security guarantee" in " ".join(c.quote for c in answer.citations)
    assert "sovereign country" not in answer.text
