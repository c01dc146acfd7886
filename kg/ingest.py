"""Files -> :class:`kg.model.Article`: plain text, HTML and JSON lines, cruft removed, metadata found.

Formats, by file name: ``.txt`` (and any other explicitly named file) is read
as UTF-8 text; ``.html``/``.htm`` goes through trafilatura, which finds the
article in the page; ``.jsonl`` holds one JSON object per line with a
``text`` field; ``.json`` holds one such object, a list of them, or JSON lines.

Offsets: ``Article.text`` is the decoded file exactly (newlines untouched), so
every ``(start, end)`` in ``Article.body`` and everything downstream indexes
the file's characters. Two exceptions, both by construction: a UTF-8 byte
order mark is skipped (offsets count from the character after it), and for
HTML ``text`` is trafilatura's extracted text with the title as first line,
so offsets refer to that text, not to the markup. For JSON, ``text`` is the
record's ``text`` field.

Which lines are the article is decided by :mod:`kg.cruft` from the patterns
in ``ontology/lexicon/cruft.yaml``; title, publisher, date and language come
from :mod:`kg.metadata` (dateparser on a few candidate strings only).

Errors a user can cause (an empty, binary or non-UTF-8 file, a bad JSON line,
an unreadable path) are :class:`kg.errors.IngestError` with one line naming
the file; :func:`iter_articles` yields them and carries on with the batch.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kg.cruft import layout
from kg.errors import IngestError
from kg.metadata import (
    detect_language,
    find_publisher,
    lang_code,
    meta_date,
    parse_date,
    published_date,
    split_title,
    stop_hits,
)
from kg.model import Article
from kg.vocab import article_iri, content_hash

__all__ = ["SUFFIXES", "detect_language", "input_files", "iter_articles", "parse_date", "parse_text", "read_article",
           "read_jsonl"]

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".json")
BOM = b"\xef\xbb\xbf"
MAX_BYTES = 64 * 1024 * 1024     # a file read whole (an HTML page may be mostly markup)
MAX_CHARS = 1_000_000             # article text: news runs to tens of thousands; this bounds extraction time
JSON_FIELDS = {
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "publisher": ("publisher", "outlet", "site", "sitename", "site_name", "source_name"),
    "author": ("author", "authors", "byline"),
    "published": ("published", "date", "published_at", "publish_date", "date_published",
                  "datePublished", "pubdate"),
    "lang": ("lang", "language"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------- public API

def read_article(path: Path, *, base: Path | None = None) -> Article:
    """One ``.txt``/``.html``/``.htm`` file (any other name is read as text)."""
    path = Path(path)
    source = _source(path, base)
    text = _decode(_read_bytes(path, source), source)
    if path.suffix.lower() in (".html", ".htm"):
        text, meta = _html(text, source)
        return parse_text(text, source, meta=meta)
    return parse_text(text, source)


def read_jsonl(path: Path, *, base: Path | None = None) -> Iterator[Article | IngestError]:
    """One article per line; a bad line yields an IngestError naming ``file:line``, the rest go on."""
    path = Path(path)
    source = _source(path, base)
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
            if b"\x00" in head:
                yield IngestError(f"{source}: binary file (NUL bytes), not JSON lines")
                return
            fh.seek(0)
            seen = False
            for lineno, raw in enumerate(fh, 1):
                if lineno == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                if not raw.strip():
                    continue
                seen = True
                where = f"{source}:{lineno}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield IngestError(f"{where}: invalid UTF-8 at byte {exc.start} of the line; "
                                      "save the file as UTF-8")
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield IngestError(f"{where}: malformed JSON ({exc.msg}, column {exc.colno})")
                    continue
                yield _guard(where, _from_record, record, f"{source}#L{lineno}", where)
            if not seen:
                yield IngestError(f"{source}: empty file, no JSON lines in it")
    except OSError as exc:
        yield _os_error(exc, source)


def iter_articles(paths: Sequence[Path], *, base: Path | None = None) -> Iterator[Article | IngestError]:
    """Files and folders (recursive, sorted by path; .txt .html .htm .jsonl .json).

    Never raises for a bad file or folder: it yields an IngestError and goes on.
    """
    for given in paths:
        path = Path(given)
        source = _source(path, base)
        if path.is_dir():
            files, problems = _scan(path, base)
            yield from problems
            if not files and not problems:
                yield IngestError(f"{source}: no articles in this folder "
                                  f"(looked for {' '.join(SUFFIXES)} files)")
            for file in files:
                yield from _read_any(file, base)
        else:
            yield from _read_any(path, base)


def parse_text(text: str, source: str, *, meta: Mapping[str, Any] | None = None) -> Article:
    """An Article from decoded text; ``meta`` (title, url, publisher, author, published, lang) wins."""
    meta = meta or {}
    _check_text(text, source)
    given_title = _clean(meta.get("title"))
    lay = layout(text, title=given_title)
    if not lay.body:
        raise IngestError(f"{source}: no article text found (every line looks like page furniture)")
    body_text = "\n".join(text[s:e] for s, e in lay.body)
    lang = lang_code(meta.get("lang")) or detect_language(body_text)
    url = _clean(meta.get("url")) or (lay.urls[0] if lay.urls else None)
    title = given_title or (text[lay.title[0]:lay.title[1]] if lay.title else None)
    publisher = _clean(meta.get("publisher"))
    if title and not given_title:
        title, suffix = split_title(title)
        publisher = publisher or suffix
    publisher = publisher or find_publisher(text, lay, url)
    author = _clean(meta.get("author")) or (lay.authors[0] if lay.authors else None)
    published = meta_date(meta.get("published"), lang) or published_date(text, lay, url, lang)
    digest = content_hash(text)
    return Article(iri=article_iri(digest), source=source, text=text, body=lay.body, lang=lang,
                   content_hash=digest, title=title, publisher=publisher, author=author,
                   published=published, url=url)


# ---------------------------------------------------------------- reading

def _source(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _os_error(exc: OSError, source: str) -> IngestError:
    if isinstance(exc, FileNotFoundError):
        error = IngestError(f"{source}: no such file or folder")
    elif isinstance(exc, PermissionError):
        error = IngestError(f"{source}: cannot read it (permission denied)")
    elif isinstance(exc, IsADirectoryError):
        error = IngestError(f"{source}: is a folder, expected a file")
    else:
        error = IngestError(f"{source}: cannot read it ({exc.strerror or exc})")
    error.source = source
    return error


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise IngestError(f"{source}: larger than {MAX_BYTES // 2**20} MB, too big for one article; "
                              "split it or use JSON lines")
        return path.read_bytes()
    except OSError as exc:
        raise _os_error(exc, source) from None


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise IngestError(f"{source}: empty file")
    if b"\x00" in data:
        raise IngestError(f"{source}: binary file (NUL bytes), not an article")
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        sample = data[:4096]
        if sum(b < 9 or 13 < b < 32 for b in sample) > 0.05 * len(sample):
            raise IngestError(f"{source}: binary file, not an article") from None
        raise IngestError(f"{source}: invalid UTF-8 at byte {exc.start + skip}; save the file as UTF-8") \
            from None
    return text


def _check_text(text: str, source: str) -> None:
    if not text.strip():
        raise IngestError(f"{source}: empty text")
    if len(text) > MAX_CHARS:
        raise IngestError(f"{source}: {len(text):,} characters, more than one article "
                          f"({MAX_CHARS:,}); split it into articles (JSON lines take one per line)")
    if "\x00" in text:
        raise IngestError(f"{source}: binary data (NUL characters), not an article")
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > 0.05 * len(sample):
        raise IngestError(f"{source}: mostly control characters, not an article")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise IngestError(f"{source}: lone surrogate at character {exc.start}, not valid Unicode") from None


def _scan(folder: Path, base: Path | None) -> tuple[list[Path], list[IngestError]]:
    problems: list[IngestError] = []

    def failed(exc: OSError) -> None:
        problems.append(_os_error(exc, _source(Path(exc.filename or folder), base)))

    found = []
    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, f) for f in files
                  if not f.startswith(".") and f.lower().endswith(SUFFIXES)]
    return sorted(found, key=lambda p: p.as_posix()), problems


def input_files(folder: Path) -> list[Path]:
    """The files a build reads under ``folder``: article suffixes, hidden files and folders skipped."""
    return _scan(folder, None)[0]


def _read_any(path: Path, base: Path | None) -> Iterator[Article | IngestError]:
    source = _source(path, base)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        items = read_jsonl(path, base=base)
    elif suffix == ".json":
        items = _read_json(path, base)
    else:
        items = iter([_guard(source, read_article, path, base=base)])
    for item in items:
        if isinstance(item, IngestError) and item.source is None:
            item.source = source
        yield item


def _guard(where: str, make: Callable[..., Article], *args: Any, **kwargs: Any) -> Article | IngestError:
    """Run one article's ingest; an IngestError (or a bug) becomes a yielded error."""
    try:
        return make(*args, **kwargs)
    except IngestError as exc:
        return exc
    except Exception as exc:  # a bug must not sink the batch; say so
        return IngestError(f"{where}: could not be ingested ({type(exc).__name__}: {exc}); "
                           "this is a bug in kg, please report it")


