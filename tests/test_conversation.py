"""Follow-ups: the question rewritten from the history, then answered by the engine."""

from __future__ import annotations

import pytest

from qa_app.conversation import contextualize

RUTTE = [
    {"role": "user", "content": "What did Rutte say?"},
    {"role": "assistant", "content": "Why are we interested in what Russia thinks about troops in Ukraine? [1]"},
]


@pytest.mark.parametrize(
    ("question", "history", "standalone"),
    [
        ("Where was he speaking?", RUTTE, "Where was Rutte speaking?"),
        ("And what did Putin say?", RUTTE, "What did Putin say?"),
        ("What did he say?", RUTTE, "What did Rutte say?"),
        ("What about Carpenter?", RUTTE, "What did Carpenter say?"),
        ("what about the reassurance force?", RUTTE, "What did Rutte say about the reassurance force?"),
        ("How many countries committed troops?", RUTTE, "How many countries committed troops?"),
        ("Where was he speaking?", [], "Where was he speaking?"),
        ("Where was he speaking?", None, "Where was he speaking?"),
        # Gradio may send content as a list of parts, and turns without text.
        (
            "Where was he speaking?",
            [{"role": "user", "content": [{"type": "text", "text": "What did Rutte say?"}]}, {"role": "assistant"}],
            "Where was Rutte speaking?",
        ),
        # After a "who" question, "he" is the person the reply named.
        (
            "What else did he say?",
            [
                {"role": "user", "content": "Who warned against foreign troops?"},
                {"role": "assistant", "content": "Russian President Vladimir Putin has warned ... [1]"},
            ],
            "What else did Vladimir Putin say?",
        ),
    ],
)
def test_contextualize(question: str, history: list | None, standalone: str) -> None:
    assert contextualize(question, history) == standalone


def test_where_was_he_speaking_follows_rutte(sample_qa) -> None:
    answer = sample_qa.ask("Where was he speaking?", RUTTE)
    assert not answer.refused
    assert "at a Prague conference" in answer.citations[0].quote  # the place comes first, not one more quote


@pytest.mark.parametrize("follow_up", ["Which city was he in?", "At which forum was he speaking?"])
def test_a_follow_up_about_putin_finds_where_he_spoke(sample_qa, follow_up: str) -> None:
    history = [{"role": "user", "content": "What did Putin say about foreign troops?"}]
    answer = sample_qa.ask(follow_up, history)
    assert not answer.refused
    assert "Vladivostok" in " ".join(c.quote for c in answer.citations)


def test_and_what_did_putin_say_answers_with_putin_only(sample_qa) -> None:
    answer = sample_qa.ask("And what did Putin say?", RUTTE)
    record = sample_qa.show(answer.citations[0].doc_id)
    spans = {(q["start"], q["end"]): q["speaker"] for q in record.quotes}
    assert not answer.refused and answer.citations
    assert {spans.get((c.start, c.end)) for c in answer.citations} == {"Vladimir Putin"}
    assert "legitimate targets" in answer.text


def test_a_follow_up_about_someone_absent_is_refused(sample_qa) -> None:
    answer = sample_qa.ask("What about Angela Merkel?", RUTTE)
    assert answer.refused and answer.citations == []
