"""The spaCy pipeline: ``spacy.blank(lang)`` plus kg's registered components.

One article is one ``Doc`` made from ``Article.text`` exactly as read, so
token offsets are offsets into the source file. ``doc._.kg_body`` holds the
article's body spans; components ignore what lies outside them (page cruft).

Components, in pipeline order (``nlp.analyze_pipes()`` shows what each one
reads and writes):

* ``kg_sentences``  sentence starts from paragraphs and punctuation
* ``kg_gazetteer``  spaCy's span ruler fed with every name of the catalogue
* ``kg_mentions``   entity mentions: catalogue names, demonyms, capitals,
  and general patterns for names the catalogue lacks (``kg.mentions``)
* ``kg_entities``   mentions resolved to canonical entities (``kg.entities``)
* ``kg_quantities`` troop figures (``kg.quantities``)
* ``kg_times``      dates, resolved against ``doc._.kg_published`` (``kg.timex``)
* ``kg_cues``       trigger words and cue words from the lexicons
* ``kg_relations``  deploys / confirms / denies facts (``kg.relations``)

Nothing is downloaded: a user's installed trained pipeline may be passed as
``model`` and kg's components are added to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from kg.lexicon import load_lexicon
from kg.quantities import find_quantities
from kg.timex import find_times

ABBREVIATIONS = frozenset({
    "u.s.", "u.k.", "u.n.", "dr.", "mr.", "mrs.", "ms.", "gen.", "lt.", "col.", "maj.", "capt.",
    "sgt.", "adm.", "prof.", "st.", "jl.", "no.", "vs.", "etc.", "jr.", "sr.", "inc.", "co.",
    "ltd.", "corp.", "dept.", "gov.", "sen.", "rep.", "pres.", "min.", "h.", "ir.", "a.s.", "n.",
    "s.",
})

_EXTENSIONS = {
    ("doc", "kg_body"): None,
    ("doc", "kg_published"): None,
    ("doc", "kg_lang"): None,
    ("doc", "kg_publisher"): None,
    ("doc", "kg_entities"): None,
    ("doc", "kg_facts"): None,
    ("doc", "kg_paragraphs"): None,
    ("doc", "kg_tokens"): None,
    ("span", "kg_value"): None,
    ("span", "kg_entity"): None,
    ("span", "kg_kind"): None,
    ("span", "kg_trigger"): None,
}


def register_extensions() -> None:
    """Register kg's ``Doc``/``Span`` extensions once."""
    for (owner, name), default in _EXTENSIONS.items():
        cls: Any = {"doc": Doc, "span": Span, "token": Token}[owner]
        if not cls.has_extension(name):
            cls.set_extension(name, default=default)


register_extensions()


def in_body(doc: Doc, start_char: int, end_char: int) -> bool:
    """True when the character range lies inside one of the article's body spans."""
    body = doc._.kg_body
    if body is None:
        return True
    return any(s <= start_char and end_char <= e for s, e in body)


def paragraph_of(doc: Doc, char: int) -> int:
    """Index of the body span holding ``char`` (-1 outside the body)."""
    for i, (s, e) in enumerate(doc._.kg_body or [(0, len(doc.text))]):
        if s <= char < e:
            return i
    return -1


TOKENIZER_CACHE = 100_000
@dataclass
class Tokens:
    """Plain per-token lists of a doc, so the rules need not build spaCy Token objects."""

    text: list[str]
    lower: list[str]
    ws: list[bool]
    punct: list[bool]
    num: list[bool]
    space: list[bool]

    idx: list[int]
    sent_start: list[int]
    _sentences: list[tuple[int, int, int, int]] | None = None

    @classmethod
    def of(cls, doc: Doc) -> Tokens:
        """The lists of a doc, made once (by ``kg_sentences``) and kept in ``doc._.kg_tokens``."""
        if doc._.kg_tokens is not None:
            return doc._.kg_tokens
        rows = [(t.text, t.lower_, bool(t.whitespace_), t.is_punct, t.like_num, t.is_space, t.idx) for t in doc]
        columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(7)]
        text, lower, ws, punct, num, space, idx = columns
        made = cls(text, lower, ws, punct, num, space, idx, sent_start=[])
        doc._.kg_tokens = made
        return made

    def sentence_start(self, i: int) -> int:
        """First token of the sentence holding token ``i``."""
        return self.sent_start[i] if self.sent_start else 0

    def sentences(self) -> list[tuple[int, int, int, int]]:
        """``(first token, end token, start char, end char)`` of each sentence, from ``kg_sentences``'
        starts; reading ``doc.sents`` instead makes a Token object of every token each time."""
        if self._sentences is None:
            starts = [i for i, s in enumerate(self.sent_start) if s == i]
            bounds = []
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else len(self.text)
                last = end - 1
                bounds.append((start, end, self.idx[start], self.idx[last] + len(self.text[last])))
            self._sentences = bounds
        return self._sentences



