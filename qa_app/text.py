"""Word-level helpers shared by lexical search, answer scoring and refusal."""

from __future__ import annotations

import functools
import re

_STOPWORDS = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves also recently week this year said
say says tell told according new one two many much may might must shall us mr mrs ms
"""
STOPWORDS = frozenset(_STOPWORDS.split())
QUESTION_WORDS = frozenset(["what", "which", "who", "whom", "whose", "when", "where", "why", "how"])
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


@functools.cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased words without possessives.

    Example: words("Rutte's view, 26 countries") -> ["rutte", "view", "26", "countries"]
    """
    out = []
    for m in _WORD.finditer(text):
        w = m.group().lower()
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        w = w.strip("'’-")
        if w:
            out.append(w)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content words, in order, stopwords dropped.

    Example: terms("How many countries committed troops?") -> ["countri", "commit", "troop"]
    """
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def bm25_tokenizer(text: str) -> list[str]:
    """What the lexical index sees (same as `terms`, so question and passages agree)."""
    return terms(text)
