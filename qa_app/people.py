"""Who said what across the corpus: the people quoted, their quotes, and the articles naming anyone.

`PeopleIndex` is derived state, held in memory and kept in step with the store by
`qa_app.people_sync.PeopleSync`. One `Entry` per stored article holds its quote sentences (found at
ingest, or found again from the stored text when the rules changed since) and the names it mentions.

Identity of a person across articles (all comparisons fold case and accents: Orbán = Orban):

- A speaker named in full ("Mark Rutte", also "NATO Secretary-General Mark Rutte's") is that full name.
- A surname-only speaker is the person the same article names in full: `quotes.find_quotes` already
  turns an article's "Rutte" into its "Mark Rutte".
- A surname-only speaker in an article that never names them in full joins a full name by the rules
  of `qa_app.identity.Surnames`: the one full name of that surname, the one its title points to
  ("President Biden": Joe, not Hunter), or the one holding a clear majority of the surname's quotes;
  otherwise it stays a person of its own ("Altman"), whom a question asking by surname also reads.
  Two full names are never merged.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple

from qa_app.identity import Surnames, titles_before
from qa_app.quotes import person_name
from qa_app.records import ArticleRecord, published_ts
from qa_app.text import STOPWORDS, terms

if TYPE_CHECKING:
    from qa_app.retrieve import Filters

_POSSESSIVE = re.compile(r"['’]s\b")
# Transliterations of one Slavic surname ending: "Zelenskyy", "Zelenskiy", "Zelenskyi" are "Zelensky" (outlets differ).
_SKY = re.compile(r"(?<=\wsk)(?:yy|iy|yi|ii)\b")
_PARTICLES = {"de", "van", "von", "der", "al", "bin", "da", "di", "la", "le", "del", "du", "el", "den", "ter"}
# A capitalised word, accented capitals included ("Órban"), for the names an article mentions.
_NAME_RUN = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:[ \t]+[A-ZÀ-ÖØ-Þ][\w'’.-]*)*")
# Words no quote holds word for word: a quote sentence holding this share of their content words (hand-set, as
# `qa.PHRASE_HELD`) within NEAR times as many of its own content words says them (hand-set).
NEARLY = 0.8
NEAR = 2


@dataclass(frozen=True)
class Person:
    """Someone quoted in the corpus: how many quote sentences, in how many articles, the latest date."""

    name: str
    quotes: int
    articles: int
    latest: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def fold(text: str) -> str:
    """Lower case without accents or possessives, -skyy/-skiy/-skyi spelled -sky, white space collapsed.

    Example: fold("Viktor  Orbán’s") -> "viktor orban"; fold("Zelenskyy") -> "zelensky"
    """
    plain = text
    if not text.isascii():
        plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = _POSSESSIVE.sub("", plain).lower()
    if "sk" in plain:
        plain = _SKY.sub("y", plain)
    return " ".join(plain.replace("’", "'").split())


def name_key(name: str) -> str | None:
    """The key of a person's name: without titles or possessive, folded; None when no name is left.

    A name typed all in lower or upper case counts ("carpenter", "RUTTE").
    Example: name_key("NATO Secretary-General Mark Rutte's") -> "mark rutte"; name_key("the market") -> None
    """
    phrase = " ".join(name.split())
    person = person_name(phrase)
    if person is None and (phrase.islower() or phrase.isupper()):  # "carpenter", "RUTTE"
        person = person_name(phrase.title())
    key = fold(person).strip(".,") if person else ""
    return key if key and not all(w in STOPWORDS for w in key.split()) else None


def surname(key: str) -> str:
    """The last word of a name key. Example: surname("mark rutte") -> "rutte" """
    return key.rsplit(" ", 1)[-1]


def mention_keys(text: str) -> str:
    """The folded capitalised words of a text and each pair of them side by side (for "Mark Rutte"),
    one a line: a string, which is far cheaper to keep, cache and load than a set of 200 strings per article.

    Example: mention_keys("Mark Rutte met Orbán.") -> "\nmark\nmark rutte\norban\nrutte\n"
    """
    keys: set[str] = set()
    for run in _NAME_RUN.findall(text):
        folded = [w.strip(".'-") for w in fold(run).split()]
        folded = [w for w in folded if w]
        keys.update(folded)
        keys.update(f"{a} {b}" for a, b in itertools.pairwise(folded))
    return "\n" + "".join(f"{k}\n" for k in sorted(keys) if k not in STOPWORDS)


def mentioned(key: str, names: str) -> bool:
    """Whether a name key is among an article's `mention_keys`: every word, and adjacent words as a pair.

    Example: mentioned("mark rutte", mention_keys("Rutte and Mark Smith")) -> False
    """
    words = key.split()
    if not all(f"\n{w}\n" in names for w in words if w not in _PARTICLES):
        return False
    pairs = itertools.pairwise(words)
    return all(f"\n{a} {b}\n" in names for a, b in pairs if a not in _PARTICLES and b not in _PARTICLES)


class Said(NamedTuple):
    """One quote sentence of an article: `text == article.text[start:end]`, spoken by `speaker`.

    `joined`: it follows the previous quote sentence of the same speaker with nothing between (one utterance).
    `terms`: its stemmed content words, for topic relevance.
    """

    speaker: str
    start: int
    end: int
    text: str
    joined: bool
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """What the people index holds of one article version (`hash`).

    Its quote sentences are kept as plain columns (`speakers`, `texts`, `packed`: "start end joined terms"
    a line), which a new process loads from the cache ten times faster than 70k `Said` objects; `quotes`
    makes those of one article when a question reads it. `titles`: "key\ttitle" of the titles the article
    writes before a speaker's name (`identity.titles_before`).
    """

    doc_id: str
    hash: str
    title: str
    source: str
    published: str
    ts: int
    names: str  # `mention_keys`
    title_terms: tuple[str, ...]
    speakers: tuple[str, ...]
    texts: tuple[str, ...]
    packed: str
    titles: tuple[str, ...] = ()

    @functools.cached_property
    def quotes(self) -> tuple[Said, ...]:
        """The article's quote sentences, in text order."""
        rows = self.packed.split("\n") if self.packed else []
        said = []
        for speaker, text, row in zip(self.speakers, self.texts, rows, strict=True):
            start, end, joined, *words = row.split(" ")
            said.append(Said(speaker, int(start), int(end), text, joined == "1", tuple(words)))
        return tuple(said)

    def row(self) -> tuple[Any, ...]:
        """The entry as a plain tuple, for the cache: `Entry(*entry.row())` is the entry again."""
        return tuple(getattr(self, f.name) for f in fields(self))


