"""Chunk cleaned text on sentence boundaries, sized by the embedder's own tokenizer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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


def _split_long(text: str, start: int, end: int, count: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces within the budget."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    sizes = count([text[start + a : start + b] for a, b in words])
    pieces: list[tuple[int, int]] = []
    piece_start: int | None = None
    used, prev_end = 0, start
    for (a, b), size in zip(words, sizes, strict=True):
        if piece_start is not None and used + size > budget:
            pieces.append((piece_start, prev_end))
            piece_start, used = None, 0
        if piece_start is None:
            piece_start = start + a
        used += size
        prev_end = start + b
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
    sizes = count([text[a:b] for a, b in sentences])
    units: list[tuple[int, int, int]] = []
    for (a, b), size in zip(sentences, sizes, strict=True):
        if size <= budget:
            units.append((a, b, size))
        else:
            pieces = _split_long(text, a, b, count, budget)
            units += [
                (pa, pb, n) for (pa, pb), n in zip(pieces, count([text[pa:pb] for pa, pb in pieces]), strict=True)
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


def embed_input(title: str, passage: str, title_prefix: str) -> str:
    """What the embedder sees: the (shortened) title, then the passage."""
    return f"{title_prefix}\n{passage}" if title_prefix else passage
