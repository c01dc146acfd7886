"""Extraction on random and hostile text: no crash, no hang, offsets exact, quads well formed.

The texts are stitched from pieces an article has (names, trigger verbs,
figures, dates) and pieces no article should have (runs of punctuation,
mixed scripts, right-to-left marks, combining marks, emoji, NUL). Whatever
comes in, every evidence and mention span must be the text it claims to be,
and the article's quads must serialise and parse back unchanged.
"""

from __future__ import annotations

import contextlib
import signal
from dataclasses import replace

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import IngestError
from kg.ingest import MAX_CHARS, parse_text
from kg.model import Article, ArticleResult
from kg.rdf import article_quads

WORDS = {
    "id": ["Korea Utara", "Rusia", "Kremlin", "Putin", "Kim Jong-un", "Seoul", "Kursk", "NIS", "mengirim",
           "dikirim oleh", "membantah", "mengonfirmasi", "belum mengonfirmasi", "tentara", "pasukan",
           "10.000-12.000", "11 ribu", "ribuan", "tahun lalu", "Senin", "bahwa", "kata", "menurut",
           "dilaporkan", "ke", "di", "mereka", "Presiden", "Kepala Staf Umum", "Kementerian Pertahanan"],
    "en": ["North Korea", "Russia", "the Kremlin", "Putin", "Kim Jong Un", "Pyongyang", "Kursk", "NATO",
           "sent", "was deployed by", "denied", "confirmed", "has not confirmed", "troops", "soldiers",
           "25,000 to 30,000", "several hundred", "last autumn", "on Monday", "that", "said", "according to",
           "reportedly", "to", "in", "they", "President", "Chief of the General Staff", "Defence Ministry"],
}
NOISE = ["", " ", ", ", ". ", "... ", "!!! ", "??? ", ";;; ", " — ", "“", "”", '"', "'", "(", ")", "((((", "))))",
         "\n", "\n\n", "\t", "\u00a0", "\u2028", "\u202e", "\u200f", "\u200b", "e\u0301\u0302", "🙂🚀🇰🇵",
         "مرحبا", "שלום", "Ким", "김정은", "\x00", "\x07", "<script>alert(1)</script>", '"} ; DROP ALL #',
         "-" * 40, "." * 60, "A." * 30, "1.000.000.000,5", "http://x.example/?a=1&b=2"]


def _text(lang: str):
    piece = st.one_of(st.sampled_from(WORDS[lang]), st.sampled_from(NOISE), st.text(max_size=12))
    joiner = st.sampled_from([" ", " ", " ", "", ", ", ". ", "\n", "\n\n"])
    body = st.lists(st.tuples(piece, joiner), min_size=1, max_size=60).map(
        lambda xs: "".join(a + b for a, b in xs))
    return st.tuples(st.just(lang), st.text(max_size=40), body)


TEXTS = st.one_of(_text("id"), _text("en"))


@contextlib.contextmanager
def hang_guard(seconds: int = 60):
    """Turns a hang into a failure (a guard, not a speed check: make bench measures speed)."""
    def stop(_signum, _frame):
        raise AssertionError(f"extraction did not finish in {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(article: Article, result: ArticleResult) -> None:
    text = article.text
    for fact in result.facts:
        ev = fact.evidence
        assert text[ev.start:ev.end] == ev.text
        assert ev.text and ev.text == ev.text.strip()
    for mention in result.mentions:
        assert text[mention.start:mention.end] == mention.text
    for start, end in result.sentences:
        assert 0 <= start < end <= len(text)
    known = {e.iri for e in result.entities}
    for fact in result.facts:
        for iri in (fact.subject, fact.object, fact.location, fact.attributed_to):
            assert iri is None or iri in known
    quads = article_quads(result)
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert set(ox.parse(data, format=ox.RdfFormat.N_QUADS)) == set(quads)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_random_articles_never_break_extraction(extractor, sample) -> None:
    lang, title, body = sample
    try:
        article = parse_text(f"{title}\n\n{body}", "fuzz.txt", meta={"lang": lang, "published": "2024-11-04"})
    except IngestError as exc:
        assert "fuzz.txt" in str(exc) and "\n" not in str(exc)
        return
    with hang_guard():
        result = extractor(article)
    check(article, result)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.lists(st.integers(0, 10**6), max_size=20),
       st.sampled_from(["\x00", "\u202e", "\u0301", "\ufffd", "\x1b"]))
