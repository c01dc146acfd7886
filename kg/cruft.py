"""Which lines of a scraped page are the article: page furniture removal.

:func:`layout` splits a text into lines, tests each against the patterns of
``ontology/lexicon/cruft.yaml`` (share buttons, "Baca juga" links, bylines,
photo captions, comment boxes, date-only lines...) and returns the spans of
the lines that remain: the title and the paragraphs. Every span is exact:
``text[start:end]`` is a whole line (or, for hard-wrapped text, a whole
paragraph) with its surrounding whitespace stripped. Lines the patterns
recognise also feed the metadata (a byline gives the author, a date-only line
the publication date, an "Artikel ini ... dari https://..." line the URL).

Nothing here reads files or knows about :class:`kg.model.Article`; the
lexicon is compiled once per process.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ResourceError

LEXICON = Path(__file__).resolve().parent.parent / "ontology" / "lexicon" / "cruft.yaml"
EFFECTS = {"drop", "opener", "end", "role", "caption_toggle", "byline", "date", "source"}
NAME_PARTICLES = {"bin", "binti", "van", "de", "der", "den", "von", "al", "el", "la", "da", "dos", "and",
                  "dan", "&"}
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_ENDS_SENTENCE = re.compile(r"[.!?…。][\"'”’»)\]]*$")
_ENDS_FULL_STOP = re.compile(r"[.…:,;][\"'”’»)\]]*$")
_HAS_WORD = re.compile(r"\w")
_TOKEN = re.compile(r"\w+")
_NORM_PUNCT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Rule:
    """One category of cruft.yaml, its patterns compiled into one regex."""

    name: str
    effect: str
    headline_only: bool
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    rules: tuple[Rule, ...]
    limits: dict[str, float]
    date: re.Pattern[str]        # a calendar date anywhere in a line (`fragments.date`)
    author_role: re.Pattern[str]  # role labels whose name is the author (`words.author_role`)

    def limit(self, key: str) -> int:
        return int(self.limits[key])


@dataclass(frozen=True)
class Layout:
    """What :func:`layout` found: kept spans, the title's span, and metadata lines."""

    body: tuple[tuple[int, int], ...]
    title: tuple[int, int] | None = None
    authors: tuple[str, ...] = ()
    date_lines: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    dropped: tuple[tuple[int, int, str], ...] = field(default=())  # (start, end, category)


_DEFAULT_LIMITS = {
    "max_cruft_chars": 300, "max_name_words": 5, "title_min_words": 5, "title_max_words": 40,
    "title_window": 8, "dedupe_min_words": 6, "end_after_fraction": 0.5, "opener_max_lines": 5,
}


