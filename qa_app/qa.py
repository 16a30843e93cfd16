"""The question-answering engine: retrieval, the extractive answer, and the stored articles."""

from __future__ import annotations

from typing import Any

from qa_app.answer import TOP_ARTICLES, compose
from qa_app.cite import Answer, verify
from qa_app.config import Settings
from qa_app.conversation import contextualize
from qa_app.embed import Embedder, load_embedder
from qa_app.retrieve import Filters, Retriever
from qa_app.store import ArticleRecord, Store

RETRIEVED = 10


class QA:
    """One per process: loads the embedder once, opens the store, answers questions."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or Store(settings, self.embedder)
        self.store.check_embedder()
        self.retriever = Retriever(self.store, self.embedder)

    def ask(self, question: str, history: list[dict[str, Any]] | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question (a follow-up when `history` holds earlier turns)."""
        self.store.require_articles()
        return self.answer(contextualize(question, history), filters)

    def answer(self, question: str, filters: Filters | None = None, *, exclude: frozenset[str] = frozenset()) -> Answer:
        """Answer a self-contained question; `exclude` hides articles (for evaluation)."""
        standalone = question
        found = self.retriever.retrieve(standalone, filters, limit=RETRIEVED, exclude=exclude)
        articles = self.store.get_articles([doc_id for doc_id, _ in found.articles[:TOP_ARTICLES]])
        # A passage of a version replaced since the lexical index was built would point into the wrong text.
        passages = [p for p in found.passages if p.doc_id in articles and articles[p.doc_id].hash == p.chunk.hash]
        agreement, prior = (found.agreement[0], found.priors[0]) if found.agreement else (0.0, 1.0)
        answer = compose(standalone, passages, articles, found.articles, self.retriever.lexical.idf, agreement, prior)
        verify(answer, {doc_id: a.text for doc_id, a in articles.items()})
        return answer

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
