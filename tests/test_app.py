"""The real Gradio app, served on a free port and called through gradio_client."""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from harness.servers import free_port
from tests.conftest import load_seeds
from tests.test_seed_questions import check_seed


@contextmanager
def serve(settings, embedder) -> Iterator[str]:
    """The real app (`app.build_app` + `app.launch_options`) on a free loopback port; yields its URL."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import app
    from qa_app.qa import QA

    settings = replace(settings, port=free_port())
    demo = app.build_app(QA(settings, embedder), settings)
    demo.queue(default_concurrency_limit=8).launch(
        server_name="127.0.0.1",
        server_port=settings.port,
        prevent_thread_lock=True,
        quiet=True,
        **app.launch_options(settings),
    )
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def app_url(sample_index: Path, base_settings, embedder, tmp_path_factory) -> Iterator[str]:
    uploads = tmp_path_factory.mktemp("uploads")
    with serve(replace(base_settings, index_dir=sample_index, upload_dir=uploads), embedder) as url:
        yield url


def text_of(reply: str) -> str:
    """The words of an HTML chat message.

    Example: text_of('<div>a &#91;1&#93; <a>[2]</a></div>') -> "a [1] [2]"
    """
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", reply)))


def _ask(client, question: str, *filters: str) -> str:
    """Ask through `/chat`: message, then outlet, from, to, as of (defaults: none)."""
    values = [*filters, *["All outlets", "", "", ""][len(filters) :]]
    return client.predict(question, *values, api_name="/chat")


def test_chat_endpoint_answers_with_citations(app_url: str) -> None:
    from gradio_client import Client

    reply = _ask(Client(app_url, verbose=False), "What did Rutte say?")
    assert "sovereign country" in text_of(reply)
    assert re.search(r'<a class="qa-cite" href="#qa-cite:1:\d+:\d+:\w+:rferl-2025-09-05', reply)
    assert "Sources" in reply and "RFE/RL" in reply and "2025-09-05" in reply
    assert "qa-refusal" not in reply


def test_chat_streams_sentence_by_sentence(app_url: str) -> None:
    """The endpoint yields the answer growing one cited sentence at a time, the sources last."""
    from gradio_client import Client

    job = Client(app_url, verbose=False).submit("What did Rutte say?", "All outlets", "", "", "", api_name="/chat")
    job.result()
    states = [s for s in job.outputs() if s]
    assert len(states) >= 3, states
    lengths = [len(text_of(s)) for s in states]
    assert lengths == sorted(lengths) and len(set(lengths)) == len(lengths)
    assert "Sources" not in states[0] and "Sources" in states[-1]


def test_refusal_looks_different(app_url: str) -> None:
    from gradio_client import Client

    reply = _ask(Client(app_url, verbose=False), "What is the capital of Australia?")
    assert "qa-refusal" in reply and "I could not find this in the articles." in text_of(reply)
    assert "qa-cite" not in reply and "Sources" not in reply


@pytest.mark.parametrize("seed", [s for s in load_seeds() if not s.get("history")], ids=lambda s: s["question"])
def test_seed_questions_through_the_api(app_url: str, seed: dict) -> None:
    from gradio_client import Client

    reply = _ask(Client(app_url, verbose=False), seed["question"])
    check_seed(seed, text_of(reply), [], "qa-refusal" in reply)


def test_filters_apply_to_the_question(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    assert "qa-refusal" in _ask(client, "What did Rutte say?", "All outlets", "", "2025-01-01")
    assert "qa-refusal" in _ask(client, "What did Rutte say?", "BBC")
    reply = _ask(client, "What did Rutte say?", "RFE/RL", "2025-09-01", "2025-09-30", "2025-09-06")
    assert "sovereign country" in text_of(reply) and "Filtered: outlet RFE/RL" in text_of(reply)


def test_a_bad_date_is_an_error_message(app_url: str) -> None:
    from gradio_client import Client

    with pytest.raises(Exception, match="must be a date like 2025-09-05"):
        _ask(Client(app_url, verbose=False), "What did Rutte say?", "All outlets", "last week")


def test_ask_endpoint_returns_json(app_url: str) -> None:
    """`/ask` (used by the load benchmark) answers with the CLI's JSON, history passed explicitly."""
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    first = client.predict("What did Rutte say?", [], api_name="/ask")
    assert not first["refused"] and "sovereign country" in first["answer"]
    assert {"n", "doc_id", "quote", "start", "end"} <= set(first["citations"][0])
    history = [{"role": "user", "content": "What did Rutte say?"}, {"role": "assistant", "content": first["answer"]}]
    follow = client.predict("Where was he speaking?", history, api_name="/ask")
    assert "Prague" in follow["answer"]


def test_sessions_do_not_share_history(app_url: str, sample_qa) -> None:
    """Two clients talk at once; each follow-up is resolved from its own conversation only."""
    from gradio_client import Client

    from ui.format import answer_html

    firsts = {"a": "What did Rutte say?", "b": "What did Carpenter say?"}
    follow_up = "Where was he speaking?"
    expected = {
        name: answer_html(sample_qa.ask(follow_up, [{"role": "user", "content": q}])) for name, q in firsts.items()
    }
    assert expected["a"] != expected["b"]
    results: dict[str, str] = {}

    def talk(name: str) -> None:
        client = Client(app_url, verbose=False)
        _ask(client, firsts[name])
        results[name] = _ask(client, follow_up)

    threads = [threading.Thread(target=talk, args=(name,)) for name in firsts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == expected


def test_password_protection(sample_index: Path, base_settings, embedder, tmp_path: Path) -> None:
    """QA_AUTH=user:password: no answer without the login, the same answers with it."""
    from gradio_client import Client

    from qa_app import Settings

    auth = Settings.from_env({"QA_AUTH": "reader:correct horse"}).auth
    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path, auth=auth)
    with serve(settings, embedder) as url:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a bare ValueError or httpx error
            _ask(Client(url, verbose=False), "What did Rutte say?")
        with pytest.raises(Exception):  # noqa: B017
            _ask(Client(url, auth=("reader", "wrong"), verbose=False), "What did Rutte say?")
        reply = _ask(Client(url, auth=("reader", "correct horse"), verbose=False), "What did Rutte say?")
        assert "sovereign country" in text_of(reply)
