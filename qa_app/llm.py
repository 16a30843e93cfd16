"""Composed answers from the user's own LLM, shown only as far as the cited passages support them.

Off by default. `QA_LLM_URL` names an OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server,
LM Studio, OpenAI), reached through llama-index's `OpenAILike`; `QA_LLM_GGUF` names a local GGUF
file run in-process by transformers (`GGUFModel`, a llama-index `CustomLLM`), so both share one
interface. The model sees numbered passages of the articles the extractive path retrieved and the
conversation; what it writes is streamed as drafts, then checked sentence by sentence
(`qa_app.checks`). Whatever goes wrong (the model is down, slow past `QA_LLM_TIMEOUT`, writes
garbage or nothing that passes) the extractive answer is shown, with a one-line notice.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from qa_app.checks import Excerpt, Verdict, check_draft
from qa_app.cite import Answer, Citation, verify
from qa_app.config import Settings
from qa_app.errors import LLMError, LLMTimeoutError
from qa_app.records import ArticleRecord

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from qa_app.embed import Embedder
    from qa_app.retrieve import Passage

log = logging.getLogger(__name__)

MAX_PASSAGES = 5  # passages the model sees: the retrieval's best, at most PER_ARTICLE of one article
PER_ARTICLE = 2
HISTORY_TURNS = 4  # earlier turns of the conversation the model sees, each cut to TURN_CHARS
TURN_CHARS = 600
FALLBACK = "showing the extractive answer."


@dataclass
class Sources:
    """What one question retrieved: its passages best first, their articles, and the extractive answer."""

    question: str
    passages: list[Passage]
    articles: dict[str, ArticleRecord]
    extractive: Answer


def pick_excerpts(sources: Sources) -> list[Excerpt]:
    """The passages the model sees, numbered from 1: the best ones, at most `PER_ARTICLE` per article."""
    excerpts: list[Excerpt] = []
    per_article: dict[str, int] = {}
    for p in sources.passages:
        article = sources.articles.get(p.doc_id)
        if article is None or per_article.get(p.doc_id, 0) >= PER_ARTICLE:
            continue
        per_article[p.doc_id] = per_article.get(p.doc_id, 0) + 1
        excerpts.append(Excerpt(len(excerpts) + 1, article, p.chunk.start, p.chunk.end))
        if len(excerpts) == MAX_PASSAGES:
            break
    return excerpts


@functools.cache
def system_prompt() -> str:
    return resources.files("qa_app").joinpath("prompts/compose.txt").read_text(encoding="utf-8").strip()


@functools.cache
def examples() -> list[dict[str, Any]]:
    """Worked examples shown before the question: small models copy the `[n]` habit from them, not from rules."""
    raw = resources.files("qa_app").joinpath("prompts/examples.json").read_text(encoding="utf-8")
    return list(json.loads(raw))


def passages_block(passages: Sequence[tuple[str, str | None, str | None, str]], question: str) -> str:
    """Numbered passages `(title, outlet, date, text)` fenced in <passages> tags, then the question.

    Article text cannot close the fence: a "</passages>" inside it would let it pose as instructions.
    Example: passages_block([("T", "O", "2025-09-05", "Text.")], "Q?")
    -> "<passages>\n[1] T (O, 2025-09-05)\nText.\n</passages>\n\nQuestion: Q?"
    """
    blocks = []
    for n, (title, outlet, date, text) in enumerate(passages, start=1):
        meta = ", ".join(x for x in (outlet, date) if x)
        heading = f"[{n}] {title}" + (f" ({meta})" if meta else "")
        blocks.append(f"{heading}\n{' '.join(text.split())}".replace("passages>", "passages >"))
    return "<passages>\n" + "\n\n".join(blocks) + f"\n</passages>\n\nQuestion: {question}"


def build_messages(question: str, history: Sequence[Any], excerpts: Sequence[Excerpt]) -> list[dict[str, str]]:
    """The chat the model gets: the rules, worked examples, the earlier turns, then the passages and the question."""
    messages = [{"role": "system", "content": system_prompt()}]
    for example in examples():
        shown = [(p["title"], p["outlet"], p["date"], p["text"]) for p in example["passages"]]
        messages.append({"role": "user", "content": passages_block(shown, example["question"])})
        messages.append({"role": "assistant", "content": example["answer"]})
    for turn in list(history)[-HISTORY_TURNS:]:
        role = turn.get("role") if isinstance(turn, dict) else None
        content = turn.get("content") if isinstance(turn, dict) else None
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            messages.append({"role": str(role), "content": content.strip()[:TURN_CHARS]})
    given = [(e.article.title, e.article.source, e.article.published, e.text) for e in excerpts]
    messages.append({"role": "user", "content": passages_block(given, question)})
    return messages


def fallback(extractive: Answer, notice: str, removed: Sequence[Any] = ()) -> Answer:
    """The extractive answer, with a one-line notice saying why the model's is not shown."""
    return dataclasses.replace(extractive, mode="extractive", notice=notice, removed=list(removed))


