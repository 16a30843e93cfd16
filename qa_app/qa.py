"""The question-answering engine: retrieval, the extractive answer, and the stored articles."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from qa_app.answer import TOP_ARTICLES, compose
from qa_app.cite import Answer, verify
from qa_app.config import Settings
from qa_app.conversation import contextualize
from qa_app.embed import Embedder, load_embedder
from qa_app.errors import InputError
from qa_app.llm import Composer, Sources, load_composer
from qa_app.records import ArticleRecord
from qa_app.retrieve import Filters, Retriever
from qa_app.store import Store

RETRIEVED = 10


def turn_chars(turn: object) -> int:
    """Characters of one history turn's text (Gradio may send its content as a list of parts).

    Example: turn_chars({"role": "user", "content": [{"type": "text", "text": "Hi"}]}) -> 2
    """
    content = turn.get("content") if isinstance(turn, dict) else turn
    if isinstance(content, list):
        return sum(len(str(p.get("text", ""))) if isinstance(p, dict) else len(str(p)) for p in content)
    return len(str(content or ""))


def check_input(question: str, history: list[Any] | None, settings: Settings) -> None:
    """Refuse a question or history over the limits of `settings` with an `InputError` naming the limit.

    Example: check_input("x" * 2001, None, Settings()) raises InputError("the question is 2,001 characters ...")
    """
    if len(question) > settings.max_question_chars:
        raise InputError(
            f"the question is {len(question):,} characters long, over the limit of "
            f"{settings.max_question_chars:,} characters (QA_MAX_QUESTION_CHARS)"
        )
    history = history or []
    if len(history) > settings.max_history_messages:
        raise InputError(
            f"the history holds {len(history):,} messages, over the limit of {settings.max_history_messages} messages"
        )
    chars = sum(turn_chars(turn) for turn in history)
    if chars > settings.max_history_chars:
        raise InputError(
            f"the history holds {chars:,} characters, over the limit of {settings.max_history_chars:,} characters"
        )


def recent_history(history: list[Any] | None, settings: Settings) -> list[Any]:
    """The latest turns of a conversation that fit the history limits (follow-ups read only the latest).

    For a chat that has gone on for long; a caller that sends a history it chose is refused instead.
    Example: recent_history([{"content": "a"}] * 50, Settings()) -> the last 40 turns
    """
    kept: list[Any] = []
    chars = 0
    for turn in reversed((history or [])[-settings.max_history_messages :]):
        chars += turn_chars(turn)
        if chars > settings.max_history_chars:
            break
        kept.append(turn)
    return kept[::-1]


class QA:
    """One per process: loads the embedder once, opens the store, answers questions."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or Store(settings, self.embedder)
        self.store.check_embedder()
        self.retriever = Retriever(self.store, self.embedder)

    def ask(self, question: str, history: list[dict[str, Any]] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question (a follow-up when `history` holds earlier turns): the last item of `stream`.

        Raises `InputError` for a question or history over the limits of `Settings`: a
        megabyte question would cost a minute of CPU.
        """
        final: Answer | None = None
        for item in self.stream(question, history, filters):
            if isinstance(item, Answer):
                final = item
        assert final is not None  # `stream` always ends with an Answer
        return final

    def stream(
        self, question: str, history: list[dict[str, Any]] | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Answer one question, as it is written: the model's raw text so far (str, unchecked, growing)
        any number of times, then exactly one final, checked `Answer`.

        Without a model configured (`QA_LLM_URL`, `QA_LLM_GGUF`) it yields only the extractive answer.
        A model that fails, stalls or writes nothing that passes the checks gives the extractive
        answer with a one-line `notice`. Limits are checked at once (`InputError`), before iterating.
        """
        check_input(question, history, self.settings)
        self.store.require_articles()
        return self._stream(contextualize(question, history), history, filters)

    def _stream(self, question: str, history: list[Any] | None, filters: Filters | None) -> Iterator[str | Answer]:
        sources = self.sources(question, filters)
        if sources.extractive.refused or self.composer is None:
            # A question the articles do not answer is never sent to the model: it would answer anyway.
            yield sources.extractive
            return
        yield from self.composer.stream(question, history or [], sources)

    @functools.cached_property
    def composer(self) -> Composer | None:
        """What writes composed answers from the configured model, or None (the default: extractive only)."""
        return load_composer(self.settings, self.embedder)

    def answer(self, question: str, filters: Filters | None = None, *, exclude: frozenset[str] = frozenset()) -> Answer:
        """The extractive answer to a self-contained question; `exclude` hides articles (for evaluation)."""
        return self.sources(question, filters, exclude=exclude).extractive

    def sources(
        self, question: str, filters: Filters | None = None, *, exclude: frozenset[str] = frozenset()
    ) -> Sources:
        """What one question retrieves: its passages, their articles, and the extractive answer from them."""
        found = self.retriever.retrieve(question, filters, limit=RETRIEVED, exclude=exclude)
        articles = self.store.get_articles([doc_id for doc_id, _ in found.articles[:TOP_ARTICLES]])
        # A passage of a version replaced since the lexical index was built would point into the wrong text.
        passages = [p for p in found.passages if p.doc_id in articles and articles[p.doc_id].hash == p.chunk.hash]
        agreement, prior = (found.agreement[0], found.priors[0]) if found.agreement else (0.0, 1.0)
        answer = compose(question, passages, articles, found.articles, self.retriever.lexical.idf, agreement, prior)
        verify(answer, {doc_id: a.text for doc_id, a in articles.items()})
        return Sources(question, passages, articles, answer)

    def docs(self) -> list[ArticleRecord]:
        return sorted(self.store.list_articles(), key=lambda r: (r.published or "", r.title), reverse=True)

    def show(self, doc_id: str) -> ArticleRecord:
        return self.store.get_article(doc_id)

    def delete(self, doc_id: str) -> None:
        """Remove an article; its passages stop appearing in answers at once.

        Holds the index's write lock (`LockTimeoutError` when another writer keeps it too long).
        """
        with self.store.writing():
            self.store.get_article(doc_id)
            self.store.delete_article(doc_id)
            self.store.bump()
