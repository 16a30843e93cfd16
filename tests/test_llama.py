"""The project's retriever inside llama-index: a query engine and chat engines, with a mock LLM and no network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, USER_ARTICLE

RUTTE = "It's a sovereign country"


def check_sources(nodes, store) -> None:
    """Every node is a passage of the user's article, its text verbatim at [start:end] of the stored text."""
    assert nodes
    article = store.get_article(USER_ARTICLE)
    for hit in nodes:
        meta = hit.node.metadata
        assert meta["doc_id"] == USER_ARTICLE
        assert meta["title"] == article.title and meta["source"] == article.source
        assert meta["published"] == article.published and meta["url"] == (article.url or "")
        assert hit.node.get_content() == article.text[meta["start"] : meta["end"]]
        assert meta["end"] > meta["start"]
        assert hit.node.ref_doc_id == USER_ARTICLE
    assert RUTTE in nodes[0].node.get_content()


def test_retriever_from_a_retriever_and_store(sample_qa) -> None:
    from llama_index.core.base.base_retriever import BaseRetriever

    from qa_app.llama import QARetriever

    retriever = QARetriever(sample_qa.retriever, sample_qa.store, per_article=3)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("What did Rutte say?")
    check_sources(nodes, sample_qa.store)
    # The project's order and scores: the article's best passages first.
    found = sample_qa.retriever.retrieve("What did Rutte say?", limit=3).passages[:3]
    assert [(n.node.node_id, n.score) for n in nodes] == [(p.chunk.chunk_id, p.score) for p in found]


def test_query_engine_without_llm(sample_qa) -> None:
    """The default (compact) synthesizer with a mock LLM, which echoes the prompt it was given."""
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import RetrieverQueryEngine

    from qa_app import QARetriever

    engine = RetrieverQueryEngine.from_args(QARetriever.from_qa(sample_qa), llm=MockLLM())
    response = engine.query("What did Rutte say?")
    check_sources(response.source_nodes, sample_qa.store)
    prompt = str(response)
    assert response.source_nodes[0].node.get_content() in prompt
    assert "title: Putin Warns Against Foreign Troops" in prompt
    assert "doc_id" not in prompt and "start:" not in prompt and "url:" not in prompt  # ids, offsets, empty fields


def test_query_engine_with_no_text_synthesizer(sample_qa) -> None:
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.core.response_synthesizers.no_text import NoText

    from qa_app import QARetriever

    engine = RetrieverQueryEngine(QARetriever.from_qa(sample_qa), response_synthesizer=NoText(llm=MockLLM()))
    response = engine.query("What did Rutte say?")
    assert response.response == ""
    check_sources(response.source_nodes, sample_qa.store)


@pytest.mark.parametrize("engine", ["ContextChatEngine", "CondensePlusContextChatEngine"])
def test_chat_engine_without_llm(sample_qa, engine: str) -> None:
    from llama_index.core import chat_engine
    from llama_index.core.llms import MockLLM

    from qa_app import QARetriever

    chat = getattr(chat_engine, engine).from_defaults(QARetriever.from_qa(sample_qa), llm=MockLLM())
    reply = chat.chat("What did Rutte say?")
    check_sources(reply.source_nodes, sample_qa.store)
    assert reply.source_nodes[0].node.get_content() in reply.response  # the context the mock LLM was given


def test_filters_apply(sample_qa) -> None:
    from qa_app import Filters, QARetriever

    assert (
        QARetriever.from_qa(sample_qa, filters=Filters(source="No Such Outlet")).retrieve("What did Rutte say?") == []
    )
    nodes = QARetriever.from_qa(sample_qa, filters=Filters(source="rfe/rl")).retrieve("What did Rutte say?")
    check_sources(nodes, sample_qa.store)


def test_llama_index_is_imported_only_when_the_adapter_is_used() -> None:
    code = (
        "import sys, qa_app\n"
        "assert not any(m.startswith('llama_index') for m in sys.modules), 'imported at once'\n"
        "from qa_app import QARetriever\n"
        "from llama_index.core.base.base_retriever import BaseRetriever\n"
        "assert issubclass(QARetriever, BaseRetriever)\n"
        "assert 'QARetriever' in qa_app.__all__\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
