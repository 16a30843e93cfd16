"""One frozen settings object, read once from `QA_*` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qa_app.errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model truncates its input here (shared by both embedding backends)
EMBED_DIM = 384  # length of a vector of DEFAULT_MODEL; `Embedder.dimension` asks the loaded model
BACKENDS = ("torch", "onnx")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value >= 0:  # also refuses nan
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults for a laptop.

    Example: Settings.from_env({"QA_PORT": "8000"}).port -> 8000
    """

    index_dir: Path = Path("data/index")
    chroma_url: str | None = None
    embed_model: str = DEFAULT_MODEL
    embed_backend: str = "onnx"
    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None
    upload_dir: Path = Path("data/uploads")
    max_file_bytes: int = 100_000_000
    url_timeout: float = 15.0  # seconds for a whole fetch: every redirect hop, connect and read
    allow_private_urls: bool = False  # let URLs reach loopback/private/link-local addresses (an intranet)
    lock_timeout: float = 30.0  # seconds a second writer waits for the index's write lock
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "qa_app")
    max_question_chars: int = 2000
    max_history_messages: int = 40
    max_history_chars: int = 50_000
    speaker_articles: int = 5  # articles a speaker answer shows before saying how many more quote the person
    llm_url: str | None = None  # an OpenAI-compatible endpoint (".../v1") that composes answers; off when unset
    llm_model: str = ""  # the model name that endpoint serves
    llm_api_key: str = ""
    llm_gguf: Path | None = None  # a local GGUF file run in-process instead (QA_LLM_URL wins when both are set)
    llm_timeout: float = 20.0  # seconds for a whole generation; past it the extractive answer is shown
    llm_max_tokens: int = 200  # tokens the model may write for one answer

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = env.get("QA_EMBED_BACKEND", cls.embed_backend).strip().lower()
        if backend not in BACKENDS:
            raise ConfigError(f"QA_EMBED_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
        auth = None
        if raw_auth := env.get("QA_AUTH"):
            user, sep, password = raw_auth.partition(":")
            if not sep or not user or not password:
                raise ConfigError("QA_AUTH must look like user:password")
            auth = (user, password)
        index_dir = Path(env.get("QA_INDEX_DIR") or cls.index_dir)
        return cls(
            index_dir=index_dir,
            chroma_url=env.get("QA_CHROMA_URL") or None,
            embed_model=env.get("QA_EMBED_MODEL") or DEFAULT_MODEL,
            embed_backend=backend,
            host=env.get("QA_HOST") or cls.host,
            port=_int(env, "QA_PORT", cls.port),
            auth=auth,
            upload_dir=Path(env.get("QA_UPLOAD_DIR") or cls.upload_dir),
            max_file_bytes=_int(env, "QA_MAX_FILE_BYTES", cls.max_file_bytes),
            allow_private_urls=env.get("QA_ALLOW_PRIVATE_URLS", "").strip().lower() in ("1", "true", "yes"),
            lock_timeout=_seconds(env, "QA_LOCK_TIMEOUT", cls.lock_timeout),
            cache_dir=Path(env.get("QA_CACHE_DIR") or Path.home() / ".cache" / "qa_app"),
            max_question_chars=_int(env, "QA_MAX_QUESTION_CHARS", cls.max_question_chars),
            speaker_articles=max(1, _int(env, "QA_SPEAKER_ARTICLES", cls.speaker_articles)),
            llm_url=env.get("QA_LLM_URL") or None,
            llm_model=env.get("QA_LLM_MODEL") or "",
            llm_api_key=env.get("QA_LLM_API_KEY") or "",
            llm_gguf=Path(env["QA_LLM_GGUF"]).expanduser() if env.get("QA_LLM_GGUF") else None,
            llm_timeout=_seconds(env, "QA_LLM_TIMEOUT", cls.llm_timeout),
            llm_max_tokens=_int(env, "QA_LLM_MAX_TOKENS", cls.llm_max_tokens),
        )
