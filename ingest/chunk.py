"""Chunk cleaned text on sentence boundaries, sized by the embedder's own tokenizer."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from qa_app.sentences import split_sentences

CHUNK_TOKENS = 230  # passage budget; the title prefix takes from it so both fit the model's 256
TITLE_TOKENS = 48
MODEL_TOKENS = 254  # 256 less [CLS] and [SEP]


def passage_budget(title_tokens: int) -> int:
    """Tokens left for the passage once the title prefix is in.

    Example: passage_budget(40) -> 214
    """
    return min(CHUNK_TOKENS, MODEL_TOKENS - title_tokens)


TokenCounter = Callable[[Sequence[str]], list[int]]


LONG_SENTENCE_CHARS = 20_000  # far beyond any sentence of `CHUNK_TOKENS` tokens
_WORD = re.compile(r"\S+")
COUNT_BATCH = 512  # texts per tokenizer call: one call on a whole long article holds every encoding at once


def count_batched(count: TokenCounter, texts: Iterable[str]) -> Iterator[int]:
    """Token counts of `texts`, asking the tokenizer `COUNT_BATCH` texts at a time.

    Example: list(count_batched(lambda s: [len(t) for t in s], ["ab", "c"])) -> [2, 1]
    """
    it = iter(texts)
    while batch := list(itertools.islice(it, COUNT_BATCH)):
        yield from count(batch)


def _split_long(text: str, start: int, end: int, count: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces within the budget.

    Words are read lazily: a text without full stops is one "sentence" of the whole article.
    """
    words = _WORD.finditer(text, start, end)
    pieces: list[tuple[int, int]] = []
    piece_start: int | None = None
    used, prev_end = 0, start
    while batch := [m.span() for m in itertools.islice(words, COUNT_BATCH)]:
        for (a, b), size in zip(batch, count([text[a:b] for a, b in batch]), strict=True):
            if piece_start is not None and used + size > budget:
                pieces.append((piece_start, prev_end))
                piece_start, used = None, 0
            if piece_start is None:
                piece_start = a
            used += size
            prev_end = b
    if piece_start is not None:
        pieces.append((piece_start, prev_end))
    return pieces


def chunk_spans(text: str, count: TokenCounter, budget: int = CHUNK_TOKENS) -> list[tuple[int, int]]:
    """Spans of passages of whole sentences, each at most `budget` tokens.

    Passages are filled close to the budget (fewer, fuller vectors embed fastest); a paragraph
    break is preferred as a cut once a passage is four-fifths full.
    Example: chunk_spans("A b. C d.", lambda s: [2] * len(s), budget=2) -> [(0, 4), (5, 9)]
    """
    sentences = split_sentences(text)
    # A "sentence" of many thousand characters (a text without full stops) is cut at words
    # without tokenizing it whole first: one encoding of megabytes costs gigabytes.
    sizes = count_batched(count, (text[a:b] if b - a <= LONG_SENTENCE_CHARS else "" for a, b in sentences))
    units: list[tuple[int, int, int]] = []
    for (a, b), size in zip(sentences, sizes, strict=True):
        if size <= budget and b - a <= LONG_SENTENCE_CHARS:
            units.append((a, b, size))
        else:
            pieces = _split_long(text, a, b, count, budget)
            units += [
                (pa, pb, n)
                for (pa, pb), n in zip(pieces, count_batched(count, (text[pa:pb] for pa, pb in pieces)), strict=True)
            ]
    chunks: list[tuple[int, int]] = []
    start, end, used = None, 0, 0
    for a, b, size in units:
        paragraph_break = start is not None and "\n\n" in text[end:a] and used >= budget * 4 // 5
        if start is not None and (used + size + 1 > budget or paragraph_break):
            chunks.append((start, end))
            start, used = None, 0
        if start is None:
            start = a
        end = b
        used += size + 1
    if start is not None:
        chunks.append((start, end))
    return chunks


def embed_input(passage: str, title_prefix: str) -> str:
    """What the embedder sees: the (shortened) title, then the passage.

    Example: embed_input("Rain fell.", "Storm") -> "Storm\nRain fell."
    """
    return f"{title_prefix}\n{passage}" if title_prefix else passage
