"""The Gradio UI over `qa_app`: streamed answers with clickable citations, filters, the corpus.

Run `python app.py` (or `make run`); configuration comes from `QA_*` variables (see README).
This module only lays out the components and wires their events: what each event does is a method
of `ui.handlers.Handlers` (of `ui.people.People` for the People tab), the HTML of answers and
passages comes from `ui.format`, the corpus actions from `ui.corpus`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NamedTuple

from qa_app import QA, QAError, Settings
from ui import format as fmt
from ui.corpus import REPLACE_LABEL, UPLOAD_TYPES

if TYPE_CHECKING:
    from ui.handlers import Handlers  # imports gradio: create_app imports it when it runs
    from ui.people import People

EXAMPLES = [
    "What did Rutte say?",
    "How many countries committed to sending troops for the reassurance force?",
    "What did Putin say about foreign troops in Ukraine?",
]
HEADERS = ["Title", "Outlet", "Date", "Chunks", "Doc id"]


def asset(name: str) -> str:
    return (files("ui") / "assets" / name).read_text(encoding="utf-8")


def create_app(qa: QA, settings: Settings) -> Any:
    """The Gradio Blocks app; `qa` is shared by all sessions, each session keeps its own history."""
    import gradio as gr

    from ui.handlers import Handlers
    from ui.people import People

    ui = Handlers(qa, settings)
    people = People(qa)
    with gr.Blocks(title="News QA", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# News QA\nAsk about the articles: every sentence of an answer cites the passage it comes from.")
        with gr.Tab("Chat", id="chat"):
            filters = chat_tab(ui)
        with gr.Tab("People", id="people") as people_tab_item:
            person = people_tab(ui)
        with gr.Tab("Corpus", id="corpus") as tab, gr.Row(equal_height=False):
            corpus = corpus_tab(ui, settings)
        changes = wire_corpus(ui, corpus, tab, filters[0])
        wire_people(people, person, filters, [people_tab_item.select, demo.load, *changes])
        demo.load(ui.outlet_choices, outputs=filters[0], api_visibility="private")
        gr.api(ui.ask, api_name="ask")
    return demo


def chat_tab(ui: Handlers) -> list[Any]:
    """The Chat tab: the chat (`/chat`) with the filters and the passage panel beside it; returns the filters."""
    import gradio as gr

    # The chat's column comes first in the page, so the Tab key reaches the question before the filters (CSS
    # `order` would only move it on screen). It is filled last: ChatInterface would put a filter not rendered
    # yet in an accordion of its own.
    with gr.Row(equal_height=False):
        main = gr.Column(scale=3)
        with gr.Column(scale=2, min_width=300):
            filters = filter_inputs(ui)
            panel = passage_panel(ui, "qa-passage")
        with main:
            chatbot = chat(ui, filters)
    chatbot.clear(ui.empty_passage, outputs=panel, api_visibility="private")
    return filters


def passage_panel(ui: Handlers, elem_id: str) -> Any:
    """A passage panel: a click on a marker [n] in its tab shows the cited article there (`Handlers.passage`)."""
    import gradio as gr

    return gr.HTML(
        fmt.EMPTY_PASSAGE,
        elem_id=elem_id,
        js_on_load=asset("passage.js"),
        server_functions=[server_function(ui.passage)],
    )


def filter_inputs(ui: Handlers) -> list[Any]:
    """The filters: outlet, published from, published to, as of (in the order `Handlers.respond` takes them)."""
    import gradio as gr

    from ui.handlers import ALL_OUTLETS

    with gr.Accordion("Filters: apply to the next question", open=True, elem_id="qa-filters"):
        source = gr.Dropdown(
            choices=[ALL_OUTLETS, *ui.corpus.outlets()],
            value=ALL_OUTLETS,
            label="Outlet",
            allow_custom_value=True,  # API callers may name any outlet
        )
        with gr.Row():
            date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD", max_lines=1, min_width=110)
            date_to = gr.Textbox(label="Published to", placeholder="YYYY-MM-DD", max_lines=1, min_width=110)
            as_of = gr.Textbox(label="As of", placeholder="YYYY-MM-DD", max_lines=1, min_width=110)
        gr.Markdown("*As of* prefers news published shortly before that day.", elem_classes="qa-help")
    return [source, date_from, date_to, as_of]


def chat(ui: Handlers, filters: list[Any]) -> Any:
    """The chatbot and the ChatInterface that answers in it through `Handlers.respond`; returns the chatbot."""
    import gradio as gr

    from ui.chatbot import typed_text_chatbot

    chatbot = typed_text_chatbot(  # the user's messages as typed, never as markup
        elem_id="qa-chatbot",
        height=560,
        sanitize_html=True,
        allow_tags=False,
        latex_delimiters=[],
        buttons=["copy"],
        feedback_options=None,
        placeholder="Ask a question about the articles, or try one of these:",
        show_label=False,
    )
    gr.ChatInterface(
        ui.respond,
        chatbot=chatbot,
        # ChatInterface hides the label but for a message under it ("Type a question first."), and it names the box
        # for screen readers; without one, Gradio's browser code writes "Textbox" there.
        textbox=gr.Textbox(label="Your question", placeholder="Ask about the articles…", elem_id="qa-question"),
        additional_inputs=filters,
        validator=ui.question_typed,
        examples=[[q, None, None, None, None] for q in EXAMPLES],
        run_examples_on_click=True,
        cache_examples=False,
        fill_height=False,
        api_name="chat",
        api_description=(
            "Answer a question; streams the answer as HTML with [n] markers and sources. With a model "
            "configured (QA_LLM_URL or QA_LLM_GGUF) its text streams first, marked as being checked, "
            "then the checked answer."
        ),
    )
    return chatbot


def server_function(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` as a plain function of the same name, for `gr.HTML(server_functions=...)`.

    Gradio marks a server function by setting an attribute on it, which a bound method cannot take.
    """

    @functools.wraps(method)
    def call(*args: Any) -> Any:
        return method(*args)

    return call


