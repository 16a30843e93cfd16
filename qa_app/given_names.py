"""The sex a given name almost always goes with, so that "she said" is not credited to a man named before it.

The names are the 1990 US Census lists' (public domain), kept where one sex bears the name at least 50 times as often
as the other (`data/given_names.txt`, made by `harness.given_names`): "Liz" and "Nancy" are a woman's, "Mark" and
"Boris" a man's. A name not on the list (most names from outside the US, "Jordan", "Leslie") goes with
either, so a wrong sex comes only from a name worn against its census sense ("Lula" da Silva).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_LIST = Path(__file__).resolve().parent / "data" / "given_names.txt"


@lru_cache(maxsize=1)
def _sexes() -> dict[str, str]:
    """Each listed given name (lower case) and its sex, "f" or "m"; read once."""
    rows = (line.split() for line in _LIST.read_text(encoding="utf-8").splitlines() if line[:1] in ("f", "m"))
    return {name: sex for sex, name in rows}


def sex_of(name: str) -> str | None:
    """The sex, "f" or "m", of a full name whose first word is a given name of one sex; else None.

    Example: sex_of("Liz Truss") -> "f"; sex_of("Truss") -> None; sex_of("Volodymyr Zelenskyy") -> None
    """
    words = name.split()
    return _sexes().get(words[0].lower()) if len(words) > 1 else None


def is_given_name(word: str) -> bool:
    """Whether a word is a given name of one sex.

    Example: is_given_name("Jeff") -> True; is_given_name("Biden") -> False
    """
    return word.lower() in _sexes()
