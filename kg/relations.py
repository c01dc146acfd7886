"""The ``kg_relations`` component: deploys, confirms and denies facts.

Rules over the token-indexed sentences of :mod:`kg.clauses`, driven by the
lexicons in ``ontology/lexicon/``:

* **governing verbs** first: reported speech ("NIS mengatakan bahwa ...",
  "“...,” Rutte told reporters") and confirm/deny verbs, with their speakers
  and the clause they govern. Pronouns resolve to the speaker of the clause
  they stand in ("Korea Utara mengonfirmasi bahwa *mereka* mengirim"), else to
  the last state that acted before them in the paragraph.
* **deploys** from a trigger verb or noun ("mengirim", "dikerahkan",
  "pengerahan", "deployed"): the agent is the subject left of an active verb,
  the ``oleh``/``by`` phrase or the owner of the troops of a passive one, the
  owner of the troops of a noun ("pengerahan pasukan Korea Utara"). The
  destination follows a direction word ("ke Rusia", "to Russia", "in Kursk")
  or is who the troops help ("untuk membantu Rusia"). Words like send need
  troops as their object (sending a letter is not a deployment).
* **deploys** from presence: "pasukan Korea Utara bertempur bersama Rusia di
  Kursk" when the owner of the troops sends troops elsewhere in the article
  or inside a confirmed claim; "Russia used North Korean troops in Kursk".
* **confirms / denies**: the speaker is the subject (coordinated subjects,
  "kedua negara" and pronouns resolved); the claim is each deploys fact of the
  "bahwa"/"that" clause or of the nominal object ("mengonfirmasi pengerahan
  pasukan X"), a claim of another kind ("merebut kembali" -> retakes), or for
  "membantah klaim tersebut" the last claim made before in the article.
* Negation ("belum", "has not", "declined to") and conditionals ("jika")
  remove the fact and everything its clause claims; hedges ("dilaporkan",
  "reportedly") and plans ("bersiap", "plans to") lower the confidence.
* A deployment to a region is also one to the region's country, when the
  article names that country.

Results are :class:`RawFact` records in ``doc._.kg_facts``, with entity ids
from ``doc._.kg_entities`` and character offsets of their sentence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.catalogue import load_catalogue
from kg.clauses import ALLIED, BE_FORMS, POSSESSIVE, Sentence
from kg.entities import from_catalogue
from kg.lexicon import Trigger, load_lexicon
from kg.nlp import Tokens

DEPLOYERS = {"Country", "Organization", "Person", "Location"}
SPEAKERS = {"Country", "Organization", "Person", "Location"}
STATES = {"Country", "Organization"}
NEGATION_WINDOW = 4
OBJECT_WINDOW = 7
CLOSING_QUOTES = {"”", '"', "’", "'"}


@dataclass
class RawFact:
    """A fact as the rules found it, before IRIs are made (``kg.extract``)."""

    predicate: str
    subject: str | None
    sent: tuple[int, int]
    trigger: str
    object: str | None = None
    claim: RawFact | None = None
    quantity: tuple[int, int, str, str] | None = None
    time: str | None = None
    location: str | None = None
    confidence: float = 0.5
    hedged: bool = False
    attributed_to: str | None = None
    is_claim: bool = False
    implicit_object: bool = False
    token: int = 0
    troops: tuple[int, int] | None = field(default=None, repr=False)


@dataclass
class Event:
    """A verb that governs a clause: reported speech or a confirm/deny verb."""

    verb: int
    end: int
    kind: str                      # "speech" or "stance"
    speakers: list[str]
    comp: tuple[int, int]
    negated: bool = False
    trigger: Trigger | None = None
    distance: int = 0
    via_pronoun: bool = False


@dataclass
class ArticleState:
    deployers: set[str] = field(default_factory=set)
    actors: list[tuple[int, int, str]] = field(default_factory=list)   # (paragraph, token, entity)
    claims: list[RawFact] = field(default_factory=list)
    facts: list[RawFact] = field(default_factory=list)
    suppressed: list[tuple[int, int]] = field(default_factory=list)


def _clamp(x: float) -> float:
    return round(max(0.05, min(0.99, x)), 3)


class RelationExtractor:
    """See the module docstring."""

    def __init__(self, nlp: Language, lang: str) -> None:
        self.lang = lang
        self.lex = load_lexicon(lang)
        self.non_troops = self.lex.single_words("non_troops")
        self.catalogue = load_catalogue()

    # -- building the sentence views -------------------------------------------------
    def _sentences(self, doc: Doc, mentions: list[Span], mention_ids: list[str | None]) -> list[Sentence]:
        entities = doc._.kg_entities or {}
        ids = {id(m): ident for m, ident in zip(mentions, mention_ids, strict=True)}
        mentions = sorted(mentions, key=lambda m: m.start)
        views = []
        by_sent: dict[int, Sentence] = {}
        tokens = Tokens.of(doc)
        for start, end, start_char, _end_char in tokens.sentences():
            if all(tokens.space[start:end]) or not tokens.in_body(start_char, start_char + 1):
                continue
            view = Sentence(doc, doc[start:end], self.lang, self.lex, entities, tokens.paragraph_of(start_char),
                            tokens, doc_mentions=mentions, mention_ids=ids)
            views.append(view)
            for i in range(start, end):
                by_sent[i] = view
        for mention in mentions:
            holder = by_sent.get(mention.start)
            if holder is not None:
                for i in range(mention.start, mention.end):
                    holder.mention_at[i] = mention
        for cue in doc.spans["kg_cues"]:
            holder = by_sent.get(cue.start)
            if holder is not None:
                label = cue.label_
                holder.cue_starts[cue.start].append((label, cue.end))
                for i in range(cue.start, cue.end):
                    holder.cue_cover[i].add(label)
        for name, attr in (("kg_quantities", "quantities"), ("kg_times", "times"), ("kg_triggers", "triggers")):
            for span in doc.spans[name]:
                holder = by_sent.get(span.start)
                if holder is not None:
                    getattr(holder, attr).append(span)
        return views

    # -- shared checks --------------------------------------------------------------
    def _negated(self, s: Sentence, start: int) -> bool:
        lo = max(s.start, start - NEGATION_WINDOW)
        # "belum mengkonfirmasi atau menolak": a coordinated verb shares the negation
        if start - 1 >= s.start and s.tok.lower[start - 1] in ("atau", "maupun", "or", "nor", "dan"):
            lo = max(s.start, start - 2 * NEGATION_WINDOW)
        for j in range(start - 1, lo - 1, -1):
            if s.is_boundary(j, speech=False):
                break
            if s.has_cue(j, "negation") or s.has_cue(j, "conditional"):
                return True
        return False

    @staticmethod
    def _suppressed(i: int, state: ArticleState) -> bool:
        return any(a <= i < b for a, b in state.suppressed)

    def _hedged(self, s: Sentence, end: int) -> bool:
        return bool(s.cues_between("hedge", s.start, min(s.end, end + 3)))

    def _planned(self, s: Sentence, start: int) -> bool:
        return bool(s.cues_between("plan", max(s.start, start - 5), start))

    def _passive(self, s: Sentence, trig: Span, t: Trigger) -> bool:
        if t.voice != "either":
            return t.voice == "passive"
        j = trig.start - 1
        while j >= s.start and s.tok.lower[j] in ("reportedly", "already", "also", "been", "being",
                                                   "allegedly", "now", "recently", "secretly", "not"):
            if s.tok.lower[j] in ("been", "being"):
                return True
            j -= 1
        if j < s.start:
            return False
        if s.tok.lower[j] in BE_FORMS:
            return True
        return s.has_cue(j, "troops") or (s.tok.text[j] == "," and s.has_cue(j - 1, "troops"))

    # -- who: actors and pronouns -----------------------------------------------------
    def _act(self, s: Sentence, i: int, entity: str | None, state: ArticleState) -> None:
        info = s.entities.get(entity) if entity else None
        if info is not None and info.type in STATES:
            state.actors.append((s.paragraph, i, info.id))

    def _resolve(self, s: Sentence, i: int, state: ArticleState, events: list[Event],
                 first_person: bool = False, any_kind: bool = False) -> str | None:
        """Who a pronoun at token ``i`` stands for."""
        for ev in sorted(events, key=lambda e: e.comp[1] - e.comp[0]):
            if ev.comp[0] <= i < ev.comp[1] and ev.speakers:
                info = s.entities.get(ev.speakers[0])
                if (first_person and (ev.kind == "speech" or any_kind)) or (
                        info is not None and info.type in STATES):
                    return ev.speakers[0]
        if first_person:
            return None
        before = [e for p, t, e in state.actors if p == s.paragraph and t < i]
        if before:
            return before[-1]
        for j in range(i - 1, s.start - 1, -1):
            info = s.entity(s.mention_at.get(j))
            if info is not None and info.type in STATES:
                return info.id
        return None

    def _refer(self, s: Sentence, k: int, i: int, state: ArticleState, events: list[Event]) -> list[str]:
        """Who the referring word at token ``k`` (for a verb at ``i``) stands for."""
        if s.has_cue(k, "both"):
            return self._both(s, i)
        if s.has_cue(k, "own_country"):
            speaker = self._resolve(s, k, state, events, first_person=True, any_kind=True)
            country = self._country_of(s, speaker)
            return [country] if country else []
        who = self._resolve(s, k, state, events, first_person=s.has_cue(k, "first_person"))
        return [who] if who else []

    def _country_of(self, s: Sentence, entity: str | None) -> str | None:
        """The country entity of an entity ("negaranya" after Kim: North Korea)."""
        info = s.entities.get(entity) if entity else None
        if info is None or info.type == "Country":
            return entity
        if not info.country:
            return None
        for other in s.entities.values():
            if other.type == "Country" and other.country == info.country:
                return other.id
        entry = self.catalogue.country(info.country)
        made = from_catalogue(entry.key, self.catalogue) if entry is not None else None
        if made is None:
            return None
        s.entities[made.id] = made
        return made.id

    def _government(self, s: Sentence, entity: str | None) -> str | None:
        """A capital that acts ("dikirim oleh Pyongyang") is its country's government."""
        info = s.entities.get(entity) if entity else None
        if info is None or info.type != "Location":
            return entity
        entry = self.catalogue.get(info.key) if info.key else None
        country = self.catalogue.country(entry.country) if entry is not None and entry.country else None
        if country is None or (info.label not in country.metonyms and not (set(info.names) & set(country.metonyms))):
            return entity
        return self._country_of(s, entity)

    def _both(self, s: Sentence, i: int) -> list[str]:
        """The two countries last named before ``i`` ("kedua negara")."""
        seen: list[str] = []
        for mention in reversed([m for m in s.doc_mentions if m.start < i]):
            info = s.entity(mention)
            if info is not None and info.type == "Country" and info.id not in seen:
                seen.append(info.id)
            if len(seen) == 2:
                break
        return seen if len(seen) == 2 else []

    def _subjects(self, s: Sentence, start: int, state: ArticleState, events: list[Event],
                  *, speech: bool) -> tuple[list[str], int, bool]:
        """The speakers left of a verb: coordinated names, "kedua negara", pronouns."""
        mention, dist, pron = s.subject(start, SPEAKERS, speech=speech)
        if mention is not None:
            return [m._.kg_entity for m in [mention, *s.coordinated(mention, SPEAKERS)]], dist, False
        if pron:
            return self._refer(s, start - dist, start, state, events), dist, True
        return [], 0, False

    def _events(self, s: Sentence, state: ArticleState) -> list[Event]:
        """Speech and confirm/deny verbs of the sentence, left to right."""
        events: list[Event] = []
        verbs = [(start, end, "speech", None) for start, end in s.cues_between("speech", s.start, s.end)
                 if start not in s.mention_at]
        verbs += [(t.start, t.end, "stance", t._.kg_trigger) for t in s.triggers
                  if t._.kg_trigger.relation in ("confirms", "denies")]
        # speech first: "“I can confirm ...,” Rutte told reporters" needs the speaker of the quote
        for start, end, kind, trigger in sorted(verbs, key=lambda v: (v[2] != "speech", v[0])):
            if any(ev.verb <= start < ev.end for ev in events):
                continue
            negated = self._negated(s, start) or (kind == "stance" and s.tok.text[s.end - 1] == "?")
            after = s.mention_at.get(end)
            ev = Event(start, end, kind, [], (end, end), negated, trigger)
            if kind == "speech" and after is not None and (
                    start == s.start or s.tok.text[start - 1] in (",", *CLOSING_QUOTES)):
                ev.speakers, ev.comp = [after._.kg_entity], (s.start, start)   # "..., kata Gerasimov."
            elif kind == "stance" and trigger is not None and self._passive(s, s.doc[start:end], trigger):
                agent = s.agent(end)
                ev.speakers = [agent._.kg_entity] if agent is not None else []
                ev.comp = (end, s.clause(start, speech=False)[1])
            else:
                ev.speakers, ev.distance, ev.via_pronoun = self._subjects(s, start, state, events,
                                                                          speech=kind == "stance")
                mention, _d, _p = s.subject(start, SPEAKERS, speech=False)
                if kind == "speech" and mention is not None and mention.start > s.start and \
                        s.tok.text[mention.start - 1] in CLOSING_QUOTES | {","}:
                    ev.comp = (s.start, mention.start)            # "“...,” Rutte told reporters"
                else:
                    ev.comp = self._complement(s, end)
            ev.speakers = [g for sp in ev.speakers if sp in s.entities and (g := self._government(s, sp))]
            events.append(ev)
            if negated:
                state.suppressed.append(ev.comp)
            elif kind == "speech":
                # what was said may be a claim denied later ("Rusia mengatakan ... merebut kembali Kursk")
                found = self._claim_cue(s, ev.comp)
                if found:
                    predicate, cue = found
                    state.claims.append(self._claim_predicate(s, predicate, cue, ev.comp,
                                                              ev.speakers[0] if ev.speakers else None))
            for speaker in ev.speakers:
                self._act(s, start, speaker, state)
        return events

    def _complement(self, s: Sentence, end: int) -> tuple[int, int]:
        """The clause a verb governs: from the verb (over adverbs, dates and a complementizer
        a few words on: "mengonfirmasi secara resmi bahwa ...") to the next boundary."""
        start = end
        for j in range(end, min(s.end, end + 8)):
            if s.has_cue(j, "complementizer"):
                start = j + 1
                break
            if s.is_boundary(j) or j in s.mention_at:
                break
        stop = start
        while stop < s.end and not s.is_boundary(stop):
            stop += 1
        return (end, stop)

    def _attribution(self, s: Sentence, i: int, events: list[Event], subject: str | None) -> str | None:
        for ev in sorted(events, key=lambda e: e.comp[1] - e.comp[0]):
            if ev.comp[0] <= i < ev.comp[1] and ev.speakers and ev.speakers[0] != subject:
                return ev.speakers[0]
        # "menurut X", "according to X": X right after the cue ("menurut laporan, Korea Utara ..." names nobody)
        for _start, end in s.cues_between("attribution", s.start, s.end):
            k = end
            while k < s.end and s.tok.lower[k] in ("the", "pihak", "para", "sumber", "pejabat", "officials", "of"):
                k += 1
            mention = s.mention_at.get(k)
            if mention is not None and mention._.kg_entity != subject:
                return mention._.kg_entity
        return None

    def _quantity(self, s: Sentence, i: int, start: int, end: int):
        spans = [q for q in s.quantities if q._.kg_value and q._.kg_value[2] == "troops"]
        q = s.nearest(spans, i, start, end)
        if q is None:
            return None
        lo, hi, unit = q._.kg_value
        return (lo, hi, unit, q.text)

    def _time(self, s: Sentence, i: int, start: int, end: int) -> str | None:
        t = s.nearest(s.times, i, start, end)
        return t._.kg_value if t is not None else None

    def _where(self, s: Sentence, start: int, end: int, exclude: set[str]) -> tuple[Span | None, str | None]:
        """Destination of troops seen from token ``start``, and the place within it if named."""
        dest = s.destination(start, end, exclude)
        ben = s.beneficiary(start, end, exclude)
        if dest is not None and ben is not None and ben.start < dest.start:
            dest = None  # "untuk membantu Rusia dalam perang ... di Ukraina": who they help comes first
        if dest is None and ben is not None:
            ben_info = s.entity(ben)
            place = s.place_within(start, end, ben_info.country if ben_info else None, exclude)
            dest = place or ben
        location = None
        info = s.entity(dest) if dest is not None else None
        if dest is not None and info is not None and info.type == "Country":
            place = s.place_within(dest.end, end, info.country, exclude)
            location = place._.kg_entity if place is not None else None
        return dest, location

    # -- the component ----------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        # read once: iterating a SpanGroup makes new Span objects, and each span._ read an Underscore object
        mentions = list(doc.spans["kg_mentions"])
        mention_ids = [m._.kg_entity for m in mentions]
        sentences = self._sentences(doc, mentions, mention_ids)
        state = ArticleState()
        for s in sentences:
            events = self._events(s, state)
            for trig in sorted(s.triggers, key=lambda t: t.start):
                if trig._.kg_trigger.relation == "deploys":
                    self._deploy(s, trig, trig._.kg_trigger, state, events)
            for ev in events:
                if ev.kind == "stance" and not ev.negated:
                    self._stance(s, ev, state, events)
        for s in sentences:
            self._presence(s, s.start, s.end, state, [], relaxed=False)
        self._fill_destinations(doc, state, mention_ids)
        self._entail_countries(doc, state, mention_ids)
        doc._.kg_facts = self._dedup(state.facts)
        return doc

    def _claim_cue(self, s: Sentence, span: tuple[int, int]) -> tuple[str, tuple[int, int]] | None:
        """The first word of another claim predicate ("merebut kembali", "pushed out") in a clause."""
        hits = [(start, end, label.split(":", 1)[1]) for start in range(span[0], min(span[1], s.end))
                for label, end in s.cue_starts.get(start, ()) if label.startswith("claim:")]
        if not hits:
            return None
        start, end, predicate = min(hits)
        return predicate, (start, end)

    def _claim_predicate(self, s: Sentence, predicate: str, cue: tuple[int, int], comp: tuple[int, int],
                         speaker: str | None) -> RawFact:
        subj, _d, pron = s.subject(cue[0], STATES, speech=False)
        subject = subj._.kg_entity if subj is not None else None
        # "pasukannya", "its troops": the speaker's own forces
        if subject is None and (pron or any(s.tok.lower[k].endswith("nya") or s.tok.lower[k] in ("its", "their")
                                            for k in range(comp[0], cue[0]))):
            subject = speaker
        obj = s.place_within(cue[1], comp[1], None, {subject} if subject else set())
        return RawFact(predicate, subject, (s.span.start_char, s.span.end_char), s.doc[cue[0]:cue[1]].text,
                       object=obj._.kg_entity if obj is not None else None, confidence=0.6,
                       is_claim=True, token=cue[0])

    def _owner_of_noun(self, s: Sentence, trig: Span, right: int, events: list[Event],
                       state: ArticleState) -> tuple[str | None, bool, tuple | None]:
        """Whose deployment a noun names: "pengerahan pasukan Korea Utara", "North Korea's deployment",
        "North Korean troop deployment"; as the object of a confirmation or denial with no owner of
        its own, the deployment the article told last ("Seoul confirmed the deployment"), or with none
        told yet, the speaking state's own ("North Korea confirms troop deployment")."""
        after = s.troop_nouns(trig.end, min(right, trig.end + 4))
        troops = after[0] if after else None
        if troops:
            owner, pron = s.owner(*troops)
            agent = s.agent(troops[1], limit=3)
            if agent is not None:
                return agent._.kg_entity, False, troops
            if owner is not None or pron:
                return (owner._.kg_entity if owner is not None else None), pron, troops
        k = trig.end
        while k < min(right, trig.end + 3):
            mention = s.mention_at.get(k)
            if mention is not None:
                info = s.entity(mention)
                prep = s.after_preposition(mention)
                # "pengerahan pertama Korea Utara"; in English only "deployment of/by X"
                if info is not None and info.type in STATES and (
                        (prep is None and self.lang == "id") or prep in ("of", "by")):
                    return mention._.kg_entity, False, troops
                break
            k += 1
        k = trig.start - 1
        while k >= max(s.start, trig.start - 4):
            mention = s.mention_at.get(k)
            if mention is not None:
                info = s.entity(mention)
                return (mention._.kg_entity if info is not None and info.type in DEPLOYERS else None), False, \
                    troops
            if not (s.tok.text[k] in POSSESSIVE or s.has_cue(k, "troops")):
                break
            k -= 1
        for ev in events:
            if ev.kind == "stance" and ev.end <= trig.start <= ev.end + 3 and ev.speakers:
                told = [f.subject for f in state.facts if f.predicate == "deploys" and f.subject]
                if told:
                    return told[-1], False, troops
                info = s.entities.get(ev.speakers[0])
                if info is not None and info.type == "Country":
                    return ev.speakers[0], False, troops
        return None, False, troops

    def _deploy(self, s: Sentence, trig: Span, t: Trigger, state: ArticleState, events: list[Event]) -> None:
        if self._suppressed(trig.start, state) or self._negated(s, trig.start):
            return
        left, right = s.clause(trig.start)
        subject, pron, dist = None, False, 0
        troops: tuple[int, int] | None = None
        nominal = t.kind == "noun" or (self.lang == "en" and trig.start > s.start and \
            s.tok.lower[trig.start - 1] in ("the", "a", "an", "its", "their", "this", "that"))
        if nominal:  # "the dispatch of 10,000 troops by Pyongyang" is a noun, whatever the lexicon says
            subject, pron, troops = self._owner_of_noun(s, trig, right, events, state)
        elif self._passive(s, trig, t):
            agent = s.agent(trig.end)
            before = s.troop_nouns(left, trig.start)
            troops = before[-1] if before else None
            if agent is not None:
                subject = agent._.kg_entity
            elif troops:
                owner, pron = s.owner(*troops)
                subject = owner._.kg_entity if owner is not None else None
                if subject is None and not pron:
                    # "pasukan tersebut ditempatkan di Kursk": troops named before, sent by the last sender
                    senders = [f.subject for f in state.facts if f.predicate == "deploys" and f.subject]
                    subject = senders[-1] if senders else None
                    dist = 8
        else:
            mention, dist, pron = s.subject(trig.start, DEPLOYERS)
            subject = mention._.kg_entity if mention is not None else None
            after = s.troop_nouns(trig.end, min(right, trig.end + OBJECT_WINDOW))
            troops = after[0] if after else None
            if pron:
                referred = self._refer(s, trig.start - dist, trig.start, state, events)
                subject = referred[0] if referred else None
        if pron and subject is None:
            subject = self._resolve(s, trig.start, state, events)
        if troops and not nominal:
            # "Russia deployed North Korean troops to Kursk": the troops' own state sent them
            owner, _own_pron = s.owner(*troops)
            owner_info = s.entity(owner)
            if owner is not None and owner_info is not None and owner_info.type == "Country" \
                    and owner._.kg_entity != subject:
                subject, dist = owner._.kg_entity, dist + 4
        subject = self._government(s, subject)
        info = s.entities.get(subject) if subject else None
        if info is None or info.type not in DEPLOYERS or info.kind == "media":
            return
        subject = info.id
        quantity = self._quantity(s, trig.start, left, right)
        if t.needs_troops and troops is None and quantity is None:
            return
        nxt = trig.end
        while nxt < right and s.tok.lower[nxt] in ("back", "kembali", "more", "lagi", "its", "their", "some",
                                                    "a", "an", "the", "sebuah", "seorang", "para"):
            nxt += 1
        if nxt < right and s.tok.lower[nxt] in self.non_troops:
            return
        dest, location = self._where(s, trig.end, right, {subject})
        hedged = self._hedged(s, trig.end)
        conf = t.weight * (0.85 if pron else 1.0) * (1 / (1 + 0.04 * max(0, dist - 3)))
        conf *= (0.75 if hedged else 1.0) * (0.85 if self._planned(s, trig.start) else 1.0)
        fact = RawFact(
            "deploys", subject, (s.span.start_char, s.span.end_char), trig.text,
            object=dest._.kg_entity if dest is not None else None, quantity=quantity,
            time=self._time(s, trig.start, left, right), location=location, confidence=_clamp(conf),
            hedged=hedged, attributed_to=self._attribution(s, trig.start, events, subject),
            implicit_object=dest is None, token=trig.start, troops=troops,
        )
        state.facts.append(fact)
        state.claims.append(fact)
        state.deployers.add(subject)
        self._act(s, trig.start, subject, state)

    def _presence(self, s: Sentence, start: int, end: int, state: ArticleState, events: list[Event],
                  relaxed: bool) -> list[RawFact]:
        """Deployments told by troops' presence, help or use ("pasukan X bertempur di Y")."""
        sent = (s.span.start_char, s.span.end_char)
        used = {f.troops for f in state.facts if f.troops and f.sent == sent}
        found = []
        for troops in s.troop_nouns(start, end):
            if troops in used or self._suppressed(troops[0], state):
                continue
            left, right = s.clause(troops[0])
            left, right = max(left, start), min(right, end)
            owner, pron = s.owner(*troops)
            first = min(troops[0], owner.start) if owner is not None else troops[0]
            if first > s.start and (s.tok.lower[first - 1] in ALLIED or s.has_cue(first - 1, "help")):
                continue  # "alongside Russian forces", "bersama pasukan Rusia": the allies, not the sent
            subject = owner._.kg_entity if owner is not None else None
            if subject is None and pron:
                subject = self._resolve(s, troops[0], state, events)
            subject = self._government(s, subject)   # "pasukan Pyongyang"
            info = s.entities.get(subject) if subject else None
            if info is None or info.type not in STATES:
                continue
            subject = info.id
            employ = s.cues_between("employ", left, troops[0])
            # "kehadiran ribuan tentara X", "the presence of X troops": a presence noun before the troops
            before = [c for c in s.cues_between("presence", max(left, troops[0] - 4), troops[0])
                      if c[1] <= troops[0]]
            cue = (employ or before or s.cues_between("presence", troops[1], right)
                   or s.cues_between("help", troops[1], right))
            # a figure licenses it too: "11.000 tentara Korea Utara berada di Kursk" tells a deployment
            counted = self._quantity(s, troops[0], max(left, troops[0] - 6), troops[1]) is not None
            if not cue or not (relaxed or employ or counted or subject in state.deployers):
                continue
            if any(self._negated(s, c[0]) for c in cue):
                continue
            exclude = {subject}
            dest, location = self._where(s, troops[1], right, exclude)
            if dest is None and employ:
                user, _d, _p = s.subject(employ[0][0], STATES)
                dest = s.place_within(troops[1], right, None, exclude) or user
            if dest is None and not relaxed:
                continue
            dest_info = s.entity(dest) if dest is not None else None
            if dest_info is not None and (dest_info.id == subject or (dest_info.type == "Location"
                                          and dest_info.country and dest_info.country == info.country)):
                continue  # troops at home are not deployed
            hedged = self._hedged(s, troops[1])
            fact = RawFact(
                "deploys", subject, sent, s.doc[cue[0][0]:cue[0][1]].text,
                object=dest._.kg_entity if dest is not None else None, location=location,
                quantity=self._quantity(s, troops[0], left, right), time=self._time(s, troops[0], left, right),
                confidence=_clamp(0.6 * (0.75 if hedged else 1.0)), hedged=hedged,
                attributed_to=self._attribution(s, troops[0], events, subject),
                implicit_object=dest is None, token=troops[0], troops=troops,
            )
            state.facts.append(fact)
            state.claims.append(fact)
            used.add(troops)
            found.append(fact)
        return found

    def _claims_of(self, s: Sentence, ev: Event, state: ArticleState, events: list[Event]) -> tuple[list, float]:
        """What a confirm/deny verb is about, and a factor on its confidence."""
        t = ev.trigger
        right = s.clause(ev.verb, speech=False)[1]
        sent = (s.span.start_char, s.span.end_char)
        comp, claim_noun = None, False
        for j in range(ev.end, min(s.end, ev.end + 14)):
            if s.has_cue(j, "complementizer") and s.tok.lower[j] != "jika":
                comp_end = j + 1
                while comp_end < s.end and not s.is_boundary(comp_end, speech=True):
                    comp_end += 1
                comp = (j + 1, comp_end)
                # "confirm that X and that Y": every clause counts
                k = comp_end
                while k < s.end and s.has_cue(k, "complementizer") and s.tok.lower[k - 1] in ("and", "dan"):
                    k += 1
                    while k < s.end and not s.is_boundary(k, speech=True):
                        k += 1
                    comp = (comp[0], k)
                break
            if s.has_cue(j, "claim_nouns"):
                claim_noun = True
            if j > ev.end and s.is_boundary(j, speech=True):
                break
        if t is not None and t.needs_claim_noun and not claim_noun:
            return [], 0.0
        same = [f for f in state.facts if f.sent == sent and f.predicate == "deploys"]
        if t is not None and self._passive(s, s.doc[ev.verb:ev.end], t):
            # "The deployment of X troops to Russia was confirmed by NATO"
            left = s.clause(ev.verb, speech=False)[0]
            claims = [f for f in same if left <= f.token < ev.verb]
            if claims:
                return claims, 1.0
        if comp is not None:
            # "confirmed the deployment on Monday, adding that ...": a deployment named as the verb's
            # object comes first; the clause belongs to the later verb
            claims = [f for f in same if ev.end <= f.token < comp[0] - 1]
            if claims:
                return claims, 1.0
            claims = [f for f in same if comp[0] <= f.token < comp[1]]
            claims = claims or self._presence(s, comp[0], comp[1], state, events, relaxed=True)
            if not claims:
                found = self._claim_cue(s, comp)
                if found:
                    claims = [self._claim_predicate(s, found[0], found[1], comp, ev.speakers[0])]
                else:  # a claim kg cannot parse still is one: "asserts" with the clause as evidence
                    claims = [RawFact("asserts", None, sent, s.doc[comp[0]:comp[1]].text[:80], is_claim=True,
                                      confidence=0.5, token=comp[0])]
            return claims, 1.0
        window = (ev.end, min(right, ev.end + 6))
        claims = [f for f in same if window[0] <= f.token < window[1]]
        if not claims and not claim_noun:
            claims = self._presence(s, ev.end, right, state, events, relaxed=True)
        if claims:
            return claims, 1.0
        earlier = [c for c in state.claims if c.sent[0] < s.span.start_char]
        if earlier:
            return [earlier[-1]], 0.8 if claim_noun else 0.6
        return [], 0.0

    def _stance(self, s: Sentence, ev: Event, state: ArticleState, events: list[Event]) -> None:
        """Confirms or denies facts, one per speaker and claim."""
        if not ev.speakers:
            return
        t = ev.trigger
        if t is None:
            return
        claims, factor = self._claims_of(s, ev, state, events)
        left = s.clause(ev.verb, speech=False)[0]
        end = ev.comp[0] if ev.comp[1] > ev.comp[0] else ev.end
        time = self._time(s, ev.verb, left, max(end, ev.end + 6))
        hedged = self._hedged(s, ev.end)
        conf = t.weight * factor * (0.85 if ev.via_pronoun else 1.0) * (1 / (1 + 0.04 * max(0, ev.distance - 3)))
        conf *= 0.75 if hedged else 1.0
        for claim in claims:
            if t.relation == "denies" and claim.predicate == "deploys" and claim.sent == ev_sent(s):
                claim.confidence = _clamp(claim.confidence * 0.8)
            for speaker in ev.speakers:
                state.facts.append(RawFact(
                    t.relation, speaker, ev_sent(s), s.doc[ev.verb:ev.end].text, claim=claim,
                    time=time, confidence=_clamp(conf), hedged=hedged, token=ev.verb,
                ))

    def _fill_destinations(self, doc: Doc, state: ArticleState, mention_ids: list[str | None]) -> None:
        """A deployment without a named destination goes where the article's others go, or, for a
        claim, to the place the article names most (``mention_ids``: the entity of each mention)."""
        explicit = [f for f in state.facts if f.predicate == "deploys" and f.object]
        overall = Counter(f.object for f in explicit)
        entities = doc._.kg_entities
        places = Counter(e for e in mention_ids if (entities.get(e) or _NONE).type == "Location")
        claimed = {id(f.claim) for f in state.facts if f.claim is not None}
        keep = []
        for fact in state.facts:
            if fact.predicate == "deploys" and fact.object is None:
                mine = Counter(f.object for f in explicit if f.subject == fact.subject)
                best = (mine or overall or (places if id(fact) in claimed else Counter())).most_common(1)
                if best and best[0][0] != fact.subject:
                    fact.object = best[0][0]
                    fact.confidence = _clamp(fact.confidence * 0.7)
                elif id(fact) not in claimed:
                    continue
            keep.append(fact)
        state.facts = keep

    def _entail_countries(self, doc: Doc, state: ArticleState, mention_ids: list[str | None]) -> None:
        """Troops sent to Kursk are sent to Russia, when the article names Russia."""
        entities = doc._.kg_entities
        named = set(mention_ids)
        by_iso = {e.country: e.id for e in entities.values() if e.type == "Country" and e.id in named}
        extra = []
        for fact in state.facts:
            if fact.predicate != "deploys" or not fact.object:
                continue
            place, subject = entities.get(fact.object), entities.get(fact.subject)
            country = by_iso.get(place.country) if place is not None and place.type == "Location" else None
            if country and country != fact.subject and (subject is None or subject.country != place.country):
                extra.append(replace(fact, object=country, location=fact.object,
                                     confidence=_clamp(fact.confidence * 0.9)))
        state.facts.extend(extra)

    @staticmethod
    def _dedup(facts: list[RawFact]) -> list[RawFact]:
        best: dict[tuple, RawFact] = {}
        for fact in facts:
            key = (fact.predicate, fact.subject, fact.object, id(fact.claim) if fact.claim else None, fact.sent)
            if key not in best or best[key].confidence < fact.confidence:
                best[key] = fact
        kept = set(map(id, best.values()))
        # a claim that lost to a duplicate is still referenced by its stance
        for fact in list(best.values()):
            if fact.claim is not None and id(fact.claim) not in kept:
                kept.add(id(fact.claim))
                best[("claim", id(fact.claim))] = fact.claim
        return sorted(best.values(), key=lambda f: (f.sent[0], f.token))


class _NoEntity:
    type = None


_NONE = _NoEntity()


def ev_sent(s: Sentence) -> tuple[int, int]:
    return (s.span.start_char, s.span.end_char)


@Language.factory("kg_relations", default_config={"lang": "id"},
                  requires=["doc.spans", "doc._.kg_entities"], assigns=["doc._.kg_facts"])
def make_relation_extractor(nlp: Language, name: str, lang: str) -> RelationExtractor:
    return RelationExtractor(nlp, lang)
