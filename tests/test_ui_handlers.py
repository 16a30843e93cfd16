"""ui/handlers.py: each event's handler called directly, without a server, on the real store and embedder."""

from __future__ import annotations

import html
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from qa_app import Filters
from tests.conftest import USER_ARTICLE
from ui import format as fmt


@pytest.fixture
def handlers(sample_qa, sample_index: Path, base_settings, tmp_path: Path):
    """Handlers over the shared sample index: only for handlers that do not write."""
    from ui.handlers import Handlers

    return Handlers(sample_qa, replace(base_settings, index_dir=sample_index, upload_dir=tmp_path / "up"))


@pytest.fixture
def own_handlers(sample_index: Path, base_settings, embedder, tmp_path: Path):
    """Handlers over their own copy of the sample index, uploads in tmp_path/up."""
    from qa_app import QA
    from ui.handlers import Handlers

    shutil.copytree(sample_index, tmp_path / "index")
    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    return Handlers(QA(settings, embedder), settings)


# --- the chat and the API ---------------------------------------------------------------------------------------------


def test_a_question_streams_its_cited_answer(handlers, sample_qa) -> None:
    states = list(handlers.respond("What did Rutte say?", [], "All outlets", "", "", ""))
    assert states == fmt.stream_answer(sample_qa.ask("What did Rutte say?", []), Filters())
    assert '<a class="qa-cite" href="#qa-cite:1:' in states[0] and ">[1]</a>" in states[0]
    assert "Sources" not in states[0] or len(states) == 1
    assert "sovereign country" in html.unescape(states[-1]) and "Sources" in states[-1]


def test_the_filters_reach_the_answer(handlers) -> None:
    last = list(handlers.respond("What did Rutte say?", [], " RFE/RL ", "", "2025-09-30", ""))[-1]
    assert "sovereign country" in html.unescape(last)
    assert "Filtered: outlet RFE/RL, published … to 2025-09-30" in last


@pytest.mark.parametrize("message", ["", "   ", "\n", None])
def test_an_empty_question_asks_for_one(handlers, message: str | None) -> None:
    assert list(handlers.respond(message, [], "All outlets", "", "", "")) == ["Ask a question about the articles."]


@pytest.mark.parametrize(
    ("dates", "label"),
    [(("last week", "", ""), "Published from"), (("", "2025-13-01", ""), "Published to"), (("", "", "Sept"), "As of")],
)
def test_a_bad_date_is_an_error_naming_its_field(handlers, dates: tuple[str, str, str], label: str) -> None:
    import gradio as gr

    from ui.format import error_html

    bad = next(d for d in dates if d)
    message = f"{label} must be a date like 2025-09-05, got '{bad}'"
    # The chat says it as its reply (a raised error would leave the question box disabled); the API raises it.
    assert list(handlers.respond("What did Rutte say?", [], "All outlets", *dates)) == [error_html(message)]
    with pytest.raises(gr.Error) as api:
        handlers.ask("What did Rutte say?", [], "All outlets", *dates)
    assert api.value.message == message


def test_an_empty_corpus_points_to_the_corpus_tab(base_settings, embedder, tmp_path: Path) -> None:
    from qa_app import QA
    from ui.format import error_html
    from ui.handlers import Handlers

    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "up")
    empty = Handlers(QA(settings, embedder), settings)
    reply = list(empty.respond("What did Rutte say?", [], "All outlets", "", "", ""))
    assert reply == [error_html("There are no articles yet: add some in the Corpus tab.")]


def test_ask_returns_the_cli_json_and_follows_up_on_history(handlers) -> None:
    first = handlers.ask("What did Rutte say?")
    assert not first["refused"] and "sovereign country" in first["answer"]
    assert first["citations"][0]["n"] == 1 and first["citations"][0]["doc_id"] == USER_ARTICLE
    history = [{"role": "user", "content": "What did Rutte say?"}, {"role": "assistant", "content": first["answer"]}]
    assert "Prague" in handlers.ask("Where was he speaking?", history)["answer"]


