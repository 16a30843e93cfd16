"""The command-line contract of `python -m ingest` and `python -m qa_app` (run as subprocesses), and its layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, USER_ARTICLE, run_cli


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    index = tmp_path_factory.mktemp("cli") / "index"
    env = {"QA_INDEX_DIR": str(index)}
    first = run_cli("ingest", str(SAMPLE), "--json", env=env)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["added"] == [USER_ARTICLE]
    assert set(summary) >= {"added", "updated", "unchanged", "removed", "failed"}
    return env


def test_ingest_twice_reports_unchanged_and_adds_no_chunks(cli_index: dict[str, str]) -> None:
    docs_before = json.loads(run_cli("qa_app", "docs", "--json", env=cli_index).stdout)
    again = run_cli("ingest", str(SAMPLE), "--json", env=cli_index)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["unchanged"] == [USER_ARTICLE]
    assert summary["added"] == summary["updated"] == summary["removed"] == summary["failed"] == []
    docs_after = json.loads(run_cli("qa_app", "docs", "--json", env=cli_index).stdout)
    assert docs_after == docs_before


def test_ask_json_quotes_rutte_verbatim(cli_index: dict[str, str]) -> None:
    result = run_cli("qa_app", "ask", "What did Rutte say?", "--json", env=cli_index)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["refused"] is False
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert "It's a sovereign country" in quotes
    assert "Russia has nothing to do with this" in quotes
    assert set(answer["citations"][0]) == {
        "n",
        "doc_id",
        "title",
        "source",
        "url",
        "published",
        "quote",
        "start",
        "end",
    }
    assert answer["retrieved"][0]["doc_id"] == USER_ARTICLE
    shown = json.loads(run_cli("qa_app", "show", USER_ARTICLE, "--json", env=cli_index).stdout)
    for c in answer["citations"]:
        assert shown["text"][c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in answer["answer"]


def test_docs_lists_the_article_with_its_metadata(cli_index: dict[str, str]) -> None:
    docs = json.loads(run_cli("qa_app", "docs", "--json", env=cli_index).stdout)
    assert len(docs) == 1
    doc = docs[0]
    assert doc["doc_id"] == USER_ARTICLE
    assert (
        doc["title"] == "Putin Warns Against Foreign Troops In Ukraine As Europe Tries To Finalize 'Reassurance Force'"
    )
    assert doc["source"] == "RFE/RL"
    assert doc["chunks"] > 1
    assert set(doc) == {"doc_id", "title", "source", "published", "url", "chunks"}


def test_history_file_follows_the_conversation(cli_index: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "turns.json"
    history.write_text(
        json.dumps([{"role": "user", "content": "What did Rutte say?"}, {"role": "assistant", "content": "..."}])
    )
    result = run_cli("qa_app", "ask", "Where was he speaking?", "--history", str(history), "--json", env=cli_index)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "Prague" in answer["answer"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "no-such-doc"), "no-such-doc"),
        (("ask", "What?", "--history", "/no/such/history.json"), "history"),
    ],
)
def test_errors_are_one_line_and_exit_1(cli_index: dict[str, str], args: tuple[str, ...], message: str) -> None:
    result = run_cli("qa_app", *args, env=cli_index)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0]


def test_empty_index_and_missing_path_fail_cleanly(tmp_path: Path) -> None:
    env = {"QA_INDEX_DIR": str(tmp_path / "empty")}
    asked = run_cli("qa_app", "ask", "What did Rutte say?", env=env)
    assert asked.returncode == 1 and "empty" in asked.stderr and "Traceback" not in asked.stderr
    missing = run_cli("ingest", str(tmp_path / "nope"), "--json", env=env)
    assert missing.returncode == 1
    failed = json.loads(missing.stdout)["failed"]
    assert failed == [{"source": str(tmp_path / "nope"), "error": "no such file or folder"}]


def test_ask_lists_each_source_article_once_with_its_quotes(sample_qa, capsys: pytest.CaptureFixture[str]) -> None:
    from qa_app.cli import _print_answer

    answer = sample_qa.ask("What did Rutte say?")
    _print_answer(answer, as_json=False)
    out = capsys.readouterr().out
    title = answer.citations[0].title
    sources = out.split(answer.text, 1)[1]  # the answer heads its quotes with the title too
    assert sources.count(title) == 1 and len(answer.citations) > 1
    assert f"{' '.join(f'[{c.n}]' for c in answer.citations)} {title} (RFE/RL, 2025-09-05)" in out
    for c in answer.citations:
        assert f"    [{c.n}] {c.quote}\n" in out
