"""Metadata from the text of a page: title, outlet, dates, credits. Unknown stays None, never guessed."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from ingest.model import Page

_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DIGIT = re.compile(r"\d")
_ISO_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_WORD_DATES = (
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),
)
_DATE_LEAD = re.compile(
    r"^(?P<lead>published|posted|first published|updated|last updated|last modified)\b\s*(?:on\b|:)?\s*",
    re.I,
)
# What may surround a date on a date line: times, weekdays, time zones, small words.
_DATE_FILLER = re.compile(
    r"\b(?:\d{1,2}(?::\d{2}){1,2}|\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)|a\.?m\.?|p\.?m\.?|at|on|of|and|"
    r"mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|"
    r"utc|gmt|[ecmp][sd]?t|bst|cest?|msk|z)\b|[\s,.|/()–—-]+",
    re.I,
)
_OUTLET_LINE = re.compile(r"^[A-Z][A-Za-z]*(?:[/&.\- ][A-Z][A-Za-z]*){0,3}$")
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"(?P<name>[A-Z][\w&.'’ -]{1,40}?)\s*(?:[.,;|]|$|all rights)",
    re.I,
)


def _date(year: str, month: str, day: str) -> str | None:
    try:
        number = int(month) if month.isdigit() else _MONTHS[month.lower()[:3]]
        return dt.date(int(year), number, int(day)).isoformat()
    except (KeyError, ValueError):
        return None


def find_date(text: str) -> tuple[str, int, int] | None:
    """The first full date (year, month and day all written) in `text`: (ISO date, start, end).

    Example: find_date("Mon June 13, 2022 at 9 am") -> ("2022-06-13", 4, 17)
    """
    found = []
    for pattern in (_ISO_DATE, *_WORD_DATES):
        for m in pattern.finditer(text):
            iso = _date(m["year"], m["month"], m["day"])
            if iso:
                found.append((m.start(), m.end(), iso))
                break
    if not found:
        return None
    start, end, iso = min(found)
    return iso, start, end


def date_of_line(line: str) -> tuple[str, str] | None:
    """(kind, ISO date) when a line only states a date: kind is published, updated or date.

    Example: date_of_line("Updated 3:45 PM ET, Tue June 14, 2022") -> ("updated", "2022-06-14")
    """
    if len(line) > 120 or not _DIGIT.search(line):
        return None
    lead = _DATE_LEAD.match(line)
    rest = line[lead.end() :] if lead else line
    found = find_date(rest)
    if not found:
        return None
    iso, start, end = found
    if _DATE_FILLER.sub("", rest[:start] + " " + rest[end:]):
        return None  # more than a date: a sentence that mentions one
    word = lead["lead"].lower() if lead else ""
    kind = "updated" if ("updated" in word or "modified" in word) else "published" if word else "date"
    return kind, iso


# A dateline opening a story's paragraph: "OSLO, March 3, 2025 — The mayor ...", "March 3, 2025 -- ...".
_DATELINE = re.compile(r"(?P<head>[^—–]{6,60}?)\s*(?:—|–|--)\s+\S")
_PLACE = re.compile(r"[A-Z][\w.'’/-]*(?:[ ,]+(?:[A-Z][\w.'’/-]*|\([^()]{1,20}\)))*")  # "OSLO", "Oslo, Norway (AP)"


def dateline_date(line: str) -> tuple[str, str] | None:
    """("date", ISO date) of a dateline opening `line`: a date, after a place or nothing, before a dash.

    Example: dateline_date("OSLO, March 3, 2025 — The mayor opened a bridge.") -> ("date", "2025-03-03")
    """
    m = _DATELINE.match(line)
    found = find_date(m["head"]) if m else None
    if m is None or found is None:
        return None
    iso, start, end = found
    place = (m["head"][:start] + m["head"][end:]).strip(" ,")
    return ("date", iso) if not place or _PLACE.fullmatch(place) else None


def date_from_name(name: str) -> str | None:
    """An ISO date written in a file name or URL path.

    Example: date_from_name("rferl-2025-09-05-putin.txt") -> "2025-09-05"
    """
    for m in _ISO_DATE.finditer(name):
        iso = _date(m["year"], m["month"], m["day"])
        if iso:
            return iso
    path = re.search(r"/(?P<year>(?:19|20)\d{2})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/|$)", name)
    return _date(path["year"], path["month"], path["day"]) if path else None


def page_date(page: Page) -> str | None:
    """The published date stated by the page's date lines: 'published' first, then a bare date."""
    for kind in ("published", "date", "updated"):
        for found_kind, iso in page.dates:
            if found_kind == kind:
                return iso
    return None