def test_a_model_s_drafts_show_as_being_checked_then_settle_into_the_checked_answer(handlers, sample_qa) -> None:
    """The drafts come first, marked and unlinked; the last state is the checked answer, nothing of the draft left."""
    from qa_app.cite import Removed

    answer = replace(sample_qa.ask("What did Rutte say?"), mode="llm", removed=[Removed("Rutte is 90. [1]", "facts")])
    drafts = ["Rutte", "Rutte said Russia", "Rutte said Russia has no veto. [1] Rutte is 90. [1]"]
    states = list(handlers._replies(iter([*drafts, answer]), Filters()))
    assert all("qa-draft" in s and "Checking against the sources…" in s and "qa-cite" not in s for s in states[:-1])
    assert fmt.inert(drafts[-1]) in states[-2]  # the whole draft is seen, however fast the model wrote it
    final = states[-1]
    assert final == fmt.answer_html(answer, None, Filters()) and "qa-draft" not in final and "Checking" not in final
    assert "1 sentence the model wrote was removed" in final and "Rutte is 90. &#91;1&#93;" in final
    assert "Composed by the model" in final and "Sources" in final


def test_without_drafts_the_answer_streams_as_before(handlers, sample_qa) -> None:
    answer = sample_qa.ask("What did Rutte say?")
    assert list(handlers._replies(iter([answer]), Filters())) == fmt.stream_answer(answer, Filters())


# Not a who-said-what question: those never reach the model.
QUESTION_FOR_MODEL = "How many countries committed to sending troops for the reassurance force?"


def test_a_model_that_is_down_gives_the_extractive_answer_with_a_notice(
    sample_qa, sample_index: Path, base_settings, embedder, tmp_path: Path
) -> None:
    """QA_LLM_URL names a port nothing listens on: the chat shows the extractive answer and says why."""
    from harness.servers import free_port
    from qa_app import QA
    from ui.handlers import Handlers

    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path / "up", llm_url=url, llm_timeout=20)
    states = list(Handlers(QA(settings, embedder), settings).respond(QUESTION_FOR_MODEL, [], "", "", "", ""))
    notice = "The model could not be reached; showing the extractive answer."
    assert all(f'<div class="qa-notice" role="note">{fmt.inert(notice)}</div>' in s for s in states)
    expected = replace(sample_qa.ask(QUESTION_FOR_MODEL), notice=notice)
    assert states == fmt.stream_answer(expected, Filters())  # sentence by sentence, as without a model
    assert "Sources" in states[-1] and "qa-draft" not in states[-1] and "Composed by the model" not in states[-1]


def test_a_question_over_the_limit_is_refused_in_words_for_a_user(handlers) -> None:
    """The box keeps it (its check fails before it is posted); `/chat` and `/ask` callers get the same words."""
    import gradio as gr

    from ui.format import error_html

    message = "Your question is 3,000 characters long; the limit is 2,000."
    assert handlers.question_typed("x" * 3000) == gr.validate(False, message)
    assert handlers.question_typed("x" * 2000)["is_valid"]
    assert list(handlers.respond("x" * 3000, [], "All outlets", "", "", "")) == [error_html(message)]
    with pytest.raises(gr.Error) as api:
        handlers.ask("x" * 3000, [])
    assert api.value.message == message


def test_a_reversed_date_range_is_an_error(handlers) -> None:
    import gradio as gr

    from ui.format import error_html

    message = "The date range is reversed: Published from (2022-07-01) is after Published to (2022-06-01)."
    dates = ("2022-07-01", "2022-06-01", "")
    assert list(handlers.respond("What did Biden say?", [], "All outlets", *dates)) == [error_html(message)]
    with pytest.raises(gr.Error) as api:
        handlers.ask("What did Biden say?", [], "All outlets", *dates)
    assert api.value.message == message


@pytest.mark.parametrize(
    ("source", "date_from", "date_to", "as_of", "expected"),
    [
        ("All outlets", "", "2025-09-30", "", Filters(date_to="2025-09-30")),
        (" RFE/RL ", " 2025-09-01 ", None, None, Filters(source="RFE/RL", date_from="2025-09-01")),
        (None, None, None, "2025-09-06", Filters(as_of="2025-09-06")),
        ("", "", "", "", Filters()),
        ("", "2025-09-05", "2025-09-05", "", Filters(date_from="2025-09-05", date_to="2025-09-05")),  # one day
    ],
)
def test_parse_filters(source, date_from, date_to, as_of, expected: Filters) -> None:
    from ui.handlers import parse_filters

    assert parse_filters(source, date_from, date_to, as_of) == expected


# --- the passage panel ------------------------------------------------------------------------------------------------