MAX_SENTENCE_TOKENS = 150   # the longest sentence of the seed and test articles has 69
CLOSERS = frozenset(['"', "”", "’", "'", ")", "]", "»"])
ENDERS = frozenset([".", "!", "?", "…"])


@Language.component("kg_sentences", assigns=["token.is_sent_start"])
def kg_sentences(doc: Doc) -> Doc:
    """Sentence starts at every line break and body paragraph, and after ., ! or ?
    (past closing quotes) before a capital, digit or opening quote, except after
    abbreviations."""
    text = doc.text  # Doc.text joins every token each time it is read
    starts = {s for s, _ in (doc._.kg_body or [(0, len(text))])}
    tokens = Tokens.of(doc)
    words, offsets = tokens.text, tokens.idx
    flags = numpy.full(len(doc), -1, dtype="int64")
    if len(doc):
        flags[0] = 1
    for i in range(1, len(words)):
        word, prev = words[i], words[i - 1]
        if not word.strip():
            continue
        gap = text[offsets[i - 1] + len(prev): offsets[i]]
        if "\n" in gap or "\n" in prev or offsets[i] in starts:
            flags[i] = 1
            continue
        j = i - 1
        while j > 0 and words[j] in CLOSERS:
            j -= 1
        if words[j] in ENDERS and (word[:1].isupper() or word[:1].isdigit() or word[:1] in "\"“‘'(«"):
            before = words[j - 1].lower() + "." if words[j] == "." and j >= 1 else ""
            if before not in ABBREVIATIONS:
                flags[i] = 1
    current = 0
    for i in range(len(flags)):
        if flags[i] != 1 and i - current >= MAX_SENTENCE_TOKENS:
            flags[i] = 1      # no real sentence is this long; the cap keeps every rule linear in the text
        if flags[i] == 1:
            current = i
        tokens.sent_start.append(current)
    # one array write: setting token.is_sent_start one by one rescans the doc each time
    if len(doc):
        doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]
    return doc


def _char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _sentence_texts(doc: Doc):
    """(sentence start char, sentence text) for the sentences inside the body."""
    whole = doc.text          # made once: Span.text joins the tokens anew each time
    for _start, _end, start_char, end_char in Tokens.of(doc).sentences():
        text = whole[start_char:end_char]
        if text.strip() and in_body(doc, start_char, start_char + len(text.rstrip())):
            yield start_char, text


@Language.component("kg_quantities", assigns=["doc.spans"])
def kg_quantities(doc: Doc) -> Doc:
    """Troop figures as ``doc.spans["kg_quantities"]``; ``span._.kg_value`` is ``(min, max, unit)``."""
    lang = doc._.kg_lang or doc.lang_
    spans = []
    for offset, text in _sentence_texts(doc):
        for q in find_quantities(text, lang):
            span = _char_span(doc, offset + q.start, offset + q.end, q.unit)
            if span is not None:
                span._.kg_value = (q.min, q.max, q.unit)
                spans.append(span)
    doc.spans["kg_quantities"] = spans
    return doc


@Language.component("kg_times", assigns=["doc.spans"])
def kg_times(doc: Doc) -> Doc:
    """Dates as ``doc.spans["kg_times"]``; ``span._.kg_value`` is the ISO value."""
    lang = doc._.kg_lang or doc.lang_
    spans = []
    for offset, text in _sentence_texts(doc):
        for t in find_times(text, lang, doc._.kg_published):
            span = _char_span(doc, offset + t.start, offset + t.end, "TIME")
            if span is not None:
                span._.kg_value = t.value
                spans.append(span)
    doc.spans["kg_times"] = spans
    return doc


