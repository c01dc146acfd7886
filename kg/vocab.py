"""kg's RDF vocabulary and the rules that make stable IRIs.

``KG`` is the ontology namespace (classes and properties documented in
``ontology/kg.ttl``); ``KGR`` is where instances live (articles, entities,
facts, claims). A typo in a term is an ``AttributeError`` at import time
because ``KG`` is a ``DefinedNamespace`` with ``_fail = True``.

IRIs never depend on the order of processing or the machine: an article's
comes from its content hash, an entity's from its Wikidata id or its type and
normalised name, a fact's from its article, relation, participants and span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/kgnews/"


class KG(DefinedNamespace):
    """Terms of the kg ontology (``ontology/kg.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Article: URIRef
    Entity: URIRef
    Person: URIRef
    Organization: URIRef
    Country: URIRef
    Location: URIRef
    Statement: URIRef
    Claim: URIRef
    Mention: URIRef
    Evidence: URIRef
    # relations (direct triples) and claim predicates
    deploys: URIRef
    confirms: URIRef
    denies: URIRef
    retakes: URIRef
    withdraws: URIRef
    asserts: URIRef
    # statement structure
    predicate: URIRef
    subject: URIRef
    object: URIRef
    claim: URIRef
    aboutClaim: URIRef
    isClaimOnly: URIRef
    quantityMin: URIRef
    quantityMax: URIRef
    quantityUnit: URIRef
    quantityText: URIRef
    time: URIRef
    location: URIRef
    confidence: URIRef
    hedged: URIRef
    trigger: URIRef
    evidence: URIRef
    # articles and entities
    sourcePath: URIRef
    contentHash: URIRef
    sentenceCount: URIRef
    entityKey: URIRef
    mentions: URIRef


WD = Namespace("http://www.wikidata.org/entity/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
KGR = Namespace(BASE + "id/")

PREFIXES = {
    "kg": str(KG._NS),
    "kgr": str(KGR),
    "wd": str(WD),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def sparql_prefixes() -> str:
    """The PREFIX lines every kg query may use."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def normalise_text(text: str) -> str:
    """NFC, whitespace collapsed, stripped: the form an article's hash is taken of."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    """Hex SHA-256 of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def _digest(*parts: object) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def slug(name: str) -> str:
    """Lower-case, accent-free, hyphen-joined form of a name, percent-encoded for an IRI."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80]
    if not text:
        # names in scripts that fold to nothing keep their own letters, encoded (cut before
        # encoding: a cut inside a %XX escape is not an IRI)
        text = quote(unicodedata.normalize("NFC", name).casefold().strip()[:24], safe="")
    return text or "unnamed"


def article_iri(hash_hex: str) -> str:
    return f"{KGR}article/{hash_hex[:16]}"


def entity_iri(type_: str, name: str, wikidata: str | None = None) -> str:
    if wikidata:
        return f"{KGR}entity/{quote(wikidata, safe='')}"
    return f"{KGR}entity/{type_.lower()}/{slug(name)}"


def fact_iri(article: str, predicate: str, subject: str | None, obj: str | None,
             claim: str | None, start: int, end: int) -> str:
    return f"{KGR}fact/{_digest(article, predicate, subject, obj, claim, start, end)}"


def claim_iri(predicate: str, subject: str | None, obj: str | None) -> str:
    """The cross-article claim: same relation between the same entities."""
    return f"{KGR}claim/{_digest(predicate, subject, obj)}"


def mention_iri(article: str, start: int, end: int, entity: str = "") -> str:
    """A mention names one entity; the same span may name two ("Seoul": the city and its government)."""
    return f"{article}/mention/{start}-{end}-{_digest(entity)[:8]}"


def evidence_iri(article: str, start: int, end: int) -> str:
    return f"{article}/sentence/{start}-{end}"


def relation_iri(predicate: str) -> str:
    """The ontology property of a relation or claim predicate (``deploys`` -> ``kg:deploys``)."""
    return str(KG._NS) + quote(predicate, safe="")
