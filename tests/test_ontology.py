"""The ontology, the shapes and the JSON-LD context agree with kg.vocab and kg.rdf."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from kg.ontology import jsonld_context, load_turtle
from kg.vocab import KG, PREFIXES

KGNS = str(KG._NS)
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
TERMS = sorted(KG.__annotations__)
DECLARING = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_turtle("kg.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_turtle("shapes.ttl")


@pytest.mark.parametrize("term", TERMS)
def test_every_vocab_term_is_declared_with_labels_and_comment(ontology: Graph, term: str) -> None:
    iri = URIRef(KGNS + term)
    assert any((iri, RDF.type, kind) in ontology for kind in DECLARING), f"kg:{term} is not declared"
    labels = {lit.language for lit in ontology.objects(iri, RDFS.label) if isinstance(lit, Literal)}
    assert {"en", "id"} <= labels, f"kg:{term} needs rdfs:label @en and @id, has {labels}"
    comments = list(ontology.objects(iri, RDFS.comment))
    assert comments and all(len(str(c)) > 20 for c in comments), f"kg:{term} needs an rdfs:comment"


def test_nothing_declared_is_missing_from_the_vocabulary(ontology: Graph) -> None:
    declared = {str(s)[len(KGNS):] for kind in DECLARING for s in ontology.subjects(RDF.type, kind)
                if str(s).startswith(KGNS)}
    assert declared == set(TERMS)


@pytest.mark.parametrize("cls, parent", [
    ("Article", SCHEMA.NewsArticle), ("Person", SCHEMA.Person), ("Organization", SCHEMA.Organization),
    ("Country", SCHEMA.Country), ("Location", SCHEMA.Place), ("Person", URIRef(KGNS + "Entity")),
    ("Statement", URIRef(PREFIXES["prov"] + "Entity")),
    ("Mention", URIRef(PREFIXES["nif"] + "Phrase")), ("Evidence", URIRef(PREFIXES["nif"] + "String")),
])
def test_classes_sit_under_standard_vocabularies(ontology: Graph, cls: str, parent: URIRef) -> None:
    assert (URIRef(KGNS + cls), RDFS.subClassOf, parent) in ontology


@pytest.mark.parametrize("cls", ["Article", "Entity", "Mention", "Statement", "Evidence", "Claim"])
def test_every_class_kg_writes_has_a_shape(shapes: Graph, cls: str) -> None:
    assert (None, SH.targetClass, URIRef(KGNS + cls)) in shapes


def test_context_declares_the_prefixes_and_a_term_per_vocab_term() -> None:
    context = jsonld_context()
    for prefix, iri in PREFIXES.items():
        assert context[prefix] == iri
    defined = set()
    for value in context.values():
        target = value["@id"] if isinstance(value, dict) else value
        if isinstance(target, str) and target.startswith("kg:"):
            defined.add(target[3:])
    assert defined == set(TERMS)
