"""ui/people.py: the People tab's handlers called directly, without a server, on a real store and embedder.

The corpus is three hand-written articles (tests/test_app.py and tests/test_browser.py serve it too):
Linnea Sorensen is quoted in all three, Tomás Ibáñez and Agnes Moller in one each, and Jonas Falk
is mentioned but never quoted.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from qa_app import Filters

ARTICLES = {
    "library.md": """---
title: Harbour Town Opens Floating Library
source: Coastal Gazette
date: 2025-09-10
---

# Harbour Town Opens Floating Library

The town of Eastwick opened a floating library on a converted ferry on Wednesday.

"Books should travel the way our people do, by water," said mayor Linnea Sorensen at the opening.

"We will add a second boat next year," said Tomás Ibáñez, the harbour master.

Prime Minister Jonas Falk, who did not attend, sent a basket of flowers to the quay.
""",
    "ferry.md": """---
title: Library Ferry Reaches the Outer Islands
source: Coastal Gazette
date: 2025-09-14
---

# Library Ferry Reaches the Outer Islands

The floating library made its first trip to the outer islands on Saturday, carrying four thousand books.

"The children were waiting on the pier before dawn," Linnea Sorensen said on Sunday.

The ferry will return to each island every two weeks.
""",
    "budget.md": """---
title: Eastwick Approves the Island Budget
source: Northern Post
date: 2025-08-02
---

# Eastwick Approves the Island Budget

The Eastwick council approved next year's island budget on Friday after a long debate.

"Every island deserves the same services as the mainland," Linnea Sorensen told the council.

"The budget is too small for the winter ferries," said councillor Agnes Moller.

The budget takes effect in January.
""",
}
SORENSEN = "Linnea Sorensen"


def build_people_index(folder: Path, settings, embedder) -> Path:
    """The three articles of this module ingested into `folder`/index; returns the index folder."""
    from ingest.pipeline import Ingestor

    sources = folder / "articles"
    sources.mkdir(parents=True)
    for name, text in ARTICLES.items():
        (sources / name).write_text(text, encoding="utf-8")
    index = folder / "index"
    summary = Ingestor(replace(settings, index_dir=index), embedder).run([str(sources)])
    assert sorted(summary.added) == sorted(ARTICLES), summary.to_json()
    return index


@pytest.fixture(scope="module")
def people_index(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder) -> Path:
    """The module's corpus, built once; tests that write use their own copy."""
    return build_people_index(tmp_path_factory.mktemp("people"), base_settings, embedder)


@pytest.fixture(scope="module")
def people_qa(people_index: Path, base_settings, embedder):
    from qa_app import QA

    return QA(replace(base_settings, index_dir=people_index), embedder)


@pytest.fixture(scope="module")
def people(people_qa):
    from ui.people import People

    return People(people_qa)


def names(rows: list[list]) -> list[str]:
    return [row[0] for row in rows]


def text_of(fragment: str) -> str:
    """The words of an HTML fragment."""
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", fragment)))


# --- the table --------------------------------------------------------------------------------------------------------


def test_the_table_lists_everyone_quoted_most_articles_first(people) -> None:
    rows, note = people.table("")
    assert rows[0] == [SORENSEN, rows[0][1], 3, "2025-09-14"] and rows[0][1] >= 3
    assert sorted(names(rows[1:])) == ["Agnes Moller", "Tomás Ibáñez"]
    assert rows[1:] == sorted(rows[1:], key=lambda r: (-r[2], -r[1], r[0].casefold()))
    assert "Jonas Falk" not in names(rows)  # mentioned, never quoted
    assert text_of(note) == "3 people quoted"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ibanez", ["Tomás Ibáñez"]), ("IBÁÑEZ", ["Tomás Ibáñez"]), ("sorensen", [SORENSEN]), ("nobody", [])],
)
def test_the_search_is_accent_and_case_insensitive(people, query: str, expected: list[str]) -> None:
    rows, note = people.table(f"  {query} ")
    assert names(rows) == expected
    assert f"name matching “{query}”" in text_of(note)


def test_the_chats_filters_apply_to_the_table(people) -> None:
    rows, note = people.table("", "Northern Post", "", "", "")
    assert sorted(names(rows)) == ["Agnes Moller", SORENSEN]
    assert [r[2] for r in rows] == [1, 1]
    assert "filtered: outlet Northern Post (set beside the chat)" in text_of(note)
    rows, _ = people.table("", "All outlets", "2025-09-01", "", "")
    assert sorted(names(rows)) == [SORENSEN, "Tomás Ibáñez"] and rows[0][2] == 2


def test_a_bad_date_is_an_error_in_the_table_and_a_note_on_refresh(people) -> None:
    import gradio as gr

    with pytest.raises(gr.Error, match="Published from must be a date like 2025-09-05, got 'last week'"):
        people.table("", "All outlets", "last week", "", "")
    table, note, quotes, more = people.refresh("", SORENSEN, "", "All outlets", "last week", "", "")
    assert "Published from must be a date" in text_of(note) and "qa-people-error" in note
    assert table == quotes == more == gr.skip()


# --- a person's quotes ------------------------------------------------------------------------------------------------


