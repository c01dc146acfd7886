"""Find dates in text and resolve them against the article's publication date.

Absolute dates ("26 April 2025", "April 26, 2025", "18/12/2024", "Juni 2024",
"pada tahun 2024") and relative ones ("tahun lalu", "awal tahun ini", "musim
gugur lalu", "Oktober tahun lalu", "Senin", "last autumn", "on Monday",
"earlier this year") become ISO 8601 values: a date, a year-month or a year,
as precise as the text allows. Without a publication date, relative
expressions resolve to nothing. Month, weekday and season words come from
``ontology/lexicon/dates.yaml``.

:func:`find_times` is a pure function over a string.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.lexicon import load_lexicon


@dataclass(frozen=True)
class TimeMatch:
    """A date expression and its ISO value (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``)."""

    start: int
    end: int
    value: str
    text: str


def parse_iso(value: str | None) -> dt.date | None:
    """The first day a partial ISO date stands for (``2025-04`` -> 1 April 2025)."""
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _alt(words) -> str:
    items = sorted({str(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _safe_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _year_for(month: int, day: int | None, pub: dt.date | None) -> int | None:
    """The year of a month (and day) named without one: the latest not after publication."""
    if pub is None:
        return None
    if (month, day or 1) <= (pub.month, pub.day):
        return pub.year
    return pub.year - 1


Handler = Callable[[re.Match, "dt.date | None"], "str | None"]
Words = frozenset[str] | None

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# the only characters outside ASCII that re.IGNORECASE matches to an ASCII letter: İ ı (i), K (k), ſ (s)
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u212a", "\u017f")


@dataclass(frozen=True)
class _Rule:
    """A date pattern, its handler, and what a text needs before the pattern is worth running.

    Every word list of a pattern stands between spaces, the pattern's edges or punctuation, so a
    text it matches in holds, as a whole ``\\w+`` word, the first word of one entry of each list in
    ``needs`` (:func:`_first_words`), and a digit if ``digit``. Checking that on the text's set of
    words is far cheaper than running the pattern, and most patterns need words most sentences lack.
    """

    pattern: re.Pattern
    handler: Handler
    needs: tuple[Words, ...] = ()
    digit: bool = False

    def may_match(self, words: frozenset[str] | None, has_digit: bool) -> bool:
        """False only when the pattern cannot match a text with these words (None: unknown)."""
        if words is None:
            return True
        if self.digit and not has_digit:
            return False
        return all(need is None or not need.isdisjoint(words) for need in self.needs)


def _first_words(*word_lists) -> Words:
    """The first word of each entry, lower-cased; None when an entry has no ASCII first word, which
    :meth:`_Rule.may_match` could not look for (re.IGNORECASE folds more than ``str.lower``)."""
    firsts = set()
    for words in word_lists:
        for entry in words:
            first = _WORD.search(str(entry))
            if first is None or not first.group(0).isascii():
                return None
            firsts.add(first.group(0).lower())
    return frozenset(firsts)


def _text_words(text: str) -> frozenset[str] | None:
    """The whole words of ``text``, lower-cased, for :meth:`_Rule.may_match`; None when the text holds
    a character re.IGNORECASE matches to an ASCII letter (every rule is run on such a text)."""
    if any(ch in text for ch in _FOLDS_TO_ASCII):
        return None
    # lower-casing keeps every other character one character, and a word character a word character
    return frozenset(_WORD.findall(text.lower()))


@functools.lru_cache(maxsize=8)
def _rules(lang: str) -> list[_Rule]:
    d = load_lexicon(lang).dates
    months = {k.lower(): int(v) for k, v in d["months"].items()}
    weekdays = {k.lower(): int(v) for k, v in d["weekdays"].items()}
    seasons = {k.lower(): tuple(v) for k, v in d["seasons"].items()}
    month_re, wd_re, season_re = _alt(months), _alt(weekdays), _alt(seasons)
    past, this, nxt = _alt(d["past"]), _alt(d["this"]), _alt(d["next"])
    year_w, month_w, week_w = _alt(d["year_words"]), _alt(d["month_words"]), _alt(d["week_words"])
    yesterday, today = _alt(d["yesterday"]), _alt(d["today"])
    early = r"awal|akhir|pertengahan|early|late|mid|earlier|later"

    def month_of(m: re.Match) -> int:
        return months[m.group("month").lower()]

    def dmy(m, pub):
        year = int(m.group("year")) if m.group("year") else _year_for(month_of(m), int(m.group("day")), pub)
        return _safe_date(year, month_of(m), int(m.group("day"))) if year else None

    def numeric(m, pub):
        a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("year"))
        day, month = (b, a) if lang == "en" and a <= 12 < b else (a, b)
        return _safe_date(year, month, day)

    def iso(m, pub):
        return _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))

    def month_year(m, pub):
        return _ym(int(m.group("year")), month_of(m))

    def month_rel(m, pub):
        if pub is None:
            return None
        month = month_of(m)
        rel = (m.group("rel") or "").lower()
        if re.fullmatch(rf"(?:{year_w})\s+(?:{past})|(?:{past})\s+(?:{year_w})", rel):
            return _ym(pub.year - 1, month)
        if re.fullmatch(rf"(?:{year_w})\s+(?:{this})|(?:{this})\s+(?:{year_w})", rel):
            return _ym(pub.year, month)
        if re.fullmatch(rf"(?:{past})", rel):
            return _ym(pub.year if month < pub.month else pub.year - 1, month)
        year = _year_for(month, None, pub)
        return _ym(year, month) if year else None

    def month_ref(m, pub):
        # "last March", "Mei ini": the month named after the word, before the article or in its year
        if pub is None:
            return None
        month = month_of(m)
        if re.fullmatch(past, m.group("which").lower()):
            return _ym(pub.year if month < pub.month else pub.year - 1, month)
        return _ym(pub.year, month)

    def year_only(m, pub):
        return m.group("year")

    def rel_year(m, pub):
        if pub is None:
            return None
        word = m.group("which").lower()
        if re.fullmatch(past, word):
            return str(pub.year - 1)
        if re.fullmatch(nxt, word):
            return str(pub.year + 1)
        return str(pub.year)

    def rel_month(m, pub):
        if pub is None:
            return None
        word = m.group("which").lower()
        first = pub.replace(day=1)
        if re.fullmatch(past, word):
            prev = first - dt.timedelta(days=1)
            return _ym(prev.year, prev.month)
        return _ym(pub.year, pub.month)

    def rel_week(m, pub):
        if pub is None:
            return None
        word = m.group("which").lower()
        day = pub - dt.timedelta(days=7) if re.fullmatch(past, word) else pub
        return _ym(day.year, day.month)

    def season(m, pub):
        if pub is None:
            return None
        start, end = seasons[m.group("season").lower()]
        word = (m.group("which") or "").lower()
        # the season's year is the year it starts in (winter 2024 = Dec 2024 - Feb 2025)
        ended_this_year = pub.month > end if start <= end else False
        if re.fullmatch(past, word):
            return str(pub.year if ended_this_year else pub.year - 1)
        return str(pub.year)

    def weekday(m, pub):
        if pub is None:
            return None
        target = weekdays[m.group("wd").lower()]
        back = (pub.weekday() - target) % 7
        return (pub - dt.timedelta(days=back)).isoformat()

    def one_day(offset: int) -> Handler:
        def handler(m, pub):
            return (pub + dt.timedelta(days=offset)).isoformat() if pub else None
        return handler

    day = r"(?P<day>[0-3]?\d)"
    year4 = r"(?P<year>(?:19|20)\d{2})"
    # what each pattern needs in a text: its word lists (see _Rule), the rarest first, and whether it has a digit
    w_month, w_wd, w_season = _first_words(months), _first_words(weekdays), _first_words(seasons)
    w_ref = _first_words(d["past"], d["this"])
    w_ref_next = _first_words(d["past"], d["this"], d["next"])
    w_year, w_monthw = _first_words(d["year_words"]), _first_words(d["month_words"])
    w_week = _first_words(d["week_words"])
    rules: list[tuple[str, Handler, tuple[Words, ...], bool]] = [
        (r"(?P<year>(?:19|20)\d{2})-(?P<mon>[01]\d)-(?P<day>[0-3]\d)", iso, (), True),
        (rf"(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/{year4}", numeric, (), True),
        (rf"(?:(?:{wd_re}),?\s+)?{day}\s+(?P<month>{month_re})\.?(?:\s+{year4})?", dmy, (w_month,), True),
        (rf"(?P<month>{month_re})\.?\s+{day}(?:st|nd|rd|th)?(?:,?\s+{year4})?", dmy, (w_month,), True),
        (rf"(?P<month>{month_re})\.?,?\s+{year4}", month_year, (w_month,), True),
        (rf"(?:(?:{month_w})\s+)?(?P<month>{month_re})(?P<rel>\s+(?:(?:{year_w})\s+(?:{past}|{this})"
         rf"|(?:{past}|{this})\s+(?:{year_w})|(?:{past})))?", month_rel, (w_month,), False),
        (rf"(?P<which>{past}|{this})\s+(?P<month>{month_re})", month_ref, (w_month, w_ref), False),
        (rf"(?:(?:{year_w})\s+|(?:pada|sejak|hingga|in|since|until|by|of)\s+){year4}", year_only, (), True),
        (rf"(?:(?:{early})\s+)?(?:{year_w})\s+(?:yang\s+)?(?P<which>{past}|{this}|{nxt})", rel_year,
         (w_year, w_ref_next), False),
        (rf"(?:(?:{early})\s+)?(?P<which>{past}|{this}|{nxt})\s+(?:{year_w})", rel_year, (w_year, w_ref_next), False),
        (rf"(?:{month_w})\s+(?:yang\s+)?(?P<which>{past}|{this})", rel_month, (w_monthw, w_ref), False),
        (rf"(?P<which>{past}|{this})\s+(?:{month_w})", rel_month, (w_monthw, w_ref), False),
        (rf"(?:{week_w})\s+(?:yang\s+)?(?P<which>{past}|{this})", rel_week, (w_week, w_ref), False),
        (rf"(?P<which>{past}|{this})\s+(?:{week_w})", rel_week, (w_week, w_ref), False),
        (rf"(?P<season>{season_re})\s+(?:yang\s+)?(?P<which>{past}|{this})", season, (w_season, w_ref), False),
        (rf"(?P<which>{past}|{this})\s+(?P<season>{season_re})", season, (w_season, w_ref), False),
        (rf"(?:(?:hari|on)\s+)?(?P<wd>{wd_re})", weekday, (w_wd,), False),
        (rf"(?:{yesterday})", one_day(-1), (_first_words(d["yesterday"]),), False),
        (rf"(?:{today})", one_day(0), (_first_words(d["today"]),), False),
    ]
    flags = re.IGNORECASE | re.UNICODE
    return [_Rule(re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", flags), handler, needs, digit)
            for pattern, handler, needs, digit in rules]


@functools.lru_cache(maxsize=8)
def _wordless(lang: str) -> Words:
    """The words one of which a text without a digit needs for any rule to match it (None: unknown)."""
    firsts: set[str] = set()
    for rule in _rules(lang):
        if rule.digit:
            continue
        if not rule.needs or rule.needs[0] is None:
            return None
        firsts |= rule.needs[0]
    return frozenset(firsts)


@functools.lru_cache(maxsize=8)
def _hint(lang: str) -> re.Pattern:
    """A cheap first test: no digit and no date word means no date in the text."""
    d = load_lexicon(lang).dates
    words = set()
    for key in ("months", "weekdays", "seasons", "past", "this", "next", "yesterday", "today"):
        value = d.get(key) or []
        words |= {str(w).split()[-1] for w in (value.keys() if isinstance(value, dict) else value)}
    return re.compile(rf"\d|\b(?:{_alt(words)})", re.IGNORECASE)


def find_times(text: str, lang: str, published: str | None = None) -> list[TimeMatch]:
    """Every date expression in ``text`` with its ISO value, longest matches first, no overlaps."""
    words, has_digit = _text_words(text), _DIGIT.search(text) is not None
    wordless = _wordless(lang)
    if words is not None and not has_digit and wordless is not None and words.isdisjoint(wordless):
        return []   # most sentences: no digit, no date word
    rules = [rule for rule in _rules(lang) if rule.may_match(words, has_digit)]
    # the hint passes at any digit, its first alternative; it is slower than the test above
    if not rules or (not has_digit and not _hint(lang).search(text)):
        return []
    pub = parse_iso(published) if published and len(published) >= 10 else None
    pub_year_only = parse_iso(published) if published and len(published) < 10 else None
    candidates: list[TimeMatch] = []
    for rule in rules:
        handler = rule.handler
        for m in rule.pattern.finditer(text):
            raw = m.group(0)
            # "Minggu" is Sunday, "minggu" a week: weekday names must be capitalised
            if handler.__name__ == "weekday" and (
                    not raw[-len(m.group("wd")):][0].isupper()
                    or re.match(r"\s*\(", text[m.end():])):  # "Rabu (18/12/2024)": the date says it
                continue
            # month names are capitalised in news text; "may" is usually a verb
            month = m.groupdict().get("month")
            if month and not month[0].isupper():
                continue
            value = handler(m, pub)
            if value is None and pub is None and pub_year_only is not None and handler.__name__ in (
                    "rel_year",):
                value = handler(m, pub_year_only)
            if value:
                candidates.append(TimeMatch(m.start(), m.end(), value, raw))
    candidates.sort(key=lambda t: (-(t.end - t.start), t.start))
    chosen: list[TimeMatch] = []
    for cand in candidates:
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda t: t.start)