def _read_json(path: Path, base: Path | None) -> Iterator[Article | IngestError]:
    source = _source(path, base)
    try:
        text = _decode(_read_bytes(path, source), source)
    except IngestError as exc:
        yield exc
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from read_jsonl(path, base=base)       # JSON lines saved as .json
        return
    if isinstance(data, list):
        if not data:
            yield IngestError(f"{source}: an empty JSON list, no articles")
        for i, record in enumerate(data, 1):
            yield _guard(f"{source} item {i}", _from_record, record, f"{source}#{i}", f"{source} item {i}")
    else:
        yield _guard(source, _from_record, data, source, source)


def _from_record(record: Any, source: str, where: str) -> Article:
    if not isinstance(record, dict):
        raise IngestError(f"{where}: expected a JSON object with a \"text\" field, "
                          f"found {type(record).__name__}")
    text = record.get("text")
    if text is None:
        fields = ", ".join(sorted(map(str, record))[:8]) or "none"
        raise IngestError(f"{where}: no \"text\" field (fields: {fields})")
    if not isinstance(text, str):
        raise IngestError(f"{where}: \"text\" must be a string, found {type(text).__name__}")
    meta: dict[str, Any] = {}
    for key, names in JSON_FIELDS.items():
        value = next((record[n] for n in names if record.get(n) not in (None, "", [])), None)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value is not None and not isinstance(value, str | int | float):
            value = None
        meta[key] = value
    _check_text(text, where)
    return parse_text(text, source, meta=meta)


def _html(raw: str, source: str) -> tuple[str, dict[str, Any]]:
    import trafilatura  # imported here: 0.15 s, only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            raw, with_metadata=True, include_comments=False, include_images=False,
            include_links=False, date_extraction_params={"extensive_search": False, "original_date": True})
    except Exception as exc:  # trafilatura raises many kinds on odd markup
        raise IngestError(f"{source}: trafilatura could not read this HTML ({type(exc).__name__})") from None
    data: dict[str, Any] = {}
    if doc is not None:  # trafilatura 2 returns a Document, 1.x a dict
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (data.get("text") or "").strip()
    if not body:
        raise IngestError(f"{source}: no article text found in this HTML page")
    title = _clean(data.get("title"))
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    meta = {"title": title, "url": data.get("url"), "publisher": data.get("sitename") or data.get("hostname"),
            "author": data.get("author"), "published": data.get("date")}
    if not stop_hits(body):
        m = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2})", raw[:4096], re.I)
        meta["lang"] = m.group(1) if m else None
    return text, meta


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
