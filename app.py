"""The Gradio chat UI over `qa_app`: ask with citations, browse and manage the corpus.

Run `python app.py` (or `make run`); configuration comes from `QA_*` variables (see README).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from typing import Any

from qa_app import QA, Answer, Filters, QAError, Settings

EXAMPLES = [
    "What did Rutte say?",
    "How many countries committed to sending troops for the reassurance force?",
    "What did Putin say about foreign troops in Ukraine?",
]


def _escape(text: str) -> str:
    """Article text shown as text: no HTML, no Markdown links or emphasis from the article."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", escaped)


def format_answer(answer: Answer) -> str:
    """The chat message: the answer with its markers, then the sources grouped by article."""
    if answer.refused:
        return f"🚫 *{_escape(answer.text)}*"
    body = re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", _escape(answer.text))
    lines = [body, "", "**Sources**"]
    by_doc: dict[str, list[Any]] = {}
    for c in answer.citations:
        by_doc.setdefault(c.doc_id, []).append(c)
    for cites in by_doc.values():
        first = cites[0]
        meta = " · ".join(_escape(x) for x in (first.source, first.published) if x)
        title = _escape(first.title)
        if first.url and first.url.startswith(("http://", "https://")):
            title = f"[{title}](<{html.escape(first.url, quote=True)}>)"
        lines.append(f"- {title}" + (f" — {meta}" if meta else ""))
        for c in cites:
            lines.append(f"  - **[{c.n}]** “{_escape(c.quote)}”")
    return "\n".join(lines)


def _filters(source: str | None, date_from: str | None, date_to: str | None, as_of: str | None) -> Filters:
    clean = {
        k: (v or "").strip() or None
        for k, v in dict(source=source, date_from=date_from, date_to=date_to, as_of=as_of).items()
    }
    if clean["source"] == "All outlets":
        clean["source"] = None
    return Filters(**clean)


def build_app(qa: QA, settings: Settings) -> Any:
    """The Gradio Blocks app; `qa` is shared by all sessions (each session has its own history)."""
    import gradio as gr

    def respond(
        message: str, history: list[dict[str, Any]], source: str, date_from: str, date_to: str, as_of: str
    ) -> Iterator[str]:
        if not (message or "").strip():
            yield "Ask a question about the articles."
            return
        try:
            answer = qa.ask(message, history, _filters(source, date_from, date_to, as_of))
        except QAError as exc:
            raise gr.Error(str(exc)) from None
        yield format_answer(answer)

    def corpus_rows() -> list[list[Any]]:
        return [[r.title, r.source or "", r.published or "", r.chunks, r.doc_id] for r in qa.docs()]

    def outlets() -> list[str]:
        return ["All outlets", *sorted({r.source for r in qa.docs() if r.source})]

    def upload(files: list[str] | None, urls: str) -> tuple[str, list[list[Any]]]:
        from ingest.pipeline import Ingestor

        inputs = list(files or []) + [u.strip() for u in (urls or "").splitlines() if u.strip()]
        if not inputs:
            return "Choose files or paste URLs first.", corpus_rows()
        summary = Ingestor(settings, qa.embedder, qa.store).run(inputs)
        data = summary.to_json()
        lines = [f"{k}: {len(data[k])}" for k in ("added", "updated", "unchanged")]  # type: ignore[arg-type]
        lines += [f"failed: {f.source}: {f.error}" for f in summary.failed]
        return "\n".join(lines), corpus_rows()

    with gr.Blocks(title="News QA") as demo:
        gr.Markdown("# News QA\nAsk about the articles; every sentence of an answer cites its source.")
        with gr.Tab("Chat"):
            with gr.Row():
                source = gr.Dropdown(choices=outlets(), value="All outlets", label="Outlet", allow_custom_value=True)
                date_from = gr.Textbox(label="From (YYYY-MM-DD)", max_lines=1)
                date_to = gr.Textbox(label="To (YYYY-MM-DD)", max_lines=1)
                as_of = gr.Textbox(label="As of (YYYY-MM-DD)", max_lines=1)
            gr.ChatInterface(
                respond,
                additional_inputs=[source, date_from, date_to, as_of],
                examples=[[q, "All outlets", "", "", ""] for q in EXAMPLES],
                run_examples_on_click=True,
                cache_examples=False,
                api_name="chat",
            )
        with gr.Tab("Corpus"):
            table = gr.Dataframe(
                value=corpus_rows,
                headers=["Title", "Outlet", "Published", "Chunks", "Doc id"],
                interactive=False,
            )
            files = gr.File(label="Upload articles", file_count="multiple", type="filepath")
            urls = gr.Textbox(label="URLs (one a line)", lines=2)
            status = gr.Textbox(label="Result", interactive=False)
            gr.Button("Ingest").click(upload, [files, urls], [status, table], api_name="ingest")
    return demo


def main() -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    settings = Settings.from_env()
    try:
        qa = QA(settings)
        qa.embedder.warm()
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None
    demo = build_app(qa, settings)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=settings.auth,
        show_error=True,
        footer_links=["api"],
    )


if __name__ == "__main__":
    main()