def checked_answer(
    text: str, excerpts: Sequence[Excerpt], sources: Sources, embedder: Embedder, cut_off: bool = False
) -> Answer:
    """The model's text as an answer of the sentences that pass every check, or the extractive answer.

    `cut_off`: the model stopped at its token limit (its last sentence may be unfinished).
    """
    if not text.strip():
        return fallback(sources.extractive, f"The model returned no answer; {FALLBACK}")
    verdict = check_draft(text, excerpts, embedder, cut_off=cut_off)
    if not verdict.kept:
        count = len(verdict.removed)
        notice = f"None of the model's {count} sentence{'s' * (count != 1)} passed the checks; {FALLBACK}"
        return fallback(sources.extractive, notice, verdict.removed)
    return llm_answer(verdict, sources)


def llm_answer(verdict: Verdict, sources: Sources) -> Answer:
    """The kept sentences, each ending with the marker of the verbatim span that supports it."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    parts = []
    for kept in verdict.kept:
        if kept.support not in numbers:
            doc_id, start, end = kept.support
            a = sources.articles[doc_id]
            numbers[kept.support] = len(citations) + 1
            citations.append(
                Citation(
                    len(citations) + 1, doc_id, a.title, a.source, a.url, a.published, a.text[start:end], start, end
                )
            )
        parts.append(f"{kept.text} [{numbers[kept.support]}]")
    extractive = sources.extractive
    answer = Answer(
        " ".join(parts),
        citations,
        False,
        extractive.retrieved,
        extractive.question,
        mode="llm",
        removed=verdict.removed,
    )
    verify(answer, {doc_id: a.text for doc_id, a in sources.articles.items()})
    return answer


# An LLM with this attribute set runs in-process and takes `stop=threading.Event` in `stream_chat`.
IN_PROCESS = "in_process"


def generate(
    llm: LLM, messages: Sequence[dict[str, str]], timeout: float, outcome: dict[str, str] | None = None
) -> Iterator[str]:
    """The text the model has written so far, after each piece it streams.

    The model runs in a thread, so a stalled one cannot hold the caller past `timeout` seconds for
    the whole generation (`LLMTimeoutError`); a failure of the model is an `LLMError` from it. On leaving,
    an in-process model (`IN_PROCESS`) is told to stop this generation, not another user's: it ends at its next
    token, without the caller waiting for it (reading a long prompt can take seconds; `qa_app.gguf` joins what is
    left at exit). `outcome["finish_reason"]` is the model's, when it gives one.
    """
    from llama_index.core.llms import ChatMessage

    chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
    left = threading.Event()

    def work() -> None:
        try:
            for response in llm.stream_chat(chat, **({"stop": left} if getattr(llm, IN_PROCESS, False) else {})):
                if left.is_set():
                    break  # closing the stream stops the generation or the HTTP request
                if outcome is not None and (reason := finish_reason(response.raw)):
                    outcome["finish_reason"] = reason
                pieces.put(("text", response.delta or ""))
            pieces.put(("end", None))
        except Exception as exc:
            pieces.put(("error", exc))

    worker = threading.Thread(target=work, name="llm-generate", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout
    text = ""
    try:
        while True:
            try:
                kind, value = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMTimeoutError(f"the model did not answer within {timeout:g} s") from None
            if kind == "end":
                return
            if kind == "error":
                raise LLMError(f"the model failed: {type(value).__name__}: {value}") from value
            text += value
            yield text
    finally:
        left.set()


def finish_reason(raw: Any) -> str | None:
    """Why the model stopped ("length": at its token limit), from a streamed response's raw chunk, if it says."""
    if isinstance(raw, dict):
        choices = raw.get("choices") or [raw]
        first = choices[0] if isinstance(choices[0], dict) else {}
        return first.get("finish_reason")
    choices = getattr(raw, "choices", None) or []
    return getattr(choices[0], "finish_reason", None) if choices else None


