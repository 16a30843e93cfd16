"""Sentence spans in cleaned article text, shared by the chunker and the answerer.

A rule-based splitter: fast, deterministic and offset-exact, tuned for news prose (quotes,
abbreviations such as "U.S." and "Sen.", initials). Paragraph breaks always end a sentence.
"""

from __future__ import annotations

import re

from qa_app.vocab import SPLIT_SPEECH_VERBS

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "st",
    "jr", "sr", "inc", "corp", "co", "ltd", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "u.s", "u.k", "u.n", "e.g", "i.e",
    "a.m", "p.m", "d.c", "rev", "pres", "adm", "maj", "cmdr",
}  # fmt: skip

# A candidate end: terminal punctuation, optional closing quotes/brackets, then white space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
# '"Why?" Rutte said.' is one sentence: a quote closed by ?/! followed by its attribution.
_ATTRIBUTION = re.compile(rf"(?:[A-Z][\w.'’-]*\s+){{1,4}}(?:{SPLIT_SPEECH_VERBS})\b")
_PARA = re.compile(r"\n\s*\n|\n(?=\s*[•\-\*]\s)")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` ends an abbreviation or an initial, not a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "Michael J. Fox"
    return word in _ABBREVIATIONS


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of `text[start:end]`, stripped of white space.

    Example: split_sentences('He left. "Why?" she said.') -> [(0, 8), (9, 25)]
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text, start, end):
        cursor = block_start
        for m in _END.finditer(text, block_start, block_end):
            if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start()):
                continue
            nxt = _next_visible(text, m.end(), block_end)
            if nxt is not None and (text[nxt].islower() or text[nxt] in ",;:"):
                continue  # '"Yes?" he asked' or '... etc. and more' continues the sentence
            if (
                nxt is not None
                and text[m.start()] in "?!"
                and text[m.end() - 1] in "\"”'’"
                and (_ATTRIBUTION.match(text, nxt, block_end))
            ):
                continue
            spans.append((cursor, m.end()))
            cursor = m.end()
        spans.append((cursor, block_end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s is not None]


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    blocks, cursor = [], start
    for m in _PARA.finditer(text, start, end):
        blocks.append((cursor, m.start()))
        cursor = m.end()
    blocks.append((cursor, end))
    # A single newline inside a block also ends a line that has no terminal punctuation
    # (headings, captions): treat each line as its own block when the block has several.
    out = []
    for a, b in blocks:
        line_start = a
        for m in re.finditer(r"\n", text[a:b]):
            nl = a + m.start()
            out.append((line_start, nl))
            line_start = nl + 1
        out.append((line_start, b))
    return out


def _next_visible(text: str, i: int, end: int) -> int | None:
    while i < end and text[i].isspace():
        i += 1
    return i if i < end else None


def _strip(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None
