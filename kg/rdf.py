"""Turn one article's extraction result into RDF quads in its own named graph.

The graph of an article holds everything learnt from it, so replacing or
dropping the article is replacing or dropping one graph:

* the article (``kg:Article``, Dublin Core metadata, its text as ``nif:isString``);
* the entities it mentions, described with ``rdfs:label`` per language,
  ``skos:altLabel`` for every name seen, ``owl:sameAs`` Wikidata;
* one ``kg:Mention`` per entity mention (NIF offsets, ``itsrdf:taIdentRef``);
* one ``kg:Statement`` per fact with its qualifiers, its evidence sentence
  (NIF offsets) and PROV-O derivation and attribution, plus the direct triple
  (``north_korea kg:deploys russia``) and the cross-article ``kg:Claim`` it
  is about (``rdfs:label`` "North Korea deploys Russia"@en): the same
  predicate, subject and object in any article give the same claim IRI.

Quads are pyoxigraph terms, ready for the store; :func:`to_rdflib` converts
them for rdflib users. This module knows nothing about spaCy. Literals are
written in the form Oxigraph keeps (offsets as ``xsd:integer``, not
``xsd:nonNegativeInteger``; decimals without trailing zeros), so the quads a
build makes are exactly the quads the store gives back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from kg.model import ArticleResult, Entity, Fact
from kg.vocab import (
    ITSRDF,
    KG,
    NIF,
    PREFIXES,
    SCHEMA,
    WD,
    claim_iri,
    evidence_iri,
    mention_iri,
    relation_iri,
)

_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
_XSD = PREFIXES["xsd"]
_DCT = PREFIXES["dcterms"]
_PROV = PREFIXES["prov"]
_SKOS = PREFIXES["skos"]
_OWL = PREFIXES["owl"]

TYPE = ox.NamedNode(_RDF + "type")
LABEL = ox.NamedNode(_RDFS + "label")
ALT_LABEL = ox.NamedNode(_SKOS + "altLabel")
SAME_AS = ox.NamedNode(_OWL + "sameAs")


@functools.lru_cache(maxsize=4096)
def _n(iri: str) -> ox.NamedNode:
    # the same vocabulary and entity IRIs recur in every article: parse each once
    return ox.NamedNode(str(iri))


@functools.lru_cache(maxsize=256)
def _v(namespace: Any, name: str) -> ox.NamedNode:
    """A vocabulary term (``_v(KG, "Mention")``), looked up in its namespace once: making an
    rdflib URIRef validates it, and the same few terms recur for every mention and fact."""
    return ox.NamedNode(str(getattr(namespace, name)))


def _lit(value: str, lang: str | None = None) -> ox.Literal:
    # article text may hold characters RDF syntaxes cannot carry (NUL, lone surrogates)
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(_XSD + datatype))


def decimal_text(value: float) -> str:
    """``0.85``: three places at most, in the canonical form the store keeps (no trailing zeros)."""
    return format(Decimal(f"{value:.3f}").normalize(), "f")


def time_literal(value: str) -> ox.Literal:
    """An ISO date, year-month or year as the matching XSD literal."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _typed(value, "date")
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return _typed(value, "gYearMonth")
    if re.fullmatch(r"\d{4}", value):
        return _typed(value, "gYear")
    return _lit(value)


def _entity_triples(entity: Entity, lang: str) -> Iterator[tuple]:
    node = _n(entity.iri)
    yield node, TYPE, _v(KG, entity.type)
    labels = dict((la, text) for text, la in entity.labels)
    if labels:
        for la, text in sorted(labels.items()):
            yield node, LABEL, _lit(text, la)
    else:
        yield node, LABEL, _lit(entity.label)
    for name in entity.names:
        yield node, ALT_LABEL, _lit(name, lang)
    if entity.wikidata:
        yield node, SAME_AS, _n(WD[entity.wikidata])
    if entity.key:
        yield node, _v(KG, "entityKey"), _lit(entity.key)


def claim_of(fact: Fact) -> str:
    """The IRI of the cross-article claim a (non-stance) statement states.

    Statements with the same predicate, subject and object share it, whatever
    the article. A statement naming neither a subject nor an object has no
    entity to compare across articles, so its claim is its own.
    """
    if fact.subject or fact.object:
        return claim_iri(fact.predicate, fact.subject, fact.object)
    return claim_iri(fact.predicate, fact.iri, None)


def _english_label(iri: str | None, entities: Mapping[str, Entity]) -> str | None:
    if iri is None:
        return None
    entity = entities.get(iri)
    if entity is None:
        return unquote(iri.rstrip("/").rsplit("/", 1)[-1])
    return next((text for text, lang in entity.labels if lang == "en"), entity.label)


def claim_label(fact: Fact, entities: Mapping[str, Entity]) -> str:
    """``North Korea deploys Russia``: the claim in words, from the English (or default) labels."""
    parts = [_english_label(fact.subject, entities), fact.predicate, _english_label(fact.object, entities)]
    return " ".join(p for p in parts if p)


