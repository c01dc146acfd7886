"""The ``kg facts`` and ``kg entities`` JSON lines, read back from the store.

Rows are built from what the store holds (SPARQL over each article's named
graph), not from the last build's memory, so an incremental build lists every
stored article. The schemas are those of the design notes:

* entities, one row per article and entity: ``doc``, ``source``, ``id``,
  ``label``, ``type``, ``names``, ``wikidata``, ``mentions`` (``[[start, end], ...]``);
* facts, one row per statement: ``id``, ``doc``, ``source``, ``predicate``,
  ``subject``, ``object``, ``claim``, ``quantity``, ``time``, ``location``,
  ``evidence``, ``confidence``, ``attributed_to``, ``hedged``; entity fields
  (subject, object, location, attributed_to) are ``{id, label, type, names,
  wikidata}`` objects or null.

Order is deterministic: articles by source (then IRI), entities by their first
mention, facts by evidence offsets. An entity's ``label`` is its English
``rdfs:label``, else a label without a language, else any label; ``names``
are its ``skos:altLabel`` values in the order the article first uses them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import unquote

import pyoxigraph as ox

from kg.model import ENTITY_TYPES
from kg.store import KGStore
from kg.vocab import KG, PREFIXES, WD

_KG = str(KG._NS)
_RDF_TYPE = PREFIXES["rdf"] + "type"
_LABEL = PREFIXES["rdfs"] + "label"
_ALT = PREFIXES["skos"] + "altLabel"
_SAME_AS = PREFIXES["owl"] + "sameAs"
_TYPES = {_KG + t: t for t in ENTITY_TYPES}

_ARTICLES = """SELECT ?g ?source WHERE { GRAPH ?g { ?g a kg:Article ; kg:sourcePath ?source } }
ORDER BY ?source ?g"""

_ENTITY_VALUES = """SELECT ?g ?e ?p ?v WHERE { GRAPH ?g {
  ?e a ?t . FILTER(?t IN (kg:Person, kg:Organization, kg:Country, kg:Location))
  ?e ?p ?v . FILTER(?p IN (rdf:type, rdfs:label, skos:altLabel, owl:sameAs))
} }"""

_MENTIONS = """SELECT ?g ?e ?start ?end ?text WHERE { GRAPH ?g {
  ?m a kg:Mention ; itsrdf:taIdentRef ?e ; nif:beginIndex ?start ; nif:endIndex ?end .
  OPTIONAL { ?m nif:anchorOf ?text }
} }"""

_STATEMENT_VALUES = """SELECT ?g ?f ?p ?v WHERE { GRAPH ?g { ?f a kg:Statement ; ?p ?v } }"""

_EVIDENCE = """SELECT ?g ?f ?text ?start ?end WHERE { GRAPH ?g {
  ?f a kg:Statement ; kg:evidence ?ev .
  ?ev nif:beginIndex ?start ; nif:endIndex ?end .
  OPTIONAL { ?ev nif:anchorOf ?text }
} }"""


@dataclass
class _Entity:
    iri: str
    types: set[str] = field(default_factory=set)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (language, text)
    names: set[str] = field(default_factory=set)
    wikidata: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def label(self) -> str | None:
        def rank(item: tuple[str, str]) -> tuple[int, str, str]:
            lang, text = item
            if lang == "en" or lang.startswith("en-"):
                return (0, lang, text)
            return (1 if not lang else 2, lang, text)

        return min(self.labels, key=rank)[1] if self.labels else None

    @property
    def type(self) -> str | None:
        found = [_TYPES[t] for t in self.types if t in _TYPES]
        return min(found, key=ENTITY_TYPES.index) if found else None

    def ordered_names(self) -> list[str]:
        first: dict[str, int] = {}
        for start, _end, text in sorted(self.mentions):
            first.setdefault(text, start)
        return sorted(self.names, key=lambda n: (first.get(n, float("inf")), n.casefold(), n))

    def obj(self) -> dict[str, Any]:
        return {"id": self.iri, "label": self.label, "type": self.type, "names": self.ordered_names(),
                "wikidata": min(self.wikidata) if self.wikidata else None}


def _value(term: Any) -> Any:
    return None if term is None else term.value


def _int(term: Any) -> int:
    return int(term.value)


def _bound(store: KGStore, sparql: str, graph: ox.NamedNode):
    return store.query(sparql, bindings={"g": graph})


def _articles(store: KGStore) -> list[tuple[ox.NamedNode, str]]:
    return [(row["g"], row["source"].value) for row in store.query(_ARTICLES)]


def _entities(store: KGStore, graph: ox.NamedNode) -> dict[str, _Entity]:
    entities: dict[str, _Entity] = {}
    for row in _bound(store, _ENTITY_VALUES, graph):
        iri, pred, value = row["e"].value, row["p"].value, row["v"]
        entity = entities.setdefault(iri, _Entity(iri))
        if pred == _RDF_TYPE:
            entity.types.add(value.value)
        elif pred == _LABEL and isinstance(value, ox.Literal):
            entity.labels.append((value.language or "", value.value))
        elif pred == _ALT and isinstance(value, ox.Literal):
            entity.names.add(value.value)
        elif pred == _SAME_AS and value.value.startswith(str(WD)):
            entity.wikidata.add(value.value[len(str(WD)):])
    for row in _bound(store, _MENTIONS, graph):
        entity = entities.setdefault(row["e"].value, _Entity(row["e"].value))
        entity.mentions.append((_int(row["start"]), _int(row["end"]), _value(row["text"]) or ""))
    return entities


def entity_rows(store: KGStore) -> Iterator[dict[str, Any]]:
    """One row per article and entity, articles by source, entities by first mention."""
    for entities, _facts in article_rows(store, facts=False):
        yield from entities


def fact_rows(store: KGStore) -> Iterator[dict[str, Any]]:
    """One row per statement, articles by source, statements by evidence offsets."""
    for _entities, facts in article_rows(store, entities=False):
        yield from facts


def article_rows(store: KGStore, *, entities: bool = True,
                 facts: bool = True) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per article (by source): its entity rows and its fact rows, the graph read once for both."""
    for graph, source in _articles(store):
        known = _entities(store, graph)
        yield (_entity_rows(known, graph, source) if entities else [],
               _fact_rows(store, known, graph, source) if facts else [])


