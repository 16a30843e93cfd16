"""Who a surname-only speaker is, and whether a name asked about is a person at all.

Within an article `quotes.find_quotes` already turns "Rutte" into the "Mark Rutte" it names in full.
Across the corpus, a surname-only speaker of an article that never names them in full ("President
Biden said", in an article that never writes "Joe Biden") joins a full name of that surname (`Surnames`):

1. when exactly one full name of that surname is quoted in the corpus, that one, unless its first word
   cannot be a first name ("US. Harry", "With Trump": no full name is; rules 2 and 3 ignore them too);
2. else when the article writes a title right before the surname ("President Biden") and one full name
   holds at least `SHARE` of that title's uses before a full name of the surname ("President Joe
   Biden", never "President Hunter Biden"), that one, even in an article that names another;
3. else the full name holding at least `SHARE` of the surname's full-name quotes, with `MIN_QUOTES` of
   them at least, unless the article names another full name of that surname in full.

A name the article writes after a title that goes with a first name ("Queen Elizabeth", "Prince Harry", "Sir
Elton") is no surname: rules 1 and 3 do not apply to it (the Queen's "Elizabeth" is not Tania Elizabeth, the one
full name ending in Elizabeth); rule 2 does, for a full name written after that title.

Otherwise it stays a person of its own ("Biden"), whose quotes a question asking by surname alone
still reads. Two full names are never merged. `SHARE` and `MIN_QUOTES` are hand-set, not tuned.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from qa_app.quotes import is_person
from qa_app.text import STOPWORDS
from qa_app.vocab import NOT_PERSON_WORDS, PERSON_TITLES, SPEECH_VERBS, TITLE_SPELLED

SHARE = 0.8  # a full name holding this share of a surname's quotes (or of a title's uses) is "the" one
MIN_QUOTES = 10  # ... and, without a title, this many full-name quotes at least
TITLE_USES = 2  # articles writing the title before the full name, at least
# Titles written before a first name, not a surname: "Queen Elizabeth", "Prince Harry", "Pope Francis", "Sir Elton".
_FIRST_NAME_TITLES = frozenset({"queen", "king", "prince", "princess", "pope", "emperor", "empress", "sir", "dame"})
_TITLE = "|".join(re.escape(t) for t in sorted(PERSON_TITLES, key=len, reverse=True))
_TITLE_AT_END = re.compile(rf"(?<![\w.])(?i:({_TITLE}))\s+$")
# A full name's first word that can be a first name or an initial: "joe", "j.", not "us." or "a16".
_FIRST_NAME = re.compile(r"(?:[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*|[^\W\d_]\.)")
# A capitalised word right before a name that makes a place, not a first name: "North Korea", "New York".
_PLACE_PREFIX = {"north", "south", "east", "west", "new", "united", "upper", "lower", "central", "greater", "san",
                 "santa", "los", "las", "el", "la", "hong", "sri", "saudi", "silicon", "wall"}  # fmt: skip
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
             "march", "april", "june", "july", "august", "september", "october", "november", "december",
             "yesterday", "today"}  # fmt: skip
_WHERE = re.compile(r"\b(?:in|at|on|from|into|across|inside|throughout|the)\s+$", re.I)
_SPOKE = re.compile(rf"^(?:['’]s)?\s*(?:,\s+who\b|(?:{SPEECH_VERBS})\b)")
_WORD_BEFORE = re.compile(r"(?:(?<=\s)|^)([A-Z][\w'’-]*)\s+$")


def title_key(title: str) -> str:
    """A title as compared: lower case, abbreviation spelled out. Example: title_key("Sen.") -> "senator" """
    plain = " ".join(title.lower().rstrip(".").split())
    return TITLE_SPELLED.get(plain, plain)


def titles_before(text: str, speakers: Mapping[str, str]) -> tuple[str, ...]:
    """The titles an article writes right before each speaker's name, as "key\\ttitle" (`speakers`: spelling -> key).

    Example: titles_before("President Joe Biden met Mr. Biden.", {"Joe Biden": "joe biden", "Biden": "biden"})
    -> ("biden\\tmr", "joe biden\\tpresident")
    """
    found: set[str] = set()
    for spelling, key in speakers.items():
        at = text.find(spelling)
        while at >= 0:  # str.find and a look at the few characters before: one regex a name cost 40 ms an article
            after = text[at + len(spelling) : at + len(spelling) + 1]
            if not (after.isalnum() or after == "_") and (m := _TITLE_AT_END.search(text[max(0, at - 40) : at])):
                found.add(f"{key}\t{title_key(m[1])}")
            at = text.find(spelling, at + 1)
    return tuple(sorted(found))


def _holder(counts: Mapping[str, int], least: int) -> str | None:
    """The key holding at least `SHARE` of the counts, and `least` at least.

    Example: _holder({"a": 9, "b": 1}, 5) -> "a"
    """
    total = sum(counts.values())
    best = max(counts, key=lambda k: (counts[k], k), default=None)
    return best if best is not None and counts[best] >= max(least, SHARE * total) else None


class Surnames:
    """Which full name a surname-only speaker is (see the module docstring).

    `quotes`: quote sentences per speaker key; `titles`: articles per (full name key, title) written together.
    """

    def __init__(self, quotes: Mapping[str, int], titles: Counter[tuple[str, str]]) -> None:
        self.every: dict[str, list[str]] = {}  # every full name quoted, by surname
        for key in quotes:
            if " " in key:
                self.every.setdefault(key.rsplit(" ", 1)[-1], []).append(key)
        # Only full names whose first word can be a first name: not "us. harry", "with trump".
        self.full = {
            s: [k for k in keys if _FIRST_NAME.fullmatch(k.split()[0]) and k.split()[0] not in STOPWORDS]
            for s, keys in self.every.items()
        }
        self.majority = {s: _holder({k: quotes[k] for k in keys}, MIN_QUOTES) for s, keys in self.full.items()}
        uses: dict[tuple[str, str], dict[str, int]] = {}
        for (key, title), n in titles.items():
            if " " in key:
                uses.setdefault((key.rsplit(" ", 1)[-1], title), {})[key] = n
        self.by_title = {st: _holder(counts, TITLE_USES) for st, counts in uses.items()}

    def person(self, key: str, titles: Iterable[str], named: Callable[[str], bool]) -> str:
        """The person a surname-only speaker `key` is, in an article writing `titles` before it and naming
        in full what `named` says."""
        titles = set(titles)
        given = not titles.isdisjoint(_FIRST_NAME_TITLES)  # "Queen Elizabeth": a first name, no surname
        full = self.full.get(key, [])
        if len(full) == 1 and len(self.every.get(key, [])) == 1 and not given:
            return full[0]
        holders = {self.by_title.get((key, t)) for t in titles} - {None}
        if len(holders) == 1:
            return holders.pop() or key
        majority = self.majority.get(key)
        if majority and not given and not any(named(k) for k in full if k != majority):
            return majority
        return key


def looks_like_person(name: str, texts: Iterable[str]) -> bool:
    """Whether a name nobody quotes is a person's, by its words and by how the articles mentioning it use it.

    Not a person: a name with an organisation or place word ("Wall Street", "Congress"), or one the
    articles write after "in", "at", "the" ... more often than with a title, a first name or a speech
    verb; a single word needs one of those at least ("Apple" never has one; "Jens Stoltenberg" does).
    A name the texts never write is taken for a person's (it was asked for as one).
    Example: looks_like_person("Apple", ["Shares in Apple fell."]) -> False
    """
    words = [w.strip(".,'’").lower() for w in name.split()]
    if not is_person(name) or any(w in NOT_PERSON_WORDS for w in words):
        return False
    spaced = r"\s+".join(re.escape(w) for w in name.split())
    pattern = re.compile(rf"(?<!\w){spaced}(?!\w)", re.I)
    person = place = seen = 0
    for text in texts:
        for m in pattern.finditer(text):
            if not m[0][:1].isupper():
                continue  # "apple", the fruit
            seen += 1
            before, after = text[max(0, m.start() - 60) : m.start()], text[m.end() : m.end() + 40]
            if _TITLE_AT_END.search(before) or _SPOKE.match(after) or (len(words) == 1 and _first_name(before)):
                person += 1
            elif _WHERE.search(before):
                place += 1
    if not seen:
        return True
    return person > place if len(words) == 1 else person >= place


def _first_name(before: str) -> bool:
    """Whether the text before a name ends in a first name: a capitalised word that is no common word,
    day, month or word making a place ("North Korea"). Example: _first_name("a year after Jens ") -> True"""
    m = _WORD_BEFORE.search(before)
    return m is not None and not {m[1].lower()} & (_PLACE_PREFIX | STOPWORDS | _CALENDAR)