def make_entry(record: ArticleRecord, quotes: list[dict[str, Any]]) -> Entry:
    """The entry of a stored article (`record.text` read), with `quotes` as `find_quotes` gives them."""
    text = record.text
    speakers: list[str] = []
    texts: list[str] = []
    rows: list[str] = []
    previous: tuple[str, int] | None = None
    for q in sorted(quotes, key=lambda q: int(q["start"])):
        start, end, speaker = int(q["start"]), int(q["end"]), sys.intern(str(q["speaker"]))
        joined = previous is not None and previous[0] == speaker and not text[previous[1] : start].strip()
        sentence = text[start:end]
        speakers.append(speaker)
        texts.append(sentence)
        rows.append(" ".join((str(start), str(end), "1" if joined else "0", *terms(sentence))))
        previous = (speaker, end)
    spellings = {s: fold(s) for s in dict.fromkeys(speakers)}
    return Entry(
        record.doc_id,
        record.hash,
        record.title,
        record.source or "",
        record.published or "",
        published_ts(record.published),
        mention_keys(record.title + "\n" + text),
        tuple(terms(record.title)),
        tuple(speakers),
        tuple(texts),
        "\n".join(rows),
        titles_before(text, spellings),
    )


def allows(entry: Entry, filters: Filters | None) -> bool:
    """Whether an article passes the filters: outlet (any case), dates, and not after "as of"."""
    if filters is None:
        return True
    if filters.source and entry.source.lower() != filters.source.strip().lower():
        return False
    if filters.date_from and entry.ts < published_ts(filters.date_from):
        return False
    if filters.date_to and not 0 <= entry.ts <= published_ts(filters.date_to):
        return False
    # What was said after the "as of" date was not said yet; an undated article is kept.
    return not (filters.as_of and entry.ts > published_ts(filters.as_of))