class CorpusTab(NamedTuple):
    """The Corpus tab's components that events read or write."""

    table: Any
    selected: Any
    reingest: Any
    delete: Any
    confirm_row: Any
    confirm: Any
    cancel: Any
    status: Any
    upload: Any
    urls: Any
    replace: Any
    ingest: Any
    results: Any


def corpus_tab(ui: Handlers, settings: Settings) -> CorpusTab:
    """The Corpus tab: the table of stored articles with Re-ingest/Delete, and the upload column."""
    import gradio as gr

    with gr.Column(scale=3):
        table = gr.Dataframe(
            value=ui.corpus.rows,
            headers=HEADERS,
            datatype=["str", "str", "str", "number", "str"],
            interactive=False,
            show_search="search",
            wrap=True,
            max_height=520,
            column_widths=["40%", "14%", "14%", "10%", "22%"],
            elem_id="qa-corpus-table",
            label="Stored articles (click a row to select it; sort from a heading’s ⋮ menu)",
        )
        with gr.Row():
            selected = gr.Textbox(
                label="Selected article (doc id)",
                placeholder="click a row of the table",
                max_lines=1,
                scale=3,
                elem_id="qa-selected",
            )
            reingest_btn = gr.Button("Re-ingest", scale=1, elem_id="qa-reingest")
            delete_btn = gr.Button("Delete", variant="stop", scale=1, elem_id="qa-delete")
        status = gr.HTML(elem_id="qa-corpus-status")
        with gr.Row(visible=False, elem_id="qa-delete-confirm-row") as confirm_row:  # a delete has no undo
            confirm_btn = gr.Button("Yes, delete it", variant="stop", scale=0, elem_id="qa-delete-confirm")
            cancel_btn = gr.Button("Cancel", scale=0, elem_id="qa-delete-cancel")
    with gr.Column(scale=2, min_width=300):
        upload = gr.File(
            label="Upload articles",
            file_count="multiple",
            file_types=[t for t in UPLOAD_TYPES if t.count(".") == 1] + [".gz"],
            type="filepath",
            elem_id="qa-upload",
        )
        gr.Markdown(
            "Accepted: .txt, .md, .html, .htm, .json, .jsonl, and any of them gzipped (.gz); "
            f"up to {settings.max_file_bytes / 1e6:g} MB a file.",
            elem_id="qa-upload-help",
        )
        urls = gr.Textbox(label="Article URLs, one a line", lines=3, elem_id="qa-urls")
        with gr.Row():
            # Off by default and again after each ingest: taking over another article's doc id
            # is a choice made for one upload.
            replace_box = gr.Checkbox(label=REPLACE_LABEL, value=False, scale=1, elem_id="qa-replace")
            ingest_btn = gr.Button("Ingest", variant="primary", scale=1, elem_id="qa-ingest")
        results = gr.HTML(elem_id="qa-results")
    return CorpusTab(
        table, selected, reingest_btn, delete_btn, confirm_row, confirm_btn, cancel_btn, status, upload, urls,
        replace_box, ingest_btn, results,
    )  # fmt: skip


