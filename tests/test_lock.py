"""qa_app/lock.py: one writer at a time on an embedded index, across processes and threads; readers
see what another process wrote; a slow URL fetch never holds the lock."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from harness.servers import QuietHandler
from ingest.pipeline import Ingestor
from qa_app.audit import audit
from qa_app.config import Settings
from qa_app.errors import LockTimeoutError
from qa_app.lock import write_lock
from qa_app.qa import QA
from qa_app.retrieve import Filters
from qa_app.store import Store
from tests.conftest import ROOT, TEST_CACHE
from tests.test_crash import vectors_missing, write_articles


@pytest.fixture
def cache_dir(tmp_path: Path, embedder) -> Path:
    """A cache folder in tmp_path that shares the session's exported ONNX model (no export per process)."""
    embedder.embed_texts(["warm"])  # the ONNX backend exports its model on first use
    cache = tmp_path / "cache"
    cache.mkdir()
    if (embedder.cache_dir / "onnx").is_dir():
        (cache / "onnx").symlink_to((embedder.cache_dir / "onnx").resolve())
    return cache


def _env(index: Path, cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    return env | {"QA_INDEX_DIR": str(index), "QA_CACHE_DIR": str(cache)} | extra


def _ingest(index: Path, cache: Path, *inputs: Path, **extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "ingest", *map(str, inputs), "--json"]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=_env(index, cache, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _reader_process(index: Path) -> list[str]:
    """`audit` and `vectors_missing` of the index, read by a fresh process (no cached view)."""
    code = (
        "import json; from pathlib import Path; from dataclasses import replace; from qa_app.config import Settings;"
        "from qa_app.store import Store; from qa_app.audit import audit; from tests.test_crash import vectors_missing;"
        f"store = Store(replace(Settings(), index_dir=Path({str(index)!r})), None);"
        "print(json.dumps(audit(store) + [f'no vector: {c}' for c in vectors_missing(store)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


# Writers on one embedded index, across processes -------------------------------------------------
def test_two_concurrent_ingests_write_one_after_the_other(tmp_path: Path, cache_dir: Path, embedder) -> None:
    """Both exit 0 and every article of both is stored whole, each chunk found by its own vector."""
    index = tmp_path / "index"
    # Chroma saves a collection's vector index every `sync_threshold` writes (1,000 by default); at
    # 20, two hundred small articles show what two ingests of 300 long ones do.
    Store(replace(Settings(cache_dir=TEST_CACHE), index_dir=index), embedder).chunks.modify(
        configuration={"hnsw": {"sync_threshold": 20}}
    )
    first = write_articles(tmp_path / "a", 100, paragraphs=12, seed=1)
    second = write_articles(tmp_path / "b", 100, paragraphs=12, seed=2, start=100)
    procs = [_ingest(index, cache_dir, tmp_path / name, QA_LOCK_TIMEOUT="600") for name in ("a", "b")]
    outs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (_, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err[-2000:]
    assert _reader_process(index) == []
    store = Store(replace(Settings(cache_dir=TEST_CACHE), index_dir=index), embedder)
    assert {r.doc_id for r in store.list_articles()} == set(first) | set(second)
    assert sum(r.chunks for r in store.list_articles()) >= 300  # several store writes from each
    assert audit(store) == [] and vectors_missing(store) == []


def test_a_second_writer_waits_then_exits_1_naming_the_holder(tmp_path: Path, cache_dir: Path) -> None:
    index = tmp_path / "index"
    write_articles(tmp_path / "a", 1, paragraphs=2)
    settings = replace(Settings(cache_dir=TEST_CACHE), index_dir=index)
    with write_lock(settings):  # this process is the first writer
        proc = _ingest(index, cache_dir, tmp_path / "a", QA_LOCK_TIMEOUT="1")
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, (out, err[-2000:])
    assert f"error: another ingest (pid {os.getpid()}) is writing to {index}" in err
    assert "Traceback" not in err
    # Once the lock is free the same command goes through.
    proc = _ingest(index, cache_dir, tmp_path / "a", QA_LOCK_TIMEOUT="1")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert '"added": ["report-000.txt"]' in out


def test_a_delete_waits_for_a_writer_in_another_process_then_gives_up(tmp_path: Path, embedder) -> None:
    index = tmp_path / "index"
    write_articles(tmp_path / "a", 2, paragraphs=2)
    settings = replace(Settings(cache_dir=TEST_CACHE), index_dir=index, lock_timeout=0.5)
    Ingestor(settings, embedder).run([str(tmp_path / "a")])
    qa = QA(settings, embedder)
    code = (
        "import time; from pathlib import Path; from dataclasses import replace; from qa_app.config import Settings;"
        "from qa_app.lock import write_lock;"
        f"s = replace(Settings(), index_dir=Path({str(index)!r}));"
        "lock = write_lock(s); lock.__enter__(); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeoutError, match=rf"another ingest \(pid {holder.pid}\) is writing to "):
            qa.delete("report-000.txt")
        dry = Ingestor(settings, embedder, qa.store).run([str(tmp_path / "a")], dry_run=True)  # reads only
        assert dry.unchanged == ["report-000.txt", "report-001.txt"]
    finally:
        holder.kill()
        holder.wait()
    qa.delete("report-000.txt")  # the holder is gone: its lock went with it
    assert [r.doc_id for r in qa.docs()] == ["report-001.txt"]


def test_threads_of_one_process_write_one_at_a_time(tmp_path: Path) -> None:
    settings = replace(Settings(cache_dir=TEST_CACHE), index_dir=tmp_path / "index", lock_timeout=0.3)
    holding, done = threading.Event(), threading.Event()
    got: list[BaseException] = []

    def other() -> None:
        try:
            with write_lock(settings):
                pass
        except LockTimeoutError as exc:
            got.append(exc)
        done.set()

    with write_lock(settings):
        with write_lock(settings):  # the holding thread may take it again
            holding.set()
        thread = threading.Thread(target=other)
        thread.start()
        assert done.wait(timeout=30)
    thread.join()
    assert len(got) == 1 and f"(pid {os.getpid()})" in str(got[0])
    with write_lock(settings):  # released by the holder
        pass


# Readers see what another process wrote -------------------------------------------------------------
NEW_STORY = "Zorbland Ferry Strike Ends\n\nThe Zorbland ferry strike ended on Tuesday after nine days of talks.\n"


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_a_reader_answers_about_what_another_process_ingested(
    mode: str, tmp_path: Path, cache_dir: Path, embedder, request: pytest.FixtureRequest
) -> None:
    index = tmp_path / "index"
    settings = replace(Settings(cache_dir=TEST_CACHE), index_dir=index)
    extra: dict[str, str] = {}
    if mode == "server":
        from tests.conftest import reset_server

        url = request.getfixturevalue("chroma_server")
        reset_server(url)
        settings, extra = replace(settings, chroma_url=url), {"QA_CHROMA_URL": url}
    write_articles(tmp_path / "a", 40, paragraphs=6)
    Ingestor(settings, embedder).run([str(tmp_path / "a")])
    qa = QA(settings, embedder)
    assert "approved" in qa.ask("What was approved in report 3?").text  # the reader's view is loaded
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "ferry.txt").write_text(NEW_STORY)
    proc = _ingest(index, cache_dir, tmp_path / "new", **extra)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    deadline = time.monotonic() + 10  # "within a few seconds"
    while True:
        answer = qa.ask("When did the Zorbland ferry strike end?")
        if not answer.refused or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not answer.refused, answer.text
    assert "Tuesday" in answer.text and {c.doc_id for c in answer.citations} == {"ferry.txt"}
    # The dense signal found it too: the nearest passage of the question is the new one.
    nearest = qa.retriever.dense(embedder.embed_query("Zorbland ferry strike"), Filters(), 1)
    assert nearest[0][0].startswith("ferry.txt:")


def _feed(folder: Path, gazette: str) -> None:
    """A JSONL feed: 30 stories of one outlet and one of another, whose text is `gazette`."""
    rows = [
        {"id": f"herald-{i}", "title": f"Herald Story {i}", "source": "Herald", "body": f"The council met {i} times."}
        for i in range(30)
    ]
    rows.append({"id": "gazette-1", "title": "Gazette Festival Story", "source": "Gazette", "body": gazette})
    folder.mkdir(exist_ok=True)
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")


def test_a_filtered_search_begun_before_another_process_wrote_does_not_fail(
    tmp_path: Path, cache_dir: Path, embedder
) -> None:
    index, folder = tmp_path / "index", tmp_path / "news"
    settings = replace(Settings(cache_dir=TEST_CACHE), index_dir=index)
    _feed(folder, "The river festival of Eastmere opened on Friday with a parade of boats.")
    Ingestor(settings, embedder).run([str(folder)])
    qa = QA(settings, embedder)
    assert "parade" in qa.ask("How did the river festival open?").text  # the reader's view is loaded
    _feed(folder, "The river festival of Eastmere was called off on Friday because of the floods.")
    proc = _ingest(index, cache_dir, folder)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    # A question that began before that write searches the view it started with (no refresh between).
    hits = qa.retriever.dense(embedder.embed_query("river festival"), Filters(source="Gazette"), 5)
    assert hits and all(chunk.startswith("gazette-1:") for chunk, _ in hits)
    assert "called off" in qa.ask("What happened to the river festival?").text


# A slow URL fetch never holds the lock ---------------------------------------------------------------
class _SlowServer(http.server.ThreadingHTTPServer):
    """Answers every GET with a small article, but only once `release` is set (or after 30 s)."""

    def __init__(self) -> None:
        self.requested, self.release = threading.Event(), threading.Event()
        super().__init__(("127.0.0.1", 0), _SlowHandler)


class _SlowHandler(QuietHandler):
    server: _SlowServer

    def do_GET(self) -> None:
        self.server.requested.set()
        self.server.release.wait(timeout=30)
        self.send(
            200, b"Slow Harbour News\n\nThe slow harbour of Eastmere reopened on Monday after repairs.\n", "text/plain"
        )


def test_a_delete_does_not_wait_for_a_url_fetch(tmp_path: Path, embedder) -> None:
    from ui.corpus import Corpus

    write_articles(tmp_path / "a", 2, paragraphs=2)
    settings = replace(
        Settings(cache_dir=TEST_CACHE),
        index_dir=tmp_path / "index",
        upload_dir=tmp_path / "up",
        lock_timeout=5,
        allow_private_urls=True,
    )
    Ingestor(settings, embedder).run([str(tmp_path / "a")])
    corpus = Corpus(QA(settings, embedder), settings)
    server = _SlowServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slow.txt"
    outcome: list[object] = []
    fetching = threading.Thread(target=lambda: outcome.append(corpus.ingest_url(url)))
    try:
        fetching.start()
        assert server.requested.wait(timeout=30), "the URL was never requested"
        assert corpus.delete("report-000.txt") == "Town Report Number 0 Is Out"  # while the fetch waits
        assert not server.release.is_set() and fetching.is_alive()
    finally:
        server.release.set()
        fetching.join(timeout=120)
        server.shutdown()
    assert len(outcome) == 1 and outcome[0].ok, outcome  # type: ignore[attr-defined]
    titles = sorted(r.title for r in corpus.qa.docs())
    assert titles == ["Slow Harbour News", "Town Report Number 1 Is Out"]
