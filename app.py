"""The Gradio UI over `qa_app`: streamed answers with clickable citations, filters, the corpus.

Run `python app.py` (or `make run`); configuration comes from `QA_*` variables (see README).
The HTML of answers and passages comes from `ui.format`, the corpus actions from `ui.corpus`.
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator
from importlib.resources import files
from typing import Any

from qa_app import QA, Filters, QAError, Settings
from qa_app.errors import EmptyIndexError
from qa_app.qa import recent_history
from ui import format as fmt
from ui.corpus import UPLOAD_TYPES, Corpus, Outcome, results_html

EXAMPLES = [
    "What did Rutte say?",
    "How many countries committed to sending troops for the reassurance force?",
    "What did Putin say about foreign troops in Ukraine?",
]
ALL_OUTLETS = "All outlets"
HEADERS = ["Title", "Outlet", "Date", "Chunks", "Doc id"]


def asset(name: str) -> str:
    return (files("ui") / "assets" / name).read_text(encoding="utf-8")


def _date(label: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{label} must be a date like 2025-09-05, got {value!r}") from None


def parse_filters(source: str | None, date_from: str | None, date_to: str | None, as_of: str | None) -> Filters:
    """The filters as typed beside the chat; raises ValueError for a date that is not YYYY-MM-DD.

    Example: parse_filters("All outlets", "", "2025-09-30", "") -> Filters(date_to="2025-09-30")
    """
    source = (source or "").strip()
    return Filters(
        source=None if source in ("", ALL_OUTLETS) else source,
        date_from=_date("Published from", date_from),
        date_to=_date("Published to", date_to),
        as_of=_date("As of", as_of),
    )


def build_app(qa: QA, settings: Settings) -> Any:
    """The Gradio Blocks app; `qa` is shared by all sessions, each session keeps its own history."""
    import gradio as gr

    from ui.corpus import safe_name

    corpus = Corpus(qa, settings)

    def respond(
        message: str, history: list[dict[str, Any]], source: str, date_from: str, date_to: str, as_of: str
    ) -> Iterator[str]:
        if not (message or "").strip():
            yield "Ask a question about the articles."
            return
        try:
            filters = parse_filters(source, date_from, date_to, as_of)
            # A long chat keeps going on its latest turns; /ask callers over the limits are refused.
            answer = qa.ask(message, recent_history(history, settings), filters)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        except EmptyIndexError:
            raise gr.Error("There are no articles yet: add some in the Corpus tab.") from None
        except QAError as exc:
            raise gr.Error(str(exc)) from None
        yield from fmt.stream_answer(answer, filters)

    def ask(
        message: str,
        history: list[dict[str, Any]] | None = None,
        source: str = "",
        date_from: str = "",
        date_to: str = "",
        as_of: str = "",
    ) -> dict[str, Any]:
        """Answer a question as JSON, like `python -m qa_app ask --json`; `history` holds earlier turns."""
        try:
            return qa.ask(message, history or [], parse_filters(source, date_from, date_to, as_of)).to_dict()
        except (ValueError, QAError) as exc:
            raise gr.Error(str(exc)) from None

    def passage(key: str) -> str:
        """The panel's HTML for a clicked citation marker (called from the browser)."""
        cite = fmt.parse_cite_key(str(key))
        if cite is None:
            return fmt.EMPTY_PASSAGE
        try:
            record = qa.show(cite.doc_id)
        except QAError:
            return fmt.missing_passage_html(cite.doc_id)
        return fmt.passage_html(cite, record.title, record.text, record.source, record.published, record.url)

    def outlet_choices(rows: list[list[Any]] | None = None) -> Any:
        outlets = {str(row[1]) for row in rows} if rows is not None else set(corpus.outlets())
        return gr.update(choices=[ALL_OUTLETS, *sorted(outlets - {""}, key=str.lower)])

    def refresh() -> tuple[Any, Any]:
        """The corpus table and the outlet filter's choices, after a change to the store."""
        rows = corpus.rows()
        return rows, outlet_choices(rows)

    tracker = gr.Progress()  # Gradio reports progress to a parameter whose default is a Progress

    def ingest(file_paths: list[str] | None, urls: str, progress: Any = tracker) -> Iterator[tuple[Any, ...]]:
        paths = list(file_paths or [])
        url_list = [u.strip() for u in (urls or "").splitlines() if u.strip()]
        names = [safe_name(os.path.basename(p)) for p in paths] + url_list
        if not names:
            yield results_html([Outcome("—", False, "choose files or paste URLs first")], []), gr.skip(), gr.skip()
            return
        outcomes: list[Outcome] = []
        progress(0, desc=f"Ingesting {len(names)} item(s)")
        yield results_html(outcomes, names), gr.skip(), gr.skip()
        for outcome in corpus.ingest(paths, url_list):
            outcomes.append(outcome)
            progress(len(outcomes) / len(names), desc=f"{len(outcomes)} of {len(names)} done")
            yield results_html(outcomes, names[len(outcomes) :]), *refresh()

    def selected_row(evt: gr.SelectData) -> Any:
        row = evt.row_value or []
        return gr.update(value=row[-1]) if row else gr.skip()

    def on_selected(action: Callable[[str], str], *, clear: bool) -> Callable[[str | None], tuple[Any, ...]]:
        """A Delete/Re-ingest handler: run `action` on the selected doc id, then refresh the lists."""

        def handler(doc_id: str | None) -> tuple[Any, ...]:
            doc_id = (doc_id or "").strip()
            if not doc_id:
                return fmt.inert("Choose an article first (click its row)."), gr.skip(), gr.skip(), gr.skip()
            try:
                message = action(doc_id)
            except QAError as exc:
                return fmt.inert(str(exc)), gr.skip(), gr.skip(), gr.skip()
            return message, *refresh(), "" if clear else gr.skip()

        return handler

    delete = on_selected(
        lambda doc_id: fmt.inert(f"Deleted “{corpus.delete(doc_id)}”: its passages no longer appear in answers."),
        clear=True,
    )
    reingest = on_selected(lambda doc_id: results_html([corpus.reingest(doc_id)], []), clear=False)

    with gr.Blocks(title="News QA", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# News QA\nAsk about the articles: every sentence of an answer cites the passage it comes from.")
        with gr.Tab("Chat", id="chat"):
            # The side column comes first in code (ChatInterface needs its filters rendered) and
            # second on screen (CSS `order`).
            with gr.Row(equal_height=False):
                with gr.Column(scale=2, min_width=300, elem_classes="qa-side"):
                    with gr.Accordion("Filters: apply to the next question", open=True, elem_id="qa-filters"):
                        source = gr.Dropdown(
                            choices=[ALL_OUTLETS, *corpus.outlets()],
                            value=ALL_OUTLETS,
                            label="Outlet",
                            allow_custom_value=True,  # API callers may name any outlet
                        )
                        with gr.Row():
                            date_from = gr.Textbox(
                                label="Published from", placeholder="YYYY-MM-DD", max_lines=1, min_width=110
                            )
                            date_to = gr.Textbox(
                                label="Published to", placeholder="YYYY-MM-DD", max_lines=1, min_width=110
                            )
                            as_of = gr.Textbox(label="As of", placeholder="YYYY-MM-DD", max_lines=1, min_width=110)
                        gr.Markdown("*As of* prefers news published shortly before that day.", elem_classes="qa-help")
                    panel = gr.HTML(
                        fmt.EMPTY_PASSAGE,
                        elem_id="qa-passage",
                        js_on_load=asset("passage.js"),
                        server_functions=[passage],
                    )
                with gr.Column(scale=3, elem_classes="qa-main"):
                    chatbot = gr.Chatbot(
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
                        respond,
                        chatbot=chatbot,
                        textbox=gr.Textbox(placeholder="Ask about the articles…", elem_id="qa-question"),
                        additional_inputs=[source, date_from, date_to, as_of],
                        examples=[[q, None, None, None, None] for q in EXAMPLES],
                        run_examples_on_click=True,
                        cache_examples=False,
                        fill_height=False,
                        api_name="chat",
                        api_description="Answer a question; returns the answer as HTML with [n] markers and sources.",
                    )
            chatbot.clear(lambda: fmt.EMPTY_PASSAGE, outputs=panel, api_visibility="private")
        with gr.Tab("Corpus", id="corpus") as corpus_tab, gr.Row(equal_height=False):
            with gr.Column(scale=3):
                table = gr.Dataframe(
                    value=corpus.rows,
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
                ingest_btn = gr.Button("Ingest", variant="primary", elem_id="qa-ingest")
                results = gr.HTML(elem_id="qa-results")
        corpus_outputs = [table, source]
        ingest_btn.click(ingest, [upload, urls], [results, *corpus_outputs], api_name="ingest").then(
            lambda: (None, ""), outputs=[upload, urls], api_visibility="private"
        )
        table.select(selected_row, outputs=selected, api_visibility="private")
        delete_btn.click(delete, selected, [status, *corpus_outputs, selected], api_name="delete")
        reingest_btn.click(reingest, selected, [status, *corpus_outputs, selected], api_name="reingest")
        corpus_tab.select(refresh, outputs=corpus_outputs, api_visibility="private")
        demo.load(outlet_choices, outputs=source, api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `demo.launch` that the app needs: style, login, upload limit."""
    return {
        "css": asset("app.css"),
        "auth": settings.auth,
        "max_file_size": settings.max_file_bytes,
        "show_error": True,
        "footer_links": ["api"],
    }


def main() -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    try:
        settings = Settings.from_env()
        qa = QA(settings)
        qa.embedder.warm()
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None
    demo = build_app(qa, settings)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=settings.host, server_port=settings.port, **launch_options(settings)
    )


if __name__ == "__main__":
    main()
