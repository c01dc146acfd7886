"""Find troop figures in text: "10.000-12.000 tentara", "11 ribu", "puluhan ribu",
"25,000 to 30,000 troops", "several hundred soldiers".

:func:`find_quantities` is a pure function over a string: it returns every
figure followed by a unit noun (troops, workers...) as a :class:`QuantityMatch`
with character offsets into that string. Number formats follow the language:
Indonesian writes ``10.000`` and ``1,5 juta``, English ``10,000`` and
``1.5 million``. The words come from ``ontology/lexicon/numbers.yaml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.lexicon import Lexicon, load_lexicon


@dataclass(frozen=True)
class QuantityMatch:
    """A figure with its unit; ``start``/``end`` cover number and unit noun."""

    start: int
    end: int
    min: int
    max: int
    unit: str
    text: str


def _alt(words) -> str:
    items = sorted({str(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


@dataclass(frozen=True)
class _Patterns:
    figure: re.Pattern
    unit: re.Pattern
    multipliers: dict[str, int]
    words: dict[str, float]
    vague: dict[str, tuple[int, int]]
    thousands_sep: str
    decimal_sep: str
    # a figure holds a digit or one of these (the first piece of each number word and vague word,
    # lower-cased); None when one is not plain ASCII, which _may_hold_figure could not look for
    number_pieces: frozenset[str] | None = None


_DIGIT = re.compile(r"\d")
# the only characters outside ASCII that re.IGNORECASE matches to an ASCII letter: İ ı (i), K (k), ſ (s)
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u212a", "\u017f")


def _first_pieces(*word_lists) -> frozenset[str] | None:
    """The text before the first space of each entry, lower-cased; None if one is empty or not ASCII."""
    pieces = set()
    for words in word_lists:
        for entry in words:
            piece = str(entry).split(" ")[0].lower()
            if not piece or not piece.isascii():
                return None
            pieces.add(piece)
    return frozenset(pieces)


def _may_hold_figure(text: str, pat: _Patterns) -> bool:
    """False only when no figure can match in ``text``: it has no digit and, lower-cased, none of the
    number words; a few substring tests, where the figure pattern tries every word of the text."""
    if pat.number_pieces is None or _DIGIT.search(text) or any(ch in text for ch in _FOLDS_TO_ASCII):
        return True
    low = text.lower()   # without those characters, re.IGNORECASE matches an ASCII letter only to its cases
    return any(piece in low for piece in pat.number_pieces)


@functools.lru_cache(maxsize=8)
def _patterns(lang: str) -> _Patterns:
    lex: Lexicon = load_lexicon(lang)
    nums = lex.numbers
    multipliers = {k.lower(): int(v) for k, v in (nums.get("multipliers") or {}).items()}
    words = {k.lower(): float(v) for k, v in (nums.get("words") or {}).items()}
    vague = {k.lower(): (int(v[0]), int(v[1])) for k, v in (nums.get("vague") or {}).items()}
    thousands_sep, decimal_sep = (".", ",") if lang == "id" else (",", ".")
    ts, ds = re.escape(thousands_sep), re.escape(decimal_sep)
    digits = rf"\d{{1,3}}(?:{ts}\d{{3}})+(?:{ds}\d+)?|\d+(?:{ds}\d+)?"
    mult = _alt(multipliers)
    word_num = _alt(words)
    number = rf"(?:(?:{digits})|(?:{word_num}))(?:\s*(?:{mult})\b)?"
    connectors = _alt(nums.get("range") or [])
    between = nums.get("between") or {}
    b_open = re.escape(between.get("open", "between"))
    b_join = _alt(between.get("join", ["and"]))
    vague_alt = _alt(vague)
    figure = (
        rf"(?<![\w.,])(?:{b_open}\s+(?P<b1>{number})\s+(?:{b_join})\s+(?P<b2>{number})"
        rf"|(?P<r1>{number})\s*(?:{connectors})\s*(?P<r2>{number})"
        rf"|(?P<vague>{vague_alt})"
        rf"|(?P<one>{number}))(?![\w])"
    )
    between_words = _alt(nums.get("between_words") or [])
    unit_alts = []
    for unit, forms in (nums.get("units") or {}).items():
        alt = _alt(" ".join(f) for f in forms)
        unit_alts.append(rf"(?P<u_{unit}>{alt})")
    unit = rf"\s+(?:(?:{between_words})\s+){{0,3}}(?:{'|'.join(unit_alts)})\b"
    flags = re.IGNORECASE | re.UNICODE
    return _Patterns(re.compile(figure, flags), re.compile(unit, flags), multipliers, words, vague,
                     thousands_sep, decimal_sep, _first_pieces(words, vague))


def _value(text: str, pat: _Patterns) -> float | None:
    """The value of one number expression ("10.000", "1,5 juta", "five thousand")."""
    text = re.sub(r"\s+", " ", text.strip().lower())
    multiplier = 1
    for word, factor in pat.multipliers.items():
        if re.search(rf"(?:\s|\d){re.escape(word)}$", text) or text.endswith(" " + word):
            multiplier = factor
            text = text[: -len(word)].strip()
            break
    if text in pat.words:
        return pat.words[text] * multiplier
    digits = text.replace(pat.thousands_sep, "").replace(pat.decimal_sep, ".")
    try:
        return float(digits) * multiplier
    except ValueError:
        return None


def find_quantities(text: str, lang: str) -> list[QuantityMatch]:
    """Every figure in ``text`` that counts a unit noun (troops, workers...)."""
    pat = _patterns(lang)
    if not pat.unit.search(text) or not _may_hold_figure(text, pat):
        return []  # no troops, workers or soldiers named, or no number: nothing to count
    found: list[QuantityMatch] = []
    for m in pat.figure.finditer(text):
        unit_m = pat.unit.match(text, m.end())
        if not unit_m:
            continue
        unit = next(name[2:] for name, val in unit_m.groupdict().items() if val)
        if m.group("vague"):
            span = pat.vague.get(re.sub(r"\s+", " ", m.group("vague").lower()))
            if span is None:
                continue    # matched only through case folding ("rıbuan", dotless ı): no word of the lexicon
            low, high = span
        else:
            a = m.group("b1") or m.group("r1") or m.group("one")
            b = m.group("b2") or m.group("r2") or a
            va, vb = _value(a, pat), _value(b, pat)
            if va is None or vb is None:
                continue
            # "10-12 ribu": the multiplier of the second number applies to both
            if vb > va * 100 and va < 1000 and not re.search(r"\D\s*$", a.strip()):
                for factor in sorted(pat.multipliers.values(), reverse=True):
                    if va * factor <= vb:
                        va = va * factor
                        break
            low, high = round(min(va, vb)), round(max(va, vb))
            if 1900 <= low <= 2100 and low == high and re.fullmatch(r"\d{4}", a.strip()):
                continue  # a year, not a figure
            if low <= 0:
                continue
        found.append(QuantityMatch(m.start(), unit_m.end(), low, high, unit, text[m.start():unit_m.end()]))
    return found
