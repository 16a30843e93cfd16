"""`python -m qa_app ask --batch FILE --json`: one answer a line, in order, models loaded once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import USER_ARTICLE, run_cli

KEYS = {"answer", "refused", "citations", "retrieved", "mentions", "more_articles", "mode", "removed", "notice"}
CITATION_KEYS = {"n", "doc_id", "title", "source", "url", "published", "quote", "start", "end"}


@pytest.fixture(scope="module")
def env(sample_index: Path) -> dict[str, str]:
    return {"QA_INDEX_DIR": str(sample_index)}


def _write(path: Path, items: list[object]) -> Path:
    path.write_text("\n".join(i if isinstance(i, str) else json.dumps(i) for i in items) + "\n", encoding="utf-8")
    return path


def test_batch_answers_every_line_in_order(tmp_path: Path, env: dict[str, str], sample_qa) -> None:
    items = [
        {"question": "What did Rutte say?"},
        {"question": "Where was he speaking?", "history": [{"role": "user", "content": "What did Rutte say?"}]},
        {"question": "What did Angela Merkel say?"},
        {"question": "How many countries committed to sending troops?", "as_of": "2025-09-06"},
        {"question": "What did Rutte say?", "source": "CNN"},  # an outlet with no articles
        {"question": "What did Rutte say?", "date_from": "2025-09-01", "date_to": "2025-09-30"},
        {"question": "What did Rutte say?", "date_to": "2024-12-31"},  # before the article
    ]
    batch = _write(tmp_path / "questions.jsonl", [items[0], "", *items[1:]])  # a blank line is skipped
    result = run_cli("qa_app", "ask", "--batch", str(batch), "--json", env=env)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(items)
    for answer in answers:
        assert set(answer) == KEYS
        assert all(set(c) == CITATION_KEYS for c in answer["citations"])
    rutte, where, merkel, count, cnn, in_range, too_early = answers
    assert "sovereign country" in rutte["answer"] and rutte["retrieved"][0]["doc_id"] == USER_ARTICLE
    assert "Prague" in " ".join(c["quote"] for c in where["citations"])
    assert merkel["refused"] and merkel["citations"] == []
    assert "26" in count["answer"]
    assert cnn["refused"] and cnn["retrieved"] == []
    assert in_range["answer"] == rutte["answer"]
    assert too_early["refused"] and too_early["retrieved"] == []
    # The same answers as the library gives, one process for the whole file.
    assert rutte == sample_qa.ask("What did Rutte say?").to_dict()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1 is not valid JSON"),
        (json.dumps({"history": []}), "line 1 has no question"),
        (json.dumps({"question": "   "}), "line 1 has no question"),
        (json.dumps(["What did Rutte say?"]), "line 1 has no question"),
        (json.dumps({"question": "Why?", "as_of": "yesterday"}), "line 1: as-of must be a date"),
        (json.dumps({"question": "Why?", "history": "What did Rutte say?"}), "line 1: history must be a list"),
    ],
)
def test_a_bad_line_is_one_error_line_and_no_answers(
    tmp_path: Path, env: dict[str, str], line: str, message: str
) -> None:
    batch = _write(tmp_path / "bad.jsonl", [line, {"question": "What did Rutte say?"}])
    result = run_cli("qa_app", "ask", "--batch", str(batch), "--json", env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_missing_batch_file_is_an_error(tmp_path: Path, env: dict[str, str]) -> None:
    result = run_cli("qa_app", "ask", "--batch", str(tmp_path / "nope.jsonl"), "--json", env=env)
    assert result.returncode == 1 and "batch file not found" in result.stderr