class CueTagger:
    """Marks trigger words (``doc.spans["kg_triggers"]``) and cue words (``doc.spans["kg_cues"]``,
    labelled with the cue list's name) from the lexicons of ``lang``."""

    def __init__(self, nlp: Language, lang: str) -> None:
        self.lang = lang
        lex = load_lexicon(lang)
        self.lexicon = lex
        self.triggers = PhraseMatcher(nlp.vocab, attr="LOWER")
        for tokens, _trigger in lex.triggers.items():
            self.triggers.add(" ".join(tokens), [nlp.make_doc(" ".join(tokens))])
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        for name, phrases in lex.cues.items():
            self.cues.add(name, [nlp.make_doc(" ".join(p)) for p in phrases])
        for tokens, predicate in lex.claim_predicates.items():
            self.cues.add("claim:" + predicate, [nlp.make_doc(" ".join(tokens))])

    def __call__(self, doc: Doc) -> Doc:
        triggers = []
        for match_id, start, end in self.triggers(doc):
            span = Span(doc, start, end, label=doc.vocab.strings[match_id])
            if not in_body(doc, span.start_char, span.end_char):
                continue
            trig = self.lexicon.triggers[tuple(t.lower() for t in span.text.split())]
            span._.kg_trigger = trig
            span.label_ = trig.relation
            triggers.append(span)
        doc.spans["kg_triggers"] = triggers
        cues = []
        for match_id, start, end in self.cues(doc):
            cues.append(Span(doc, start, end, label=doc.vocab.strings[match_id]))
        doc.spans["kg_cues"] = cues
        return doc


@Language.factory("kg_cues", default_config={"lang": "id"}, assigns=["doc.spans"])
def make_cue_tagger(nlp: Language, name: str, lang: str) -> CueTagger:
    return CueTagger(nlp, lang)


def make_pipeline(lang: str, *, model: str | None = None) -> Language:
    """A pipeline for ``lang`` (``id`` or ``en``): blank, or an installed trained ``model``."""
    from kg import entities, mentions, relations  # noqa: F401 - registers the factories

    nlp = spacy.load(model, exclude=["ner"]) if model else spacy.blank(lang)
    for existing in ("senter", "sentencizer", "parser"):
        if existing in nlp.pipe_names and existing != "parser":
            nlp.remove_pipe(existing)
    # tokenising the ~20,000 catalogue names fills spaCy's tokenizer cache (10,000 entries by default);
    # a full cache is never added to, and every article's words would be re-split by regex (25x slower)
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE  # type: ignore[union-attr]
    nlp.add_pipe("kg_sentences", first=True)
    mentions.add_gazetteer(nlp, lang)
    nlp.add_pipe("kg_mentions", config={"lang": lang})
    nlp.add_pipe("kg_entities", config={"lang": lang})
    nlp.add_pipe("kg_quantities")
    nlp.add_pipe("kg_times")
    nlp.add_pipe("kg_cues", config={"lang": lang})
    nlp.add_pipe("kg_relations", config={"lang": lang})
    return nlp


LONG_CHUNK = re.compile(r"\S{200,}")
PIECES = re.compile(r"\w+|(\W)\1*")


def tokenize(nlp: Language, text: str) -> Doc:
    """spaCy's tokenizer, except on runs of 200 or more characters without a space.

    spaCy strips prefixes and suffixes one at a time, re-searching the rest
    of the run each time: quadratic on "((((((...". No word is that long, so
    such a run is cut into words and same-character runs instead; the text of
    the doc stays the text given, character for character.
    """
    if not LONG_CHUNK.search(text):
        return nlp.make_doc(text)
    docs, last = [], 0
    for match in LONG_CHUNK.finditer(text):
        if match.start() > last:
            docs.append(nlp.make_doc(text[last:match.start()]))
        words = [m.group(0) for m in PIECES.finditer(match.group(0))]
        spaces = [False] * len(words)
        last = match.end()
        if text[last:last + 1] == " ":      # a single space belongs to the last word, as spaCy has it
            spaces[-1] = True
            last += 1
        docs.append(Doc(nlp.vocab, words=words, spaces=spaces))
    if last < len(text):
        docs.append(nlp.make_doc(text[last:]))
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    assert doc.text == text
    return doc


def make_doc(nlp: Language, text: str, *, lang: str, body=None, published: str | None = None,
             publisher: str | None = None) -> Doc:
    """A ``Doc`` of the whole text with kg's context set, ready for ``nlp(doc)``."""
    doc = tokenize(nlp, text)
    doc._.kg_publisher = publisher
    doc._.kg_lang = lang
    doc._.kg_body = tuple(body) if body is not None else ((0, len(text)),)
    doc._.kg_published = published
    return doc


def clean_label(text: str) -> str:
    """A mention's text with inner whitespace collapsed (a name split over a line break)."""
    return re.sub(r"\s+", " ", text).strip()
