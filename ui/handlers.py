"""What each event of the UI does: the chat, the `/ask` API, the passage panel and the Corpus tab.

`Handlers` holds one method per event; `app.create_app` only lays out the components and wires
their events to these methods. Each method takes the components' values and returns plain values,
HTML strings or `gr.update`/`gr.skip()` objects, and raises `gr.Error` for what the user must fix (the chat says
it in its reply instead), so they can be called directly, without a server. This module imports gradio: only the
app (and the tests) import it, never `qa_app`.
"""

import dataclasses
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from qa_app import QA, Answer, Filters, QAError, Settings
from qa_app.errors import EmptyIndexError
from qa_app.qa import recent_history
from qa_app.vocab import parse_iso_date
from ui import format as fmt
from ui.corpus import Corpus, Outcome, results_html, safe_name

ALL_OUTLETS = "All outlets"
CHOOSE_FIRST = "Choose an article first (click its row)."
DRAFT_EVERY = 0.1  # seconds between two updates of the model's draft in the chat
# Gradio reports progress to a parameter whose default is a Progress (it passes each event its own).
PROGRESS = gr.Progress()


def parse_filters(source: str | None, date_from: str | None, date_to: str | None, as_of: str | None) -> Filters:
    """The filters as typed beside the chat; raises ValueError for a date that is not YYYY-MM-DD, or a reversed range.

    Example: parse_filters("All outlets", "", "2025-09-30", "") -> Filters(date_to="2025-09-30")
    """
    source = (source or "").strip()
    filters = Filters(
        source=None if source in ("", ALL_OUTLETS) else source,
        date_from=parse_iso_date("Published from", date_from),
        date_to=parse_iso_date("Published to", date_to),
        as_of=parse_iso_date("As of", as_of),
    )
    # A reversed range matches no article: said as such, it is not mistaken for "nothing found".
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValueError(
            f"The date range is reversed: Published from ({filters.date_from}) is after "
            f"Published to ({filters.date_to})."
        )
    return filters


@dataclass
class Batch:
    """One ingest from the Corpus tab: the files and URLs it took, and the result rows shown after it.

    `more` is set when inputs were added while it ran: the next batch ingests them, its rows below these.
    """

    files: list[str]
    urls: list[str]
    outcomes: list[Outcome]
    more: bool = False


def not_taken(items: list[str], taken: list[str]) -> list[str]:
    """`items` without those in `taken`, each taken one removed once (the same file added again stays).

    Example: not_taken(["a", "b", "a"], ["a"]) -> ["b", "a"]
    """
    left = Counter(taken)
    kept = []
    for item in items:
        if left[item]:
            left[item] -= 1
        else:
            kept.append(item)
    return kept


