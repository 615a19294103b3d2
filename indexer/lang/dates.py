"""Dates as Swedish texts write them: 2019-09-05, 14 mars 2018, 5/9 2019, vecka 41 2023."""
from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"((?:19|20)\d\d)"
_DATE_PATTERNS = (
    # 9–10 oktober 2023: a meeting over two days is dated by its first
    (re.compile(rf"(?<![\d/])(\d{{1,2}})(?::[ae])?\s*[–—-]\s*\d{{1,2}}(?::[ae])?\s+({_MONTH_NAMES})\.?\s+{_YEAR}(?!\d)",
                re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 30 september–1 oktober 2023
    (re.compile(rf"(?<![\d/])(\d{{1,2}})\s+({_MONTH_NAMES})\.?\s*[–—-]\s*\d{{1,2}}\s+(?:{_MONTH_NAMES})\.?\s+"
                rf"{_YEAR}(?!\d)", re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 2019-09-05
    (re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d-])"), lambda m: (m[1], m[2], m[3])),
    # 14 mars 2018, 14:e mars 2018, 14 sept. 2018
    (re.compile(rf"(?<!\d)(\d{{1,2}})(?::[ae])?\s+({_MONTH_NAMES})\.?\s+((?:19|20)\d\d)(?!\d)", re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 5/9 2019 and 5/9-2019 (day/month, the Swedish order)
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})[\s-]+((?:19|20)\d\d)(?!\d)"), lambda m: (m[3], m[2], m[1])),
)

MIN_PLAUSIBLE_YEAR = 1990


# "vecka 41" / "v. 41" needs a year close by: "vecka 41 2023", "v. 41, 2023", "2023, vecka 41".
_WEEK = re.compile(r"(?<!\w)(?:vecka|v\.?)\s?(\d{1,2})(?!\d)", re.I)
_NEAR_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
WEEK_YEAR_REACH = 25


# A document's own date stands near its start; the patterns walk a text without dates to
# its end (0.2 s a MB), and a saved upload is described in the web process.
MAX_DATE_TEXT = 200_000


def _week_dates(text: str):
    for m in _WEEK.finditer(text):
        after = _NEAR_YEAR.search(text, m.end(), m.end() + WEEK_YEAR_REACH)
        before = [y for y in _NEAR_YEAR.finditer(text, max(0, m.start() - WEEK_YEAR_REACH), m.start())]
        year = after or (before[-1] if before else None)
        if year is None:
            continue
        try:
            yield m.start(), date.fromisocalendar(int(year[1]), int(m[1]), 1)
        except ValueError:
            continue


def first_date_in_text(text: str, today: date) -> date | None:
    """Return the earliest-placed valid Swedish date in `text` that is not after `today`.

    Week numbers count as the Monday of that week, when a year stands close by.
    Only the first MAX_DATE_TEXT characters are read.
    """
    text = text[:MAX_DATE_TEXT]
    found: list[tuple[int, date]] = []
    for pos, day in _week_dates(text):
        if MIN_PLAUSIBLE_YEAR <= day.year and day <= today:
            found.append((pos, day))
            break
    for pattern, parts in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            try:
                y, mo, d = (int(x) for x in parts(m))
                day = date(y, mo, d)
            except (ValueError, KeyError):
                continue
            if MIN_PLAUSIBLE_YEAR <= day.year and day <= today:
                found.append((m.start(), day))
                break
    return min(found)[1] if found else None
