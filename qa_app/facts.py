"""The facts of a sentence, as the verifier compares them with a passage: numbers, counts, dates and names.

"26" is "twenty-six", "3 million" is 3,000,000, "Sept. 4" is "September 4", a count is a number with what it
counts ("4 years"), and a name is a capitalised word, folded (accents, possessives and dots aside), that does not
merely open the sentence. `facts_in` asks whether every fact of a sentence is in a source text.
"""

from __future__ import annotations

import re
import unicodedata

from qa_app.places import countries_named, country_of_people
from qa_app.text import QUESTION_WORDS, STOPWORDS, stem

# Round quantities in words, and the smallest figure that says as much ("hundreds": 200).
_VAGUE_LEAST = {"dozen": 24, "hundred": 200, "thousand": 2000, "million": 2e6, "billion": 2e9, "trillion": 2e12}
_VAGUE = re.compile(r"\b(dozen|hundred|thousand|million|billion|trillion)s\b", re.I)

_NAME = re.compile(r"\b[A-Z][\w'’.&-]*")
_DIGITS = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(?:st|nd|rd|th|s|%)?(?![\w])")
WORDS = re.compile(r"[A-Za-z][\w'’.-]*|\d[\d.,]*")
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
_UNITS += "seventeen eighteen nineteen"
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SMALL = {w: i for i, w in enumerate(_UNITS.split())} | _TENS
_NUMBER_WORD = (
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?|two|three|four|five|six|seven|eight"
)
_NUMBER_WORD += "|nine|ten"
_COUNTED = re.compile(
    rf"(?<![\w.])(?P<number>\d+(?:,\d{{3}})*(?:\.\d+)?|{_NUMBER_WORD})(?P<scale>\s+(?:hundred|thousand|million|billion))?"
    rf"(?P<after>(?-i:(?:\s+(?!(?i:{_NUMBER_WORD}|one|hundred|thousand|million|billion)\b)[A-Za-z][a-z'’-]*){{1,3}}))",
    re.I,
)

# A count's noun comes before these: "in two or starting", "August 1 to see" count nothing.
_ENDS_COUNT = {"or", "and", "but", "nor", "to", "than", "as", "if"}

# In the model's sentence a preposition ends it too ("died at 81 from complications"); a passage's count reads on.
_ENDS_OWN_COUNT = {"from", "at", "in", "on", "by", "for", "with", "after", "before", "since", "during", "into", "over"}
_ENDS_OWN_COUNT |= {"under", "per", "against", "when", "while"}
_NUMBER_WORD_ONLY = re.compile(rf"(?:{_NUMBER_WORD}|one|hundred|thousand|million|billion)", re.I)
_CURRENCY = {"$", "£", "€", "¥"}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_WORDS = _MONTHS + list(_MONTH_ABBREVIATIONS)
_MONTH_BEFORE = re.compile(rf"\b(?:{'|'.join(_MONTH_WORDS)})\.?\s+$", re.I)
_MONTH_NAME = rf"(?:{'|'.join(m.capitalize() for m in _MONTH_WORDS)})\.?"
_MONTH_DAY = re.compile(
    rf"\b(?P<m1>{_MONTH_NAME})\s+(?P<d1>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH_NAME})\b"
)

