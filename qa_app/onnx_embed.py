"""The sentence embedder as an int8 ONNX model: exported once from the local weights, cached, run by onnxruntime.

`OnnxEmbedding.from_model_dir` traces the transformers model with mean pooling and L2 normalisation
built into the graph, quantizes its weight matrices to int8 per channel with onnxruntime's dynamic
quantization, and stores the result as `cache_dir/onnx/<key>/model.onnx`; `<key>` hashes the model's
weight files, the onnxruntime version and `RECIPE`, so a change to any of them exports anew. Vectors
are within about 0.99 cosine of the torch backend's and about twice as fast to compute on a CPU
(`benchmarks/embed_backends.py` measures both).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from qa_app.config import MAX_TOKENS

# Bump when the export or quantization below changes what the cached file holds.
RECIPE = "torchscript-opset17-eager-meanpool-l2|dynamic-int8-per-channel|v1"
# Files whose content decides the exported graph (the tokenizer runs outside it).
WEIGHT_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")
# Texts per onnxruntime call: small batches keep each layer's attention scores in cache,
# which on 2 cores beats the fewer, larger calls that torch prefers.
RUN_BATCH = 8


def cache_key(model_dir: Path) -> str:
    """A short hex digest of the model's weight files, the onnxruntime version and `RECIPE`."""
    digest = hashlib.sha256()
    for name in WEIGHT_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode() + b"\0")
            with path.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
    digest.update(f"onnxruntime {version('onnxruntime')}|{RECIPE}".encode())
    return digest.hexdigest()[:20]


def cached_model_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the quantized model of `model_dir` lives (whether or not it exists yet)."""
    return cache_dir / "onnx" / cache_key(model_dir) / "model.onnx"


def ensure_model(model_dir: Path, cache_dir: Path) -> Path:
    """The cached quantized model, exported first if missing.

    The file appears by an atomic rename once complete, so a process exporting at the same
    time as another never reads half a file; the loser of the race just replaces an equal one.
    """
    target = cached_model_path(model_dir, cache_dir)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        export_fp32(model_dir, work / "fp32.onnx")
        quantize_int8(work / "fp32.onnx", work / "model.onnx")
        os.replace(work / "model.onnx", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def export_fp32(model_dir: Path, out: Path) -> None:
    """Trace the model from local weights to ONNX: (input_ids, attention_mask) -> unit vectors."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    class Pooled(torch.nn.Module):
        """Mean over the attention mask, then L2 norm: the sentence-transformers head of this model."""

        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        # Eager attention traces to plain MatMul/Softmax, which onnxruntime fuses and runs
        # about twice as fast as the graph traced from the SDPA kernel.
        encoder = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    finally:
        if bar:
            hf_logging.enable_progress_bar()
    # Two rows of unequal length, so the padding-mask path is what gets traced.
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids != 0).long()
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated and chatty about tracing; its graph is the
        # one onnxruntime's quantizer and fusions handle best, and it needs no onnxscript.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(encoder),
            (ids, mask),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={**dynamic, "sentence_embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def quantize_int8(src: Path, out: Path) -> None:
    """Dynamic int8 quantization of the weight matrices, one scale per output channel.

    Per-channel scales keep cosine to fp32 near 0.99; one scale per tensor loses far more (~0.95).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet_root_logger():
        quantize_dynamic(str(src), str(out), per_channel=True, weight_type=QuantType.QInt8)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Drop the advice onnxruntime's quantizer logs on the root logger, and keep it from configuring it.

    `logging.warning` calls `basicConfig()` when the root logger has no handler; a `NullHandler`
    stands in for the duration so the application's logging setup stays as it was.
    """
    root = logging.getLogger()
    stand_in = logging.NullHandler() if not root.handlers else None
    if stand_in:
        root.addHandler(stand_in)

    def keep(record: logging.LogRecord) -> bool:
        from_quantizer = "onnxruntime" in record.pathname
        return not from_quantizer or record.levelno >= logging.ERROR

    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)
        if stand_in:
            root.removeHandler(stand_in)


class OnnxEmbedding:
    """Unit-length sentence vectors from an onnxruntime session of the exported model."""

    def __init__(self, session: Any, tokenizer: Any, model_file: Path, *, max_tokens: int = MAX_TOKENS) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.model_file = model_file  # the quantized ONNX file the session runs
        self.max_tokens = max_tokens
        self._tokenizer_lock = threading.Lock()

    @classmethod
    def from_model_dir(cls, model_dir: Path, cache_dir: Path, tokenizer: Any) -> OnnxEmbedding:
        """Load the cached int8 model of `model_dir` (exporting it the first time) into a CPU session."""
        import onnxruntime as ort

        path = ensure_model(Path(model_dir), Path(cache_dir))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = _cores()
        # Spinning threads wait for work by burning a core; when ingest, the UI and other programs
        # share the cores, that wait costs more than it saves (measured: 1.5-2x slower when busy).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, path)

    @property
    def dimension(self) -> int:
        """Length of a vector (384 for all-MiniLM-L6-v2)."""
        return int(self.session.get_outputs()[0].shape[1])

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given.

        Texts are run in batches of similar token length, so short ones are not padded to long ones.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        with self._tokenizer_lock:  # a fast tokenizer is not safe across threads ("Already borrowed")
            ids = self.tokenizer(list(texts), truncation=True, max_length=self.max_tokens)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        pad = self.tokenizer.pad_token_id or 0
        for start in range(0, len(order), RUN_BATCH):
            rows = order[start : start + RUN_BATCH]
            width = max(len(ids[i]) for i in rows)
            input_ids = np.full((len(rows), width), pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            (vectors,) = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})
            out[rows] = vectors
        return out


def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
