"""The question-answering engine: retrieval, the extractive answer, and the stored articles."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from qa_app.answer import TOP_ARTICLES, asked_speaker, compose, unheld, year_refusal
from qa_app.cite import Answer, verify
from qa_app.config import Settings
from qa_app.conversation import contextualize
from qa_app.dates import named_years
from qa_app.embed import Embedder, load_embedder
from qa_app.errors import InputError
from qa_app.llm import Composer, Sources, load_composer
from qa_app.people import PeopleIndex, Person
from qa_app.people_sync import PeopleSync
from qa_app.records import ArticleRecord
from qa_app.retrieve import Filters, Retriever
from qa_app.said import said_phrase, speaker_answer, who_said
from qa_app.store import Store
from qa_app.text import terms

RETRIEVED = 10
PHRASE_HELD = 0.8  # "Who said '...'?": the share of the phrase's words one passage must hold to be answered at all


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
        self.people_sync = PeopleSync(self.store, self.retriever.sync)

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
        said = self._said(question, filters, frozenset())
        if said is not None:
            # Who said what is answered with the person's own sentences across the corpus, never composed.
            yield said
            return
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
        """Answer a self-contained question; `exclude` hides articles (for evaluation).

        Who-said-what questions ("What did X say?", "Who said '...'?") are answered from the people
        index across every article; the others from the retrieved articles.
        """
        said = self._said(question, filters, exclude)
        if said is not None:
            return said
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

    def _said(self, question: str, filters: Filters | None, exclude: frozenset[str]) -> Answer | None:
        """The answer to a who-said-what question, or None for any other question.

        Refused, as other answers are, when a year the question names is held by none of the articles it cites.
        """
        answer = self._said_answer(question, filters, exclude)
        if answer is None or answer.refused or not named_years(question):
            return answer
        cited = self._fetch(list(dict.fromkeys(c.doc_id for c in answer.citations)))
        _, years = unheld(question, list(cited.values()))
        return year_refusal(years, answer.retrieved, question) if years else answer

    def _said_answer(self, question: str, filters: Filters | None, exclude: frozenset[str]) -> Answer | None:
        """The answer to "Who said X?" (`said.who_said`) or "What did X say?" (`said.speaker_answer`), else None."""
        phrase = said_phrase(question)
        if phrase:
            answer = who_said(
                question, phrase, self.people_sync.index, self._fetch, filters=filters,
                shown=self.settings.speaker_articles, exclude=exclude,
            )  # fmt: skip
            if answer is None and not self._holds_words(phrase):
                # Quoted by no one and written nowhere: an answer about other words would mislead.
                return Answer(f"No article has the words “{phrase}”.", [], True, [], question)
            return answer
        speaker = asked_speaker(question)
        if not speaker:
            return None
        return self._speaker(question, speaker, filters, exclude=exclude)

    def _holds_words(self, phrase: str) -> bool:
        """Whether some passage holds at least `PHRASE_HELD` of the phrase's content words (stemmed)."""
        wanted = list(dict.fromkeys(terms(phrase)))
        if not wanted:
            return True
        lexical = self.retriever.lexical
        counts = np.bincount(np.concatenate([lexical.term_passages(t) for t in wanted]), minlength=1)
        return bool(counts.max() >= PHRASE_HELD * len(wanted))

    def _speaker(
        self, question: str, name: str, filters: Filters | None, *, all_articles: bool = False,
        exclude: frozenset[str] = frozenset(), fallback: bool = True, every_quote: bool = False, exact: bool = False,
    ) -> Answer | None:  # fmt: skip
        """The speaker answer (see `said.speaker_answer`; `fallback`: None for a name of no person)."""
        index = self.people_sync.index  # refreshes the lexical index first
        shown = 0 if all_articles else self.settings.speaker_articles
        return speaker_answer(
            question, name, index, self.retriever.lexical, self._fetch, filters=filters, shown=shown,
            exclude=exclude, fallback=fallback, every_quote=every_quote, exact=exact,
        )  # fmt: skip

    def _fetch(self, doc_ids: list[str]) -> dict[str, ArticleRecord]:
        return self.store.get_articles(doc_ids)

    def people(self, query: str = "", filters: Filters | None = None) -> list[Person]:
        """Everyone quoted in the articles (within `filters`), most quoted first; `query` matches names
        in any case and with or without accents."""
        return self.people_index.people(query, filters)

    @property
    def people_index(self) -> PeopleIndex:
        """The people index, in step with the store."""
        return self.people_sync.index

    def quotes(
        self, name: str, about: str | None = None, filters: Filters | None = None, all_articles: bool = False,
        exact: bool = False,
    ) -> Answer:  # fmt: skip
        """What `name` said (about `about`): the answer "What did NAME say about ABOUT?" gives, with every quote
        of each article (a chat answer shows its best few), and every article that quotes them when `all_articles`.
        `exact`: `name` is a People list row, that person only (see `said.speaker_answer`)."""
        question = f"What did {name} say" + (f" about {about}?" if about else "?")
        # Asked for a person's quotes, a name of no person is refused with its mentions, not answered.
        answer = self._speaker(
            question, name, filters, all_articles=all_articles, fallback=False, every_quote=True, exact=exact
        )
        return answer or Answer(f"No article mentions {name.strip()}.", [], True, [], question)

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