# Capitalised only because they open a sentence: not names to look for in the passage.
_OPENERS = {
    "according", "although", "however", "meanwhile", "moreover", "additionally", "furthermore", "instead",
    "still", "yet", "thus", "therefore", "overall", "earlier", "later", "today", "yesterday", "last", "next",
    "both", "neither", "either", "several", "many", "most", "some", "each", "every", "another", "among",
    "dozens", "hundreds", "thousands", "millions", "billions", "despite", "following", "amid", "since", "until",
    "unlike", "like", "without", "within", "as", "per", "i", "besides", "fellow", "former", "other", "such",
    "all", "only", "even", "also", "then", "now", "here", "there", "this", "these", "those", "that",
    "in", "on", "at", "by", "for", "from", "to", "with", "after", "before", "during", "while", "when", "if",
}  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents, curly quotes or apostrophes' variants, spaces collapsed.

    Example: fold("Macrón’s  “plan”") -> "macron's \\"plan\\""
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def spoken_date(iso: str | None) -> str:
    """An ISO date as words, so "September 5, 2025" in a sentence finds it.

    Example: spoken_date("2025-09-05") -> "September 5, 2025"
    """
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m or not 1 <= int(m[2]) <= 12:
        return iso or ""
    return f"{_MONTHS[int(m[2]) - 1].title()} {int(m[3])}, {m[1]}"


def number_values(text: str, scaled_only: bool = False) -> set[float]:
    """The numbers a text states, in digits or words; "3 million" is 3,000,000 (and 3 unless `scaled_only`).

    Example: number_values("twenty-six of 1,200 troops") -> {26.0, 1200.0}
    """
    tokens = [t.strip(".,").lower() for t in WORDS.findall(text.replace("-", " "))]
    found: set[float] = set()
    i = 0
    while i < len(tokens):
        value, i = _number_at(tokens, i)
        if value is None:
            i += 1
            continue
        scale = _SCALES.get(tokens[i], 1) if i < len(tokens) else 1
        if scale > 1:
            found.add(value * scale)
            if not scaled_only:
                found.add(value)
            i += 1
        else:
            found.add(value)
    return found


def _number_at(tokens: list[str], i: int) -> tuple[float | None, int]:
    """The number starting at token `i` (digits, or words like "twenty six") and the index after it."""
    m = _DIGITS.fullmatch(tokens[i])
    if m:
        digits = m.group(1).replace(",", "")
        try:
            return float(digits), i + 1
        except ValueError:
            return None, i
    if tokens[i] not in _SMALL or tokens[i] == "one":  # "one of them" is rarely a figure
        return None, i
    value = _SMALL[tokens[i]]
    if tokens[i] in _TENS and i + 1 < len(tokens) and tokens[i + 1] in _SMALL and _SMALL[tokens[i + 1]] < 10:
        return float(value + _SMALL[tokens[i + 1]]), i + 2
    return float(value), i + 1


def name_key(word: str) -> str:
    """How a name is compared: folded, without a possessive or dots; month abbreviations spelled out.

    Example: name_key("Sept.") -> "september"; name_key("Macrón’s") -> "macron"
    """
    key = re.sub(r"'s$", "", fold(word)).replace(".", "").strip("'-&")
    return _MONTH_ABBREVIATIONS.get(key, key)


def names(sentence: str) -> list[str]:
    """The keys of the proper names (capitalised words) of a sentence, less a capitalised opener.

    Example: names("However, Rutte met Sen. Cruz in Prague.") -> ["rutte", "sen", "cruz", "prague"]
    """
    found = []
    for m in _NAME.finditer(sentence):
        for part in m.group().split("-"):
            key = name_key(part)
            opener = m.start() == 0 or not sentence[: m.start()].strip(" \"“'‘([")
            if not key or (opener and (key in STOPWORDS or key in QUESTION_WORDS or key in _OPENERS)):
                continue
            found.append(key)
    return found


def counted(text: str, reach: int = 1, passage: bool = False) -> set[tuple[float, str]]:
    """(number, stem of a word right after it): what a number counts. With `reach` > 1, any of that many words;
    `passage`: read as a passage is (see `counts`).

    A scale word ("million") scales the number; punctuation or another number ends the reach, so "In 2025, Putin"
    and "$26 million to two men" count nothing for the first number. An amount of money counts money: its sign says
    so, and the words after it say what for ("$11 million worth of cocaine").
    Example: counted("took twenty-six years") -> {(26.0, "year")}
    """
    return {(v, w) for v, words in counts(text, reach, passage) for w in words}