def test_a_persons_quotes_render_as_the_chat_renders_an_answer(people, people_qa) -> None:
    from ui import format as fmt
    from ui.people import person_html

    shown, more = people.quotes(SORENSEN)
    answer = people_qa.quotes(SORENSEN, None, Filters())
    assert shown == person_html(SORENSEN, answer, Filters())
    assert fmt.answer_html(answer, None, Filters()) in shown  # the chat's rendering, not a copy of it
    words = text_of(shown)
    for quote in ("Books should travel", "The children were waiting", "Every island deserves"):
        assert quote in words
    # One heading per article, newest first; every sentence cites its article.
    titles = ["Library Ferry Reaches the Outer Islands", "Harbour Town Opens Floating Library", "Eastwick Approves"]
    assert [words.index(t) for t in titles] == sorted(words.index(t) for t in titles)
    cited = re.findall(r'<a class="qa-cite" href="#qa-cite:\d+:\d+:\d+:\w+:([^"]+)"', shown)
    assert {"ferry.md", "library.md", "budget.md"} <= set(cited)
    assert "We will add a second boat" not in words  # another speaker's words stay out
    assert more == {"__type__": "update", "visible": False}


def test_about_narrows_to_a_topic(people) -> None:
    shown, _ = people.quotes(SORENSEN, "the island budget")
    words = text_of(shown)
    assert "Every island deserves" in words and "Books should travel" not in words


def test_a_long_list_shows_the_best_articles_and_the_button_shows_them_all(people_index, base_settings, embedder):
    from qa_app import QA
    from ui.people import People

    settings = replace(base_settings, index_dir=people_index, speaker_articles=1)
    people = People(QA(settings, embedder))
    shown, more = people.quotes(SORENSEN)
    assert more == {"__type__": "update", "visible": True, "value": "Show all 3 articles"}
    assert len(set(re.findall(r'href="#qa-cite:[^"]+:([^":]+)"', shown))) == 1
    everything, more = people.all_quotes(SORENSEN)
    assert set(re.findall(r'href="#qa-cite:[^"]+:([^":]+)"', everything)) == set(ARTICLES)
    assert more == {"__type__": "update", "visible": False}


def test_someone_mentioned_but_not_quoted_is_a_refusal(people) -> None:
    shown, more = people.quotes("Jonas Falk")
    assert "qa-refusal" in shown and "qa-cite" not in shown
    assert "Jonas Falk is mentioned in 1 article" in text_of(shown)
    assert more == {"__type__": "update", "visible": False}


def test_no_name_shows_the_hint(people) -> None:
    from ui.people import EMPTY_PERSON

    assert people.quotes("  ")[0] == EMPTY_PERSON
    assert people.quotes(None)[0] == EMPTY_PERSON  # type: ignore[arg-type]


def test_a_clicked_row_chooses_its_name(people) -> None:
    import gradio as gr

    event = gr.SelectData(None, {"index": [0, 2], "value": 3, "row_value": [SORENSEN, 3, 3, "2025-09-14"]})
    assert people.chosen(event) == {"__type__": "update", "value": SORENSEN}
    assert people.chosen(gr.SelectData(None, {"index": [0, 0], "value": None, "row_value": []})) == gr.skip()


# --- hostile input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.table("x" * 101), "The search is 101 characters long, over the limit of 100 characters."),
        (lambda p: p.quotes("x" * 201), "The name is 201 characters long, over the limit of 200 characters."),
        (
            lambda p: p.quotes(SORENSEN, "y" * 301),
            "The topic is 301 characters long, over the limit of 300 characters.",
        ),
        (lambda p: p.all_quotes("x" * 10_000), "The name is 10,000 characters long, over the limit of 200 characters."),
    ],
    ids=["search", "name", "about", "name-all"],
)
def test_overlong_inputs_are_refused(people, call, message: str) -> None:
    import gradio as gr

    with pytest.raises(gr.Error) as error:
        call(people)
    assert error.value.message == message


def test_a_hostile_name_stays_text(people) -> None:
    name = '<img src=x onerror="alert(1)">[1](javascript:alert(2))'
    shown, _ = people.quotes(name)
    assert "<img" not in shown and "javascript:" not in shown and "qa-cite" not in shown
    assert name in text_of(shown)
    rows, note = people.table("<script>")
    assert rows == [] and "<script" not in note


# --- staying current --------------------------------------------------------------------------------------------------


def test_refresh_follows_a_deleted_article(people_index, base_settings, embedder, tmp_path: Path) -> None:
    """After a delete in the Corpus tab, the refresh drops the article's speakers and quotes."""
    from qa_app import QA
    from ui.corpus import Corpus
    from ui.people import People

    shutil.copytree(people_index, tmp_path / "index")
    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    qa = QA(settings, embedder)
    people = People(qa)
    before, _, shown, _ = people.refresh("", SORENSEN, "", "All outlets", "", "", "")
    assert "Agnes Moller" in names(before) and "Every island deserves" in text_of(shown)

    Corpus(qa, settings).delete("budget.md")
    rows, note, shown, _ = people.refresh("", SORENSEN, "", "All outlets", "", "", "")
    assert names(rows) == [SORENSEN, "Tomás Ibáñez"] and rows[0][2] == 2
    assert text_of(note) == "2 people quoted"
    assert "Every island deserves" not in text_of(shown) and "Books should travel" in text_of(shown)


def test_an_empty_corpus_has_nobody(base_settings, embedder, tmp_path: Path) -> None:
    from qa_app import QA
    from ui.people import People

    people = People(QA(replace(base_settings, index_dir=tmp_path / "index"), embedder))
    rows, note = people.table("")
    assert rows == [] and text_of(note) == "0 people quoted"
