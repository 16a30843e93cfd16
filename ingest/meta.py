"""Metadata from the text of a page: title, outlet, date, credits. Unknown stays None."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_OUTLET_LINE = re.compile(r"^[A-Z][A-Za-z]*(?:[/&.\- ][A-Z][A-Za-z]*){0,3}$")


def looks_like_title(line: str) -> bool:
    """A headline: several words, no closing full stop, mostly capitalised or short."""
    words = line.split()
    if not 3 <= len(words) <= 30 or line.rstrip().endswith((".", ":", ",")):
        return False
    return not line.startswith(('"', "“", "'"))


def title_from_lines(lines: list[str]) -> tuple[str | None, list[str]]:
    """The headline among the first lines, and the lines without it."""
    for i, line in enumerate(lines[:5]):
        if looks_like_title(line):
            return line.strip(), lines[:i] + lines[i + 1 :]
    return None, lines


def date_from_name(name: str) -> str | None:
    """An ISO date written in a file name or URL path.

    Example: date_from_name("rferl-2025-09-05-putin.txt") -> "2025-09-05"
    """
    for m in _ISO_DATE.finditer(name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            continue
    return None


def normalize_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date-like field value, or None.

    Example: normalize_date("2022-06-12T10:00:00Z") -> "2022-06-12"
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.UTC).date().isoformat()
    text = str(value).strip()
    found = date_from_name(text)
    if found:
        return found
    try:
        from dateutil import parser

        return parser.parse(text, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError, ImportError):
        return None


def outlet_from_footer(footer: list[str], credit: str | None) -> str | None:
    """The outlet named by a page's footer: a lone name line, or the owner in the credit."""
    for line in footer:
        line = line.strip()
        if _OUTLET_LINE.match(line) and len(line) <= 40 and ("/" in line or line.isupper()):
            return line
    if credit:
        m = re.search(r"\b([A-Z][A-Za-z]*(?:/[A-Z][A-Za-z]*)+)['’]s\b", credit)
        if m:
            return m[1]
    return None


def credits_from_line(credit: str | None) -> list[str]:
    """People named in a closing credit line.

    Example: credits_from_line("With reporting by AP and Senior Correspondent Mike Eckel") -> ["Mike Eckel"]
    """
    if not credit:
        return []
    body = re.sub(r"^.*?\bby\b", "", credit, flags=re.I)
    names = []
    for part in re.split(r",|\band\b", body):
        words = re.findall(r"[A-Z][a-z'’-]+", part)
        if len(words) >= 2 and not re.search(r"\b(?:Service|Desk|Bureau|Staff|Agencies)\b", part):
            names.append(" ".join(words[-2:]))
    return names[:5]


def date_from_path(path: Path) -> str | None:
    return date_from_name(path.name)
