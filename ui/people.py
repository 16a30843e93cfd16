"""The People tab: everyone quoted in the corpus, searchable, and one person's quotes with their citations.

`People` holds one method per event of the tab; `app.create_app` lays the tab out and wires them.
The table comes from `QA.people` and a person's quotes from `QA.quotes`, rendered by
`ui.format.answer_html` exactly as the chat renders an answer (the same `[n]` links, opened by
the same passage endpoint). The chat's filters (outlet, dates, as of) apply here too.

Everything typed in the browser (or sent by an API caller) is hostile: the search, the name and
the topic are bounded in length, and a name reaches nothing but `QA.people`/`QA.quotes` and
`ui.format.inert`. This module imports gradio: only the app (and the tests) import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa_app import QA, Answer, Filters, QAError
from qa_app.errors import EmptyIndexError
from ui import format as fmt
from ui.handlers import parse_filters

if TYPE_CHECKING:
    from qa_app.people import Person

HEADERS = ["Name", "Quotes", "Articles", "Latest"]
MAX_QUERY = 100  # a name search; no name is longer
MAX_NAME = 200
MAX_ABOUT = 300  # a topic, e.g. "the drone strike over Poland"
EMPTY_PERSON = (
    '<div class="qa-person qa-person-empty">Click a name in the table to read everything that person '
    "said, grouped by article, each sentence with its citation.</div>"
)


def bounded(label: str, value: object, limit: int) -> str:
    """A text input stripped, or a `gr.Error` when it is longer than `limit` (anything but text counts as empty).

    Example: bounded("The search", "  rutte ", 100) -> "rutte"
    """
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise gr.Error(f"{label} is {len(text):,} characters long, over the limit of {limit:,} characters.")
    return text


def person_rows(people: Iterable[Person]) -> list[list[str | int]]:
    """Table rows, most articles first, then most quotes, then by name.

    Example: [Person("B", 3, 1, "2025-09-01"), Person("A", 1, 2, "2025-08-01")]
    -> [["A", 1, 2, "2025-08-01"], ["B", 3, 1, "2025-09-01"]]
    """
    ordered = sorted(people, key=lambda p: (-p.articles, -p.quotes, p.name.casefold()))
    return [[p.name, p.quotes, p.articles, p.latest or ""] for p in ordered]


def people_note(count: int, query: str, filters: Filters) -> str:
    """The line above the table: how many people, for which search and filters (HTML, inert).

    Example: people_note(2, "ru", Filters()) -> '<div class="qa-people-note">2 people quoted, name matching “ru”</div>'
    """
    words = f"{count:,} {'person' if count == 1 else 'people'} quoted"
    if query:
        words += f", name matching “{query}”"
    note = fmt.filters_note(filters)
    if note:
        words += f", filtered: {note} (set beside the chat)"
    return f'<div class="qa-people-note">{fmt.inert(words)}</div>'


def person_html(name: str, answer: Answer, filters: Filters) -> str:
    """A person's quotes as the chat shows an answer, under their name."""
    head = f'<div class="qa-person-head">{fmt.inert(name)}</div>'
    return f'<div class="qa-person">{head}{fmt.answer_html(answer, None, filters)}</div>'


def articles_shown(answer: Answer) -> int:
    return len({c.doc_id for c in answer.citations})


def more_button(answer: Answer | None) -> Any:
    """The "Show all N articles" button: shown only when the answer leaves articles out."""
    more = answer.more_articles if answer is not None and not answer.refused else 0
    if more <= 0:
        return gr.update(visible=False)
    return gr.update(visible=True, value=f"Show all {articles_shown(answer) + more} articles")  # type: ignore[union-attr]


class People:
    """The People tab's event handlers over the `QA` shared by all sessions."""

    def __init__(self, qa: QA) -> None:
        self.qa = qa

    def rows(self, query: str = "", filters: Filters | None = None) -> list[list[str | int]]:
        """The table's rows for a name search (accent- and case-insensitive) within `filters`."""
        try:
            return person_rows(self.qa.people(query, filters))
        except EmptyIndexError:
            return []

    def table(
        self, query: str, source: str = "", date_from: str = "", date_to: str = "", as_of: str = ""
    ) -> tuple[list[list[str | int]], str]:
        """`/people`: the rows for a search and the chat's filters, and the line that says what they are."""
        query = bounded("The search", query, MAX_QUERY)
        try:
            filters = parse_filters(source, date_from, date_to, as_of)
            rows = self.rows(query, filters)
        except (ValueError, QAError) as exc:
            raise gr.Error(str(exc)) from None
        return rows, people_note(len(rows), query, filters)

    def searched(self, query: str, *filters: str) -> tuple[list[list[str | int]], str, str]:
        """`/people` in the browser: `table`, and the search it answered, kept on the server for `refresh`."""
        return *self.table(query, *filters), query

    def quotes(
        self,
        name: str,
        about: str = "",
        source: str = "",
        date_from: str = "",
        date_to: str = "",
        as_of: str = "",
        all_articles: bool = False,
    ) -> tuple[str, Any]:
        """`/person_quotes`: a person's quotes (on `about`, if given) grouped by article, and the "Show all" button."""
        name = bounded("The name", name, MAX_NAME)
        about = bounded("The topic", about, MAX_ABOUT)
        if not name:
            return EMPTY_PERSON, more_button(None)
        try:
            filters = parse_filters(source, date_from, date_to, as_of)
            # The name is a row of the table (or an API caller's): the row "Biden" shows its quotes, not Joe Biden's.
            answer = self.qa.quotes(name, about or None, filters, all_articles=bool(all_articles), exact=True)
        except EmptyIndexError:
            raise gr.Error("There are no articles yet: add some in the Corpus tab.") from None
        except (ValueError, QAError) as exc:
            raise gr.Error(str(exc)) from None
        return person_html(name, answer, filters), more_button(answer)

    def all_quotes(
        self, name: str, about: str = "", source: str = "", date_from: str = "", date_to: str = "", as_of: str = ""
    ) -> tuple[str, Any]:
        """`/person_quotes_all`: the same, from every article that quotes the person."""
        return self.quotes(name, about, source, date_from, date_to, as_of, all_articles=True)

    def chosen(self, evt: gr.SelectData) -> Any:
        """The name of the clicked table row (its first column)."""
        row = evt.row_value or []
        return gr.update(value=str(row[0])) if row else gr.skip()

    def refresh(
        self, query: str, name: str, about: str, source: str, date_from: str, date_to: str, as_of: str
    ) -> tuple[Any, ...]:
        """After the corpus changed (or the tab is opened): the table, its line, and the shown person's quotes.

        `query` is the last search `searched` answered (server-side state), not the box's text when the refresh was
        sent: two events sent together can reach the server's queue in either order.

        Never raises: a bad date typed beside the chat is said in the table's line, the table kept.
        """
        try:
            rows, note = self.table(query, source, date_from, date_to, as_of)
        except gr.Error as exc:
            note = f'<div class="qa-people-note qa-people-error">{fmt.inert(exc.message)}</div>'
            return gr.skip(), note, gr.skip(), gr.skip()
        try:
            shown = self.quotes(name, about, source, date_from, date_to, as_of)
        except gr.Error:
            shown = EMPTY_PERSON, more_button(None)
        return rows, note, *shown