class PeopleIndex:
    """Every article's quotes and mentioned names, and the people they make (see the module docstring).

    Never changed in place: `updated` returns a new index, so a question under way keeps its own.
    """

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self._haystack: tuple[str, list[int], list[tuple[str, int]]] | None = None
        self._postings: dict[str, array[int]] | None = None  # content word -> haystack slots, made on first use
        self._derive()

    def updated(self, remove: Iterable[str], add: Iterable[Entry]) -> PeopleIndex:
        """A new index without the articles `remove` and with (or with new versions of) `add`."""
        entries = dict(self.entries)
        for doc_id in remove:
            entries.pop(doc_id, None)
        entries.update((e.doc_id, e) for e in add)
        return PeopleIndex(entries)

    def _derive(self) -> None:
        """Resolve each speaker to a person (a surname alone: by `identity.Surnames`, article by article),
        and list each person's quotes by article. A loop per article and spelling, not per quote: a new
        process does this for 70k quotes on loading the cache."""
        entries = self.entries.values()
        spellings = Counter(itertools.chain.from_iterable(e.speakers for e in entries))
        keys = {speaker: fold(speaker) for speaker in spellings}  # folded once per spelling
        quotes: Counter[str] = Counter()
        for speaker, n in spellings.items():
            quotes[keys[speaker]] += n
        if respelled := _respelled(quotes):  # "Volodymr Zelensky" is Volodymyr Zelensky
            keys = {speaker: respelled.get(key, key) for speaker, key in keys.items()}
            quotes = Counter()
            for speaker, n in spellings.items():
                quotes[keys[speaker]] += n
        titles = Counter(tuple(t.split("\t", 1)) for e in entries for t in e.titles)
        self.rule = Surnames(quotes, titles)  # type: ignore[arg-type]
        self.surnames = {s: sorted(ks) for s, ks in self.rule.every.items()}
        self.by_person: dict[str, dict[str, list[int]]] = {}
        names: dict[str, dict[str, int]] = {}
        for entry in entries:
            for speaker, positions in _positions(entry.speakers).items():
                key = keys[speaker]
                person = key if " " in key else self._person(entry, key)
                docs = self.by_person.get(person)
                if docs is None:
                    docs = self.by_person[person] = {}
                    names[person] = {}
                if entry.doc_id in docs:  # "Orbán" and "Orban" in one article
                    positions = sorted(docs[entry.doc_id] + positions)
                docs[entry.doc_id] = positions
                names[person][speaker] = names[person].get(speaker, 0) + len(positions)
        # The spelling a person's key was made from, the most used one first ("Orbán" over "Orban").
        self.names = {p: _display(p, c, keys) for p, c in names.items()}
        self.folded = {p: keys[name] for p, name in self.names.items()}
        self._everyone: list[tuple[str, Person]] | None = None  # the unfiltered People list, made once

    def _person(self, entry: Entry, key: str) -> str:
        """The person a speaker key of an article is: a full name is itself; a surname see `Surnames`."""
        if " " in key:
            return key
        titles = [t.split("\t", 1)[1] for t in entry.titles if t.startswith(key + "\t")]
        return self.rule.person(key, titles, lambda full: mentioned(full, entry.names))

    # people -------------------------------------------------------------------------------------
    def people(self, query: str = "", filters: Filters | None = None) -> list[Person]:
        """Everyone quoted in the articles the filters allow, most quoted first; `query` filters by name (a hyphen
        matches a space: "vasquez holm" finds Ingrid Vasquez-Holm)."""
        wanted = fold(query).replace("-", " ")
        if filters is None:
            if self._everyone is None:
                self._everyone = self._listing(None)
            listing = self._everyone
        else:
            listing = self._listing({d for d, e in self.entries.items() if allows(e, filters)})
        return [p for folded, p in listing if wanted in folded.replace("-", " ")]

    def _listing(self, allowed: set[str] | None) -> list[tuple[str, Person]]:
        """(folded name, person) of everyone quoted in the `allowed` articles (all when None), sorted."""
        found = []
        for person, docs in self.by_person.items():
            kept = [d for d in docs if allowed is None or d in allowed]
            if not kept:
                continue
            quotes = sum(len(docs[d]) for d in kept)
            latest = max(self.entries[d].published for d in kept) or None
            found.append((self.folded[person], Person(self.names[person], quotes, len(kept), latest)))
        return sorted(found, key=lambda f: (-f[1].quotes, -f[1].articles, f[0]))

    def resolve(self, key: str, filters: Filters | None = None, exclude: frozenset[str] = frozenset()) -> str | None:
        """The person a name key asks about, among those quoted in allowed articles; None when nobody.

        A full name is that person; else, a full name nobody has, its surname-only person. A surname
        is the person quoted most among those with that surname (and a surname-only person of it).
        """
        candidates = [key] if " " in key else [*self.surnames.get(key, []), key]
        if " " in key and key not in self.by_person and len(self.surnames.get(surname(key), [])) <= 1:
            candidates.append(surname(key))  # "Mark Rutte" asked, only a surname-only "Rutte" quoted
        counts = {c: len(self.quotes_of(c, filters, exclude)) for c in candidates if c in self.by_person}
        counts = {c: n for c, n in counts.items() if n}
        return max(counts, key=lambda c: (counts[c], c == key)) if counts else None

    def quotes_of(
        self, person: str, filters: Filters | None = None, exclude: frozenset[str] = frozenset()
    ) -> dict[str, list[int]]:
        """{doc_id: positions in its entry's quotes} of a person, in the allowed articles."""
        docs = self.by_person.get(person, {})
        return {d: i for d, i in docs.items() if d not in exclude and allows(self.entries[d], filters)}

    def asked(
        self, key: str, person: str, filters: Filters | None = None, exclude: frozenset[str] = frozenset()
    ) -> dict[str, list[int]]:
        """The quotes a name key asked about gets: its person's (`resolve`), and when the key is a surname
        alone also the quotes of that surname no full name took ("President Biden said" beside
        "Hunter Biden" in one article), in article order."""
        found = self.quotes_of(person, filters, exclude)
        if " " not in key and key != person:
            for doc_id, positions in self.quotes_of(key, filters, exclude).items():
                found[doc_id] = sorted([*found.get(doc_id, []), *positions])
        return found

    def mentions(self, key: str, filters: Filters | None = None, exclude: frozenset[str] = frozenset()) -> list[str]:
        """Doc ids of the allowed articles that mention a name key, newest first."""
        found = [
            e
            for e in self.entries.values()
            if e.doc_id not in exclude and mentioned(key, e.names) and allows(e, filters)
        ]
        return [e.doc_id for e in sorted(found, key=lambda e: (-e.ts, e.doc_id))]

    def speaker_name(self, entry: Entry, position: int) -> str:
        """The name of the person who said quote `position` of `entry`, as the People list shows it: a surname alone
        joins its full name by the rules of `_person` ("Musk" -> "Elon Musk")."""
        speaker = entry.speakers[position]
        return self.names.get(self._person(entry, fold(speaker)), speaker)

    def said(self, phrase: str) -> list[tuple[str, int]]:
        """(doc_id, position) of the quote sentences holding `phrase` (folded, punctuation aside).

        Example: said("Russia cannot win this war") -> [("rferl-...txt", 3)]
        """
        text, starts, where = self._quote_text()
        needle = _plain(phrase)
        found: list[tuple[str, int]] = []
        at = text.find(needle) if needle else -1
        while at >= 0:
            slot = _slot(starts, at)
            if not found or found[-1] != where[slot]:
                found.append(where[slot])
            at = text.find(needle, at + 1)
        return found

    def said_nearly(self, phrase: str) -> list[tuple[str, int, float]]:
        """(doc_id, position, score) of the quote sentences holding nearly all the content words of `phrase` near
        each other: at least `NEARLY` of them (stemmed, folded) within `NEAR` times as many of the sentence's own.
        The score, best first, is the share of the words held times how close they stand (held / the fewest of the
        sentence's content words holding them). For words no quote holds word for word (`said`); a phrase of one
        content word needs its exact words.

        Example: said_nearly("the alliance budget must grow a lot next year") -> [("nato-lviv", 2, 0.8)]
        """
        wanted = list(dict.fromkeys(fold(t) for t in terms(phrase)))
        if len(wanted) < 2:
            return []
        if self._postings is None:
            self._postings = _postings(self.entries)
        where = self._quote_text()[2]
        need = math.ceil(NEARLY * len(wanted) - 1e-9)
        counts = Counter(itertools.chain.from_iterable(self._postings.get(t, ()) for t in wanted))
        found = []
        for slot in (s for s, n in counts.items() if n >= need):  # only these sentences are read
            doc_id, i = where[slot]
            own = [fold(t) for t in self.entries[doc_id].quotes[i].terms]
            held, span = _held_near(own, set(wanted), NEAR * len(wanted))
            if held >= need:
                found.append((doc_id, i, held / len(wanted) * held / span))
        return sorted(found, key=lambda f: -f[2])

    def _quote_text(self) -> tuple[str, list[int], list[tuple[str, int]]]:
        """`_haystack` of the index, made on first use."""
        if self._haystack is None:
            self._haystack = _haystack(self.entries)
        return self._haystack


