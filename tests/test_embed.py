"""The embedder behind llama-index's interface: the same vectors, bit for bit, by every route."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "articles" / "rferl-2025-09-05-putin-warns-foreign-troops.txt"


def texts() -> list[str]:
    """More texts than one model batch holds, of unequal length, with the usual edge cases."""
    words = ARTICLE.read_text().split()
    spans = [" ".join(words[i : i + n]) for n in (3, 40, 400) for i in range(0, 1200, 29)]
    return [*spans[:100], "", "Hello", "🔥🚒", "  spaces,\ttabs and\nnew lines  ", "x" * 3000]


@pytest.fixture(scope="module", params=["onnx", "torch"])
def any_embedder(request: pytest.FixtureRequest, base_settings, embedder):
    """The app's embedder with each backend."""
    from qa_app.embed import load_embedder

    return load_embedder(replace(base_settings, embed_backend=request.param))


def test_llama_embedding_gives_the_embedder_vectors(any_embedder) -> None:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    sample = texts()
    assert len(sample) > any_embedder.batch_size
    llama = any_embedder.as_llama()
    assert isinstance(llama, BaseEmbedding)
    expected = any_embedder.embed_texts(sample)
    assert expected.shape == (len(sample), 384) and expected.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(llama.get_text_embedding_batch(sample), dtype=np.float32), expected)
    np.testing.assert_array_equal(
        np.float32(llama.get_text_embedding(sample[1])), any_embedder.embed_texts(sample[1:2])[0]
    )
    question = "What did Rutte say?"
    np.testing.assert_array_equal(np.float32(llama.get_query_embedding(question)), any_embedder.embed_query(question))


def test_async_routes_give_the_sync_vectors(any_embedder) -> None:
    """llama-index's async defaults would embed a batch one text at a time (other last bits on ONNX)."""
    sample = texts()[:20]
    llama = any_embedder.as_llama()

    async def both() -> tuple[list[list[float]], list[float]]:
        return await llama.aget_text_embedding_batch(sample), await llama.aget_query_embedding("Who is Rutte?")

    batch, query = asyncio.run(both())
    np.testing.assert_array_equal(np.float32(batch), any_embedder.embed_texts(sample))
    np.testing.assert_array_equal(np.float32(query), any_embedder.embed_query("Who is Rutte?"))


def test_a_llama_index_index_over_chroma_finds_the_matching_passage(tmp_path: Path, embedder) -> None:
    """The adapter where llama-index users put it: a VectorStoreIndex on a Chroma collection."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    passages = [
        "The home side won the football match 3-1 after two late goals in the second half.",
        "Simmer the tomato sauce for twenty minutes, then add the basil and season to taste.",
        "The central bank raised interest rates by a quarter point on Wednesday.",
    ]
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("llama", configuration={"hnsw": {"space": "cosine"}})
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    nodes = [TextNode(id_=f"p{n}", text=text) for n, text in enumerate(passages)]
    index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embedder.as_llama())

    stored = collection.get(ids=["p0", "p1", "p2"], include=["embeddings"])
    # The same vectors (to float rounding: a batch of other sizes may sum in another order under load).
    stored_vectors = np.asarray(stored["embeddings"], dtype=np.float32)
    np.testing.assert_allclose(stored_vectors, embedder.embed_texts(passages), rtol=0, atol=1e-6)
    for question, best in [("Who won the game?", "p0"), ("How long should I cook the sauce?", "p1")]:
        (hit,) = index.as_retriever(similarity_top_k=1).retrieve(question)
        assert hit.node.node_id == best
