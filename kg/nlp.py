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
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy
import spacy
from spacy.attrs import ORTH, SENT_START, intify_attrs
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
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
    whole: str = ""                                   # the doc's text
    body: tuple[tuple[int, int], ...] | None = None   # the doc's body spans when the lists were made
    alpha: list[bool] = field(default_factory=list)
    all_lower: list[bool] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    _body_index: tuple[list[int], list[int]] | None = field(default=None, repr=False)

    # the columns read, in the order of the lists above
    ATTRS: ClassVar[list[int | str]] = ["ORTH", "LOWER", "SPACY", "IS_PUNCT", "LIKE_NUM", "IS_SPACE", "IDX",
                                        "IS_ALPHA", "IS_LOWER", "IS_TITLE"]

    @classmethod
    def of(cls, doc: Doc) -> Tokens:
        """The lists of a doc, made once (by ``kg_sentences``) and kept in ``doc._.kg_tokens``."""
        made = doc._.kg_tokens
        if made is not None:
            return made
        # one array read: iterating the doc would make a Token object of every token
        array = doc.to_array(cls.ATTRS) if len(doc) else numpy.zeros((0, len(cls.ATTRS)), dtype="uint64")
        orth, lower, idx = (array[:, i].tolist() for i in (0, 1, 6))
        ws, punct, num, space, alpha, all_lower, title = array[:, [2, 3, 4, 5, 7, 8, 9]].astype(bool).T.tolist()
        strings = doc.vocab.strings
        text = [strings[h] for h in orth]
        # Doc.text joins the tokens anew on every read; spaCy's whitespace after a token is one space or none
        whole = "".join([t + " " if w else t for t, w in zip(text, ws, strict=True)])
        made = cls(text, [strings[h] for h in lower], ws, punct, num, space, idx, sent_start=[], whole=whole,
                   body=doc._.kg_body, alpha=alpha, all_lower=all_lower, title=title)
        doc._.kg_tokens = made
        return made

    def sentence_start(self, i: int) -> int:
        """First token of the sentence holding token ``i``."""
        return self.sent_start[i] if self.sent_start else 0

    def starts_sentence(self, doc: Doc, i: int) -> bool | None:
        """``doc[i].is_sent_start``: read from ``kg_sentences``' starts once it has run."""
        return self.sent_start[i] == i if self.sent_start else doc[i].is_sent_start

    def end_char(self, end: int) -> int:
        """Character offset where the tokens up to ``end`` (exclusive) stop, as ``Span.end_char``."""
        return self.idx[end - 1] + len(self.text[end - 1])

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text`` without making the Span and its Token objects."""
        return self.whole[self.idx[start]:self.end_char(end)] if end > start else ""

    def in_body(self, start_char: int, end_char: int) -> bool:
        """True when the character range lies inside one of the article's body spans (the body read
        once: each ``doc._`` read makes an Underscore object)."""
        if self.body is None:
            return True
        if self._body_index is None:
            self._body_index = _reach_index(self.body)
        starts, reach = self._body_index
        k = bisect_right(starts, start_char)   # the body spans starting at or before start_char ...
        return k > 0 and reach[k - 1] >= end_char   # ... and whether one of them reaches end_char

    def paragraph_of(self, char: int) -> int:
        """Index of the body span holding ``char`` (-1 outside the body)."""
        for i, (s, e) in enumerate(self.body or [(0, len(self.whole))]):
            if s <= char < e:
                return i
        return -1

    def sentences(self) -> list[tuple[int, int, int, int]]:
        """``(first token, end token, start char, end char)`` of each sentence, from ``kg_sentences``'
        starts; reading ``doc.sents`` instead makes a Token object of every token each time."""
        if self._sentences is None:
            starts = [i for i, s in enumerate(self.sent_start) if s == i]
            bounds = []
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else len(self.text)
                bounds.append((start, end, self.idx[start], self.end_char(end)))
            self._sentences = bounds
        return self._sentences


def _reach_index(spans) -> tuple[list[int], list[int]]:
    """The spans' starts in order, and for each the farthest end of the spans starting there or
    before: a range lies inside one of the spans when one starting before it reaches its end."""
    starts: list[int] = []
    reach: list[int] = []
    for s, e in sorted(spans):
        starts.append(s)
        reach.append(max(reach[-1], e) if reach else e)
    return starts, reach


MAX_SENTENCE_TOKENS = 150   # the longest sentence of the seed and test articles has 69
CLOSERS = frozenset(['"', "”", "’", "'", ")", "]", "»"])
ENDERS = frozenset([".", "!", "?", "…"])


@Language.component("kg_sentences", assigns=["token.is_sent_start"])
def kg_sentences(doc: Doc) -> Doc:
    """Sentence starts at every line break and body paragraph, and after ., ! or ?
    (past closing quotes) before a capital, digit or opening quote, except after
    abbreviations."""
    tokens = Tokens.of(doc)
    text = tokens.whole  # Doc.text joins every token each time it is read
    starts = {s for s, _ in (tokens.body or [(0, len(text))])}
    words, offsets = tokens.text, tokens.idx
    flags = [-1] * len(words)     # a list: item access on a numpy array is slow in a Python loop
    if words:
        flags[0] = 1
    for i in range(1, len(words)):
        word, prev = words[i], words[i - 1]
        if not word.strip():
            continue
        if "\n" in prev or offsets[i] in starts or "\n" in text[offsets[i - 1] + len(prev): offsets[i]]:
            flags[i] = 1
            continue
        if prev not in ENDERS and prev not in CLOSERS:
            continue    # most words: no sentence end before them (the walk below would stop at once)
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
    if words:
        array = numpy.array(flags, dtype="int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], array)  # type: ignore[arg-type]
    return doc


def _char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _sentence_texts(tokens: Tokens):
    """(sentence start char, sentence text) for the sentences inside the body."""
    whole = tokens.whole          # Span.text would join the tokens anew each time
    for _start, _end, start_char, end_char in tokens.sentences():
        text = whole[start_char:end_char]
        if text.strip() and tokens.in_body(start_char, start_char + len(text.rstrip())):
            yield start_char, text


@Language.component("kg_quantities", assigns=["doc.spans"])
def kg_quantities(doc: Doc) -> Doc:
    """Troop figures as ``doc.spans["kg_quantities"]``; ``span._.kg_value`` is ``(min, max, unit)``."""
    lang = doc._.kg_lang or doc.lang_
    spans = []
    for offset, text in _sentence_texts(Tokens.of(doc)):
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
    published = doc._.kg_published    # read once: each doc._ read makes an Underscore object
    spans = []
    for offset, text in _sentence_texts(Tokens.of(doc)):
        for t in find_times(text, lang, published):
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
        tokens = Tokens.of(doc)
        triggers = []
        for _match_id, start, end in self.triggers(doc):
            if not tokens.in_body(tokens.idx[start], tokens.end_char(end)):
                continue
            trig = self.lexicon.triggers[tuple(t.lower() for t in tokens.span_text(start, end).split())]
            span = Span(doc, start, end, label=trig.relation)
            span._.kg_trigger = trig
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


def _affix_length(search: Callable[[str], re.Match[str] | None] | None, text: str) -> int:
    """What ``Tokenizer.find_prefix``/``find_suffix`` return, without a tokenizer."""
    match = search(text) if search is not None else None
    return match.end() - match.start() if match is not None else 0


def _pieces(text: str, matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    """The character ranges ``Tokenizer._attach_tokens`` makes of ``text`` with these infix
    matches: the text between matches, the non-empty matches, a match at 0 left in its piece."""
    pieces, start = [], 0
    for match in matches:
        if match.start() == 0:
            continue
        if match.start() != start:
            pieces.append((start, match.start()))
        if match.start() != match.end():
            pieces.append((match.start(), match.end()))
        start = match.end()
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


class _Cut:
    """An empty infix match: the tokenizer cuts the text there and adds no token."""

    __slots__ = ("at",)

    def __init__(self, at: int) -> None:
        self.at = at

    def start(self) -> int:
        return self.at

    def end(self) -> int:
        return self.at


class WholeWordInfixes:
    """The infix regex's ``finditer``, except that no infix splits a word of ``words``.

    This does what a spaCy special case ``{word: [{ORTH: word}]}`` does for a word
    without prefix or suffix: the word alone, or left when prefixes and suffixes
    are split off, stays one token; and where infixes cut a longer string into
    pieces, runs of pieces that spell such a word (as its own pieces, the longest
    and then the leftmost run first) become one token again, as spaCy's special-case
    matcher does. The cuts are then given as empty matches at the token boundaries.

    ``Tokenizer.to_bytes`` keeps only ``pattern``: a tokenizer read back from bytes
    splits these words again.
    """

    def __init__(self, regex: re.Pattern[str], words: frozenset[str],
                 whole: list[Callable[[str], Any] | None]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self.words = words
        self.whole = [match for match in whole if match is not None]
        self.longest = max(map(len, words), default=0)
        self._own: dict[str, list[str]] = {}

    def own_pieces(self, word: str) -> list[str]:
        """The word's pieces when it stands alone, as spaCy's special-case matcher has them."""
        if word not in self._own:
            if any(match(word) for match in self.whole):    # token_match, url_match
                self._own[word] = [word]
            else:
                self._own[word] = [word[s:e] for s, e in _pieces(word, list(self.regex.finditer(word)))]
        return self._own[word]

    def finditer(self, text: str) -> list[re.Match[str]] | list[_Cut]:
        matches = list(self.regex.finditer(text))
        if not matches:
            return matches
        pieces = _pieces(text, matches)
        runs = []
        for i in range(len(pieces)):
            start = pieces[i][0]
            for j in range(i + 2, len(pieces) + 1):
                end = pieces[j - 1][1]
                if end - start > self.longest:
                    break
                word = text[start:end]
                if word in self.words and self.own_pieces(word) == [text[s:e] for s, e in pieces[i:j]]:
                    runs.append((i, j))
        if not runs:
            return matches
        # spaCy's Tokenizer._filter_special_spans: a run is kept unless its first or last piece
        # lies in a run seen before it; a dropped run still counts as seen
        runs.sort(key=lambda run: (run[0] - run[1], run[0]))
        seen: set[int] = set()
        joined: set[int] = set()
        for i, j in runs:
            if i not in seen and j - 1 not in seen:
                joined.update(range(i + 1, j))
            seen.update(range(i, j))
        return [_Cut(pieces[k][0]) for k in range(1, len(pieces)) if k not in joined]


@spacy.registry.tokenizers("kg.Tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's tokenizer for the language, with its one-token exceptions kept whole by the
    infix finder instead of as special cases; the tokens are the same.

    spaCy's Indonesian exceptions are ~16,000 words, nearly all reduplications
    ("anak-anak"), and loading them as special cases takes seconds (each makes
    lexemes, runs the affix rules and flushes the cache). Exceptions with more
    than one token, a NORM, whitespace, a prefix or a suffix stay special cases.
    """

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        prefix_search = spacy.util.compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None
        suffix_search = spacy.util.compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None
        infixes = spacy.util.compile_infix_regex(defaults.infixes) if defaults.infixes else None
        rules, words = {}, []
        for text, tokens in (defaults.tokenizer_exceptions or {}).items():
            if (infixes is not None and len(tokens) == 1 and intify_attrs(tokens[0]) == {ORTH: text}
                    and not any(ch.isspace() for ch in text)
                    and not _affix_length(prefix_search, text) and not _affix_length(suffix_search, text)):
                words.append(text)
            else:
                rules[text] = tokens
        whole = [defaults.token_match, defaults.url_match]
        infix_finditer = WholeWordInfixes(infixes, frozenset(words), whole).finditer if infixes is not None else None
        return Tokenizer(nlp.vocab, rules=rules, prefix_search=prefix_search, suffix_search=suffix_search,
                         infix_finditer=infix_finditer, token_match=defaults.token_match,
                         url_match=defaults.url_match)

    return tokenizer_factory


BLANK_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": "kg.Tokenizer.v1"}}}


def make_pipeline(lang: str, *, model: str | None = None) -> Language:
    """A pipeline for ``lang`` (``id`` or ``en``): blank, or an installed trained ``model``."""
    from kg import entities, mentions, relations  # noqa: F401 - registers the factories

    nlp = spacy.load(model, exclude=["ner"]) if model else spacy.blank(lang, config=BLANK_CONFIG)
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
