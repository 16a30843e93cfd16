"""Extractive answers on the user's article: verbatim cited sentences, who-said-what, refusal."""

from __future__ import annotations

import re

import pytest

from qa_app.answer import asked_speaker
from qa_app.cite import REFUSAL, Answer, Citation, CitationError, verify
from qa_app.sentences import split_sentences

QUESTIONS = [
    "What did Rutte say?",
    "what did carpenter say",
    "What did Putin say about foreign troops in Ukraine?",
    "How many countries committed to sending troops for the reassurance force?",
    "Who hosted the September 4 talks?",
    "How much did EU imports of Russian fossil fuels total?",
    "What did Zelenskyy say about the United States?",
    "What is the capital of Australia?",
    "What did Olaf Scholz say?",
    "🤔",
    "x" * 2000,
]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q[:40] for q in QUESTIONS])
def test_every_answer_is_cited_verbatim_sentences(sample_qa, question: str) -> None:
    answer = sample_qa.ask(question)
    if answer.refused:  # a speaker refusal says why ("No article mentions Olaf Scholz.")
        assert answer.citations == [] and (answer.text == REFUSAL or asked_speaker(question))
        return
    retrieved = {doc_id for doc_id, _ in answer.retrieved}
    seen = set()
    for n, c in enumerate(answer.citations, start=1):
        text = sample_qa.show(c.doc_id).text
        assert c.n == n and c.doc_id in retrieved
        assert text[c.start : c.end] == c.quote
        assert (c.start, c.end) in split_sentences(text)  # a whole sentence, not a chunk
        assert (c.doc_id, c.start, c.end) not in seen
        seen.add((c.doc_id, c.start, c.end))
    # The answer is its cited sentences and their markers, nothing else: every number and name
    # in it comes from the sentence it cites, and no marker lacks a source. A speaker answer heads
    # each article's quotes with a line naming the article (title, outlet, date).
    body = answer.text
    if asked_speaker(answer.question):
        heads, body = zip(*(block.split("\n", 1) for block in answer.text.split("\n\n")), strict=True)
        assert all(h.startswith(sample_qa.show(answer.citations[0].doc_id).title) for h in heads)
        body = " ".join(body)
    assert body == " ".join(f"{' '.join(c.quote.split())} [{c.n}]" for c in answer.citations)
    assert sorted(int(m) for m in re.findall(r"\[(\d+)\]", answer.text)) == list(range(1, len(answer.citations) + 1))


def test_a_number_comes_with_the_sentence_that_states_it(sample_qa) -> None:
    answer = sample_qa.ask("How many countries committed to sending troops for the reassurance force?")
    assert not answer.refused
    assert "26" in answer.citations[0].quote


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did Rutte say?", "Mark Rutte"),
        ("what did RUTTE say", "Mark Rutte"),
        ("What did Mark Rutte say?", "Mark Rutte"),
        ("what did carpenter say", "Michael Carpenter"),
        ("What did Macron say?", "Emmanuel Macron"),
        ("What did Zelenskyy say?", "Volodymyr Zelenskyy"),
        ("What did Putin say?", "Vladimir Putin"),
        ("What did Synyehubov say?", "Oleh Synyehubov"),
    ],
)
def test_what_did_x_say_answers_with_x_words_only(sample_qa, question: str, speaker: str) -> None:
    answer = sample_qa.ask(question)
    assert not answer.refused and answer.citations
    record = sample_qa.show(answer.citations[0].doc_id)
    spans = {(q["start"], q["end"]): q["speaker"] for q in record.quotes}
    assert [spans.get((c.start, c.end)) for c in answer.citations] == [speaker] * len(answer.citations)


