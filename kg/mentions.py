"""The ``kg_mentions`` component: find entity mentions in an article.

Two sources, merged into ``doc.spans["kg_mentions"]`` (no overlaps, longest
wins, catalogue before patterns):

1. the gazetteer: every surface form of the catalogue (``kg.catalogue``):
   names, demonyms ("North Korean"), capitals used for their government;
2. general patterns for names the catalogue lacks, from
   ``ontology/lexicon/names.yaml`` and the role titles of the catalogue:
   a title before a capitalised run ("Juru bicara Koo Byoungsam"), a name in
   apposition to a title ("X Y, kepala staf ..."), a name next to a speech
   verb ("kata Park Sun-won"), organisation heads ("Kementerian Unifikasi",
   "Central Military Commission"), place heads ("Bandara Sunan") and media
   words ("surat kabar JoongAng Ilbo").

Each span's ``label_`` is its entity type, ``kb_id_`` the catalogue key (empty
for pattern names) and ``span._.kg_kind`` how it was found.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.lang.id.stop_words import STOP_WORDS as ID_STOP
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.catalogue import load_catalogue
from kg.catalogue import normalise_name as _fold
from kg.lexicon import load_lexicon, load_yaml
from kg.nlp import Tokens

STOP = {"id": ID_STOP, "en": EN_STOP}
QUOTES = frozenset("\"'“”‘’«»()[]")
# words after which "militer X" is still the army itself ("bahwa militer Rusia ...")
ID_FUNCTION_WORDS = frozenset({
    "bahwa", "dan", "yang", "itu", "ini", "oleh", "dengan", "untuk", "kepada", "dari", "ke", "di",
    "pada", "juga", "pun", "sementara", "namun", "bahkan", "hingga", "sedangkan", "serta", "atau",
    "tetapi", "karena", "sehingga", "antara", "terhadap", "tentang", "bagi", "sejak",
})
MAX_RUN = 4


def _case_ok(text: str, surfaces: Iterable[str]) -> bool:
    """A case-insensitive match is kept when its case fits one of the catalogue's forms:
    the form itself, a lower-case form capitalised at a sentence start ("Militer Rusia"),
    a headline's Title Case, or a dateline's capitals ("SEOUL"). A lower-case text never
    matches a capitalised name ("surat" is not the city Surat)."""
    for form in surfaces:
        if text == form:
            return True
        if form[:1].islower() and text == form[:1].upper() + form[1:]:
            return True
        if form[:1].isupper() and text.istitle() and len(text.split()) > 1 and text.lower() == form.lower():
            return True  # headlines capitalise every word
    letters = text.replace(" ", "")
    return text.isupper() and len(letters) >= 4  # datelines: SEOUL, MOSCOW


Hit = tuple[int, int, str, str, str]    # a gazetteer hit: start, end, label, kind, catalogue key


def _hit(span: Span) -> Hit:
    """A span ruler hit as plain values (its id is "kind<TAB>key")."""
    kind, key = span.id_.split("\t", 1)
    return span.start, span.end, span.label_, kind, key


class MentionFinder:
    """Gazetteer and name patterns for one language."""

    def __init__(self, nlp: Language, lang: str) -> None:
        self.lang = lang
        self.stop = STOP.get(lang, EN_STOP)
        catalogue = load_catalogue()
        self.catalogue = catalogue
        lexicon = load_lexicon(lang)
        names = load_yaml("lexicon/names.yaml") or {}
        self.surfaces: dict[str, set[str]] = defaultdict(set)
        for pattern in gazetteer_patterns(lang):
            self.surfaces[pattern["pattern"].lower()].add(pattern["pattern"])
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")

        def add(label: str, phrases: Iterable[str]) -> None:
            docs = [nlp.make_doc(p) for p in sorted({str(p) for p in phrases if str(p).strip()})]
            if docs:
                self.cues.add(label, docs)

        titles = set((names.get("titles") or {}).get(lang) or [])
        titles |= set(catalogue.titles(lang))
        add("title", titles)
        add("org_head", (names.get("org_heads") or {}).get(lang) or [])
        add("place_head", (names.get("place_heads") or {}).get(lang) or [])
        add("media", (names.get("media") or {}).get(lang) or [])
        add("speech", [" ".join(p) for p in lexicon.cue("speech") | lexicon.cue("attribution")])
        self.connectors = {str(c).lower() for c in (names.get("connectors") or {}).get(lang) or []}
        # words of titles and offices never start or continue a person's name ("Wakil Menteri Luar Negeri")
        self.title_words = {w.lower().strip(".") for t in titles for w in str(t).split()}
        self.title_words |= {w for phrase in lexicon.cue("troops") for w in phrase}
        self.title_words |= {w.lower() for h in (names.get("org_heads") or {}).get(lang) or [] for w in str(h).split()}
        self.compound_heads = {str(w).lower() for w in (names.get("compound_heads") or {}).get(lang) or []}
        self.months = {str(m).lower() for m in (lexicon.dates.get("months") or {})}
        self.weekdays = {str(m).lower() for m in (lexicon.dates.get("weekdays") or {})}
        self.function_caps = self.stop | self.months | self.weekdays
        self._folded: dict[str, frozenset[str]] = {}

    # -- helpers -------------------------------------------------------------------
    def _names_folded(self, key: str) -> frozenset[str]:
        """The folded names of a catalogue entry, folded once per entry rather than once per hit."""
        folded = self._folded.get(key)
        if folded is None:
            entry = self.catalogue.get(key)
            folded = self._folded[key] = frozenset(_fold(n) for n in entry.names) if entry else frozenset()
        return folded

    def _keeps(self, doc: Doc, tok: Tokens, hit: Hit, text: str, publisher: str | None) -> bool:
        """Drop gazetteer hits that are not mentions of the entity itself (``text`` is the hit's)."""
        start, end, _label, kind, key = hit
        entry = self.catalogue.get(key)
        before = start - 1 if start > 0 else None
        after = end if end < len(tok.text) else None
        # part of a longer name: "Perang Korea", "UN Charter", "Korean War"
        if before is not None and tok.lower[before] in self.compound_heads and tok.text[before][:1].isupper():
            return False
        if after is not None and tok.lower[after] in self.compound_heads and tok.text[after][:1].isupper():
            return False
        # a demonym is an adjective: "North Korean troops", not "Kabarberita Indonesian –"
        if kind == "demonym" and (after is None or not tok.text[after][:1].isalpha()):
            return False
        # the outlet's own name in its dateline or title is not a mention
        if publisher and entry is not None and entry.type == "Organization" and (
                _fold(text) == _fold(publisher) or _fold(publisher) in self._names_folded(key)):
            return False
        # "militer Korut" names the force only as a noun, not in "unit militer Korut" or
        # "North Korean military officers"
        if entry is not None and entry.kind == "military":
            words = text.lower().split()
            if self.lang == "id" and words[0] == "militer" and before is not None and tok.alpha[before] \
                    and (tok.all_lower[before] or tok.starts_sentence(doc, before)) \
                    and tok.lower[before] not in ID_FUNCTION_WORDS \
                    and not tok.lower[before].startswith(("me", "ber", "di", "ter")):
                return False
            if self.lang == "en" and words[-1] == "military" and after is not None and tok.alpha[after] \
                    and tok.all_lower[after] and tok.lower[after] not in self.stop \
                    and not tok.lower[after].endswith("ed"):
                return False
        return True

    def _weak_names(self, doc: Doc, tok: Tokens, known: list[Span], hits: list[Hit]) -> list[Span]:
        """"Utara", "the North": names of an entry only once it was named in full before."""
        first: dict[str, int] = {}
        for span in known:
            first.setdefault(span.kb_id_, span.start)
        taken = {i for span in known for i in range(span.start, span.end)}
        extra = []
        for start, end, label, kind, key in hits:
            if kind != "weak":
                continue
            if key in first and first[key] < start and not any(i in taken for i in range(start, end)):
                text = tok.span_text(start, end)
                if _case_ok(text, self.surfaces.get(text.lower(), ())) and tok.in_body(
                        tok.idx[start], tok.end_char(end)):
                    span = Span(doc, start, end, label=label, kb_id=key)
                    span._.kg_kind = "weak"
                    extra.append(span)
                    taken.update(range(start, end))
        return filter_spans(known + extra)

    def _cap(self, tok: Tokens, i: int, taken: set[int], person: bool = True) -> bool:
        """A capitalised word that may be part of a name (of a person: no title words)."""
        text = tok.text[i]
        return (
            i not in taken
            and text[:1].isupper()
            and any(c.isalpha() for c in text)
            and text.lower() not in self.function_caps
            and not (person and text.lower().strip(".") in self.title_words)
            and text not in QUOTES
        )

    def _run(self, tok: Tokens, i: int, taken: set[int], limit: int, stop: int, person: bool = True) -> int:
        """End of a run of capitalised tokens from ``i`` (hyphenated parts joined)."""
        j = i
        words = 0
        while j < stop and words < limit:
            if self._cap(tok, j, taken, person):
                j += 1
                words += 1
                # Jong-un, Yong-hyun: a hyphen glued to both sides continues the word
                while (j + 1 < stop and tok.text[j] in ("-", "–") and not tok.ws[j - 1]
                       and not tok.ws[j] and tok.text[j + 1][:1].isalpha()):
                    j += 2
            else:
                break
        return j

    # -- the component ---------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        tok = Tokens.of(doc)
        publisher = doc._.kg_publisher      # doc._ and iterating a SpanGroup make new objects: read once
        hits = [_hit(span) for span in doc.spans.get("kg_gazetteer", [])]
        found: list[Span] = []
        by_range: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
        for hit in hits:
            start, end, _label, kind, key = hit
            if kind == "weak":
                continue
            if not tok.in_body(tok.idx[start], tok.end_char(end)):
                continue
            text = tok.span_text(start, end)
            if not _case_ok(text, self.surfaces.get(text.lower(), ())):
                continue
            if not self._keeps(doc, tok, hit, text, publisher):
                continue
            by_range[(start, end)].append((kind, key))
        for (start, end), options in by_range.items():
            names = [o for o in options if o[0] == "name"]
            kind, key = names[0] if names else options[0]
            entry = self.catalogue.get(key)
            if entry is None:
                continue
            span = Span(doc, start, end, label=entry.type, kb_id=key)
            metonym = next((k for kd, k in options if kd == "metonym"), None)
            span._.kg_kind = f"metonym:{metonym}" if metonym and names else kind
            found.append(span)
        known = filter_spans(found)
        # names inside longer names are mentions too ("Angkatan Bersenjata Rusia" in
        # "Staf Umum Angkatan Bersenjata Rusia"): organisations of two words or more, countries
        outer = {(s.start, s.end) for s in known}
        inner = [s for s in found if (s.start, s.end) not in outer
                 and (s.label_ == "Country" or (s.label_ == "Organization" and len(s) > 1))
                 and any(k.start <= s.start and s.end <= k.end and k.kb_id_ != s.kb_id_
                         and k.label_ == "Organization" for k in known)]
        known = self._weak_names(doc, tok, known, hits)
        taken = {i for span in known for i in range(span.start, span.end)}
        countries = {i for span in known if span.label_ == "Country" for i in range(span.start, span.end)}
        patterns = self._patterns(doc, tok, taken, countries)
        final = filter_spans(known + patterns)
        kept = {(s.start, s.end) for s in final}
        doc.spans["kg_mentions"] = sorted(final, key=lambda s: s.start)
        # and so are countries swallowed by a longer organisation name found by a pattern
        nested = [s for s in known if (s.start, s.end) not in kept] + inner
        doc.spans["kg_nested"] = filter_spans(nested)
        return doc

    def _patterns(self, doc: Doc, tok: Tokens, taken: set[int], countries: set[int]) -> list[Span]:
        spans: list[Span] = []
        # the longest cue wins where cues overlap ("wakil menteri luar negeri" over "menteri")
        cues = []
        covered: dict[str, set[int]] = defaultdict(set)
        for label, s0, e0 in sorted(((doc.vocab.strings[m], s, e) for m, s, e in self.cues(doc)),
                                    key=lambda c: (-(c[2] - c[1]), c[1])):
            if not any(i in covered[label] for i in range(s0, e0)):
                covered[label].update(range(s0, e0))
                cues.append((label, s0, e0))
        cues.sort(key=lambda c: (c[1], -c[2]))

        def add(start: int, end: int, label: str, kind: str) -> None:
            free = countries if kind == "org" else set()
            if end <= start or any(i in taken and i not in free for i in range(start, end)):
                return
            if not tok.in_body(tok.idx[start], tok.end_char(end)):
                return
            span = Span(doc, start, end, label=label)
            span._.kg_kind = kind
            spans.append(span)
            taken.update(range(start, end))

        sent_ends = {first: end for first, end, _start_char, _end_char in tok.sentences()}
        n_tokens = len(tok.text)
        for label, start, end in cues:
            sent_start = tok.sentence_start(start)
            sent_end = sent_ends.get(sent_start, n_tokens)
            if label == "title":
                # skip what names the office (countries, organisations, connectors) up to the name
                # ("Juru bicara kementerian luar negeri, Arif Wicaksono")
                j, skipped = end, 0
                while j < sent_end and skipped < 8 and (
                        j in taken or tok.text[j] in (",", "'s", "’s", "’", "'")
                        or tok.lower[j] in self.connectors or tok.lower[j] in ("dari", "of")
                        or (tok.text[j].islower() and tok.text[j].isalpha() and tok.lower[j] not in self.stop)):
                    j += 1
                    skipped += 1
                stop = self._run(tok, j, taken, MAX_RUN, sent_end)
                words = stop - j
                if words >= 2 or (words == 1 and j == end and tok.title[j]):
                    add(j, stop, "Person", "title")
            elif label == "speech":
                # "kata Park Sun-won" / "Park Sun-won mengatakan"
                stop = self._run(tok, end, taken, 3, sent_end)
                if stop - end >= 2:
                    add(end, stop, "Person", "speech")
                elif stop - end == 1:
                    add(end, stop, "Person", "short")
                # "Arif Wicaksono mengatakan", "Arif Wicaksono, mengatakan"
                before = start - 1 if start > 0 and tok.text[start - 1] == "," else start
                j = before
                while j > sent_start and self._cap(tok, j - 1, taken):
                    j -= 1
                if 2 <= before - j <= 3 and j != sent_start:
                    add(j, before, "Person", "speech")
            elif label == "org_head" and tok.text[start][:1].isupper():
                stop = end
                while stop < sent_end:
                    nxt = self._run(tok, stop, set(), MAX_RUN, sent_end, person=False)
                    if nxt > stop:
                        stop = nxt
                    elif (tok.lower[stop] in self.connectors and stop + 1 < sent_end
                          and tok.text[stop + 1][:1].isupper()):
                        stop += 1
                    else:
                        break
                j = start
                while j > sent_start and self._cap(tok, j - 1, taken, person=False) and start - j < 4:
                    j -= 1
                if stop > end or j < start:
                    add(j, stop, "Organization", "org")
            elif label == "place_head":
                stop = self._run(tok, end, taken, 3, sent_end)
                if stop > end and tok.text[start][:1].isupper():
                    add(start, stop, "Location", "place")
                elif stop > end:
                    add(end, stop, "Location", "place")
                elif tok.text[start][:1].isupper():
                    j = start
                    while j > sent_start and self._cap(tok, j - 1, taken) and start - j < 3:
                        j -= 1
                    if j < start:
                        add(j, end, "Location", "place")
            elif label == "media":
                stop = self._run(tok, end, taken, 3, sent_end)
                if stop > end:
                    add(end, stop, "Organization", "media")
        # a name in apposition to a title: "Valery Gerasimov, kepala staf umum"
        title_starts = {s for label, s, _ in cues if label == "title"}
        for i, word in enumerate(tok.text[:max(0, n_tokens - 2)]):
            if word == "," and (i + 1 in title_starts or i + 2 in title_starts):
                j = i
                while j > tok.sentence_start(i) and self._cap(tok, j - 1, taken) and i - j < 4:
                    j -= 1
                if i - j >= 2:
                    add(j, i, "Person", "apposition")
        return spans


@functools.lru_cache(maxsize=4)
def gazetteer_patterns(lang: str) -> tuple[dict, ...]:
    """Span-ruler patterns for every surface form of the catalogue: label = entity type,
    id = "kind<TAB>key" (kind: name, demonym, metonym, or weak for names that count only
    after the full name)."""
    catalogue = load_catalogue()
    stop = STOP.get(lang, EN_STOP)
    patterns = []
    for surface, key, kind in catalogue.surface_forms():
        entry = catalogue.get(key)
        if entry is not None and len(surface) >= 2 and surface.lower() not in stop:
            patterns.append({"label": entry.type, "pattern": surface, "id": f"{kind}\t{key}"})
    for entry in catalogue.entries.values():
        for form in entry.weak_names:
            patterns.append({"label": entry.type, "pattern": form, "id": f"weak\t{entry.key}"})
    return tuple(patterns)


def add_gazetteer(nlp: Language, lang: str) -> None:
    """spaCy's span ruler fed with the catalogue, matching case-insensitively; kg_mentions
    then keeps the hits whose case and context fit."""
    ruler: Any = nlp.add_pipe("span_ruler", name="kg_gazetteer", config={
        "spans_key": "kg_gazetteer", "phrase_matcher_attr": "LOWER", "validate": False, "overwrite": True})
    # the ruler runs each of the ~15,000 names through the components before it (kg_sentences,
    # a trained model's tagger), but matching on LOWER needs the tokenizer's words only
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(list(gazetteer_patterns(lang)))


@Language.factory("kg_mentions", default_config={"lang": "id"}, assigns=["doc.spans"],
                  requires=["token.is_sent_start", "doc.spans"])
def make_mention_finder(nlp: Language, name: str, lang: str) -> MentionFinder:
    return MentionFinder(nlp, lang)