def wire_corpus(ui: Handlers, c: CorpusTab, tab: Any, source: Any) -> list[Any]:
    """The Corpus tab's events (`/ingest`, `/delete`, `/reingest`); each change refreshes the table and outlets.

    Returns their `.then` triggers, for the views that must refresh after a change to the store.
    """
    outputs = [c.table, source]
    ingest = wire_ingest(ui, c, outputs)
    # Delete asks first; "Yes, delete it" deletes (`/delete` deletes at once: an API caller names what it means).
    # Choosing another article, or typing one, withdraws the question.
    asking = [c.status, c.confirm_row]
    chosen = c.table.select(ui.selected_row, outputs=c.selected, api_visibility="private")
    chosen.then(ui.cancel_delete, outputs=asking, api_visibility="private")
    c.selected.input(ui.cancel_delete, outputs=asking, api_visibility="private")
    c.delete.click(ui.ask_delete, c.selected, asking, api_visibility="private")
    c.cancel.click(ui.cancel_delete, outputs=asking, api_visibility="private")
    delete = c.confirm.click(ui.delete, c.selected, [c.status, *outputs, c.selected], api_name="delete")
    delete.then(ui.confirmed, outputs=c.confirm_row, api_visibility="private")
    reingest = c.reingest.click(ui.reingest, c.selected, [c.status, *outputs, c.selected], api_name="reingest")
    tab.select(ui.refresh, outputs=outputs, api_visibility="private")
    return [ingest.then, delete.then, reingest.then]


def wire_ingest(ui: Handlers, c: CorpusTab, outputs: list[Any]) -> Any:
    """`/ingest`: the Ingest button, then again for what was added to the boxes while it ran; returns the event.

    A batch takes what the boxes hold when it starts. Once it is done, `Handlers.left_inputs` removes that
    from the boxes and keeps what was added meanwhile; if anything, it counts up `queued`, whose change
    starts the next batch. Both triggers are one event, so a click while a batch runs is ignored, as before.
    """
    import gradio as gr

    batch = gr.State(None)  # the last batch: what it took, its result rows
    queued = gr.State(0)
    ingest = gr.on(
        [c.ingest.click, queued.change],
        ui.ingest,
        [c.upload, c.urls, c.replace, batch],
        [c.results, *outputs, batch],
        api_name="ingest",
        trigger_mode="once",
    )
    ingest.then(
        ui.left_inputs,
        [c.upload, c.urls, batch, queued],
        [c.upload, c.urls, c.replace, batch, queued],
        api_visibility="private",
        show_progress="hidden",
    )
    return ingest


class PeopleTab(NamedTuple):
    """The People tab's components that events read or write."""

    search: Any
    note: Any
    table: Any
    name: Any
    about: Any
    quotes: Any
    more: Any