def normalize_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date-like field value; None when the day is not given.

    Example: normalize_date("2022-06-12T10:00:00Z") -> "2022-06-12"; normalize_date("June 2022") -> None
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    found = find_date(text)
    if found:
        return found[0]
    try:
        from dateutil import parser

        # Parsed twice with different defaults: a part the text does not give would differ.
        first = parser.parse(text, default=dt.datetime(2000, 1, 1))
        second = parser.parse(text, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    return first.date().isoformat() if first.date() == second.date() else None


def looks_like_title(line: str) -> bool:
    """A headline: several words, no closing full stop or dash (a dateline: "London CNN —"), not a quote."""
    words = line.split()
    if not 3 <= len(words) <= 30 or line.rstrip().endswith((".", ":", ",", "—", "–", "-")):
        return False
    return not line.startswith(('"', "“", "'"))


def title_from_lines(lines: list[str]) -> tuple[str | None, list[str]]:
    """The headline among the first lines, and the lines without it."""
    for i, line in enumerate(lines[:5]):
        if looks_like_title(line) and not date_of_line(line):
            return line.strip(), lines[:i] + lines[i + 1 :]
    return None, lines


def title_from_url(url: str | None) -> str | None:
    """A stand-in headline from a URL's slug, for a page that states none.

    Example: title_from_url("https://news.example/2022/07/06/uk/boris-johnson-resigns/index.html")
    -> "Boris johnson resigns"
    """
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s and not re.fullmatch(r"index(?:\.\w+)?|\d+", s)]
    slug = re.sub(r"\.\w{2,5}$", "", segments[-1]) if segments else ""
    words = slug.replace("_", "-").split("-")
    if len(words) < 2 or not all(re.fullmatch(r"[a-z0-9]+", w) for w in words):
        return None  # an id or token, not words
    return " ".join(words).capitalize()


def outlet_of(page: Page) -> str | None:
    """The outlet a page names: a lone name line in its footer, a credit's owner, a copyright holder."""
    for line in page.footer:
        line = line.strip()
        if _OUTLET_LINE.match(line) and len(line) <= 40 and ("/" in line or line.isupper()):
            return line
    for credit in page.credits:
        m = re.search(r"\b([A-Z][A-Za-z]*(?:/[A-Z][A-Za-z]*)+)['’]s\b", credit)
        if m:
            return m[1]
    for notice in page.notices:
        m = _COPYRIGHT.search(notice)
        if m and m["name"].strip().lower() not in {"all rights reserved", "the"}:
            return m["name"].strip()
    return None


def authors_of(credits: list[str]) -> list[str]:
    """People named in bylines and closing credits (desks and agencies left out).

    Example: authors_of(["With reporting by AP and Senior Correspondent Mike Eckel"]) -> ["Mike Eckel"]
    """
    names: list[str] = []
    for credit in credits:
        if re.match(r"by\b", credit, re.I) and "," in credit:
            credit = credit.rsplit(",", 1)[0]  # "By Jane Roe, Town Times": the last part is an outlet or role
        body = re.sub(r"^.*?\bby\b", "", credit, count=1, flags=re.I)
        body = re.sub(r"\bcontributed\b.*$", "", body, flags=re.I)
        for part in re.split(r",|;|\band\b|&|\bediting by\b", body, flags=re.I):
            words = re.findall(r"[A-Z][a-z'’-]+", part)
            if len(words) >= 2 and not re.search(r"\b(?:Service|Desk|Bureau|Staff|Agencies|Press|News)\b", part):
                name = " ".join(words[-2:])
                if name not in names:
                    names.append(name)
    return names[:8]
