"""IRIs: whatever an article calls a thing, its IRI is a valid, stable, encoded IRI."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.vocab import KG, claim_iri, content_hash, entity_iri, fact_iri, mention_iri, relation_iri, slug

# names as articles write them, and as attackers do: scripts, marks, emoji, IRI and SPARQL syntax
NAMES = st.one_of(
    st.text(max_size=120),
    st.sampled_from(['Acme "Defence" } ; DROP ALL #', "<script>alert(1)</script>", "a>b<c", "x y\tz\n",
                     "%41%zz%", "Kim Jong-un", "Ким Чен Ын", "김정은", "كيم جونغ أون", "e\u0301\u0301",
                     "🙂" * 40, "\u202eevil", "?query=1#frag", "../../etc", "\\u0022", "\x00\x01"]),
)


def valid(iri: str) -> bool:
    ox.NamedNode(iri)                       # raises on anything that is not an IRI
    return URIRef(iri).n3().startswith("<") and " " not in iri and ">" not in iri and '"' not in iri


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["Person", "Organization", "Country", "Location"]), NAMES)
def test_entity_iris_are_valid_for_any_name(type_: str, name: str) -> None:
    iri = entity_iri(type_, name)
    assert valid(iri)
    assert iri == entity_iri(type_, name)   # stable
    assert "/entity/" + type_.lower() + "/" in iri


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES, st.integers(0, 10**9), st.integers(0, 10**9))
def test_fact_mention_and_claim_iris_are_valid(a: str, b: str, start: int, end: int) -> None:
    article = "https://w3id.org/kgnews/id/article/" + content_hash(a or "x")[:16]
    for iri in (fact_iri(article, "deploys", a, b, None, start, end), claim_iri("denies", a, b),
                mention_iri(article, start, end, a), relation_iri(a or "deploys")):
        assert valid(iri)


@pytest.mark.parametrize("name, expected", [
    ("Kim Jong-un", "kim-jong-un"),
    ("Korea Utara", "korea-utara"),
    ("Séoul", "seoul"),
    ('Acme "Defence" } ; DROP ALL #', "acme-defence-drop-all"),
    ("!!!", "%21%21%21"),
])
def test_slugs(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_names_in_other_scripts_keep_their_letters_encoded_whole():
    iri = entity_iri("Person", "كيم جونغ أون" * 5)      # long: cut before encoding, never inside an escape
    assert valid(iri) and "%D9%83" in iri


def test_relation_iris_are_ontology_terms():
    assert relation_iri("deploys") == str(KG.deploys)
