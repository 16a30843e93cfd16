"""A local GGUF model run in-process by transformers, as a llama-index LLM (`QA_LLM_GGUF`).

transformers de-quantizes a GGUF file when it loads it, which took about 90 s for SmolLM2-135M on a
busy machine: the result is saved once under `QA_CACHE_DIR/gguf/`, keyed by the file's name, size and
modification time, and later loads read that folder in seconds. Decoding is greedy.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from qa_app.embed import offline_env
from qa_app.errors import LLMError

CONTEXT_WINDOW = 8192  # SmolLM2's
# How long a stopped generation may take to notice (it checks once per token): bounded so a caller never hangs,
# long enough that no thread is left inside torch when the process exits (that once aborted it, exit 134).
JOIN_SECONDS = 15.0
# Generations still running (a caller that timed out does not wait for them): stopped and joined at exit.
_RUNNING: dict[threading.Thread, threading.Event] = {}


def converted_dir(gguf: Path, cache_dir: Path) -> Path:
    """Where the de-quantized model of `gguf` is cached: a new file (size or mtime) gets a new folder.

    Example: converted_dir(Path("m.Q4.gguf"), Path("/c")) -> /c/gguf/m.Q4-<size>-<mtime_ns>
    """
    stat = gguf.stat()
    return cache_dir / "gguf" / f"{gguf.stem}-{stat.st_size}-{stat.st_mtime_ns}"


def convert(gguf: Path, cache_dir: Path) -> Path:
    """The folder of the de-quantized model of `gguf` (model and tokenizer), converting it the first time."""
    target = converted_dir(gguf, cache_dir)
    if (target / "config.json").is_file():
        return target
    offline_env()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # The weights are plain tensors now, but transformers still marks the model as GGUF-quantized and
    # refuses to save it: drop the marks so it saves (and reloads) as an ordinary model.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    try:
        partial.rename(target)  # whole or not at all: a crash leaves only a .partial folder
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)  # another process converted it at the same time
    return target


@functools.cache
def _load(folder: str) -> tuple[Any, Any, threading.Lock]:
    """Model, tokenizer and a lock serialising generations, once per process and folder."""
    offline_env()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(folder)
    model.eval()
    return model, AutoTokenizer.from_pretrained(folder), threading.Lock()


def stream_tokens(
    model: Any,
    tokenizer: Any,
    lock: threading.Lock,
    input_ids: Any,
    max_tokens: int,
    stop: threading.Event | None = None,
    info: dict[str, str] | None = None,
) -> Iterator[str]:
    """The decoded pieces of a greedy generation; closing the iterator or setting `stop` stops the generation.

    Closing waits (up to `JOIN_SECONDS`) for the generating thread to end. `info["finish_reason"]` becomes
    "length" when the model stopped at `max_tokens`, else "stop".
    """
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    stopped = stop or threading.Event()
    failure: list[BaseException] = []
    made: list[int] = []

    class Stop(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), stopped.is_set(), dtype=torch.bool)

    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)

    def run() -> None:
        try:
            with lock, torch.inference_mode():
                if stopped.is_set():  # stopped while another generation held the model: do not read the prompt
                    streamer.end()
                    return
                out = model.generate(
                    input_ids=input_ids,
                    attention_mask=torch.ones_like(input_ids),
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    streamer=streamer,
                    stopping_criteria=StoppingCriteriaList([Stop()]),
                    pad_token_id=tokenizer.eos_token_id,
                )
                made.append(int(out.shape[1] - input_ids.shape[1]))
        except BaseException as exc:  # reported to the reader below, not lost in this thread
            failure.append(exc)
            streamer.end()

    with _running(threading.Thread(target=run, name="gguf-generate", daemon=True), stopped):
        yield from streamer
    if info is not None:
        info["finish_reason"] = "length" if made and made[0] >= max_tokens else "stop"
    if failure:
        raise LLMError(f"the local model failed: {failure[0]}") from failure[0]


@contextmanager
def _running(thread: threading.Thread, stopped: threading.Event) -> Iterator[None]:
    """Start `thread` (a generation); on leaving, stop it and wait for it, bounded by `JOIN_SECONDS`."""
    _RUNNING[thread] = stopped
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(JOIN_SECONDS)
        _RUNNING.pop(thread, None)


@atexit.register
def _stop_running() -> None:
    """At exit: stop every generation still running and wait for it, so none is inside torch when Python ends."""
    for stopped in list(_RUNNING.values()):
        stopped.set()
    for thread in list(_RUNNING):
        thread.join(JOIN_SECONDS)


class GGUFModel(CustomLLM):
    """A de-quantized GGUF model as a llama-index `CustomLLM`: chat through the model's own chat template."""

    folder: str
    max_tokens: int = 200
    _model: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr()
    in_process: ClassVar[bool] = True  # `qa_app.llm.generate` passes it `stop=` (see `stream_chat`)

    def __init__(self, folder: str, max_tokens: int = 200, **kwargs: Any) -> None:
        super().__init__(folder=folder, max_tokens=max_tokens, **kwargs)
        self._model, self._tokenizer, self._lock = _load(folder)

    @classmethod
    def from_file(cls, gguf: Path, cache_dir: Path, max_tokens: int = 200) -> GGUFModel:
        """The model of a GGUF file (converted and cached the first time)."""
        if not gguf.is_file():
            raise LLMError(f"QA_LLM_GGUF={gguf} is not a file")
        return cls(str(convert(gguf, cache_dir)), max_tokens)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=CONTEXT_WINDOW, num_output=self.max_tokens, is_chat_model=True, model_name=self.folder
        )

    def chat_ids(self, messages: Sequence[ChatMessage]) -> Any:
        """Token ids of a chat in the model's template, ready for the assistant's turn."""
        turns = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        encoded = self._tokenizer.apply_chat_template(
            turns, add_generation_prompt=True, return_dict=True, return_tensors="pt"
        )
        return encoded["input_ids"]

    def _pieces(
        self, input_ids: Any, info: dict[str, str] | None = None, stop: threading.Event | None = None
    ) -> Iterator[str]:
        """The generation's decoded pieces; `stop`, once set, ends it at its next token."""
        yield from stream_tokens(self._model, self._tokenizer, self._lock, input_ids, self.max_tokens, stop, info)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; `stop=` a `threading.Event` that, once set, ends the generation at its next token."""

        def gen() -> ChatResponseGen:
            text, info = "", dict[str, str]()
            for piece in self._pieces(self.chat_ids(messages), info, kwargs.get("stop")):
                text += piece
                yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=piece)
            # The last response says why the model stopped, as an OpenAI-compatible stream's last chunk does.
            yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta="", raw=info)

        return gen()

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._pieces(self.chat_ids(messages)))
        return ChatResponse(message=ChatMessage(role="assistant", content=text))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for piece in self._pieces(self._tokenizer(prompt, return_tensors="pt")["input_ids"]):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text="".join(self._pieces(self._tokenizer(prompt, return_tensors="pt")["input_ids"])))