def _entity_rows(entities: dict[str, _Entity], graph: ox.NamedNode, source: str) -> list[dict[str, Any]]:
    def order(e: _Entity) -> tuple:
        first = min(e.mentions)[:2] if e.mentions else (float("inf"), float("inf"))
        return (*first, e.label or "", e.iri)

    rows = []
    for entity in sorted(entities.values(), key=order):
        row = {"doc": graph.value, "source": source, **entity.obj()}
        row["mentions"] = [[s, e] for s, e, _ in sorted(set(entity.mentions))]
        rows.append(row)
    return rows


def _entity_obj(entities: dict[str, _Entity], iri: str | None) -> dict[str, Any] | None:
    if iri is None:
        return None
    return (entities.get(iri) or _Entity(iri)).obj()


def _predicate_name(iri: str) -> str:
    return unquote(iri[len(_KG):]) if iri.startswith(_KG) else iri


def _fact_rows(store: KGStore, entities: dict[str, _Entity], graph: ox.NamedNode,
               source: str) -> list[dict[str, Any]]:
    values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in _bound(store, _STATEMENT_VALUES, graph):
        values[row["f"].value][row["p"].value].append(row["v"])
    evidence: dict[str, dict[str, Any]] = {}
    for row in _bound(store, _EVIDENCE, graph):
        evidence[row["f"].value] = {"text": _value(row["text"]), "start": _int(row["start"]),
                                    "end": _int(row["end"])}

    rows = []
    for iri, props in values.items():
        def one(prop: str, props: dict[str, list] = props) -> Any:
            found = sorted(props.get(prop, ()), key=str)
            return found[0] if found else None

        pred = one(str(KG.predicate))
        qmin, qmax = one(str(KG.quantityMin)), one(str(KG.quantityMax))
        quantity = None
        if qmin is not None and qmax is not None:
            quantity = {"min": _int(qmin), "max": _int(qmax),
                        "unit": _value(one(str(KG.quantityUnit))) or "troops"}
        confidence = one(str(KG.confidence))
        hedged = one(str(KG.hedged))
        rows.append({
            "id": iri,
            "doc": graph.value,
            "source": source,
            "predicate": _predicate_name(pred.value) if pred is not None else None,
            "subject": _entity_obj(entities, _value(one(str(KG.subject)))),
            "object": _entity_obj(entities, _value(one(str(KG.object)))),
            "claim": _value(one(str(KG.claim))),
            "quantity": quantity,
            "time": _value(one(str(KG.time))),
            "location": _entity_obj(entities, _value(one(str(KG.location)))),
            "evidence": evidence.get(iri),
            "confidence": float(confidence.value) if confidence is not None else None,
            "attributed_to": _entity_obj(entities, _value(one(PREFIXES["prov"] + "wasAttributedTo"))),
            "hedged": hedged is not None and hedged.value in ("true", "1"),
        })

    def order(row: dict[str, Any]) -> tuple:
        ev = row["evidence"] or {"start": -1, "end": -1}
        return (ev["start"], ev["end"], row["predicate"] or "", row["id"])

    return sorted(rows, key=order)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write rows as JSON lines (UTF-8 text, not ASCII-escaped); the number written."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