def test_direct_quotes_come_first(sample_qa) -> None:
    quotes = " ".join(c.quote for c in sample_qa.ask("What did Rutte say?").citations)
    for words in ("sovereign country", "Russia has nothing to do with this", "too powerful"):
        assert words in quotes


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("What did Olaf Scholz say?", "No article mentions Olaf Scholz."),  # a person the article never mentions
        ("What did Angela Merkel say about the reassurance force?", "No article mentions Angela Merkel."),
        # a speaker it quotes, on a topic it does not hold
        ("What did Putin say about bitcoin?", "Vladimir Putin is quoted in 1 article, but not on this topic."),
        ("What is the price of bitcoin?", REFUSAL),  # a topic it does not hold
        ("Who won the Eurovision song contest?", REFUSAL),
        ("How many goals did Messi score this season?", REFUSAL),
    ],
)
def test_refuses_and_cites_nothing(sample_qa, question: str, text: str) -> None:
    answer = sample_qa.ask(question)
    assert answer.refused and answer.text == text and answer.citations == []
    assert answer.to_dict()["citations"] == [] and answer.to_dict()["refused"] is True


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What has Rutte said?", "Rutte"),
        ("How did Rutte respond to Putin?", "Rutte"),
        ("How has Zelenskyy reacted to the talks?", "Zelenskyy"),
        ("What was Macron's reaction to the summit?", "Macron"),
        ("How did Carpenter describe the guarantee?", "Carpenter"),
        ("Quote Putin on foreign troops", "Putin"),
        ("Rutte's comments on Ukraine", "Rutte"),
        ("What did J.D. Vance say?", "J.D. Vance"),
        ("How did the market react?", None),
        ("What did the report say?", None),
        ("What did the NATO chief say?", None),
        ("How did Texas vote?", None),
        ("What is Apple's market share?", None),
        ("What did Rutte do about it?", None),
    ],
)
def test_asked_speaker_reads_every_phrasing_and_only_names(question: str, speaker: str | None) -> None:
    assert asked_speaker(question) == speaker


def test_an_old_article_answers_when_it_clearly_matches(sample_qa) -> None:
    """ "As of" a year after the article: a clear match still answers; a weaker one must be recent."""
    from qa_app.answer import compose
    from qa_app.retrieve import Filters

    question = "How many countries committed to sending troops for the reassurance force?"
    assert "26" in sample_qa.ask(question, None, Filters(as_of="2026-09-05")).text
    found = sample_qa.retriever.retrieve(question, Filters(as_of="2026-09-05"))
    assert found.priors[0] < 0.01  # a year before "as of"
    articles = sample_qa.store.get_articles([d for d, _ in found.articles])
    idf = sample_qa.retriever.lexical.idf

    def refused(agreement: float, prior: float) -> bool:
        return compose(question, found.passages, articles, found.articles, idf, agreement, prior).refused

    assert not refused(1.0, found.priors[0]) and not refused(0.8, 1.0)
    assert refused(0.8, found.priors[0]) and refused(0.6, 1.0)


def _answer(*citations: Citation, text: str | None = None) -> Answer:
    body = text if text is not None else " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(body, list(citations))


def _cite(n: int, start: int, end: int, quote: str | None = None) -> Citation:
    return Citation(n, "doc", "Title", None, None, None, quote if quote is not None else TEXT[start:end], start, end)


TEXT = "First sentence here. Second one follows."


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_answer(_cite(1, 0, 20, quote="First sentence HERE.")), "not verbatim"),
        (_answer(_cite(2, 0, 20)), "numbered 2 at position 1"),
        (_answer(_cite(1, 0, 20), _cite(2, 0, 20)), "repeats a span"),
        (_answer(_cite(1, 0, 20), text="First sentence here."), "not used"),
    ],
)
def test_verify_rejects_a_bad_citation(answer: Answer, message: str) -> None:
    with pytest.raises(CitationError, match=message):
        verify(answer, {"doc": TEXT})


def test_verify_accepts_good_citations() -> None:
    verify(_answer(_cite(1, 0, 20), _cite(2, 21, 40)), {"doc": TEXT})
