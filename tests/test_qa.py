"""Limits on what `QA.ask` takes: the question's length and the history's size, in the API and the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from qa_app.config import Settings
from qa_app.errors import InputError, QAError
from qa_app.qa import QA, recent_history
from tests.conftest import run_cli

QUESTION = "What did Rutte say?"


def turns(n: int, size: int = 10) -> list[dict[str, str]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": "x" * size} for i in range(n)]


@pytest.mark.parametrize(
    ("question", "history", "message"),
    [
        ("x" * 2001, None, "the question is 2,001 characters long, over the limit of 2,000 characters"),
        ("x" * 5_000_000, None, "the question is 5,000,000 characters long"),
        (QUESTION, turns(41), "the history holds 41 messages, over the limit of 40 messages"),
        (QUESTION, turns(2, 25_001), "the history holds 50,002 characters, over the limit of 50,000 characters"),
        (QUESTION, [{"role": "user", "content": [{"type": "text", "text": "y" * 50_001}]}], "50,001 characters"),
    ],
    ids=["question-2001", "question-5MB", "history-41-messages", "history-50002-chars", "history-gradio-parts"],
)
def test_ask_refuses_input_over_the_limits(sample_qa: QA, question: str, history: list | None, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        sample_qa.ask(question, history)
    assert isinstance(caught.value, QAError)  # the UI and the CLI show it as a message


def test_input_at_the_limits_is_answered(sample_qa: QA) -> None:
    question = (QUESTION + " ") * 100
    question += "?" * (2000 - len(question))
    assert len(question) == 2000
    assert sample_qa.ask(question).citations
    history = [{"role": "user", "content": "Tell me about NATO."}, *turns(39, 1000)]
    assert sample_qa.ask(QUESTION, history).citations


def test_the_question_limit_is_a_setting(sample_qa: QA, embedder) -> None:
    assert Settings.from_env({"QA_MAX_QUESTION_CHARS": "10"}).max_question_chars == 10
    qa = QA(replace(sample_qa.settings, max_question_chars=10), embedder, sample_qa.store)
    with pytest.raises(InputError, match="19 characters long, over the limit of 10 characters"):
        qa.ask(QUESTION)


def test_a_long_chat_keeps_its_latest_turns_within_the_limits() -> None:
    settings = Settings()
    kept = recent_history(turns(100), settings)
    assert len(kept) == 40 and kept == turns(100)[-40:]
    long_turns = turns(10, 20_000)
    assert recent_history(long_turns, settings) == long_turns[-2:]
    assert recent_history(None, settings) == []


@pytest.fixture
def cli_env(sample_index: Path) -> dict[str, str]:
    return {"QA_INDEX_DIR": str(sample_index)}


def test_cli_refuses_a_long_question_and_a_long_history(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("qa_app", "ask", "x" * 2001, env=cli_env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: the question is 2,001 characters long, over the limit of 2,000 characters (QA_MAX_QUESTION_CHARS)"
    )
    history = tmp_path / "turns.json"
    history.write_text(json.dumps(turns(41)))
    result = run_cli("qa_app", "ask", QUESTION, "--history", str(history), env=cli_env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: the history holds 41 messages, over the limit of 40 messages"
    result = run_cli("qa_app", "ask", QUESTION, env=cli_env | {"QA_MAX_QUESTION_CHARS": "10"})
    assert result.returncode == 1 and "over the limit of 10 characters (QA_MAX_QUESTION_CHARS)" in result.stderr


def test_cli_batch_names_the_line_over_the_limit_before_answering(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    lines = [{"question": QUESTION}, {"question": "x" * 3000}, {"question": QUESTION, "history": turns(41)}]
    batch.write_text("\n".join(json.dumps(line) for line in lines))
    result = run_cli("qa_app", "ask", "--batch", str(batch), "--json", env=cli_env)
    assert result.returncode == 1 and result.stdout == ""  # no answer printed, not even the first line's
    assert result.stderr.strip() == (
        f"error: {batch}: line 2: the question is 3,000 characters long, over the limit of 2,000 characters "
        "(QA_MAX_QUESTION_CHARS)"
    )