def _fact_triples(fact: Fact, doc: ox.NamedNode, entities: Mapping[str, Entity]) -> Iterator[tuple]:
    node = _n(fact.iri)
    pred = _n(relation_iri(fact.predicate))
    yield node, TYPE, _v(KG, "Statement")
    yield node, _v(KG, "predicate"), pred
    yield node, _n(_PROV + "wasDerivedFrom"), doc
    yield node, _v(KG, "confidence"), _typed(decimal_text(fact.confidence), "decimal")
    if fact.subject:
        yield node, _v(KG, "subject"), _n(fact.subject)
    if fact.object:
        yield node, _v(KG, "object"), _n(fact.object)
    if fact.claim:
        yield node, _v(KG, "claim"), _n(fact.claim)
    if fact.is_claim:
        yield node, _v(KG, "isClaimOnly"), _typed("true", "boolean")
    if fact.hedged:
        yield node, _v(KG, "hedged"), _typed("true", "boolean")
    if fact.trigger:
        yield node, _v(KG, "trigger"), _lit(fact.trigger)
    if fact.attributed_to:
        yield node, _n(_PROV + "wasAttributedTo"), _n(fact.attributed_to)
    if fact.quantity:
        q = fact.quantity
        yield node, _v(KG, "quantityMin"), _typed(q.min, "integer")
        yield node, _v(KG, "quantityMax"), _typed(q.max, "integer")
        yield node, _v(KG, "quantityUnit"), _lit(q.unit)
        if q.text:
            yield node, _v(KG, "quantityText"), _lit(q.text)
    if fact.time:
        yield node, _v(KG, "time"), time_literal(fact.time)
    if fact.location:
        yield node, _v(KG, "location"), _n(fact.location)
    ev = fact.evidence
    ev_node = _n(evidence_iri(doc.value, ev.start, ev.end))
    yield node, _v(KG, "evidence"), ev_node
    yield ev_node, TYPE, _v(KG, "Evidence")
    yield ev_node, _v(NIF, "anchorOf"), _lit(ev.text)
    yield ev_node, _v(NIF, "beginIndex"), _typed(ev.start, "integer")
    yield ev_node, _v(NIF, "endIndex"), _typed(ev.end, "integer")
    yield ev_node, _v(NIF, "referenceContext"), doc
    # the cross-article claim this statement supports, and the direct triple
    # the direct triple states the fact; the content of a confirmation or denial alone is not stated
    if fact.subject and (fact.object or fact.claim) and not fact.is_claim:
        target = fact.object or fact.claim
        yield _n(fact.subject), pred, _n(target)
    if fact.predicate not in ("confirms", "denies"):
        claim = _n(claim_of(fact))
        yield node, _v(KG, "aboutClaim"), claim
        yield claim, TYPE, _v(KG, "Claim")
        yield claim, LABEL, _lit(claim_label(fact, entities), "en")
        yield claim, _v(KG, "predicate"), pred
        if fact.subject:
            yield claim, _v(KG, "subject"), _n(fact.subject)
        if fact.object:
            yield claim, _v(KG, "object"), _n(fact.object)


def article_quads(result: ArticleResult) -> list[ox.Quad]:
    """All quads of one article, in the named graph whose IRI is the article's IRI."""
    art = result.article
    doc = _n(art.iri)
    triples: list[tuple] = [
        (doc, TYPE, _v(KG, "Article")),
        (doc, _v(KG, "sourcePath"), _lit(art.source)),
        (doc, _v(KG, "contentHash"), _lit(art.content_hash)),
        (doc, _n(_DCT + "language"), _lit(art.lang)),
        (doc, _v(NIF, "isString"), _lit(art.text)),
        (doc, _v(KG, "sentenceCount"), _typed(len(result.sentences), "integer")),
    ]
    if art.title:
        triples.append((doc, _n(_DCT + "title"), _lit(art.title, art.lang)))
    if art.publisher:
        triples.append((doc, _n(_DCT + "publisher"), _lit(art.publisher)))
    if art.author:
        triples.append((doc, _n(_DCT + "creator"), _lit(art.author)))
    if art.published:
        triples.append((doc, _n(_DCT + "issued"), time_literal(art.published)))
    if art.url and re.match(r"https?://", art.url):
        triples.append((doc, _v(SCHEMA, "url"), _typed(art.url, "anyURI")))
    for entity in result.entities:
        triples.extend(_entity_triples(entity, art.lang))
    mention, anchor, begin, end, context, ident, mentions = (
        _v(KG, "Mention"), _v(NIF, "anchorOf"), _v(NIF, "beginIndex"), _v(NIF, "endIndex"),
        _v(NIF, "referenceContext"), _v(ITSRDF, "taIdentRef"), _v(KG, "mentions"))
    for m in result.mentions:
        node = _n(mention_iri(art.iri, m.start, m.end, m.entity))
        target = _n(m.entity)
        triples += [
            (node, TYPE, mention),
            (node, anchor, _lit(m.text)),
            (node, begin, _typed(m.start, "integer")),
            (node, end, _typed(m.end, "integer")),
            (node, context, doc),
            (node, ident, target),
            (doc, mentions, target),
        ]
    entities = {e.iri: e for e in result.entities}
    for fact in result.facts:
        triples.extend(_fact_triples(fact, doc, entities))
    # each once (an entity is mentioned many times, a claim stated by many facts), first come first
    return [ox.Quad(s, p, o, doc) for s, p, o in dict.fromkeys(triples)]


def to_rdflib(quads: Iterable[ox.Quad]):
    """The same quads as an rdflib ``Dataset`` (for rdflib users and isomorphism checks).

    ``xsd:string`` literals become plain rdflib literals, as rdflib's parsers
    make them, so graphs compare equal whichever way they were read.
    """
    from rdflib import BNode, Dataset, Literal, URIRef

    xsd_string = _XSD + "string"

    def conv(term):
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            if term.datatype.value == xsd_string:
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        return None

    ds = Dataset()
    graphs: dict = {}
    for q in quads:
        name = q.graph_name
        graph = graphs.get(name)
        if graph is None:
            graph = graphs[name] = (ds.default_graph if isinstance(name, ox.DefaultGraph)
                                    else ds.graph(conv(name)))
        graph.add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return ds
