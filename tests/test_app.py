"""The real Gradio app, served on a free port and called through gradio_client."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from harness.servers import free_port
from tests.conftest import ROOT, USER_ARTICLE, load_seeds
from tests.test_seed_questions import check_seed


@contextmanager
def serve(settings, embedder) -> Iterator[str]:
    """The real app (`app.create_app` + `app.launch_options`) on a free loopback port; yields its URL."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import app
    from qa_app.qa import QA

    settings = replace(settings, port=free_port())
    demo = app.create_app(QA(settings, embedder), settings)
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
    """`/chat` says it in its reply, as the browser shows it; `/ask` raises it."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app_url, verbose=False)
    reply = _ask(client, "What did Rutte say?", "All outlets", "last week")
    assert "qa-error" in reply and "Published from must be a date like 2025-09-05, got &#39;last week&#39;" in reply
    with pytest.raises(AppError, match="Published from must be a date like 2025-09-05, got 'last week'"):
        client.predict("What did Rutte say?", [], "All outlets", "last week", "", "", api_name="/ask")


def test_a_reversed_date_range_is_an_error_message(app_url: str) -> None:
    """A "from" after the "to" is said to be reversed, as a bad date is, not answered as finding nothing."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app_url, verbose=False)
    message = "The date range is reversed: Published from (2025-09-30) is after Published to (2025-09-01)."
    reply = _ask(client, "What did Rutte say?", "All outlets", "2025-09-30", "2025-09-01")
    assert "qa-error" in reply and "qa-refusal" not in reply and text_of(reply).endswith(message)
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict("What did Rutte say?", [], "All outlets", "2025-09-30", "2025-09-01", "", api_name="/ask")


def test_a_question_over_the_limit_is_an_error_message_for_a_user(app_url: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app_url, verbose=False)
    message = "Your question is 3,000 characters long; the limit is 2,000."
    reply = _ask(client, "x" * 3000)
    assert "qa-error" in reply and text_of(reply).endswith(message)
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict("x" * 3000, [], api_name="/ask")


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
    from gradio_client.exceptions import AuthenticationError

    from qa_app import Settings

    auth = Settings.from_env({"QA_AUTH": "reader:correct horse"}).auth
    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path, auth=auth)
    with serve(settings, embedder) as url:
        with pytest.raises(AuthenticationError, match=r"credentials were not provided\. Please login\."):
            _ask(Client(url, verbose=False), "What did Rutte say?")
        with pytest.raises(ValueError, match=rf"^Could not login to {re.escape(url)}\.$") as wrong:
            _ask(Client(url, auth=("reader", "wrong"), verbose=False), "What did Rutte say?")
        assert wrong.type is ValueError  # Gradio answers a wrong password with 400, not 401
        reply = _ask(Client(url, auth=("reader", "correct horse"), verbose=False), "What did Rutte say?")
        assert "sovereign country" in text_of(reply)


def test_logins_are_throttled_per_client(sample_index: Path, base_settings, embedder, tmp_path: Path) -> None:
    """Five wrong passwords from one address within a minute: further logins from it get 429 for a while."""
    import httpx
    from gradio_client import Client

    settings = replace(base_settings, index_dir=sample_index, upload_dir=tmp_path, auth=("reader", "correct horse"))
    with serve(settings, embedder) as url, httpx.Client(timeout=60) as here:

        def login(password: str, client: httpx.Client = here) -> httpx.Response:
            return client.post(f"{url}login", data={"username": "reader", "password": password})

        assert login("correct horse").status_code == 200  # the right password from the start
        assert [login("wrong").status_code for _ in range(4)] == [400] * 4
        assert login("correct horse").status_code == 200  # a success clears the failures
        codes = [login(f"guess {n}").status_code for n in range(30)]
        assert codes == [400] * 5 + [429] * 25
        refused = login("correct horse")  # blocked whatever the password, so guesses tell nothing
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert re.fullmatch(r"Too many failed logins from your address: try again in \d+ s\.", refused.json()["detail"])
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("reader", "correct horse"), verbose=False)

        # Another client address is not blocked.
        with httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as there:
            assert login("correct horse", there).status_code == 200


# --- the corpus through the API ---------------------------------------------------------------------------------------