def test_passage_shows_the_cited_article_with_the_quote_marked(handlers, sample_qa) -> None:
    citation = sample_qa.ask("What did Rutte say?").citations[0]
    panel = handlers.passage(fmt.cite_key(citation))
    assert panel.startswith('<div class="qa-passage">') and '<span class="qa-passage-n">[1]</span>' in panel
    assert f'<mark class="qa-quote">{fmt.inert(citation.quote)}</mark>' in panel


@pytest.mark.parametrize("key", ["", "not a key", "qa-cite:1:9:2:abc:x.txt", "qa-cite:x:1:2:abc:x.txt"])
def test_passage_for_a_malformed_key_is_the_empty_panel(handlers, key: str) -> None:
    assert handlers.passage(key) == fmt.EMPTY_PASSAGE


def test_passage_for_an_unknown_article_says_it_is_gone(handlers) -> None:
    panel = handlers.passage("qa-cite:1:0:5:abcdef0123:gone%3Cb%3E.txt")
    assert panel == fmt.missing_passage_html("gone<b>.txt")
    assert "gone&#60;b&#62;.txt</code> is no longer in the corpus" in panel


def test_clearing_the_chat_empties_the_panel(handlers) -> None:
    assert handlers.empty_passage() == fmt.EMPTY_PASSAGE


# --- the Corpus tab ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("files", "urls"), [(None, ""), ([], " \n\n  "), (None, None)])
def test_ingest_with_nothing_chosen_says_so(handlers, files, urls) -> None:
    import gradio as gr

    [(results, table, outlets, batch)] = list(handlers.ingest(files, urls))
    assert "✗ choose files or paste URLs first" in results and 'class="qa-fail"' in results
    assert table == gr.skip() and outlets == gr.skip()
    assert handlers.left_inputs(files, urls, batch, 0) == (None, "", False, gr.skip(), gr.skip())


def test_ingest_reports_each_input_and_refreshes_the_lists(own_handlers, tmp_path: Path) -> None:
    src = tmp_path / "in" / "crane news.txt"
    src.parent.mkdir()
    src.write_text("Quay Crane Arrives\n\nA new quay crane arrived at the port of Lowmouth on Tuesday.\n")
    steps = list(own_handlers.ingest([str(src)], "ftp://x.example/a\n", replace=False))
    assert len(steps) == 3  # all pending, then one step per input
    pending = html.unescape(steps[0][0])
    assert pending.count("waiting…") == 2 and "<td>crane_news.txt</td>" in pending
    assert "<td>ftp://x.example/a</td>" in pending
    results, rows, outlets, batch = steps[-1]
    results = html.unescape(results)
    assert "✓ added: crane_news.txt (1 passage)" in results and "✗ failed: not a URL" in results
    assert "waiting…" not in results
    assert ["Quay Crane Arrives", "", "", 1, "crane_news.txt"] in rows
    assert outlets == {"choices": ["All outlets", "RFE/RL"], "__type__": "update"}
    from ui.handlers import Batch

    assert batch == Batch([str(src)], ["ftp://x.example/a"], batch.outcomes) and len(batch.outcomes) == 2


def test_inputs_added_during_an_ingest_stay_and_are_ingested_next(own_handlers, tmp_path: Path) -> None:
    import gradio as gr

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Quay Crane Arrives\n\nA new quay crane arrived at the port of Lowmouth on Tuesday.\n")
    second.write_text("Ferry Timetable\n\nThe winter ferry timetable starts in November, the port said.\n")
    *_, batch = list(own_handlers.ingest([str(first)], "", replace=True))[-1]
    # While it ran, b.txt and a URL were added (and a.txt again: it is ingested again, not lost).
    box, urls = [str(first), str(second), str(first)], "\n ftp://x.example/a \n"
    upload, left_urls, replace, queued_batch, queued = own_handlers.left_inputs(box, urls, batch, 3)
    assert (upload, left_urls, replace, queued) == ([str(second), str(first)], "ftp://x.example/a", False, 4)
    assert queued_batch.more and queued_batch.outcomes == batch.outcomes
    steps = list(own_handlers.ingest(upload, left_urls, replace, queued_batch))
    results, *_, last = steps[-1]
    assert html.unescape(steps[0][0]).count("waiting…") == 3  # the earlier row stays, above the queued ones
    assert [o.name for o in last.outcomes] == ["a.txt", "b.txt", "a.txt", "ftp://x.example/a"]
    assert "✓ added: b.txt" in html.unescape(results) and "✓ unchanged: a.txt" in html.unescape(results)
    assert own_handlers.left_inputs(upload, left_urls, last, 4) == (None, "", False, gr.skip(), gr.skip())
    *_, fresh = list(own_handlers.ingest([str(second)], ""))[-1]  # a click starts a new list of rows
    assert [o.name for o in fresh.outcomes] == ["b.txt"]


