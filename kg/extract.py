"""Article -> ArticleResult: run the spaCy pipeline and turn what it found into records.

:class:`Extractor` keeps one pipeline per language (building one loads the
catalogue and lexicons, so it is done once per process) and turns the
``Doc`` into the typed records of :mod:`kg.model`: entities with stable IRIs,
mentions, and facts whose evidence is the sentence, with offsets into the
article's text exactly as read.
"""

from __future__ import annotations

from spacy.language import Language

from kg.entities import EntityInfo
from kg.model import Article, ArticleResult, Entity, Evidence, Fact, Mention, Quantity
from kg.nlp import Tokens, make_doc, make_pipeline
from kg.relations import RawFact
from kg.vocab import entity_iri, fact_iri

SUPPORTED = ("id", "en")


def entity_record(info: EntityInfo) -> Entity:
    """The model record of an entity; its IRI from Wikidata, else type and label."""
    iri = entity_iri(info.type, info.label, info.wikidata)
    labels = tuple(sorted((text, lang) for lang, text in info.labels.items() if text))
    return Entity(iri=iri, label=info.label, type=info.type, names=tuple(info.names),
                  labels=labels, wikidata=info.wikidata, key=info.key)


def _evidence(text: str, start: int, end: int) -> Evidence:
    """The sentence with surrounding whitespace trimmed, offsets kept exact."""
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk) - len(chunk.rstrip())
    start, end = start + lead, end - trail
    return Evidence(text=text[start:end], start=start, end=end)


_PIPELINES: dict[tuple[str, str | None], Language] = {}


def shared_pipeline(lang: str, model: str | None = None) -> Language:
    """One pipeline per language and model per process: building one loads the catalogue and
    lexicons (about a second), and the components keep no state between articles."""
    key = (lang, model)
    if key not in _PIPELINES:
        _PIPELINES[key] = make_pipeline(lang, model=model)
    return _PIPELINES[key]


class Extractor:
    """Runs kg's pipeline over articles; one instance serves a whole build."""

    def __init__(self, *, model: str | None = None) -> None:
        self.model = model
        self._pipelines: dict[str, Language] = {}

    def pipeline(self, lang: str) -> Language:
        lang = lang if lang in SUPPORTED else "en"
        if lang not in self._pipelines:
            self._pipelines[lang] = shared_pipeline(lang, self.model)
        return self._pipelines[lang]

    def __call__(self, article: Article) -> ArticleResult:
        lang = article.lang if article.lang in SUPPORTED else "en"
        nlp = self.pipeline(lang)
        doc = nlp(make_doc(nlp, article.text, lang=lang, body=article.body, published=article.published,
                                publisher=article.publisher))
        infos: dict[str, EntityInfo] = doc._.kg_entities or {}
        records = {ident: entity_record(info) for ident, info in infos.items()}
        mentions = []
        used: set[str] = set()
        # nested spans may share offsets with a mention, and span extensions are stored per offsets,
        # so a nested span names its entity by its kb id (a catalogue key is the entity's id)
        spans = [(m, m._.kg_entity) for m in doc.spans["kg_mentions"]]
        spans += [(m, m.kb_id_) for m in doc.spans["kg_nested"]]
        tokens = Tokens.of(doc)
        for span, ident in spans:
            if ident in records:
                used.add(ident)
                # the text from the token lists: Span.text makes a Token object of each token
                mentions.append(Mention(records[ident].iri, span.start_char, span.end_char,
                                        tokens.span_text(span.start, span.end)))
        facts: list[Fact] = []
        made: dict[int, Fact] = {}

        def convert(raw: RawFact) -> Fact | None:
            if id(raw) in made:
                return made[id(raw)]
            claim = convert(raw.claim) if raw.claim is not None else None
            subject = records[raw.subject].iri if raw.subject in records else None
            obj = records[raw.object].iri if raw.object in records else None
            for ident in (raw.subject, raw.object, raw.location, raw.attributed_to):
                if ident in records:
                    used.add(ident)
            evidence = _evidence(article.text, *raw.sent)
            fact = Fact(
                iri=fact_iri(article.iri, raw.predicate, subject, obj, claim.iri if claim else None,
                             evidence.start, evidence.end),
                predicate=raw.predicate, subject=subject, object=obj,
                claim=claim.iri if claim else None,
                quantity=Quantity(*raw.quantity) if raw.quantity else None,
                time=raw.time,
                location=records[raw.location].iri if raw.location in records else None,
                confidence=raw.confidence,
                attributed_to=records[raw.attributed_to].iri if raw.attributed_to in records else None,
                trigger=raw.trigger, hedged=raw.hedged, is_claim=raw.is_claim, evidence=evidence,
            )
            made[id(raw)] = fact
            facts.append(fact)
            return fact

        for raw in doc._.kg_facts or []:
            convert(raw)
        bounds = tokens.sentences()
        sentences = tuple(
            (e.start, e.end) for e in (_evidence(article.text, start, end) for _s, _e, start, end in bounds)
            if e.text and any(b0 <= e.start < b1 for b0, b1 in article.body)
        )
        entities = tuple(sorted((records[i] for i in used), key=lambda e: e.iri))
        mentions.sort(key=lambda m: (m.start, m.end))
        unique = {(f.iri): f for f in facts}
        return ArticleResult(article=article, sentences=sentences, entities=entities,
                             mentions=tuple(mentions),
                             facts=tuple(sorted(unique.values(), key=lambda f: (f.evidence.start, f.iri))))