def _expand(pattern: str, words: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in words:
            raise ResourceError(f"{LEXICON.name}: {where} uses {{{key}}}, which is not under `words` "
                                "or `fragments`; add it or escape the braces")
        return words[key]
    return re.sub(r"\{([A-Za-z_]\w*)\}", sub, pattern)


def compile_lexicon(data: Any, origin: str = "cruft.yaml") -> Lexicon:
    """Build a :class:`Lexicon` from the parsed YAML (raises ResourceError when malformed)."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ResourceError(f"{origin}: expected a mapping with a `categories` list")
    words: dict[str, str] = {}
    for key, values in (data.get("words") or {}).items():
        if not isinstance(values, list) or not values:
            raise ResourceError(f"{origin}: words.{key} must be a non-empty list")
        ordered = sorted({str(v) for v in values}, key=len, reverse=True)
        words[key] = "(?:" + "|".join(re.escape(v) for v in ordered) + ")"
    for key, frag in (data.get("fragments") or {}).items():
        words[key] = "(?:" + _expand(str(frag).strip(), words, f"fragments.{key}") + ")"
    rules = []
    for i, cat in enumerate(data["categories"]):
        name = str(cat.get("name", f"#{i}")) if isinstance(cat, dict) else f"#{i}"
        if not isinstance(cat, dict) or cat.get("effect") not in EFFECTS or not cat.get("patterns"):
            raise ResourceError(f"{origin}: category {name} needs an effect ({', '.join(sorted(EFFECTS))}) "
                                "and a list of patterns")
        alts = []
        for j, pattern in enumerate(cat["patterns"]):
            expanded = _expand(str(pattern), words, f"category {name}")
            # named groups repeat across patterns: make them unique, the caller reads any `name_*`
            alts.append("(?:" + re.sub(r"\(\?P<(\w+)>", rf"(?P<\1_{j}>", expanded) + ")")
        try:
            regex = re.compile("|".join(alts), re.IGNORECASE)
        except re.error as exc:
            raise ResourceError(f"{origin}: category {name} has a bad pattern: {exc}") from exc
        rules.append(Rule(name, str(cat["effect"]), bool(cat.get("headline_only", False)), regex))
    for key in ("date", "author_role"):
        if key not in words:
            raise ResourceError(f"{origin}: `{key}` is missing (under fragments or words)")
    limits = {**_DEFAULT_LIMITS, **(data.get("limits") or {})}
    return Lexicon(tuple(rules), limits, re.compile(words["date"], re.IGNORECASE),
                   re.compile(rf"^{words['author_role']}\b", re.IGNORECASE))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    """The compiled cruft lexicon (read once per path and process)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResourceError(f"cannot read {path}: {exc.strerror}; restore it from the repository") from exc
    except yaml.YAMLError as exc:
        raise ResourceError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    return compile_lexicon(data, str(path))


def ends_sentence(line: str) -> bool:
    """True when the line ends like a sentence (. ! ? …, maybe inside quotes)."""
    return bool(_ENDS_SENTENCE.search(line))


def name_like(line: str, max_words: int = 5) -> bool:
    """A person's name on its own: 1..max_words capitalised words, no digits or sentence punctuation."""
    words = line.replace(",", " ").split()
    if not words or len(words) > max_words or len(line) > 60:
        return False
    real = 0
    for w in words:
        if w.lower() in NAME_PARTICLES:
            continue
        if not _NAME_WORD.fullmatch(w) or not w[0].isupper():
            return False
        real += 1
    return real >= 1


def _title_like(line: str, max_words: int, max_chars: int = 300) -> bool:
    if len(line) > max_chars:
        return False
    n = len(line.split())
    return 2 <= n <= max_words and not _ENDS_FULL_STOP.search(line) and not line[:1].islower()


def _norm(line: str) -> str:
    return _NORM_PUNCT.sub(" ", line.casefold()).strip()


@dataclass
class _Line:
    start: int
    end: int
    text: str
    cat: str | None = None         # None: kept
    match: dict[str, str] | None = None


def _split(text: str) -> list[_Line | None]:
    """Lines with exact stripped spans; None for a blank line."""
    out: list[_Line | None] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            out.append(_Line(start, start + len(stripped), stripped))
        else:
            out.append(None)
        pos += len(raw)
    return out


def classify(line: str, lex: Lexicon | None = None) -> tuple[str | None, dict[str, str]]:
    """The cruft category of one stripped line (None: article text) and its named groups."""
    lex = lex or load_lexicon()
    if len(line) > lex.limit("max_cruft_chars"):
        return None, {}
    sentence = ends_sentence(line)
    for rule in lex.rules:
        if rule.headline_only and sentence:
            continue
        m = rule.regex.search(line)
        if not m:
            continue
        groups = {k.rsplit("_", 1)[0]: v.strip() for k, v in m.groupdict().items() if v}
        if rule.effect == "byline":
            name = groups.get("name", "").strip(" ,&")
            if not name or not name_like(name, lex.limit("max_name_words") + 3):
                continue
            groups["name"] = name
        return rule.name, groups
    if not _HAS_WORD.search(line):
        return "symbols", {}
    return None, {}


def _wrapped(lines: list[_Line | None]) -> bool:
    """Hard-wrapped text (paragraphs broken into lines of ~60-100 characters)?"""
    present = [ln for ln in lines if ln is not None]
    if len(present) < 6:
        return False
    if sum(len(ln.text) > 120 for ln in present) > 0.05 * len(present):
        return False
    # a line broken mid-sentence: no final punctuation and the next line goes on in lower case
    runs = sum(1 for a, b in pairwise(lines) if a is not None and b is not None
               and len(a.text) >= 40 and not ends_sentence(a.text) and b.text[:1].islower())
    return runs >= 0.25 * len(present)


def layout(text: str, *, title: str | None = None, lexicon: Lexicon | None = None) -> Layout:
    """Find the article in ``text``: body spans, title span, bylines, date lines, source URLs.

    ``title`` (from JSON or HTML metadata) marks the line that holds it as the
    title; without it the title is the first headline-like line at the top.
    """
    lex = lexicon or load_lexicon()
    lines = _split(text)
    wrapped = _wrapped(lines)
    present = [i for i, ln in enumerate(lines) if ln is not None]
    effects = {r.name: r.effect for r in lex.rules}
    for i in present:
        ln = lines[i]
        assert ln is not None
        ln.cat, ln.match = classify(ln.text, lex)
        if ln.cat is None and len(_TOKEN.findall(ln.text)) <= 1 and not ends_sentence(ln.text):
            alone = not wrapped or ((i == 0 or lines[i - 1] is None)
                                    and (i + 1 == len(lines) or lines[i + 1] is None))
            if alone:
                ln.cat = "short"        # one word on its own: a menu item, a section label, "img"
    authors: list[str] = []
    dates: list[str] = []
    urls: list[str] = []
    max_name = lex.limit("max_name_words")

    def neighbour(pos: int, step: int) -> _Line | None:
        """The non-blank line ``step`` lines away from the ``pos``-th non-blank line."""
        j = pos + step
        return lines[present[j]] if 0 <= j < len(present) else None

    listing = 0
    end_at = lex.limits["end_after_fraction"] * len(present)
    for k, i in enumerate(present):
        ln = lines[i]
        assert ln is not None
        effect = effects.get(ln.cat or "", "drop") if ln.cat else None
        if effect is None:
            if listing and not ends_sentence(ln.text) and _title_like(ln.text, lex.limit("title_max_words")):
                ln.cat = "listed"
                listing -= 1
            else:
                listing = 0
            continue
        groups = ln.match or {}
        if effect == "opener":
            listing = lex.limit("opener_max_lines")
        elif effect == "end" and k >= end_at:
            for j in present[k + 1:]:
                rest = lines[j]
                if rest is not None and rest.cat is None:
                    rest.cat = "after_end"
        elif effect == "byline":
            authors.append(groups["name"])
        elif effect == "date":
            dates.append(ln.text)
        elif effect == "source" and "url" in groups:
            urls.append(groups["url"].rstrip(").,;"))
        elif effect == "role":
            before, after = neighbour(k, -1), neighbour(k, 1)
            name = after if ln.text.rstrip().endswith(":") else (
                before if before is not None and name_like(before.text, max_name) else after)
            if name is not None and name_like(name.text, max_name):
                if name.cat is None or name.cat == "short":
                    name.cat = "name"
                if lex.author_role.match(ln.text):
                    authors.append(name.text)
        elif effect == "caption_toggle":
            for step in range(1, 5):
                prev = neighbour(k, -step)
                if prev is None or prev.cat == "caption_of":
                    break
                if prev.cat is None:
                    prev.cat = "caption_of"
                    break
                if effects.get(prev.cat) not in ("drop", "caption_toggle") and prev.cat != "short":
                    break
    _pick_title(lines, present, title, lex)
    _dedupe(lines, present, lex)
    body = _spans(text, lines, wrapped)
    title_span = next(((ln.start, ln.end) for ln in lines if ln is not None and ln.cat == "title"), None)
    dropped = tuple((ln.start, ln.end, ln.cat) for ln in lines
                    if ln is not None and ln.cat not in (None, "title"))
    return Layout(body, title_span, tuple(dict.fromkeys(authors)), tuple(dates), tuple(urls), dropped)


def _pick_title(lines: list[_Line | None], present: list[int], given: str | None, lex: Lexicon) -> None:
    """Mark the title line ("title") and the short kicker lines above it ("kicker")."""
    kept = [ln for i in present if (ln := lines[i]) is not None and ln.cat is None]
    window: list[_Line] = []
    for ln in kept[: lex.limit("title_window")]:
        if given is None and not _title_like(ln.text, lex.limit("title_max_words")):
            break
        window.append(ln)
    chosen: _Line | None = None
    if given is not None:
        want = _norm(given)
        chosen = next((ln for ln in window if want and _norm(ln.text) == want), None)
    else:
        long_enough = [ln for ln in window if len(ln.text.split()) >= lex.limit("title_min_words")]
        chosen = long_enough[0] if long_enough else (window[0] if window else None)
    if chosen is None:
        return
    for ln in window:
        if ln is chosen:
            break
        if _title_like(ln.text, lex.limit("title_max_words")) and \
                len(ln.text.split()) < lex.limit("title_min_words"):
            ln.cat = "kicker"
    chosen.cat = "title"


def _dedupe(lines: list[_Line | None], present: list[int], lex: Lexicon) -> None:
    """Drop a kept line repeated later (the repeat) or that starts a longer kept line (the shorter)."""
    kept = [ln for i in present if (ln := lines[i]) is not None and ln.cat in (None, "title")]
    seen: dict[str, _Line] = {}
    for ln in kept:
        key = _norm(ln.text)
        if key in seen and ln.cat is None:
            ln.cat = "duplicate"
        else:
            seen.setdefault(key, ln)
    min_words = lex.limit("dedupe_min_words")
    keys = sorted(seen)
    for key, ln in seen.items():
        if ln.cat is not None or len(key.split()) < min_words:
            continue
        pos = bisect.bisect_right(keys, key)
        if pos < len(keys) and keys[pos].startswith(key + " "):
            ln.cat = "duplicate"


def _spans(text: str, lines: list[_Line | None], wrapped: bool) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    prev_kept = False
    for ln in lines:
        keep = ln is not None and ln.cat in (None, "title")
        if keep and ln is not None:
            if wrapped and prev_kept and spans and ln.cat is None:
                spans[-1] = (spans[-1][0], ln.end)
            else:
                spans.append((ln.start, ln.end))
        prev_kept = keep and (ln is None or ln.cat != "title")
    return tuple(spans)