def people_tab(ui: Handlers) -> PeopleTab:
    """The People tab: everyone quoted (searchable), the chosen person's quotes, and a passage panel."""
    import gradio as gr

    from ui.people import EMPTY_PERSON, HEADERS, MAX_ABOUT, MAX_QUERY

    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=360):
            search = gr.Textbox(
                label="Search names",
                placeholder="e.g. rutte",
                max_lines=1,
                max_length=MAX_QUERY,
                elem_id="qa-people-search",
            )
            note = gr.HTML(elem_id="qa-people-note")
            table = gr.Dataframe(
                headers=HEADERS,
                datatype=["str", "number", "number", "str"],
                interactive=False,
                wrap=True,
                max_height=520,
                column_widths=["37%", "19%", "20%", "24%"],
                elem_id="qa-people-table",
                label="Everyone quoted (click a name to read their quotes)",
            )
        with gr.Column(scale=4, min_width=320):
            with gr.Row():
                name = gr.Textbox(label="Person", interactive=False, max_lines=1, scale=1, elem_id="qa-person-name")
                about = gr.Textbox(
                    label="About (optional; press Enter)",
                    placeholder="e.g. Ukraine",
                    max_lines=1,
                    max_length=MAX_ABOUT,
                    scale=1,
                    elem_id="qa-person-about",
                )
            quotes = gr.HTML(EMPTY_PERSON, elem_id="qa-person")
            more = gr.Button("Show all articles", visible=False, elem_id="qa-person-more")
        with gr.Column(scale=3, min_width=300):
            passage_panel(ui, "qa-people-passage")
    return PeopleTab(search, note, table, name, about, quotes, more)


def wire_people(people: People, p: PeopleTab, filters: list[Any], refreshes: list[Callable[..., Any]]) -> None:
    """The People tab's events (`/people`, `/person_quotes`, `/person_quotes_all`); the chat's filters apply.

    Each of `refreshes` (app load, opening the tab, a change in the Corpus tab) re-reads the table
    and the shown person's quotes, so neither goes stale.
    """
    import gradio as gr

    listing = [p.table, p.note]
    shown = [p.quotes, p.more]
    # Every event that writes the table or the quotes runs in one queue, one at a time. Events sent together reach it in
    # either order, so a refresh reads the last search answered (`searched`, kept on the server), not the text the box
    # held when the refresh was sent: a tab opened just before the search was cleared must not filter the list again.
    in_order = {"concurrency_id": "people-view", "concurrency_limit": 1}
    searched = gr.State("")
    p.search.change(people.searched, [p.search, *filters], [*listing, searched], api_name="people", **in_order)
    asked = [p.name, p.about, *filters]
    chosen = p.table.select(people.chosen, outputs=p.name, api_visibility="private").then(
        people.quotes, asked, shown, api_name="person_quotes", **in_order
    )
    chosen.success(None, js=asset("show_person.js"), api_visibility="private")  # on a phone: scroll to the quotes
    p.about.submit(people.quotes, asked, shown, api_visibility="private", **in_order)
    p.more.click(people.all_quotes, asked, shown, api_name="person_quotes_all", **in_order)
    for refresh in refreshes:
        refresh(people.refresh, [searched, *asked], [*listing, *shown], api_visibility="private", **in_order)


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `demo.launch` that the app needs: style, script, login (throttled), upload limit."""
    from starlette.middleware import Middleware

    from ui.throttle import LoginThrottle

    options: dict[str, Any] = {
        "css": asset("app.css"),
        "js": asset("typed_text.js"),  # the user's messages copied and read aloud as typed
        "auth": settings.auth,
        "max_file_size": settings.max_file_bytes,
        "show_error": True,
        "footer_links": ["api"],
    }
    if settings.auth:
        # Gradio's auth check cannot see the client's address; a middleware on /login can.
        options["app_kwargs"] = {"middleware": [Middleware(LoginThrottle)]}
    return options


def warm_model(qa: QA) -> None:
    """Load the configured model before the first question (a GGUF file is converted the first time: ~90 s).

    A model that cannot load is not fatal: each answer then falls back to the extractive one, with a notice.
    """
    if qa.composer is None:
        return
    try:
        qa.composer.llm()
    except Exception as exc:  # the answers say why, one by one; the app itself works without the model
        print(f"warning: the model could not be loaded ({type(exc).__name__}: {exc}); answers stay extractive")


def main() -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    try:
        settings = Settings.from_env()
        qa = QA(settings)
        qa.embedder.warm()
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None
    warm_model(qa)
    demo = create_app(qa, settings)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=settings.host, server_port=settings.port, **launch_options(settings)
    )


if __name__ == "__main__":
    main()
