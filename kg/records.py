"""The ``kg facts`` and ``kg entities`` JSON lines, read back from the store.

Rows are built from an article graph's quads: ``kg facts`` and ``kg
entities`` read them back from the store, so an incremental build lists every
stored article; a build makes the rows of the articles it has just extracted
from the same quads before storing them (:func:`rows_of_graph`). The schemas are those of the design notes:

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
_WD = str(WD)
_NIF = PREFIXES["nif"]
_SOURCE, _MENTION, _STATEMENT, _EVIDENCE = (_KG + name for name in ("sourcePath", "Mention", "Statement", "evidence"))
_BEGIN, _END, _ANCHOR = (_NIF + name for name in ("beginIndex", "endIndex", "anchorOf"))
_IDENT = PREFIXES["itsrdf"] + "taIdentRef"

_ARTICLES = """SELECT ?g WHERE { GRAPH ?g { ?g a kg:Article ; kg:sourcePath ?source } }
ORDER BY ?source ?g"""

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


def article_graphs(store: KGStore) -> list[str]:
    """The article graphs' IRIs in output order (by source, then IRI)."""
    return [row["g"].value for row in store.query(_ARTICLES)]


def entity_rows(store: KGStore) -> Iterator[dict[str, Any]]:
    """One row per article and entity, articles by source, entities by first mention."""
    for entities, _facts in article_rows(store):
        yield from entities


def fact_rows(store: KGStore) -> Iterator[dict[str, Any]]:
    """One row per statement, articles by source, statements by evidence offsets."""
    for _entities, facts in article_rows(store):
        yield from facts


def article_rows(store: KGStore) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per article (by source): its entity rows and its fact rows, the graph read once for both."""
    for graph in article_graphs(store):
        yield rows_of_graph(graph, store.quads(graph))


def rows_of_graph(graph: str, quads: Iterable[ox.Quad]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The entity rows and fact rows of one article graph, from its quads.

    A build computes them from the quads it has just made, ``kg facts`` from
    the quads it reads back: the same function, so the same rows.
    """
    props: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        props[q.subject][q.predicate.value].append(q.object)
    node = ox.NamedNode(graph)
    sources = props[node][_SOURCE] if node in props else []
    source = min(v.value for v in sources) if sources else ""
    types = {subject: {t.value for t in values.get(_RDF_TYPE, ()) if isinstance(t, ox.NamedNode)}
             for subject, values in props.items()}
    entities = _entities_of(props, types)
    return _entity_rows(entities, graph, source), _fact_rows(props, types, entities, graph, source)


def _entities_of(props: dict[Any, dict[str, list[Any]]], types: dict[Any, set[str]]) -> dict[str, _Entity]:
    entities: dict[str, _Entity] = {}
    for subject, values in props.items():
        if types[subject] & _TYPES.keys():
            entity = entities.setdefault(subject.value, _Entity(subject.value))
            entity.types |= types[subject]
            entity.labels += [(v.language or "", v.value) for v in values.get(_LABEL, ()) if isinstance(v, ox.Literal)]
            entity.names |= {v.value for v in values.get(_ALT, ()) if isinstance(v, ox.Literal)}
            entity.wikidata |= {v.value[len(_WD):] for v in values.get(_SAME_AS, ()) if v.value.startswith(_WD)}
    for subject, values in props.items():
        if _MENTION not in types[subject]:
            continue
        texts = [v.value for v in values.get(_ANCHOR, ())] or [""]
        for target in values.get(_IDENT, ()):
            entity = entities.setdefault(target.value, _Entity(target.value))
            entity.mentions += [(int(start.value), int(end.value), text) for start in values.get(_BEGIN, ())
                                for end in values.get(_END, ()) for text in texts]
    return entities


def _entity_rows(entities: dict[str, _Entity], graph: str, source: str) -> list[dict[str, Any]]:
    def order(e: _Entity) -> tuple:
        first = min(e.mentions)[:2] if e.mentions else (float("inf"), float("inf"))
        return (*first, e.label or "", e.iri)

    rows = []
    for entity in sorted(entities.values(), key=order):
        row = {"doc": graph, "source": source, **entity.obj()}
        row["mentions"] = [[s, e] for s, e, _ in sorted(set(entity.mentions))]
        rows.append(row)
    return rows


def _entity_obj(entities: dict[str, _Entity], iri: str | None) -> dict[str, Any] | None:
    if iri is None:
        return None
    return (entities.get(iri) or _Entity(iri)).obj()


def _predicate_name(iri: str) -> str:
    return unquote(iri[len(_KG):]) if iri.startswith(_KG) else iri


def _evidence_of(props: dict[Any, dict[str, list[Any]]], values: dict[str, list[Any]]) -> dict[str, Any] | None:
    found = None
    for ev in values.get(_EVIDENCE, ()):
        of = props.get(ev, {})
        texts = [v.value for v in of.get(_ANCHOR, ())] or [None]
        for start in of.get(_BEGIN, ()):
            for end in of.get(_END, ()):
                for text in texts:
                    found = {"text": text, "start": int(start.value), "end": int(end.value)}
    return found


def _fact_rows(props: dict[Any, dict[str, list[Any]]], types: dict[Any, set[str]], entities: dict[str, _Entity],
               graph: str, source: str) -> list[dict[str, Any]]:
    rows = []
    for subject, values in props.items():
        if _STATEMENT not in types[subject]:
            continue

        def one(prop: str, values: dict[str, list[Any]] = values) -> Any:
            found = sorted(values.get(prop, ()), key=str)
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
            "id": subject.value,
            "doc": graph,
            "source": source,
            "predicate": _predicate_name(pred.value) if pred is not None else None,
            "subject": _entity_obj(entities, _value(one(str(KG.subject)))),
            "object": _entity_obj(entities, _value(one(str(KG.object)))),
            "claim": _value(one(str(KG.claim))),
            "quantity": quantity,
            "time": _value(one(str(KG.time))),
            "location": _entity_obj(entities, _value(one(str(KG.location)))),
            "evidence": _evidence_of(props, values),
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