def test_characters_ingest_would_refuse_do_not_break_extraction(extractor, sample, where, char) -> None:
    """Extraction takes Articles from anywhere (the API), so it survives what ingest would refuse."""
    lang, _title, body = sample
    text = "Title\n\n" + body + " North Korea sent troops to Russia."
    chars = list(text)
    for i in where:
        chars[i % len(chars)] = char
    text = "".join(chars)
    article = Article(iri="https://w3id.org/kgnews/id/article/fuzz", source="fuzz.txt", text=text,
                      body=((0, len(text)),), lang=lang, content_hash="0" * 64)
    with hang_guard():
        result = extractor(article)
    check(article, result)


@pytest.mark.parametrize("body", [
    "kata " * 20_000,                                   # one 100,000-character line, every word a verb
    "Korea Utara, " * 8_000,                            # a run of commas
    "Rusia membantah bahwa " * 4_000 + "Korea Utara mengirim pasukan ke Rusia.",
    "(" * 30_000 + "Korea Utara" + ")" * 30_000,
    "10.000-" * 10_000 + " tentara",
])
def test_huge_lines_and_pathological_punctuation(extractor, body) -> None:
    article = replace(parse_text("Judul\n\nKorea Utara mengirim pasukan ke Rusia.", "huge.txt",
                                 meta={"lang": "id"}), text="Judul\n\n" + body)
    article = replace(article, body=((0, 5), (7, len(article.text))))
    with hang_guard():
        result = extractor(article)
    check(article, result)


def test_text_longer_than_an_article_is_refused_in_one_line():
    with pytest.raises(IngestError, match=r"huge.txt: 1,000,001 characters, more than one article"):
        parse_text("x" * (MAX_CHARS + 1), "huge.txt")


@pytest.mark.parametrize("lang, text", [
    ("id", "SEOUL, KOMPAS.com – Korea Utara (Korut) mengirim 10.000 tentara\n\nke Rusia,” kata NIS.  Ini 2024-an."),
    ("en", "North Korea's troops — about 1,500 — were sent to Kursk.\nU.S. officials said so ( 3 )  twice."),
])
def test_token_lists_are_the_tokens(extractor, lang, text) -> None:
    """kg.nlp.Tokens reads the doc in one array; its lists are what the Token objects say."""
    from kg.nlp import Tokens, make_doc

    nlp = extractor.pipeline(lang)
    doc = nlp(make_doc(nlp, text, lang=lang))
    tokens = Tokens.of(doc)
    assert tokens.whole == doc.text
    expected = [[t.text for t in doc], [t.lower_ for t in doc], [bool(t.whitespace_) for t in doc],
                [t.is_punct for t in doc], [t.like_num for t in doc], [t.is_space for t in doc],
                [t.idx for t in doc], [t.is_alpha for t in doc], [t.is_lower for t in doc],
                [t.is_title for t in doc], [bool(t.is_sent_start) for t in doc]]
    starts = [bool(tokens.starts_sentence(doc, i)) for i in range(len(doc))]
    assert [tokens.text, tokens.lower, tokens.ws, tokens.punct, tokens.num, tokens.space, tokens.idx,
            tokens.alpha, tokens.all_lower, tokens.title, starts] == expected
    for start, end in ((0, 3), (2, len(doc)), (4, 4)):
        assert tokens.span_text(start, end) == doc[start:end].text


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(-5, 40)), max_size=6),
       st.integers(-5, 100), st.integers(-5, 50))
def test_body_test_by_bisection_is_the_plain_test(spans, start, length) -> None:
    """Tokens.in_body bisects the body spans; it agrees with looking at each one."""
    from kg.nlp import Tokens

    body = tuple((s, s + extra) for s, extra in spans)
    tokens = Tokens([], [], [], [], [], [], [], [], body=body)
    end = start + length
    assert tokens.in_body(start, end) == any(s <= start and end <= e for s, e in body)