def notice_for(exc: Exception, settings: Settings) -> str:
    """One line for the user on why the model's answer is not shown."""
    if isinstance(exc, LLMTimeoutError):
        return f"The model did not answer within {settings.llm_timeout:g} s; {FALLBACK}"
    cause = exc.__cause__ if isinstance(exc, LLMError) else exc
    if type(cause).__name__ in ("APIConnectionError", "ConnectError", "ConnectionRefusedError"):
        return f"The model could not be reached; {FALLBACK}"
    return f"The model's reply could not be read; {FALLBACK}"


class Composer:
    """Writes an answer with the configured model from the passages retrieved, and checks it."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._llm: LLM | None = None
        self._loading = threading.Lock()

    def llm(self) -> LLM:
        """The model, loaded once (a GGUF file's first load converts it: about 90 s, then cached)."""
        with self._loading:
            if self._llm is None:
                self._llm = load_llm(self.settings)
            return self._llm

    def stream(self, question: str, history: Sequence[Any], sources: Sources) -> Iterator[str | Answer]:
        """The model's text so far (unchecked) as it writes, then the checked answer (or the extractive one)."""
        excerpts = pick_excerpts(sources)
        if not excerpts:
            yield sources.extractive
            return
        try:
            llm = self.llm()
        except Exception as exc:  # a missing or unreadable model file: the extractive answer stands
            log.warning("the model could not be loaded: %s", exc)
            yield fallback(sources.extractive, f"The model could not be loaded ({type(exc).__name__}); {FALLBACK}")
            return
        text, outcome = "", dict[str, str]()
        try:
            for text in generate(llm, build_messages(question, history, excerpts), self.settings.llm_timeout, outcome):
                yield text
        except Exception as exc:  # a broken model must never break the answer: the extractive one stands
            log.warning("composed answer failed: %s", exc)
            yield fallback(sources.extractive, notice_for(exc, self.settings))
            return
        cut_off = outcome.get("finish_reason") == "length"
        yield checked_answer(text, excerpts, sources, self.embedder, cut_off)


def load_composer(settings: Settings, embedder: Embedder) -> Composer | None:
    """A composer for the configured model, or None when none is configured (the default)."""
    if not settings.llm_url and not settings.llm_gguf:
        return None
    return Composer(settings, embedder)


def load_llm(settings: Settings) -> LLM:
    """The configured model as a llama-index LLM: the endpoint of `QA_LLM_URL`, else the file of `QA_LLM_GGUF`."""
    if settings.llm_url:
        from llama_index.llms.openai_like import OpenAILike

        # No tokenizer: OpenAILike then counts nothing itself, so nothing (tiktoken's tables) is downloaded.
        return OpenAILike(
            model=settings.llm_model or "default",
            api_base=settings.llm_url,
            api_key=settings.llm_api_key or "none",
            is_chat_model=True,
            temperature=0.0,
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
            max_retries=0,
            context_window=8192,
        )
    assert settings.llm_gguf is not None
    from qa_app.gguf import GGUFModel

    return GGUFModel.from_file(settings.llm_gguf, settings.cache_dir, settings.llm_max_tokens)