def counts(text: str, reach: int = 1, passage: bool = False) -> list[tuple[float, list[str]]]:
    """(number, stems of the first `reach` words after it) for each number that counts something (see `counted`).

    A year ("in 2021 average pollution"), the day of a date ("March 17 entangled") and money count nothing. In a
    model's sentence a count ends at a name, a preposition or a stopword after its noun ("26 troops were committed"
    counts troops); a `passage`'s count reads past them ("1.4 million Toyota cars", "17 people on death row").
    Example: counts("five park entrances", reach=2) -> [(5.0, ["park", "entranc"])]
    """
    found = []
    for m in _COUNTED.finditer(text):
        if text[max(0, m.start() - 1) : m.start()] in _CURRENCY or _MONTH_BEFORE.search(text, 0, m.start()):
            continue
        if re.fullmatch(r"(?:18|19|20)\d\d", m["number"]) and not m["scale"]:
            continue
        values = number_values(m["number"] + (m["scale"] or ""), scaled_only=True)
        following: list[str] = []
        for w in m["after"].split():
            if _NUMBER_WORD_ONLY.fullmatch(w) or w.lower() in _ENDS_COUNT:
                break
            stop = w.lower() in STOPWORDS
            if not passage and (w[0].isupper() or w.lower() in _ENDS_OWN_COUNT or (following and stop)):
                break
            following += [w.lower()] if not stop else []
        if following:
            found += [(v, [stem(w) for w in following[:reach]]) for v in values]
    return found


def month_days(text: str) -> set[tuple[str, int]]:
    """The dates a text gives as a month and a day, either way round.

    Example: month_days("on Oct. 30, 1945 and 4 July") -> {("october", 30), ("july", 4)}
    """
    found = set()
    for m in _MONTH_DAY.finditer(text):
        month, day = (m["m1"], m["d1"]) if m["m1"] else (m["m2"], m["d2"])
        key = month.lower().rstrip(".")
        found.add((_MONTH_ABBREVIATIONS.get(key, key), int(day)))
    return found


def facts_in(sentence: str, source: str, vague: bool = True) -> bool:
    """Whether every number, date and proper name of the sentence appears in `source` (see `facts_ok`).

    A round quantity in words ("millions of residents") is a number too: the source says it, or gives a figure
    as large (a year is not one). `vague=False` leaves those aside.
    """
    stated = number_values(source)
    if not number_values(sentence, scaled_only=True) <= stated or not month_days(sentence) <= month_days(source):
        return False
    largest = max((v for v in stated if not (1800 <= v <= 2100 and v.is_integer())), default=0.0)  # a year is no count
    for m in _VAGUE.finditer(sentence) if vague else ():
        word = m.group(1).lower()
        if largest < _VAGUE_LEAST[word] and not re.search(rf"\b{word}s?\b", source, re.I):
            return False
    # A count names its noun within two words ("five park entrances" counts entrances, or parks).
    stated_counts = counted(source, reach=3, passage=True)
    if not all(any((v, w) in stated_counts for w in words) for v, words in counts(sentence, reach=2)):
        return False
    words = re.findall(r"[\w'’.&]+", source.replace("-", " "))
    # "d’Alene" holds the name "Alene" as a sentence's capitalised words see it.
    known = {name_key(p) for w in words for p in [w, *re.split(r"['’]", w)]} | countries_named(source, name_key)
    return all(_known_name(key, known) for key in names(sentence))


def _known_name(key: str, known: set[str]) -> bool:
    """Whether the name `key` is among the passage's `known` names: as it is, singular or plural ("a Super Bowl"
    where the passage has "two Super Bowls"), a number, or a people whose country is named."""
    forms = {key, key + "s", key.removesuffix("s") if len(key) > 3 else key}
    return bool(forms & known) or key.isdigit() or country_of_people(key, name_key) in known
