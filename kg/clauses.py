"""A sentence seen by the relation rules: its mentions, cues, figures and dates
by token position, and the searches the rules share (the subject left of a
verb, the destination right of it, the owner of "pasukan X" / "X troops").

Blank spaCy pipelines have no parser, so clauses are cut at boundary words
(complementizers, conjunctions, speech verbs, semicolons) from the lexicon.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from kg.entities import EntityInfo
from kg.lexicon import Lexicon
from kg.nlp import Tokens

PREPOSITIONS = {
    "id": {"ke", "di", "dari", "dengan", "kepada", "untuk", "pada", "terhadap", "antara", "bersama",
           "melawan", "menurut", "dilansir", "dikutip", "tentang", "mengenai", "atas", "oleh", "dalam",
           "bagi", "sejak", "menuju", "seperti"},
    "en": {"to", "in", "at", "from", "with", "of", "for", "by", "on", "against", "into", "alongside",
           "toward", "towards", "about", "according", "than", "like", "over", "under", "near", "across",
           "between", "among", "inside", "within", "after", "before", "during", "since"},
}
DEST_PREPS = {
    "id": {"ke", "di", "menuju"},
    "en": {"to", "into", "in", "inside", "at", "toward", "towards"},
}
AGENT_PREPS = {"id": {"oleh"}, "en": {"by"}}
BE_FORMS = {"is", "are", "was", "were", "be", "been", "being", "'s", "’s", "got", "get", "gets"}
ADVERBS = {
    "id": {"telah", "sudah", "akan", "kembali", "juga", "pun", "masih", "baru", "sedang", "tengah",
           "secara", "resmi", "terbuka", "diam-diam", "hanya", "bahkan", "semakin", "banyak", "lebih",
           "pernah", "segera", "lagi", "itu", "tersebut", "ini", "yang", "untuk", "memutuskan",
           "berencana", "bersiap", "siap", "hendak", "ingin", "mau", "dapat", "bisa", "terus"},
    "en": {"has", "have", "had", "also", "reportedly", "already", "now", "recently", "since", "will",
           "would", "could", "may", "might", "secretly", "officially", "openly", "then", "still", "just",
           "is", "are", "was", "were", "been", "being", "be", "to", "decided", "plans", "planning",
           "preparing", "ready", "later", "quietly", "further", "more", "first"},
}
COORD = {"dan", "serta", "and", "&"}
REFERRING = ("pronoun", "both", "first_person", "own_country")
ALLIED = {"alongside", "with", "against", "bersama", "dengan", "melawan", "versus", "from", "dari", "and", "dan"}
SUBJECT_REACH = 60   # tokens a subject may stand left of its verb; keeps odd input (every word a verb) linear
DETERMINERS = {"the", "a", "an", "its", "their", "this", "that", "these", "those", "para", "sang"}
PLACE_WORDS = {"wilayah", "kawasan", "daerah", "perbatasan", "provinsi", "kota", "front", "region", "border",
               "province", "city", "territory", "oblast", "area", "frontline", "zona", "zone"}
POSSESSIVE = {"'s", "’s", "'", "’"}


def _index_cues(cue_starts: dict[int, list[tuple[str, int]]]) -> dict[str, tuple[list[int], list[tuple[int, int]]]]:
    """Per cue list, its cues' ``(start, end)`` in token order (and their starts, to bisect): a search
    then need not look up every token of its range."""
    index: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
    for i in sorted(cue_starts):
        for label, end in cue_starts[i]:
            starts, cues = index.setdefault(label, ([], []))
            starts.append(i)
            cues.append((i, end))
    return index


@dataclass
class Sentence:
    """Token-indexed view of one sentence for the relation rules."""

    doc: Doc
    span: Span
    lang: str
    lex: Lexicon
    entities: dict[str, EntityInfo]
    paragraph: int
    tok: Tokens
    mention_at: dict[int, Span] = field(default_factory=dict)
    cue_starts: dict[int, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    cue_cover: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    quantities: list[Span] = field(default_factory=list)
    times: list[Span] = field(default_factory=list)
    triggers: list[Span] = field(default_factory=list)
    doc_mentions: list[Span] = field(default_factory=list)

    mention_ids: dict[int, str | None] = field(default_factory=dict)   # id(mention) -> its entity

    start: int = field(init=False, default=0)    # the span's, read once
    end: int = field(init=False, default=0)
    # The searches below only read what kg_relations put in the fields above before its rules ran,
    # so what they find once holds for the sentence: cue_starts by list name, and the clause
    # boundaries of the sentence (is_boundary), for speech verbs counting or not.
    _cue_index: dict[str, tuple[list[int], list[tuple[int, int]]]] | None = field(
        init=False, default=None, repr=False)
    _boundaries: dict[bool, list[int]] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.start = self.span.start
        end = self.span.end
        while end > self.start and self.tok.space[end - 1]:
            end -= 1
        self.end = end

    # -- lookups --------------------------------------------------------------------
    def entity(self, mention: Span | None) -> EntityInfo | None:
        if mention is None:
            return None
        # the entity ids kg_relations read once (each span._ read makes an Underscore object)
        try:
            ident = self.mention_ids[id(mention)]
        except KeyError:
            ident = mention._.kg_entity
        return self.entities.get(ident) if ident is not None else None

    def has_cue(self, i: int, name: str) -> bool:
        return name in self.cue_cover.get(i, ())

    def cue_at(self, i: int, name: str) -> int | None:
        """End of a cue of that list starting at token ``i``, if any."""
        for label, end in self.cue_starts.get(i, ()):
            if label == name:
                return end
        return None

    def cues_between(self, name: str, start: int, end: int) -> list[tuple[int, int]]:
        """``(start, end)`` of the cues of that list starting in ``[start, end)`` of the sentence,
        in token order."""
        if self._cue_index is None:
            self._cue_index = _index_cues(self.cue_starts)
        starts, cues = self._cue_index.get(name, ((), ()))
        lo, hi = max(start, self.start), min(end, self.end)
        if not cues or lo >= hi:
            return []
        return cues[bisect_left(starts, lo):bisect_left(starts, hi)]

    def is_boundary(self, i: int, *, speech: bool = True) -> bool:
        text = self.tok.text[i]
        if text in (";", ":", "—", "–"):
            return text in (";", ":") or self.tok.ws[i]
        if text in ("“", "”", '"') and i > self.start:
            return False
        covered = self.cue_cover.get(i, ())
        if "complementizer" in covered or "boundary" in covered:
            return True
        return speech and "speech" in covered and i not in self.mention_at

    # -- searches -------------------------------------------------------------------
    def after_preposition(self, mention: Span) -> str | None:
        """The preposition right before a mention (over articles and possessors), if any."""
        i = mention.start - 1
        while i >= self.start and self.tok.lower[i] in ("the", "a", "an", "pihak", "para"):
            i -= 1
        if i < self.start:
            return None
        word = self.tok.lower[i]
        if word in PREPOSITIONS[self.lang] or (word,) in self.lex.cue("attribution"):   # a one-word entry
            return word
        return None

    def clause(self, i: int, *, speech: bool = True) -> tuple[int, int]:
        """Token range of the clause around ``i``: from the last boundary before it to the next."""
        if not self.start <= i < self.end:
            return self._scan_clause(i, speech)
        bounds = self._boundaries.get(speech)
        if bounds is None:
            bounds = self._boundaries[speech] = [j for j in range(self.start, self.end)
                                                 if self.is_boundary(j, speech=speech)]
        before = bisect_left(bounds, i)     # how many boundaries lie left of i
        after = bisect_right(bounds, i)     # the first boundary right of i
        left = bounds[before - 1] + 1 if before else self.start
        right = bounds[after] if after < len(bounds) else self.end
        return left, right

    def _scan_clause(self, i: int, speech: bool) -> tuple[int, int]:
        """:meth:`clause` by walking to the boundaries, for a token outside the sentence."""
        left = i
        while left > self.start and not self.is_boundary(left - 1, speech=speech):
            left -= 1
        right = i + 1
        while right < self.end and not self.is_boundary(right, speech=speech):
            right += 1
        return left, right

    def subject(self, i: int, types: set[str], *, speech: bool = True,
                skip_preps: bool = True) -> tuple[Span | None, int, bool]:
        """The nearest mention left of token ``i`` that can be its subject.

        Returns ``(mention, distance in tokens, via_pronoun)``; a pronoun
        returns ``(None, distance, True)`` for the caller to resolve.
        """
        j = i - 1
        while j >= max(self.start, i - SUBJECT_REACH):
            if self.is_boundary(j, speech=speech) and j not in self.mention_at:
                break
            mention = self.mention_at.get(j)
            if mention is not None:
                info = self.entity(mention)
                prep = self.after_preposition(mention) if skip_preps else None
                if info is not None and info.type in types and prep is None:
                    return mention, i - mention.end, False
                j = mention.start - 1
                continue
            if any(self.has_cue(j, cue) for cue in REFERRING):
                return None, i - j, True
            j -= 1
        return None, 0, False

    def coordinated(self, mention: Span, types: set[str]) -> list[Span]:
        """Mentions joined to ``mention`` by "dan"/"and"/commas on its left ("The Kremlin and North Korea")."""
        out = []
        j = mention.start - 1
        while j > self.start and self.tok.lower[j] in COORD:
            prev = self.mention_at.get(j - 1)
            info = self.entity(prev)
            if prev is None or info is None or info.type not in types:
                break
            out.append(prev)
            j = prev.start - 1
        return out

    def agent(self, i: int, limit: int = 6) -> Span | None:
        """The agent after a passive verb: "dikirim oleh Pyongyang", "sent by Pyongyang"."""
        for j in range(i, min(self.end, i + limit)):
            if self.tok.lower[j] in AGENT_PREPS[self.lang]:
                for k in range(j + 1, min(self.end, j + 4)):
                    if k in self.mention_at:
                        return self.mention_at[k]
        return None

    def troop_nouns(self, start: int, end: int) -> list[tuple[int, int]]:
        return self.cues_between("troops", start, end)

    def owner(self, troop_start: int, troop_end: int) -> tuple[Span | None, bool]:
        """Whose troops: "pasukan Korea Utara", "tentaranya", "North Korean troops", "troops from X".

        Returns ``(mention, via_pronoun)``.
        """
        last = self.tok.lower[troop_end - 1]
        if self.lang == "id" and last.endswith("nya"):
            return None, True
        # after the noun: pasukan (tambahan) Korea Utara / troops from North Korea
        k = troop_end
        steps = 0
        while k < self.end and steps < 3:
            if k in self.mention_at:
                mention = self.mention_at[k]
                info = self.entity(mention)
                if info is not None and info.type in ("Country", "Organization", "Location", "Person"):
                    prev = self.tok.lower[k - 1]
                    if self.lang == "id" or prev in ("from", "of"):
                        return mention, False
                break
            if not (self.tok.lower[k] in ("from", "of", "tambahan", "militer", "elit", "khusus", "baru")
                    or self.tok.num[k]):
                break
            k += 1
            steps += 1
        # before the noun: North Korean (special) troops / Pyongyang's soldiers
        k = troop_start - 1
        steps = 0
        while k >= self.start and steps < 3:
            if k in self.mention_at:
                mention = self.mention_at[k]
                info = self.entity(mention)
                if info is not None and info.type in ("Country", "Organization", "Location"):
                    return mention, False
                break
            lower = self.tok.lower[k]
            if self.lang == "en" and lower in ("its", "their"):
                return None, True
            if not (self.tok.text[k] in POSSESSIVE or lower in ("special", "elite", "combat", "military",
                                                              "additional", "more", "extra", "new")
                    or self.tok.num[k]):
                break
            k -= 1
            steps += 1
        return None, False

    def destination(self, i: int, end: int, exclude: set[str]) -> Span | None:
        """The first country or place right after a direction word ("ke Rusia", "to Russia",
        "in the Kursk region", "ke wilayah tersebut") right of ``i``.

        Between the direction word and the name only articles, possessives and place words
        may stand ("ke wilayah perbatasan Kursk"); anything else ("to end Japan's rule",
        "dalam pertempuran melawan Ukraina") means the word does not point at the name.
        """
        preps = DEST_PREPS[self.lang]
        for j in range(i, end):
            if not (self.tok.lower[j] in preps or self.cue_at(j, "claim:retakes") is not None):  # pembebasan X
                continue
            k = j + 1
            while k < end and k not in self.mention_at:
                word = self.tok.lower[k]
                anaphora = self.cue_at(k, "place_anaphora")
                if anaphora is not None:
                    place = self.last_place(k)
                    info = self.entity(place)
                    return place if info is not None and info.id not in exclude else None
                if word in DETERMINERS or word in PLACE_WORDS or word in POSSESSIVE:
                    k += 1
                    continue
                break
            mention = self.mention_at.get(k)
            if mention is None or k >= end:
                continue
            info = self.entity(mention)
            if info is not None and info.type in ("Country", "Location") and info.id not in exclude:
                return self.refine(mention, end)
        return None

    def last_place(self, i: int) -> Span | None:
        """The place named last before token ``i`` in the article ("wilayah tersebut")."""
        for mention in reversed(self.doc_mentions):
            if mention.start < i:
                info = self.entity(mention)
                if info is not None and info.type == "Location":
                    return mention
        return None

    def refine(self, mention: Span, end: int) -> Span:
        """"Russia's Kursk region" is Kursk: a country followed by a place of its own."""
        info = self.entity(mention)
        k = mention.end
        if info is not None and info.type == "Country" and k < end and self.tok.text[k] in POSSESSIVE:
            nxt = self.mention_at.get(k + 1)
            if nxt is not None and (self.entity(nxt) or info).type == "Location":
                return nxt
        return mention

    def beneficiary(self, i: int, end: int, exclude: set[str]) -> Span | None:
        """Who the troops help: "membantu (perang) Rusia", "to help Russia", "alongside Russian troops"."""
        for _start, cue_end in self.cues_between("help", i, end):
            for k in range(cue_end, min(end, cue_end + 4)):
                mention = self.mention_at.get(k)
                if mention is None:
                    if self.tok.punct[k]:
                        break
                    continue
                info = self.entity(mention)
                if info is not None and info.type in ("Country", "Organization", "Location") \
                        and info.id not in exclude:
                    return mention
                break
        return None

    def place_within(self, start: int, end: int, country: str | None, exclude: set[str]) -> Span | None:
        """A place of ``country`` named in the clause (Kursk when the troops help Russia)."""
        for k in range(start, end):
            mention = self.mention_at.get(k)
            info = self.entity(mention)
            if (mention is not None and info is not None and info.type == "Location"
                    and info.id not in exclude and (country is None or info.country == country)
                    and mention.start == k):
                return mention
        return None

    def nearest(self, spans: list[Span], i: int, start: int, end: int) -> Span | None:
        """The span inside ``[start, end)`` closest to token ``i``."""
        inside = [s for s in spans if start <= s.start and s.end <= end]
        if not inside:
            return None
        return min(inside, key=lambda s: min(abs(s.start - i), abs(s.end - i)))
