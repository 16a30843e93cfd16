"""Dated questions: the dates a question names, their use in ranking, and the refusal of years no article holds."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qa_app.cite import REFUSAL
from qa_app.dates import named_periods, named_years
from qa_app.records import published_ts
from qa_app.retrieve import Filters

# Made-up articles: the same kind of news in June and in November, and a 2022 article looking ahead to 2024.
RECORDS = [
    {
        "id": "rates-2022-06",
        "title": "Federal Reserve raises interest rates by three-quarters of a point",
        "source": "Daily Planet",
        "published_at": "2022-06-15",
        "body": "The Federal Reserve raised interest rates by three-quarters of a percentage point on Wednesday, "
        "to a range of 1.5% to 1.75%. Chair Jerome Powell said further rate increases were likely in July.",
    },
    {
        "id": "rates-2022-11",
        "title": "Federal Reserve raises rates again as inflation lingers",
        "source": "Daily Planet",
        "published_at": "2022-11-02",
        "body": "The Federal Reserve raised its benchmark rate by 0.75 percentage point on Wednesday, to a range of "
        "3.75% to 4%. Chair Jerome Powell said the pace of increases could slow at the next meeting.",
    },
    {
        "id": "senate-2022-08",
        "title": "Governor Alma Reyes weighs a Senate run",
        "source": "Valley Courier",
        "published_at": "2022-08-20",
        "body": "Governor Alma Reyes said on Friday that she is considering a run for the Senate in the 2024 "
        "election. Reyes said she would decide after the midterms in November.",
    },
]


def _day(iso: str) -> int:
    return published_ts(iso)


@pytest.mark.parametrize(
    ("question", "today", "spans"),
    [
        ("By how much did the Fed raise rates in November 2022?", None, [("2022-11-01", "2022-11-30")]),
        ("What happened on Sept. 4?", "2022-12-10", [("2022-09-04", "2022-09-04")]),
        ("What did the Fed do last March?", "2022-12-10", [("2022-03-01", "2022-03-31")]),
        ("What did the Fed do last March?", "2023-03-20", [("2022-03-01", "2022-03-31")]),
        ("What was said on December 31?", "2022-12-10", [("2021-12-31", "2021-12-31")]),
        ("How many jobs were added in 2021?", None, [("2021-01-01", "2021-12-31")]),
        ("Who won on the 4th of July 2021?", None, [("2021-07-04", "2021-07-04")]),
        ("What did Apple announce in October?", None, []),  # a month without a year needs a day to count from
        ("Which company may cut jobs?", "2022-12-10", []),
        ("Did rent rise 2024% or cost $2024?", None, []),
        ("What happened in the 1990s?", None, []),
        ("", None, []),
        ("🤔 in 2025", None, [("2025-01-01", "2025-12-31")]),
    ],
)
def test_named_periods(question: str, today: str | None, spans: list[tuple[str, str]]) -> None:
    found = named_periods(question, _day(today) if today else None)
    assert [(p.first, p.last) for p in found] == [(_day(a), _day(b)) for a, b in spans]


def test_named_years_are_the_years_written_out() -> None:
    assert named_years("Who won the 2024 election?") == ["2024"]
    assert named_years("What did Zelenskyy say in January 2024, and in 2024?") == ["2024"]
    assert named_years("What did the Fed do last March?") == []


@pytest.fixture(scope="module")
def dated_qa(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder):
    from ingest.pipeline import Ingestor
    from qa_app.qa import QA

    folder = tmp_path_factory.mktemp("dated")
    corpus = folder / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    settings = replace(base_settings, index_dir=folder / "index", cache_dir=folder / "cache")
    summary = Ingestor(settings, embedder).run([str(corpus)])
    assert not summary.failed, summary.to_json()
    return QA(settings, embedder)


@pytest.mark.parametrize("as_of", [None, "2022-12-20"])
def test_a_question_naming_a_month_ranks_that_month_first(dated_qa, as_of: str | None) -> None:
    question = "By how much did the Federal Reserve raise interest rates in November 2022?"
    ranked = [d for d, _ in dated_qa.retriever.retrieve(question, Filters(as_of=as_of)).articles]
    assert ranked[0] == "rates-2022-11"


def test_a_question_naming_a_month_cites_that_month(dated_qa) -> None:
    answer = dated_qa.ask("By how much did the Federal Reserve raise interest rates in November 2022?")
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {"rates-2022-11"}  # June's hike, worded alike, is not cited
    assert "3.75%" in answer.citations[0].quote


def test_a_question_naming_no_date_ranks_as_before(dated_qa) -> None:
    question = "By how much did the Federal Reserve raise interest rates?"
    assert dated_qa.retriever.prior(question, Filters(), dated_qa.retriever.lexical)[1] is False


@pytest.mark.parametrize(
    "question",
    [
        "What did the Federal Reserve decide in 2025?",
        "Who won the 2024 election?",
    ],
)
def test_a_year_no_article_holds_is_refused(dated_qa, question: str) -> None:
    answer = dated_qa.ask(question)
    assert answer.refused and answer.text == REFUSAL and answer.citations == []
    year = named_years(question)[0]
    assert answer.notice == f"The articles found do not cover {year}."


def test_a_speaker_asked_of_a_year_none_of_their_articles_is_from_is_refused(dated_qa) -> None:
    answer = dated_qa.ask("What did Powell say about rate increases in 2025?")
    assert answer.refused and answer.citations == []
    assert answer.text == "Jerome Powell is quoted in 2 articles, but in none from 2025."


def test_a_year_an_article_writes_is_held(dated_qa) -> None:
    """A 2022 article on the 2024 election holds 2024 for a question it can answer."""
    answer = dated_qa.ask("Who is considering a Senate run in the 2024 election?")
    assert not answer.refused and answer.citations[0].doc_id == "senate-2022-08"


def test_the_refusal_says_why_in_its_notice(dated_qa) -> None:
    """The reason travels in `notice`, which `ask --json`, the CLI and the chat show with the refusal."""
    data = dated_qa.ask("What did the Federal Reserve decide in 2025?").to_dict()
    assert data["refused"] is True and data["notice"] == "The articles found do not cover 2025."