def _respelled(quotes: Counter[str]) -> dict[str, str]:
    """Full-name keys that misspell another's given name, each with the key it misspells: the same surname, a given
    name of six letters or more one letter off, and the other spelling at least three times as quoted and ten times
    in all ("audrey gregory" and "aubrey gregory", a hospital's head and a police major quoted once and five times,
    stay two people).

    Example: _respelled(Counter({"volodymr zelensky": 14, "volodymyr zelensky": 441}))
    -> {"volodymr zelensky": "volodymyr zelensky"}
    """
    by_surname: dict[str, list[str]] = {}
    for key in quotes:
        if " " in key:
            by_surname.setdefault(surname(key), []).append(key)
    found = {}
    for keys in by_surname.values():
        for rare, common in itertools.permutations(keys, 2):
            given, other = rare.rsplit(" ", 1)[0], common.rsplit(" ", 1)[0]
            if (
                len(given) >= 6
                and given[0] == other[0]
                and quotes[common] >= max(10, 3 * quotes[rare])
                and _one_letter_off(given, other)
            ):
                found[rare] = common
    return found


def _one_letter_off(a: str, b: str) -> bool:
    """Whether one letter added, dropped or changed makes `a` into `b`. Example: ("volodymr", "volodymyr") -> True"""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _display(person: str, spellings: dict[str, int], keys: dict[str, str]) -> str:
    """A person's name as written: the most used spelling of their own key (not a surname-only one)."""
    own = [s for s in spellings if keys[s] == person] or list(spellings)
    return max(own, key=lambda s: spellings[s])