@pytest.mark.parametrize(
    ("items", "taken", "kept"),
    [([], ["a"], []), (["a", "b"], [], ["a", "b"]), (["a", "b", "a"], ["a"], ["b", "a"]), (["b"], ["a", "a"], ["b"])],
)
def test_not_taken_removes_each_taken_item_once(items: list[str], taken: list[str], kept: list[str]) -> None:
    from ui.handlers import not_taken

    assert not_taken(items, taken) == kept


@pytest.mark.parametrize("doc_id", [None, "", "   "])
def test_delete_and_reingest_with_no_selection_ask_for_one(handlers, doc_id: str | None) -> None:
    import gradio as gr

    expected = ("Choose an article first &#40;click its row&#41;.", gr.skip(), gr.skip(), gr.skip())
    assert handlers.delete(doc_id) == expected
    assert handlers.reingest(doc_id) == expected


def test_delete_of_an_unknown_article_says_so_and_changes_nothing(own_handlers) -> None:
    import gradio as gr

    rows = own_handlers.corpus.rows()
    status, *rest = own_handlers.delete("no-such.txt")
    assert status == fmt.inert("no article with doc id 'no-such.txt'")
    assert rest == [gr.skip()] * 3 and own_handlers.corpus.rows() == rows


def test_delete_asks_first_naming_the_article_and_cancel_keeps_it(handlers) -> None:
    import gradio as gr

    title = handlers.qa.show(USER_ARTICLE).title
    status, row = handlers.ask_delete(f" {USER_ARTICLE} ")
    assert status == fmt.inert(f"Delete “{title}”? Its passages leave every answer; this cannot be undone.")
    assert row == gr.update(visible=True)
    assert handlers.cancel_delete() == ("", gr.update(visible=False))
    assert handlers.qa.show(USER_ARTICLE).title == title  # asking deletes nothing
    for doc_id, said in [("", "Choose an article first (click its row)."), ("no-such.txt", "no article with doc id")]:
        status, row = handlers.ask_delete(doc_id)
        assert fmt.inert(said) in status and row == gr.update(visible=False)


def test_delete_removes_the_article_and_clears_the_selection(own_handlers) -> None:
    title = own_handlers.qa.show(USER_ARTICLE).title
    status, rows, outlets, selection = own_handlers.delete(f" {USER_ARTICLE} ")
    assert status == fmt.inert(f"Deleted “{title}”: its passages no longer appear in answers.")
    assert rows == [] and outlets == {"choices": ["All outlets"], "__type__": "update"} and selection == ""


def test_reingest_refuses_an_article_not_added_through_the_app_and_keeps_the_selection(own_handlers) -> None:
    import gradio as gr

    status, rows, outlets, selection = own_handlers.reingest(USER_ARTICLE)
    assert f"{USER_ARTICLE} was not added through the app; re-ingest it with python -m ingest" in status
    assert 'class="qa-fail"' in status
    assert [row[-1] for row in rows] == [USER_ARTICLE] and outlets["choices"] == ["All outlets", "RFE/RL"]
    assert selection == gr.skip()


def test_a_clicked_row_selects_its_doc_id(handlers) -> None:
    import gradio as gr

    row = ["Title", "RFE/RL", "2025-09-05", 7, USER_ARTICLE]
    clicked = gr.SelectData(None, {"index": [0, 1], "value": "RFE/RL", "row_value": row})
    assert handlers.selected_row(clicked) == {"value": USER_ARTICLE, "__type__": "update"}
    assert handlers.selected_row(gr.SelectData(None, {"index": [0, 1], "value": "x"})) == gr.skip()


def test_outlet_choices_from_rows_or_from_the_store(handlers) -> None:
    rows = [
        ["a", "b-outlet", "", 1, "a"],
        ["b", "", "", 1, "b"],
        ["c", "A-outlet", "", 1, "c"],
        ["d", "b-outlet", "", 1],
    ]
    assert handlers.outlet_choices(rows)["choices"] == ["All outlets", "A-outlet", "b-outlet"]
    assert handlers.outlet_choices()["choices"] == ["All outlets", "RFE/RL"]
    assert handlers.refresh() == (handlers.corpus.rows(), handlers.outlet_choices())
