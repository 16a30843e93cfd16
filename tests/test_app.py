"""The real Gradio app, served on a free port and called through gradio_client."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import free_port, load_seeds
from tests.test_seed_questions import check_seed


@pytest.fixture(scope="module")
def app_url(sample_index: Path, base_settings, embedder) -> Iterator[str]:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import app
    from qa_app.qa import QA

    settings = replace(base_settings, index_dir=sample_index, port=free_port())
    demo = app.build_app(QA(settings, embedder), settings)
    demo.queue().launch(server_name="127.0.0.1", server_port=settings.port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


def _ask(client, question: str) -> str:
    return client.predict(question, "All outlets", "", "", "", api_name="/chat")


def test_chat_endpoint_answers_with_citations(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    reply = _ask(client, "What did Rutte say?")
    assert "sovereign country" in reply and "**[1]**" in reply and "Sources" in reply


@pytest.mark.parametrize("seed", [s for s in load_seeds() if not s.get("history")], ids=lambda s: s["question"])
def test_seed_questions_through_the_api(app_url: str, seed: dict) -> None:
    from gradio_client import Client

    reply = _ask(Client(app_url, verbose=False), seed["question"])
    check_seed(seed, reply.replace("\\", ""), [], "could not find" in reply)


def test_sessions_do_not_share_history(app_url: str) -> None:
    """Two clients talk at once; each follow-up is resolved from its own conversation only."""
    from gradio_client import Client

    results: dict[str, str] = {}

    def talk(name: str, first: str) -> None:
        client = Client(app_url, verbose=False)
        job = client.submit(first, "All outlets", "", "", "", api_name="/chat")
        job.result()
        results[name] = _ask(client, "Where was he speaking?")

    threads = [threading.Thread(target=talk, args=("a", "What did Rutte say?"))]
    threads.append(threading.Thread(target=talk, args=("b", "What did Rutte say?")))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(results) == {"a", "b"}