def _positions(speakers: tuple[str, ...]) -> dict[str, list[int]]:
    """The positions of each speaker's quotes. Example: _positions(("A", "B", "A")) -> {"A": [0, 2], "B": [1]}"""
    found: dict[str, list[int]] = {}
    for i, speaker in enumerate(speakers):
        at = found.get(speaker)
        if at is None:
            found[speaker] = [i]
        else:
            at.append(i)
    return found


def _plain(text: str) -> str:
    """Folded, with every run of punctuation and space as one space: how quotes are searched.

    Example: _plain("“Russia  cannot win,” he said") -> " russia cannot win he said "
    """
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


def _haystack(entries: dict[str, Entry]) -> tuple[str, list[int], list[tuple[str, int]]]:
    """Every quote sentence, `_plain`, in one string; the start of each, and its (doc_id, position)."""
    parts: list[str] = []
    starts: list[int] = []
    where: list[tuple[str, int]] = []
    offset = 0
    for entry in entries.values():
        for i, sentence in enumerate(entry.texts):
            plain = _plain(sentence)
            parts.append(plain)
            starts.append(offset)
            where.append((entry.doc_id, i))
            offset += len(plain)
    return "".join(parts), starts, where


def _postings(entries: dict[str, Entry]) -> dict[str, array[int]]:
    """Each content word (stemmed and folded) of the quote sentences, and the slots of those holding it: their
    numbers in `_haystack`'s order. Made from the terms the entries keep (no sentence is read or stemmed again)."""
    found: dict[str, list[int]] = {}
    keys: dict[str, str] = {}
    slot = 0
    for entry in entries.values():
        for row in entry.packed.split("\n") if entry.packed else ():
            for term in set(row.split(" ")[3:]):  # "start end joined terms..."
                key = keys.get(term)
                if key is None:
                    key = keys[term] = fold(term)
                found.setdefault(key, []).append(slot)
            slot += 1
    return {key: array("i", slots) for key, slots in found.items()}  # a tenth of the memory of lists of ints


def _held_near(words: list[str], wanted: set[str], width: int) -> tuple[int, int]:
    """The most distinct `wanted` words in any `width` consecutive `words`, and the fewest words holding that many.

    Example: _held_near(["virus", "go", "flu", "away"], {"virus", "away"}, 4) -> (2, 4)
    """
    at = [(i, w) for i, w in enumerate(words) if w in wanted]
    best = (0, 0)
    for k, (first, _) in enumerate(at):
        seen: set[str] = set()
        for i, w in at[k:]:
            if i >= first + width:
                break
            seen.add(w)
            best = max(best, (len(seen), first - i - 1))  # more words, then a shorter run
    return best[0], -best[1]


def _slot(starts: list[int], at: int) -> int:
    """The index of the part that holds position `at` (binary search over the parts' starts)."""
    return bisect.bisect_right(starts, at) - 1
