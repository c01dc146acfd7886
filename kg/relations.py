"""The ``kg_relations`` component: deploys, confirms and denies facts.

Rules over the token-indexed sentences of :mod:`kg.clauses`, driven by the
lexicons in ``ontology/lexicon/``:

* **deploys** from a trigger verb or noun ("mengirim", "dikerahkan",
  "pengerahan", "deployed"): the agent is the subject left of an active verb,
  the ``oleh``/``by`` phrase or the owner of the troops of a passive one; the
  destination follows a direction word ("ke Rusia", "to Russia", "in Kursk")
  or is who the troops help ("untuk membantu Rusia"). Words like send need
  troops as their object (sending aid is not a deployment).
* **deploys** from presence: "pasukan Korea Utara bertempur bersama Rusia di
  Kursk", "Russia used North Korean troops in Kursk", when the owner of the
  troops is known in the article to send troops, or inside a confirmed claim.
* **confirms / denies**: the speaker is the subject (coordinated subjects,
  "kedua negara" and pronouns resolved); the claim is the deploys (or other)
  fact in the "bahwa"/"that" clause or the nominal object ("mengonfirmasi
  pengerahan pasukan X"), or, for "membantah klaim tersebut", the last claim
  made before in the article.
* Negation ("belum", "has not", "declined to") and conditionals ("jika")
  remove the fact and everything in its clause; hedges ("dilaporkan",
  "reportedly") and plans ("bersiap", "plans to") lower the confidence;
  reported speech ("NIS mengatakan bahwa ...") keeps who said it.

Results are :class:`RawFact` records in ``doc._.kg_facts``, with entity ids
from ``doc._.kg_entities`` and character offsets of their sentence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.clauses import BE_FORMS, Sentence
from kg.lexicon import Trigger, load_lexicon
from kg.nlp import in_body, paragraph_of

DEPLOYERS = {"Country", "Organization", "Person", "Location"}
SPEAKERS = {"Country", "Organization", "Person", "Location"}
STATES = {"Country", "Organization"}
NEGATION_WINDOW = 4


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
class Speech:
    verb: int
    speaker: str | None
    comp: tuple[int, int]
    negated: bool


@dataclass
class ArticleState:
    deployers: set[str] = field(default_factory=set)
    last_actor: dict[int, str] = field(default_factory=dict)
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

    # -- building the sentence views -------------------------------------------------
    def _sentences(self, doc: Doc) -> list[Sentence]:
        entities = doc._.kg_entities or {}
        views = []
        by_sent: dict[int, Sentence] = {}
        for sent in doc.sents:
            if not sent.text.strip() or not in_body(doc, sent.start_char, sent.start_char + 1):
                continue
            view = Sentence(doc, sent, self.lang, self.lex, entities, paragraph_of(doc, sent.start_char))
            views.append(view)
            for i in range(sent.start, sent.end):
                by_sent[i] = view
        for mention in doc.spans["kg_mentions"]:
            view = by_sent.get(mention.start)
            if view is not None:
                for i in range(mention.start, mention.end):
                    view.mention_at[i] = mention
        for cue in doc.spans["kg_cues"]:
            view = by_sent.get(cue.start)
            if view is not None:
                view.cue_starts[cue.start].append((cue.label_, cue.end))
                for i in range(cue.start, cue.end):
                    view.cue_cover[i].add(cue.label_)
        for name, attr in (("kg_quantities", "quantities"), ("kg_times", "times"), ("kg_triggers", "triggers")):
            for span in doc.spans[name]:
                view = by_sent.get(span.start)
                if view is not None:
                    getattr(view, attr).append(span)
        return views

    # -- shared checks --------------------------------------------------------------
    def _negated(self, s: Sentence, start: int) -> bool:
        lo = max(s.start, start - NEGATION_WINDOW)
        # "belum mengkonfirmasi atau menolak": a coordinated verb shares the negation
        if start - 1 >= s.start and s.doc[start - 1].lower_ in ("atau", "maupun", "or", "nor", "dan"):
            lo = max(s.start, start - 2 * NEGATION_WINDOW)
        for j in range(start - 1, lo - 1, -1):
            if s.is_boundary(j, speech=False):
                break
            if s.has_cue(j, "negation") or s.has_cue(j, "conditional"):
                return True
        return False

    def _suppressed(self, s: Sentence, i: int, state: ArticleState) -> bool:
        return any(a <= i < b for a, b in state.suppressed)

    def _hedged(self, s: Sentence, start: int, end: int) -> bool:
        return bool(s.cues_between("hedge", s.start, min(s.end, end + 3)))

    def _planned(self, s: Sentence, start: int) -> bool:
        return bool(s.cues_between("plan", max(s.start, start - 5), start))

    def _passive(self, s: Sentence, trig: Span, t: Trigger) -> bool:
        if t.voice != "either":
            return t.voice == "passive"
        j = trig.start - 1
        while j >= s.start and s.doc[j].lower_ in ("reportedly", "already", "also", "been", "being",
                                                   "allegedly", "now", "recently", "secretly", "not"):
            if s.doc[j].lower_ in ("been", "being"):
                return True
            j -= 1
        if j < s.start:
            return False
        prev = s.doc[j]
        if prev.lower_ in BE_FORMS:
            return True
        if s.has_cue(j, "troops") or prev.text == "," and s.has_cue(j - 1, "troops"):
            return True
        return False

    def _resolve_pronoun(self, s: Sentence, i: int, state: ArticleState, speeches: list[Speech]) -> str | None:
        for sp in speeches:
            if sp.comp[0] <= i < sp.comp[1] and sp.speaker:
                info = s.entities.get(sp.speaker)
                if info is not None and info.type in STATES:
                    return sp.speaker
        if s.paragraph in state.last_actor:
            return state.last_actor[s.paragraph]
        for j in range(i - 1, s.start - 1, -1):
            mention = s.mention_at.get(j)
            info = s.entity(mention)
            if info is not None and info.type in STATES:
                return info.id
        return None

    def _both(self, s: Sentence, i: int, doc_mentions: list[Span]) -> list[str]:
        """The two states last named before ``i`` ("kedua negara")."""
        seen: list[str] = []
        for mention in reversed([m for m in doc_mentions if m.start < i]):
            info = s.entities.get(mention._.kg_entity)
            if info is not None and info.type == "Country" and info.id not in seen:
                seen.append(info.id)
            if len(seen) == 2:
                break
        return seen if len(seen) == 2 else []

    def _attribution(self, s: Sentence, i: int, speeches: list[Speech], subject: str | None) -> str | None:
        for sp in sorted(speeches, key=lambda sp: sp.comp[0], reverse=True):
            if sp.comp[0] <= i < sp.comp[1] and sp.speaker and sp.speaker != subject:
                return sp.speaker
        for start, end in s.cues_between("attribution", s.start, s.end):
            for k in range(end, min(s.end, end + 4)):
                mention = s.mention_at.get(k)
                if mention is not None:
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

    # -- the component ----------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        sentences = self._sentences(doc)
        state = ArticleState()
        mentions = list(doc.spans["kg_mentions"])
        for s in sentences:
            speeches = self._speeches(s, state)
            # a negated confirmation or denial asserts nothing in its clause ("belum mengonfirmasi bahwa ...")
            for trig in s.triggers:
                if trig._.kg_trigger.relation != "deploys" and self._negated(s, trig.start):
                    state.suppressed.append((trig.end, s.clause(trig.start, speech=False)[1]))
            for trig in sorted(s.triggers, key=lambda t: t.start):
                t: Trigger = trig._.kg_trigger
                if t.relation == "deploys":
                    self._deploy(s, trig, t, state, speeches)
            for trig in sorted(s.triggers, key=lambda t: t.start):
                t = trig._.kg_trigger
                if t.relation in ("confirms", "denies"):
                    self._stance(s, trig, t, state, speeches, mentions)
        for s in sentences:
            self._presence(s, s.start, s.end, state, [], relaxed=False)
        self._fill_destinations(state)
        doc._.kg_facts = self._dedup(state.facts)
        return doc

    def _speeches(self, s: Sentence, state: ArticleState) -> list[Speech]:
        out = []
        for start, end in s.cues_between("speech", s.start, s.end):
            if start in s.mention_at:
                continue
            negated = self._negated(s, start)
            after = s.mention_at.get(end)
            if after is not None and (start == s.start or s.doc[start - 1].text in (",", "”", '"')):
                speaker, comp = after._.kg_entity, (s.start, start)   # "..., kata Gerasimov."
            else:
                mention, _dist, pron = s.subject(start, SPEAKERS, speech=False)
                speaker = mention._.kg_entity if mention is not None else None
                if pron:
                    speaker = self._resolve_pronoun(s, start, state, out)
                comp_end = end
                # a complementizer right after the verb opens its clause rather than ending it
                if comp_end < s.end and s.has_cue(comp_end, "complementizer"):
                    comp_end += 1
                while comp_end < s.end and not s.is_boundary(comp_end):
                    comp_end += 1
                comp = (end, comp_end)
            out.append(Speech(start, speaker, comp, negated))
            if negated:
                state.suppressed.append(comp)
            elif speaker:
                info = s.entities.get(speaker)
                if info is not None and info.type in STATES:
                    state.last_actor[s.paragraph] = speaker
                for cue_start, cue_end in s.cues_between("claim:retakes", comp[0], comp[1]):
                    state.claims.append(self._claim_predicate(s, "retakes", cue_start, cue_end, comp,
                                                              speaker, state, out))
        return out

    def _claim_predicate(self, s, predicate, cue_start, cue_end, comp, speaker, state, speeches) -> RawFact:
        subj, _d, pron = s.subject(cue_start, STATES, speech=False)
        subject = subj._.kg_entity if subj is not None else None
        if subject is None:
            subject = speaker if pron or any(s.doc[k].lower_.endswith("nya") for k in range(comp[0], cue_start)) \
                else None
        obj = s.place_within(cue_end, comp[1], None, {subject} if subject else set())
        return RawFact(predicate, subject, (s.span.start_char, s.span.end_char), s.doc[cue_start:cue_end].text,
                       object=obj._.kg_entity if obj is not None else None, confidence=0.6,
                       is_claim=True, token=cue_start)

    def _deploy(self, s: Sentence, trig: Span, t: Trigger, state: ArticleState, speeches) -> RawFact | None:
        if self._suppressed(s, trig.start, state) or self._negated(s, trig.start):
            return None
        left, right = s.clause(trig.start)
        subject = None
        pron = False
        dist = 0
        troops: tuple[int, int] | None = None
        if t.kind == "noun":
            after = s.troop_nouns(trig.end, min(right, trig.end + 3))
            if after:
                troops = after[0]
                owner, pron = s.owner(*troops)
                subject = owner._.kg_entity if owner is not None else None
            if subject is None and not pron:
                for k in range(trig.end, min(right, trig.end + 3)):
                    if k in s.mention_at and s.entity(s.mention_at[k]).type in STATES:
                        subject = s.mention_at[k]._.kg_entity
                        break
            if subject is None and not pron and trig.start >= 2 and s.doc[trig.start - 1].text in ("'s", "’s"):
                m = s.mention_at.get(trig.start - 2)
                subject = m._.kg_entity if m is not None else None
        elif self._passive(s, trig, t):
            agent = s.agent(trig.end)
            before = [c for c in s.troop_nouns(left, trig.start)]
            if before:
                troops = before[-1]
            if agent is not None:
                subject = agent._.kg_entity
            elif troops:
                owner, pron = s.owner(*troops)
                subject = owner._.kg_entity if owner is not None else None
        else:
            mention, dist, pron = s.subject(trig.start, DEPLOYERS)
            subject = mention._.kg_entity if mention is not None else None
            after = s.troop_nouns(trig.end, right)
            troops = after[0] if after else None
        if pron and subject is None:
            subject = self._resolve_pronoun(s, trig.start, state, speeches)
        info = s.entities.get(subject) if subject else None
        if info is None or info.type not in DEPLOYERS or info.kind == "media":
            return None
        quantity = self._quantity(s, trig.start, left, right)
        if t.needs_troops and troops is None and quantity is None:
            return None
        nxt = trig.end
        while nxt < right and s.doc[nxt].lower_ in ("back", "kembali", "more", "lagi", "its", "their", "some"):
            nxt += 1
        if nxt < right and s.doc[nxt].lower_ in self.non_troops:
            return None
        exclude = {subject}
        dest = s.destination(trig.end, right, exclude)
        location = None
        if dest is None:
            ben = s.beneficiary(trig.end, right, exclude)
            if ben is not None:
                ben_info = s.entity(ben)
                place = s.place_within(ben.end, right, ben_info.country if ben_info else None, exclude)
                dest = place or ben
        elif s.entity(dest).type == "Country":
            place = s.place_within(dest.end, right, s.entity(dest).country, exclude)
            location = place._.kg_entity if place is not None else None
        conf = t.weight * (0.85 if pron else 1.0) * (1 / (1 + 0.04 * max(0, dist - 3)))
        hedged = self._hedged(s, trig.start, trig.end)
        conf *= (0.75 if hedged else 1.0) * (0.85 if self._planned(s, trig.start) else 1.0)
        fact = RawFact(
            "deploys", subject, (s.span.start_char, s.span.end_char), trig.text,
            object=dest._.kg_entity if dest is not None else None, quantity=quantity,
            time=self._time(s, trig.start, left, right), location=location, confidence=_clamp(conf),
            hedged=hedged, attributed_to=self._attribution(s, trig.start, speeches, subject),
            implicit_object=dest is None, token=trig.start, troops=troops,
        )
        state.facts.append(fact)
        state.claims.append(fact)
        state.deployers.add(subject)
        if info.type in STATES:
            state.last_actor[s.paragraph] = subject
        return fact

    def _presence(self, s: Sentence, start: int, end: int, state: ArticleState, speeches,
                  relaxed: bool) -> RawFact | None:
        used = {f.troops for f in state.facts if f.troops and f.sent == (s.span.start_char, s.span.end_char)}
        for troops in s.troop_nouns(start, end):
            if troops in used or self._suppressed(s, troops[0], state):
                continue
            left, right = s.clause(troops[0])
            left, right = max(left, start), min(right, end)
            owner, pron = s.owner(*troops)
            subject = owner._.kg_entity if owner is not None else None
            if subject is None and pron:
                subject = self._resolve_pronoun(s, troops[0], state, speeches)
            info = s.entities.get(subject) if subject else None
            if info is None or info.type not in STATES:
                continue
            employ = s.cues_between("employ", left, troops[0])
            cue = employ or s.cues_between("presence", troops[1], right) or s.cues_between("help", troops[1], right)
            if not cue or not relaxed and subject not in state.deployers:
                continue
            if any(self._negated(s, c[0]) for c in cue):
                continue
            exclude = {subject}
            frm = troops[1] if not employ else troops[1]
            dest = s.destination(frm, right, exclude)
            ben = s.beneficiary(frm, right, exclude)
            if ben is not None:
                ben_info = s.entity(ben)
                place = s.place_within(frm, right, ben_info.country if ben_info else None, exclude)
                dest = place or dest or ben
            if dest is None and employ:
                user, _d, _p = s.subject(employ[0][0], STATES)
                dest = s.place_within(troops[1], right, None, exclude) or user
            if dest is None and not relaxed:
                continue
            dest_info = s.entity(dest) if dest is not None else None
            if dest_info is not None and (dest_info.id == subject or dest_info.type == "Location"
                                          and dest_info.country and dest_info.country == info.country):
                continue
            hedged = self._hedged(s, troops[0], troops[1])
            fact = RawFact(
                "deploys", subject, (s.span.start_char, s.span.end_char), s.doc[cue[0][0]:cue[0][1]].text,
                object=dest._.kg_entity if dest is not None else None,
                quantity=self._quantity(s, troops[0], left, right), time=self._time(s, troops[0], left, right),
                confidence=_clamp(0.6 * (0.75 if hedged else 1.0)), hedged=hedged,
                attributed_to=self._attribution(s, troops[0], speeches, subject),
                implicit_object=dest is None, token=troops[0], troops=troops,
            )
            state.facts.append(fact)
            state.claims.append(fact)
            return fact
        return None

    def _stance(self, s: Sentence, trig: Span, t: Trigger, state: ArticleState, speeches, mentions) -> None:
        """A confirms or denies fact, with the claim it is about."""
        left, right = s.clause(trig.start, speech=False)
        comp_search_end = min(s.end, trig.end + 14)
        if self._negated(s, trig.start) or s.doc[s.end - 1].text == "?":
            state.suppressed.append((trig.end, right))
            return
        if self._passive(s, trig, t):
            agent = s.agent(trig.end)
            speakers = [agent._.kg_entity] if agent is not None else []
            dist, pron = 0, False
        else:
            mention, dist, pron = s.subject(trig.start, SPEAKERS, speech=False)
            speakers = []
            if mention is not None:
                speakers = [m._.kg_entity for m in [mention, *s.coordinated(mention, SPEAKERS)]]
            elif pron:
                k = trig.start - dist
                both = self._both(s, trig.start, mentions) if s.has_cue(k, "both") else []
                speakers = both or [r for r in [self._resolve_pronoun(s, trig.start, state, speeches)] if r]
        speakers = [sp for sp in speakers if sp in s.entities]
        if not speakers:
            return
        # the claim: a "bahwa/that" clause, a nominal object, or "the claim" said before
        comp = None
        claim_noun = False
        for j in range(trig.end, comp_search_end):
            if s.has_cue(j, "complementizer") and s.doc[j].lower_ != "jika":
                comp_end = j + 1
                while comp_end < s.end and not s.is_boundary(comp_end, speech=True):
                    comp_end += 1
                comp = (j + 1, comp_end)
                break
            if s.has_cue(j, "claim_nouns"):
                claim_noun = True
            if j > trig.end and s.is_boundary(j, speech=True) and not s.has_cue(j, "complementizer"):
                break
        if t.needs_claim_noun and not claim_noun:
            return
        same = [f for f in state.facts if f.sent == (s.span.start_char, s.span.end_char)]
        claim = None
        conf = t.weight
        if comp is not None:
            claim = next((f for f in same if comp[0] <= f.token < comp[1]), None)
            claim = claim or self._presence(s, comp[0], comp[1], state, speeches, relaxed=True)
            if claim is None:
                for cue_start, cue_end in s.cues_between("claim:retakes", comp[0], comp[1]):
                    claim = self._claim_predicate(s, "retakes", cue_start, cue_end, comp, speakers[0],
                                                  state, speeches)
                    break
        else:
            window = (trig.end, min(right, trig.end + 6))
            claim = next((f for f in same if window[0] <= f.token < window[1]), None)
            if claim is None and not claim_noun:
                claim = self._presence(s, trig.end, right, state, speeches, relaxed=True)
        if claim is None:
            earlier = [c for c in state.claims if c.sent[0] < s.span.start_char]
            if earlier:
                claim = earlier[-1]
                conf *= 0.8 if claim_noun else 0.6
        if claim is None:
            return
        if t.relation == "denies" and claim.predicate == "deploys" and claim in same:
            claim.confidence = _clamp(claim.confidence * 0.8)
        end = comp[0] if comp else right
        time = self._time(s, trig.start, left, end)
        hedged = self._hedged(s, trig.start, trig.end)
        conf *= (0.85 if pron else 1.0) * (1 / (1 + 0.04 * max(0, dist - 3))) * (0.75 if hedged else 1.0)
        for speaker in speakers:
            state.facts.append(RawFact(
                t.relation, speaker, (s.span.start_char, s.span.end_char), trig.text, claim=claim,
                time=time, confidence=_clamp(conf), hedged=hedged, token=trig.start,
            ))
            info = s.entities.get(speaker)
            if info is not None and info.type in STATES:
                state.last_actor[s.paragraph] = speaker

    def _fill_destinations(self, state: ArticleState) -> None:
        """A deployment without a named destination goes where the article's others go."""
        explicit = [f for f in state.facts if f.predicate == "deploys" and f.object]
        overall = Counter(f.object for f in explicit)
        keep = []
        for fact in state.facts:
            if fact.predicate == "deploys" and fact.object is None:
                mine = Counter(f.object for f in explicit if f.subject == fact.subject)
                best = (mine or overall).most_common(1)
                if best and best[0][0] != fact.subject:
                    fact.object = best[0][0]
                    fact.confidence = _clamp(fact.confidence * 0.7)
                elif not any(f.claim is fact for f in state.facts):
                    continue
            keep.append(fact)
        state.facts = keep

    @staticmethod
    def _dedup(facts: list[RawFact]) -> list[RawFact]:
        best: dict[tuple, RawFact] = {}
        for fact in facts:
            key = (fact.predicate, fact.subject, fact.object, id(fact.claim) if fact.claim else None,
                   fact.sent)
            if key not in best or best[key].confidence < fact.confidence:
                best[key] = fact
        return sorted(best.values(), key=lambda f: (f.sent[0], f.token))


@Language.factory("kg_relations", default_config={"lang": "id"},
                  requires=["doc.spans", "doc._.kg_entities"], assigns=["doc._.kg_facts"])
def make_relation_extractor(nlp: Language, name: str, lang: str) -> RelationExtractor:
    return RelationExtractor(nlp, lang)