class Handlers:
    """The UI's event handlers over one `QA` shared by all sessions (each session keeps its own history)."""

    def __init__(self, qa: QA, settings: Settings, corpus: Corpus | None = None) -> None:
        self.qa = qa
        self.settings = settings
        self.corpus = corpus or Corpus(qa, settings)

    # --- the chat and the API -----------------------------------------------------------------------------------------

    def question_typed(self, message: str | None) -> Any:
        """The chat box's check before a message is posted: a blank or too long one stays in the box, and says why.

        The box keeps what was typed only while this check fails: once posted, ChatInterface empties it.
        """
        if not (message or "").strip():
            return gr.validate(False, "Type a question first.")
        too_long = self.too_long(message)
        return gr.validate(too_long is None, too_long or "")

    def too_long(self, message: str | None) -> str | None:
        """What the chat and the API say of a question over `max_question_chars`, or None when it fits.

        The core's own message names the setting, for the CLI's operator; a user is told the limit only.
        Example: too_long("x" * 3000) -> "Your question is 3,000 characters long; the limit is 2,000."
        """
        chars, limit = len(message or ""), self.settings.max_question_chars
        return f"Your question is {chars:,} characters long; the limit is {limit:,}." if chars > limit else None

    def respond(
        self, message: str, history: list[dict[str, Any]], source: str, date_from: str, date_to: str, as_of: str
    ) -> Iterator[str]:
        """The chat's reply: the answer's HTML growing sentence by sentence, the sources last.

        With a model configured, its text shows first as it writes it, marked as being checked, and then
        settles at once into the checked answer (or the extractive one with a notice).
        """
        if not (message or "").strip():
            yield "Ask a question about the articles."
            return
        too_long = self.too_long(message)  # from a /chat caller: the browser's box refuses it before it is posted
        if too_long:
            yield fmt.error_html(too_long)
            return
        # What the user must fix is said in the chat: a raised gr.Error would leave ChatInterface's box disabled.
        try:
            filters = parse_filters(source, date_from, date_to, as_of)
            # A long chat goes on with its latest turns that fit; /ask callers over the limits are refused.
            yield from self._replies(self.qa.stream(message, recent_history(history, self.settings), filters), filters)
        except EmptyIndexError:
            yield fmt.error_html("There are no articles yet: add some in the Corpus tab.")
        except (ValueError, QAError) as exc:
            yield fmt.error_html(str(exc))

    def _replies(self, items: Iterator[str | Answer], filters: Filters) -> Iterator[str]:
        """The chat message's states for `QA.stream`'s items: drafts (at most every DRAFT_EVERY s), then the answer.

        The model's whole draft is shown before the answer it settles into, so what was removed can be seen written.
        """
        draft, shown, last = "", "", 0.0
        for item in items:
            if isinstance(item, Answer):
                if not shown:
                    yield from fmt.stream_answer(item, filters)  # no model, or it wrote nothing: as always
                    return
                if draft != shown:
                    yield fmt.draft_html(draft)
                yield fmt.answer_html(item, None, filters)
                return
            draft = item
            # A fast endpoint writes hundreds of tokens a second: the browser needs far fewer updates.
            if draft.strip() and time.monotonic() - last >= DRAFT_EVERY:
                shown, last = draft, time.monotonic()
                yield fmt.draft_html(draft)

    def ask(
        self,
        message: str,
        history: list[dict[str, Any]] | None = None,
        source: str = "",
        date_from: str = "",
        date_to: str = "",
        as_of: str = "",
    ) -> dict[str, Any]:
        """Answer a question as JSON, like `python -m qa_app ask --json`; `history` holds earlier turns."""
        too_long = self.too_long(message)
        if too_long:
            raise gr.Error(too_long)
        try:
            return self.qa.ask(message, history or [], parse_filters(source, date_from, date_to, as_of)).to_dict()
        except (ValueError, QAError) as exc:
            raise gr.Error(str(exc)) from None

    def passage(self, key: str) -> str:
        """The panel's HTML for a clicked citation marker (called from the browser)."""
        cite = fmt.parse_cite_key(str(key))
        if cite is None:
            return fmt.EMPTY_PASSAGE
        try:
            record = self.qa.show(cite.doc_id)
        except QAError:
            return fmt.missing_passage_html(cite.doc_id)
        return fmt.passage_html(cite, record.title, record.text, record.source, record.published, record.url)

    def empty_passage(self) -> str:
        """The panel once the chat is cleared."""
        return fmt.EMPTY_PASSAGE

    # --- the Corpus tab -----------------------------------------------------------------------------------------------

    def outlet_choices(self, rows: list[list[Any]] | None = None) -> Any:
        """The outlet filter's choices: those of the table's `rows`, or of the store."""
        outlets = {str(row[1]) for row in rows} if rows is not None else set(self.corpus.outlets())
        return gr.update(choices=[ALL_OUTLETS, *sorted(outlets - {""}, key=str.lower)])

    def refresh(self) -> tuple[Any, Any]:
        """The corpus table and the outlet filter's choices, after a change to the store."""
        rows = self.corpus.rows()
        return rows, self.outlet_choices(rows)

    def ingest(
        self,
        file_paths: list[str] | None,
        urls: str,
        replace: bool = False,
        batch: Batch | None = None,
        progress: Any = PROGRESS,
    ) -> Iterator[tuple[Any, ...]]:
        """Ingest uploads and URLs; with `replace`, their articles may take over doc ids stored from elsewhere.

        Yields the results, the table, the outlets and this `Batch`. `batch` is the one before it: when inputs
        were left for this one (`Batch.more`), its rows stay above this one's; an API call passes none.
        """
        paths = list(file_paths or [])
        url_list = [u.strip() for u in (urls or "").splitlines() if u.strip()]
        names = [safe_name(os.path.basename(p)) for p in paths] + url_list
        outcomes = list(batch.outcomes) if batch is not None and batch.more else []
        done = Batch(paths, url_list, outcomes)
        if not names:
            note = [Outcome("—", False, "choose files or paste URLs first")]
            yield results_html(outcomes or note, []), gr.skip(), gr.skip(), done
            return
        earlier = len(outcomes)
        progress(0, desc=f"Ingesting {len(names)} item(s)")
        yield results_html(outcomes, names), gr.skip(), gr.skip(), done
        for outcome in self.corpus.ingest(paths, url_list, replace=bool(replace)):
            outcomes.append(outcome)
            ingested = len(outcomes) - earlier
            progress(ingested / len(names), desc=f"{ingested} of {len(names)} done")
            yield results_html(outcomes, names[ingested:]), *self.refresh(), done

    def left_inputs(
        self, file_paths: list[str] | None, urls: str | None, batch: Batch | None, queued: int
    ) -> tuple[Any, ...]:
        """After an ingest: the upload box, the URLs, the replace box, the batch and the count of batches queued.

        What the batch took leaves the boxes; what was added while it ran stays there and is queued: `queued`
        counts up, which starts the next batch, and the batch is marked `more`. The replace box is unticked:
        taking over another article's doc id is a choice made for one batch.
        Example: box [a.txt, b.txt], the batch took [a.txt] -> [b.txt], "", False, batch (more), queued + 1
        """
        taken = batch or Batch([], [], [])
        files = not_taken(list(file_paths or []), taken.files)
        lines = not_taken([u.strip() for u in (urls or "").splitlines() if u.strip()], taken.urls)
        if not files and not lines:
            return None, "", False, gr.skip(), gr.skip()
        return files or None, "\n".join(lines), False, dataclasses.replace(taken, more=True), queued + 1

    def selected_row(self, evt: gr.SelectData) -> Any:
        """The doc id of the clicked table row (its last column)."""
        row = evt.row_value or []
        return gr.update(value=row[-1]) if row else gr.skip()

    def ask_delete(self, doc_id: str | None) -> tuple[str, Any]:
        """The Delete button: the status asking to confirm, naming the article, and the confirm row shown."""
        doc_id = (doc_id or "").strip()
        if not doc_id:
            return fmt.inert(CHOOSE_FIRST), gr.update(visible=False)
        try:
            title = self.qa.show(doc_id).title
        except QAError as exc:
            return fmt.inert(str(exc)), gr.update(visible=False)
        question = f"Delete “{title}”? Its passages leave every answer; this cannot be undone."
        return fmt.inert(question), gr.update(visible=True)

    def cancel_delete(self) -> tuple[str, Any]:
        """ "Cancel" (or another article chosen): nothing deleted, the confirm row hidden."""
        return "", gr.update(visible=False)

    def confirmed(self) -> Any:
        """After a delete: the confirm row hidden, the status kept."""
        return gr.update(visible=False)

    def delete(self, doc_id: str | None) -> tuple[Any, ...]:
        """Delete the selected article: the status, the refreshed table and outlets, the selection cleared."""

        def action(doc_id: str) -> str:
            title = self.corpus.delete(doc_id)
            return fmt.inert(f"Deleted “{title}”: its passages no longer appear in answers.")

        return self._on_selected(doc_id, action, clear=True)

    def reingest(self, doc_id: str | None) -> tuple[Any, ...]:
        """Read the selected article again from its upload or URL: the result, the refreshed table and outlets."""
        return self._on_selected(doc_id, lambda doc_id: results_html([self.corpus.reingest(doc_id)], []), clear=False)

    def _on_selected(self, doc_id: str | None, action: Callable[[str], str], *, clear: bool) -> tuple[Any, ...]:
        """Run `action` on the selected doc id, then refresh the lists (and clear the selection if `clear`)."""
        doc_id = (doc_id or "").strip()
        if not doc_id:
            return fmt.inert(CHOOSE_FIRST), gr.skip(), gr.skip(), gr.skip()
        try:
            message = action(doc_id)
        except QAError as exc:
            return fmt.inert(str(exc)), gr.skip(), gr.skip(), gr.skip()
        return message, *self.refresh(), "" if clear else gr.skip()
