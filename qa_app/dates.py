"""Dates a question names ("in November 2022", "last March", "on Sept. 4", "in 2021"), as spans of days.

Retrieval prefers the articles published in or shortly after a named period and those that mention it
(`qa_app.retrieve`); the answer is refused when a year the question names is held by none of the top
articles (`qa_app.answer`). Read with one regular expression: dateparser's `search_dates` (installed
with htmldate) reads "may" and "now" as dates, loses the day of "Sept. 4" and does not say whether a
day, a month or a year was named; spaCy's DATE entities (`en_core_web_sm`) cost 3-7 ms a question and a
second pipeline, miss the year of "the 2022 World Cup", and their spans would still need reading into
days. Relative words other than "last MONTH" ("last year", "this week") are left to the "as of" prior.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace

from qa_app.records import published_ts

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# How each month is written in an article ("november", "nov"); the lexical index drops "may" (a stopword).
MONTH_WORDS = {n: [name for name, m in MONTHS.items() if m == n] for n in range(1, 13)}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_DATE = re.compile(
    rf"(?:\b(?P<before>in|on|of|since|until|by|from|to|during|early|late|mid|last)[\s-]+)?"
    rf"\b(?P<month>{_MONTH})\b(?![-'’]\w)\.?(?:\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>{_YEAR})\b)?"
    rf"|\b(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_MONTH})\b(?![-'’]\w)\.?(?:,?\s+(?P<year2>{_YEAR})\b)?"
    rf"|(?<![$£€\d,.])\b(?P<year3>{_YEAR})\b(?![%,.]?\d|\s*%)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """Days `first`..`last` (days since 1970, as `published_ts`) that a question names.

    `year` is the year as written ("2021"), None when the question names none ("last March").
    """

    first: int
    last: int
    month: int | None = None
    day: int | None = None
    year: str | None = None
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # where the question writes it, "in" aside


def named_years(question: str) -> list[str]:
    """The years a question writes out.

    Example: named_years("Who won the 2024 election?") -> ["2024"]; "$2024 a month" and "2024%" name none
    """
    return list(dict.fromkeys(p.year for p in named_periods(question, None) if p.year))


def named_periods(question: str, today: int | None) -> list[Period]:
    """The periods a question names; a month without a year is its latest one up to `today` (a day
    as `published_ts`), and is left out without `today`.

    A lower-case month counts only with a day, a year or a preposition before it ("may cut jobs" is no date), and
    none is part of a hyphenated name ("Mar-a-Lago").
    Example: named_periods("Did the Fed raise rates in November 2022?", None)
    -> [Period(first=19297, last=19326, month=11, day=None, year="2022")]
    """
    found = []
    for m in _DATE.finditer(question):
        month_word = m["month"] or m["month2"]
        year = m["year"] or m["year2"] or m["year3"]
        day = m["day"] or m["day2"]
        if month_word and not (month_word[0].isupper() or m["before"] or day or year):
            continue
        period = _period(MONTHS[month_word.lower()] if month_word else None, int(day) if day else None, year,
                         last=(m["before"] or "").lower() == "last", today=today)  # fmt: skip
        if period is not None:
            found.append(replace(period, span=(m.end("before") if m["before"] else m.start(), m.end())))
    return found


def _period(month: int | None, day: int | None, year: str | None, *, last: bool, today: int | None) -> Period | None:
    """The days of one date as read; a month without a year falls in the year of `today` or the one before.

    Example: _period(3, None, None, last=True, today=published_ts("2022-12-01")) -> March 2022
    """
    if year is None:
        if month is None or today is None:
            return None
        now = dt.date(1970, 1, 1) + dt.timedelta(days=today)
        # "in November" asked in December is this year's; "last March" asked in March, or "December 31" asked on
        # December 10, last year's.
        ahead = (month, day or 1) > (now.month, now.day) or (last and month == now.month)
        y = now.year - 1 if ahead else now.year
    else:
        y = int(year)
    if month is None:
        return Period(published_ts(f"{y}-01-01"), published_ts(f"{y}-12-31"), year=year)
    days = calendar.monthrange(y, month)[1]
    if day is not None and not 1 <= day <= days:
        day = None  # "June 31" or "Jan 2022"'s misread digits: the month is still named
    first, last_day = (day, day) if day else (1, days)
    return Period(
        published_ts(f"{y}-{month:02d}-{first:02d}"), published_ts(f"{y}-{month:02d}-{last_day:02d}"), month, day, year
    )
