"""Deployment shapes: app replicas sharing one Chroma server, and a small load run with ingest alongside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.load import run_load
from harness.servers import app_process, cli_env
from tests.conftest import ROOT, SAMPLE, TEST_CACHE, reset_server


def _ask(url: str, question: str) -> dict:
    from gradio_client import Client

    return Client(url, verbose=False).predict(question, [], api_name="/ask")


def _ingest(env: dict[str, str], *paths: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", *paths, "--json"], cwd=ROOT, env=cli_env(env), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_two_replicas_share_one_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    """Ingest runs as its own process; both app replicas answer alike, before and after it."""
    reset_server(chroma_server)
    env = {"QA_CHROMA_URL": chroma_server, "QA_CACHE_DIR": str(TEST_CACHE)}
    _ingest(env, str(SAMPLE))
    with app_process(env, tmp_path / "a.log") as a, app_process(env, tmp_path / "b.log") as b:
        first_a, first_b = _ask(a, "What did Rutte say?"), _ask(b, "What did Rutte say?")
        assert first_a == first_b
        assert "sovereign country" in first_a["answer"]
        assert _ask(a, "What did the harbour master of Eastport announce?")["refused"]
        story = tmp_path / "eastport.txt"
        story.write_text(
            "Eastport Harbour Reopens\n\nThe harbour master of Eastport announced that the harbour "
            "reopens to ferries on Tuesday after a storm closed it for nine days.\n"
        )
        _ingest(env, str(story))
        after_a = _ask(a, "What did the harbour master of Eastport announce?")
        after_b = _ask(b, "What did the harbour master of Eastport announce?")
        assert after_a == after_b
        assert not after_a["refused"] and "reopens to ferries" in after_a["answer"]


def test_small_load_with_concurrent_ingest(tmp_path: Path) -> None:
    """4 sessions with their own histories while 20 new articles are ingested: no errors, nothing lost."""
    result = run_load(tmp_path, sessions=4, questions=5, articles=20, source=None)
    assert result.errors == []
    assert len(result.latencies) == 4 * 5
    assert result.audit == []
    assert result.articles_after == result.articles_before + 20
