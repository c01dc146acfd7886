"""The ``kg facts`` / ``kg entities`` JSON-lines rows, read back from the store.

Rows follow the schemas of the design exactly (one entity row per article and
entity, one fact row per statement, claims included as rows of their own), so
they cover every stored article, whichever build stored it. Order is
deterministic: by source, then offsets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kg.store import KGStore
from kg.vocab import KG

_KG = str(KG._NS)
_WD = "http://www.wikidata.org/entity/"

_ENTITY_QUERY = """
SELECT ?g ?src ?ent ?type ?label ?lang ?name ?wd WHERE {
  GRAPH ?g {
    ?g kg:sourcePath ?src .
    ?ent a ?type .
    FILTER(?type IN (kg:Person, kg:Organization, kg:Country, kg:Location))
    OPTIONAL { ?ent rdfs:label ?label . BIND(LANG(?label) AS ?lang) }
    OPTIONAL { ?ent skos:altLabel ?name }
    OPTIONAL { ?ent owl:sameAs ?wd }
  }
}"""

_MENTION_QUERY = """
SELECT ?g ?ent ?b ?e WHERE {
  GRAPH ?g { ?m a kg:Mention ; itsrdf:taIdentRef ?ent ; nif:beginIndex ?b ; nif:endIndex ?e . }
}"""

_FACT_QUERY = """
SELECT ?g ?src ?f ?pred ?s ?o ?claim ?qmin ?qmax ?qunit ?time ?loc ?conf ?text ?b ?e ?attr ?hedged WHERE {
  GRAPH ?g {
    ?g kg:sourcePath ?src .
    ?f a kg:Statement ; kg:predicate ?pred ; kg:confidence ?conf ; kg:evidence ?ev .
    ?ev nif:anchorOf ?text ; nif:beginIndex ?b ; nif:endIndex ?e .
    OPTIONAL { ?f kg:subject ?s }
    OPTIONAL { ?f kg:object ?o }
    OPTIONAL { ?f kg:claim ?claim }
    OPTIONAL { ?f kg:quantityMin ?qmin ; kg:quantityMax ?qmax ; kg:quantityUnit ?qunit }
    OPTIONAL { ?f kg:time ?time }
    OPTIONAL { ?f kg:location ?loc }
    OPTIONAL { ?f prov:wasAttributedTo ?attr }
    OPTIONAL { ?f kg:hedged ?hedged }
  }
}"""


def _value(term) -> str | None:
    return None if term is None else term.value


def _entities_by_graph(store: KGStore) -> dict[tuple[str, str], dict]:
    """Entity descriptions per (graph, entity IRI)."""
    out: dict[tuple[str, str], dict] = {}
    for row in store.query(_ENTITY_QUERY):
        g, ent = row["g"].value, row["ent"].value
        item = out.setdefault((g, ent), {
            "source": row["src"].value, "id": ent, "type": row["type"].value.removeprefix(_KG),
            "labels": {}, "names": [], "wikidata": None,
        })
        if row["label"] is not None:
            item["labels"][_value(row["lang"]) or ""] = row["label"].value
        name = _value(row["name"])
        if name and name not in item["names"]:
            item["names"].append(name)
        if row["wd"] is not None and row["wd"].value.startswith(_WD):
            item["wikidata"] = row["wd"].value.removeprefix(_WD)
    return out


def _entity_object(item: dict | None, iri: str | None) -> dict | None:
    if iri is None:
        return None
    if item is None:
        return {"id": iri, "label": None, "type": None, "names": [], "wikidata": None}
    labels = item["labels"]
    label = labels.get("en") or labels.get("") or next(iter(labels.values()), None)
    return {"id": item["id"], "label": label, "type": item["type"], "names": sorted(item["names"]),
            "wikidata": item["wikidata"]}


def entity_rows(store: KGStore) -> Iterator[dict]:
    """One row per article and entity: doc, source, id, label, type, names, wikidata, mentions."""
    entities = _entities_by_graph(store)
    mentions: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    for row in store.query(_MENTION_QUERY):
        mentions[(row["g"].value, row["ent"].value)].append([int(row["b"].value), int(row["e"].value)])
    rows = []
    for (g, ent), item in entities.items():
        spans = sorted(mentions.get((g, ent), []))
        obj = _entity_object(item, ent)
        rows.append({"doc": g, "source": item["source"], **obj, "mentions": spans})
    rows.sort(key=lambda r: (r["source"], r["mentions"][0] if r["mentions"] else [1 << 62], r["id"]))
    yield from rows


def fact_rows(store: KGStore) -> Iterator[dict]:
    """One row per statement, in the ``kg facts`` schema."""
    entities = _entities_by_graph(store)
    rows = []
    for row in store.query(_FACT_QUERY):
        g = row["g"].value

        def ent(var: str, row=row, g=g) -> dict | None:
            iri = _value(row[var])
            return _entity_object(entities.get((g, iri)), iri) if iri else None

        quantity = None
        if row["qmin"] is not None:
            quantity = {"min": int(row["qmin"].value), "max": int(row["qmax"].value),
                        "unit": row["qunit"].value}
        rows.append({
            "id": row["f"].value, "doc": g, "source": row["src"].value,
            "predicate": row["pred"].value.removeprefix(_KG),
            "subject": ent("s"), "object": ent("o"), "claim": _value(row["claim"]),
            "quantity": quantity, "time": _value(row["time"]), "location": ent("loc"),
            "evidence": {"text": row["text"].value, "start": int(row["b"].value), "end": int(row["e"].value)},
            "confidence": float(row["conf"].value),
            "attributed_to": ent("attr"),
            "hedged": _value(row["hedged"]) == "true",
        })
    rows.sort(key=lambda r: (r["source"], r["evidence"]["start"], r["predicate"], r["id"]))
    yield from rows
