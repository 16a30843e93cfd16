"""The llama-index seam: the project's embedder and retriever behind llama-index's interfaces.

For a llama-index user who wants this project's vectors or search inside their own pipeline:

    qa = QA(Settings.from_env())
    retriever = QARetriever.from_qa(qa)                 # a llama-index BaseRetriever
    engine = RetrieverQueryEngine.from_args(retriever, llm=my_llm)
    index = VectorStoreIndex(nodes, embed_model=qa.embedder.as_llama())

Both classes only translate: vectors come from `qa_app.embed.Embedder`, rankings from
`qa_app.retrieve.Retriever`, passage text from the stored article. This module imports
llama-index at once, so nothing in the app imports it; `qa_app.QARetriever` loads it on first use.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
from pydantic import PrivateAttr

from qa_app.embed import Embedder
from qa_app.records import ArticleRecord
from qa_app.retrieve import Filters, Passage, Retriever
from qa_app.store import Store

if TYPE_CHECKING:
    from qa_app.qa import QA

# Node metadata a language model has no use for: ids and character offsets into the article.
HIDDEN_FROM_LLM = ["doc_id", "start", "end"]


class LlamaEmbedding(BaseEmbedding):
    """An `Embedder` as a llama-index embedding model; get one from `Embedder.as_llama()`.

    Each call is one `Embedder` call, so an index built with it holds the vectors ingest stores.
    """

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(model_name=embedder.identity, embed_batch_size=embedder.batch_size)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "LlamaEmbedding"

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embedder.embed_query(query).tolist()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embedder.embed_texts([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        # BaseEmbedding's default embeds a batch one text at a time; the model's own batch is
        # faster and gives the vectors `Embedder.embed_texts` gives.
        return self._embedder.embed_texts(texts).tolist()

    # The model computes on the CPU: a worker thread is what keeps the event loop free.
    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await asyncio.to_thread(self._get_query_embedding, query)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        # BaseEmbedding's default runs one text at a time; this keeps async batches equal to sync ones.
        return await asyncio.to_thread(self._get_text_embeddings, texts)


class QARetriever(BaseRetriever):
    """The project's hybrid retriever as a llama-index retriever.

    Returns the best passages of the `articles` best articles (at most `per_article` each), in
    the project's order (articles best first, each article's best passage first), as `TextNode`s
    whose text is the stored article's `text[start:end]`; the score is the passage's score
    (BM25 over the best passage's, plus cosine similarity). It ranks only: whether any passage
    answers the question is `QA.ask`'s decision.
    """

    def __init__(
        self,
        retriever: Retriever,
        store: Store,
        *,
        filters: Filters | None = None,
        articles: int = 3,
        per_article: int = 2,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager)
        self.retriever = retriever
        self.store = store
        self.filters = filters
        self.articles = articles
        self.per_article = per_article

    @classmethod
    def from_qa(cls, qa: QA, **options: Any) -> QARetriever:
        """A retriever over `qa`'s store; `options` as for the constructor."""
        return cls(qa.retriever, qa.store, **options)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self.retriever.retrieve(query_bundle.query_str, self.filters, limit=self.articles)
        records = self.store.get_articles([doc_id for doc_id, _ in found.articles])
        taken: Counter[str] = Counter()
        nodes = []
        for passage in found.passages:
            record = records.get(passage.doc_id)
            # A passage of a version replaced since the lexical index was built would point into the wrong text.
            if record is None or record.hash != passage.chunk.hash or taken[passage.doc_id] >= self.per_article:
                continue
            taken[passage.doc_id] += 1
            nodes.append(NodeWithScore(node=passage_node(passage, record), score=passage.score))
        return nodes


def passage_node(passage: Passage, record: ArticleRecord) -> TextNode:
    """A passage as a llama-index node: its text cut from the article, the article's metadata, its offsets."""
    start, end = passage.chunk.start, passage.chunk.end
    metadata = {
        "doc_id": record.doc_id,
        "title": record.title,
        "source": record.source or "",
        "published": record.published or "",
        "url": record.url or "",
        "start": start,
        "end": end,
    }
    hidden = HIDDEN_FROM_LLM + [key for key, value in metadata.items() if value == ""]
    return TextNode(
        id_=passage.chunk.chunk_id,
        text=record.text[start:end],
        metadata=metadata,
        excluded_llm_metadata_keys=hidden,
        excluded_embed_metadata_keys=hidden,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=record.doc_id)},
    )