@pytest.fixture
def own_app(sample_index: Path, base_settings, embedder, tmp_path: Path) -> Iterator[tuple[str, object]]:
    """The app on its own copy of the sample index, uploads in tmp_path/uploads; yields (url, settings)."""
    shutil.copytree(sample_index, tmp_path / "index")
    settings = replace(base_settings, index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")
    with serve(settings, embedder) as url:
        yield url, settings


def _upload(client, *paths: Path, replace: bool | None = None) -> str:
    """Upload files through `/ingest` (the replace flag only when given); the results table as text."""
    from gradio_client import handle_file

    extra = [] if replace is None else [replace]
    return text_of(client.predict([handle_file(str(p)) for p in paths], "", *extra, api_name="/ingest")[0])


def _reingest(client, doc_id: str) -> str:
    return text_of(client.predict(doc_id, api_name="/reingest")[0])


def _articles(settings, embedder) -> dict[str, object]:
    from qa_app.store import Store

    store = Store(settings, embedder)
    return {r.doc_id: store.get_article(r.doc_id) for r in store.list_articles()}


def test_reingest_reads_only_what_the_app_stored(own_app, embedder, tmp_path: Path) -> None:
    """An uploaded record whose id is "uploads/feed.jsonl" cannot make re-ingest read the upload folder's parent."""
    from gradio_client import Client

    url, settings = own_app
    (tmp_path / "secret.txt").write_text("Vault Notes\n\nThe vault code is 4417, the caretaker said on Monday.\n")
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text(json.dumps({"id": "uploads/feed.jsonl", "body": "The harbour feed reported calm seas on Monday."}))
    client = Client(url, verbose=False)
    assert "added: uploads/feed.jsonl" in _upload(client, feed)
    before = _articles(settings, embedder)

    status = _reingest(client, "uploads/feed.jsonl")
    assert "unchanged: uploads/feed.jsonl" in status and "secret" not in status and "4417" not in status
    after = _articles(settings, embedder)
    assert set(after) == set(before) == {USER_ARTICLE, "uploads/feed.jsonl"}
    assert not any("4417" in a.text for a in after.values())

    # An article the CLI ingested from a server folder: refused, naming no server path.
    status = _reingest(client, USER_ARTICLE)
    assert f"{USER_ARTICLE} was not added through the app; re-ingest it with python -m ingest" in status
    assert str(ROOT) not in status and "data/articles" not in status
    assert _articles(settings, embedder)[USER_ARTICLE].text == before[USER_ARTICLE].text


@pytest.mark.parametrize("how", ["jsonl id", "file name"])
def test_an_upload_takes_another_articles_doc_id_only_when_asked(own_app, embedder, tmp_path: Path, how: str) -> None:
    """A JSONL record or a file named like the CLI-ingested article: refused, the old one intact; replace takes it."""
    from gradio_client import Client

    url, settings = own_app
    original = _articles(settings, embedder)[USER_ARTICLE]
    body = "The ferry to Lowmouth was cancelled on Friday because of the storm."
    folder = tmp_path / "in"
    folder.mkdir()
    if how == "jsonl id":
        upload = folder / "wire.jsonl"
        records = [{"id": USER_ARTICLE, "title": "Ferry Cancelled", "body": body}]
        upload.write_text("\n".join(json.dumps(r) for r in [*records, {"id": "ok-1", "body": "The quay reopened."}]))
    else:
        upload = folder / USER_ARTICLE
        upload.write_text(f"Ferry Cancelled\n\n{body}\n")
    client = Client(url, verbose=False)

    refused = _upload(client, upload)  # an old caller: no replace argument
    assert (
        f"failed: doc id '{USER_ARTICLE}' already belongs to “{original.title}” from {USER_ARTICLE} (added outside "
        f"the app); not replaced by the one from {upload.name}" in refused
    )
    assert "tick “Replace articles with the same id” to replace it" in refused
    assert str(ROOT) not in refused and str(tmp_path) not in refused
    stored = _articles(settings, embedder)
    assert stored[USER_ARTICLE].text == original.text and stored[USER_ARTICLE].origin == original.origin
    uploads = sorted(p.name for p in settings.upload_dir.iterdir())
    if how == "jsonl id":
        assert "added: ok-1" in refused and uploads == ["wire.jsonl"]  # the rest of the file went in
    else:
        assert uploads == []  # nothing was stored from it: the copy is gone

    assert f"updated: {USER_ARTICLE}" in _upload(client, upload, replace=True)
    replaced = _articles(settings, embedder)[USER_ARTICLE]
    assert replaced.text.endswith(body) and replaced.origin == str(settings.upload_dir.resolve() / upload.name)
    assert f"unchanged: {USER_ARTICLE}" in _upload(client, upload)  # the same upload again: an update, no conflict


def test_a_failed_upload_leaves_no_file_behind(own_app, embedder, tmp_path: Path) -> None:
    from gradio_client import Client

    url, settings = own_app
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "broken.json").write_text('{"title": "no end"')
    (folder / "crane.txt").write_text("Quay Crane Arrives\n\nA new quay crane arrived at Lowmouth on Tuesday.\n")
    client = Client(url, verbose=False)
    results = _upload(client, folder / "empty.txt", folder / "broken.json", folder / "crane.txt")
    assert "failed: empty file" in results and "failed: malformed JSON" in results and "added: crane.txt" in results
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == ["crane.txt"]

    # A failed upload under the name of an earlier one: the earlier file, which its article came from, stays.
    (folder / "crane.txt").write_text("")
    assert "failed: empty file" in _upload(client, folder / "crane.txt")
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == ["crane.txt"]
    assert "Quay Crane Arrives" in (settings.upload_dir / "crane.txt").read_text()
    assert "unchanged: crane.txt" in _reingest(client, "crane.txt")
