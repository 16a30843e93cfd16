"""The shared vocabulary: what each speech-verb list, name pattern and the date check accept and refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_app.vocab import (
    ASKED_SPEECH_VERBS,
    CAPITALISED_RUN,
    CAPITALISED_WORD,
    INVERTED_SPEECH_VERBS,
    SPEAKER_QUESTION,
    SPEECH_PARTICIPLES,
    SPEECH_VERBS,
    SPLIT_SPEECH_VERBS,
    parse_iso_date,
)
from tests.conftest import run_cli


def _has(alternatives: str, text: str) -> bool:
    return re.search(rf"\b(?:{alternatives})\b", text) is not None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Rutte said", True),
        ("Macron emphasised", True),  # both spellings
        ("Rutte emphasized", True),
        ("as Carpenter pointed out", True),  # a two-word verb
        ("Putin warns", True),
        ("he believes", True),
        ("Rutte, saying", False),  # participles are their own list
        ("the sayings of Rutte", False),
        ("Rutte spoke", False),
        ("", False),
    ],
)
def test_speech_verbs(text: str, found: bool) -> None:
    assert _has(SPEECH_VERBS, text) is found


@pytest.mark.parametrize(
    ("alternatives", "text", "found"),
    [
        (SPEECH_PARTICIPLES, "Biden signed the bill, saying", True),
        (SPEECH_PARTICIPLES, "Biden said", False),
        (INVERTED_SPEECH_VERBS, '"No," said Rutte', True),
        (INVERTED_SPEECH_VERBS, '"No," told Rutte', False),  # "told" needs an object: never inverted
        (SPLIT_SPEECH_VERBS, '"Why?" Rutte asked', True),
        (SPLIT_SPEECH_VERBS, '"Why?" Rutte tweeted', False),  # a speech verb, but not one that joins sentences
    ],
)
def test_the_narrow_lists(alternatives: str, text: str, found: bool) -> None:
    assert _has(alternatives, text) is found


def test_inverted_and_split_verbs_are_speech_verbs() -> None:
    speech = set(SPEECH_VERBS.split("|"))
    assert set(INVERTED_SPEECH_VERBS.split("|")) <= speech
    assert set(SPLIT_SPEECH_VERBS.split("|")) <= speech
    assert not set(SPEECH_PARTICIPLES.split("|")) & speech


@pytest.mark.parametrize(
    ("question", "who"),
    [
        ("What did Rutte say?", "Rutte"),
        ("what did carpenter say", "carpenter"),
        ("WHAT DID PUTIN SAY", "PUTIN"),
        ("What else has the NATO chief warned?", "the NATO chief"),
        ("What does Mark Rutte think about it?", "Mark Rutte"),
        ("Biden spoke on Covid. What did he say?", "he"),
        ("So what did the Kremlin say about it?", "the Kremlin"),
        ("What did Rutte do?", None),
        ("Who said that?", None),
        ("What is the saying?", None),  # "say" must be a whole word
        ("What was Putin thinking?", None),
        ("", None),
    ],
)
def test_speaker_question(question: str, who: str | None) -> None:
    m = SPEAKER_QUESTION.search(question)
    assert (m["who"] if m else None) == who


def test_speaker_question_knows_every_asked_verb() -> None:
    for verb in ASKED_SPEECH_VERBS:
        m = SPEAKER_QUESTION.search(f"What did Rutte {verb}?")
        assert m is not None and m["who"] == "Rutte", verb


@pytest.mark.parametrize(
    ("text", "words", "runs"),
    [
        (
            "NATO Secretary-General Mark Rutte said",
            ["Secretary-General", "Mark", "Rutte"],
            ["NATO Secretary-General Mark Rutte"],
        ),
        ("Rutte's view of Texas-Mexico trade", ["Rutte's", "Texas-Mexico"], ["Rutte's", "Texas-Mexico"]),
        ("the US and EU", [], ["US", "EU"]),  # acronyms are runs, not words
        ("I met A. Smith", ["Smith"], ["A. Smith"]),  # a one-letter word is no run on its own
        ("In Prague, Macron spoke", ["In", "Prague", "Macron"], ["In Prague", "Macron"]),
        ("Zelenskyy 🇺🇦", ["Zelenskyy"], ["Zelenskyy"]),
        ("all lower case", [], []),
        ("", [], []),
    ],
)
def test_capitalised_words_and_runs(text: str, words: list[str], runs: list[str]) -> None:
    assert CAPITALISED_WORD.findall(text) == words
    assert CAPITALISED_RUN.findall(text) == runs


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2025-09-05", "2025-09-05"),
        (" 2025-09-05\n", "2025-09-05"),
        ("20250905", "2025-09-05"),  # ISO 8601's basic form
        ("2024-02-29", "2024-02-29"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_iso_date(value: str | None, parsed: str | None) -> None:
    assert parse_iso_date("As of", value) == parsed


@pytest.mark.parametrize("value", ["yesterday", "2025-02-30", "2025-09-05T10:00", "05/09/2025", "2025-9-5", "2025"])
def test_parse_iso_date_names_the_field(value: str) -> None:
    with pytest.raises(
        ValueError, match=rf"^Published from must be a date like 2025-09-05, got {re.escape(repr(value))}$"
    ):
        parse_iso_date("Published from", value)


def test_cli_refuses_a_date_with_a_time_before_loading_anything(tmp_path: Path) -> None:
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CACHE_DIR": str(tmp_path / "cache")}
    result = run_cli("qa_app", "ask", "Why?", "--as-of", "2025-09-05T10:00", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: as-of must be a date like 2025-09-05, got '2025-09-05T10:00'"
    assert not (tmp_path / "index").exists()
