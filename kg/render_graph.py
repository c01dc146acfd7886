"""The graph behind the HTML page: the store read into networkx, and the part to draw.

:func:`graph_from_store` reads the store (all article graphs) into
a ``MultiDiGraph``: entities are nodes; facts are edges grouped by (relation,
subject, object), each keeping every supporting statement; a claim somebody
confirmed or denied is a small node of its own ("North Korea deploys Russia"),
linked to the claimed relation's ends, with ``confirms``/``denies`` edges from
each speaker. Statements that only exist as the content of a confirmation or
denial are evidence on that claim node, never support for the relation.
:func:`select` cuts the ego graph of an entity and keeps the most central nodes.
Nothing here knows about HTML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from urllib.parse import unquote

import networkx as nx

from kg.errors import RenderError
from kg.model import ENTITY_TYPES
from kg.store import KGStore
from kg.vocab import KG, WD

CLAIM = "Claim"
OTHER = "Entity"  # a fact names it but no article typed it

_KG = str(KG._NS)

# -- reading the store --------------------------------------------------------------------------

_ARTICLES_Q = """
SELECT ?g ?src ?title ?pub ?issued ?url WHERE { GRAPH ?g { ?g a kg:Article .
  OPTIONAL { ?g kg:sourcePath ?src } OPTIONAL { ?g dcterms:title ?title }
  OPTIONAL { ?g dcterms:publisher ?pub } OPTIONAL { ?g dcterms:issued ?issued }
  OPTIONAL { ?g schema:url ?url } } }
"""
_TYPES = " ".join(f"kg:{t}" for t in ENTITY_TYPES)
_ENTITIES_Q = "SELECT ?g ?e ?t WHERE { GRAPH ?g { ?e a ?t } VALUES ?t { " + _TYPES + " } }"
_LABELS_Q = ("SELECT ?e ?p ?v WHERE { ?e a ?t . VALUES ?t { " + _TYPES + " } "
             "VALUES ?p { rdfs:label skos:altLabel owl:sameAs } ?e ?p ?v }")
_FACTS_Q = """
SELECT * WHERE { GRAPH ?g {
  ?f a kg:Statement ; kg:predicate ?pred .
  OPTIONAL { ?f kg:subject ?s } OPTIONAL { ?f kg:object ?o } OPTIONAL { ?f kg:claim ?claim }
  OPTIONAL { ?f kg:aboutClaim ?about } OPTIONAL { ?f kg:confidence ?conf }
  OPTIONAL { ?f kg:quantityMin ?qmin } OPTIONAL { ?f kg:quantityMax ?qmax }
  OPTIONAL { ?f kg:quantityUnit ?qunit } OPTIONAL { ?f kg:quantityText ?qtext }
  OPTIONAL { ?f kg:time ?time } OPTIONAL { ?f kg:location ?loc } OPTIONAL { ?f kg:hedged ?hedged }
  OPTIONAL { ?f kg:isClaimOnly ?isclaim } OPTIONAL { ?f kg:trigger ?trigger }
  OPTIONAL { ?f prov:wasAttributedTo ?attr }
  OPTIONAL { ?f kg:evidence ?ev . ?ev nif:anchorOf ?text ; nif:beginIndex ?begin ; nif:endIndex ?end }
} }
"""


def _solutions(store: KGStore, sparql: str, names: Iterable[str]) -> list[dict[str, str]]:
    names = tuple(names)
    out = []
    for sol in store.query(sparql):
        row = {}
        for name in names:
            term = sol[name]
            if term is not None:
                row[name] = term.value
        out.append(row)
    return out


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL without spaces or control characters, else None."""
    if url and re.fullmatch(r"https?://[^\s\x00-\x1f\x7f]+", url, flags=re.IGNORECASE):
        return url
    return None


def _relation(iri: str) -> str:
    return unquote(iri[len(_KG):]) if iri.startswith(_KG) else iri.rsplit("/", 1)[-1]


def tail(iri: str) -> str:
    """The last path segment of an IRI, decoded (a fallback label)."""
    return unquote(re.split(r"[/#]", iri.rstrip("/"))[-1]) or iri


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _pick_label(labels: dict[str, str]) -> str | None:
    for lang in ("en", ""):
        if lang in labels:
            return labels[lang]
    return labels[sorted(labels)[0]] if labels else None


def _load_entities(store: KGStore, articles: dict[str, int]) -> dict[str, dict]:
    entities: dict[str, dict] = {}
    for row in _solutions(store, _ENTITIES_Q, ("g", "e", "t")):
        ent = entities.setdefault(row["e"], {"types": set(), "articles": set(), "labels": {},
                                             "names": set(), "wikidata": None})
        ent["types"].add(_relation(row["t"]))
        if row["g"] in articles:
            ent["articles"].add(articles[row["g"]])
    for sol in store.query(_LABELS_Q):
        if sol["e"].value not in entities:
            continue
        ent = entities[sol["e"].value]
        prop, value = sol["p"].value, sol["v"]
        if prop.endswith("#label"):
            lang = getattr(value, "language", None) or ""
            # several articles may label an entity: keep the smallest for a stable choice
            if lang not in ent["labels"] or value.value < ent["labels"][lang]:
                ent["labels"][lang] = value.value
        elif prop.endswith("#altLabel"):
            ent["names"].add(value.value)
        elif value.value.startswith(str(WD)) and re.fullmatch(r"Q\d+", value.value[len(str(WD)):]):
            ent["wikidata"] = value.value[len(str(WD)):]
    for iri, ent in entities.items():
        ent["type"] = next(t for t in ENTITY_TYPES if t in ent["types"])
        ent["label"] = _pick_label(ent["labels"]) or (sorted(ent["names"])[0] if ent["names"] else tail(iri))
        ent["names"] = sorted((set(ent["labels"].values()) | ent["names"]) - {ent["label"]})
    return entities


def _load_facts(store: KGStore, articles: dict[str, int]) -> dict[str, dict]:
    facts: dict[str, dict] = {}
    names = ("g", "f", "pred", "s", "o", "claim", "about", "conf", "qmin", "qmax", "qunit", "qtext",
             "time", "loc", "hedged", "isclaim", "trigger", "attr", "text", "begin", "end")
    for r in _solutions(store, _FACTS_Q, names):
        if r["f"] in facts:
            continue
        qmin, qmax = _int(r.get("qmin")), _int(r.get("qmax"))
        quantity = None
        if qmin is not None or qmax is not None:
            quantity = {"min": qmin, "max": qmax, "unit": r.get("qunit"), "text": r.get("qtext")}
        facts[r["f"]] = {
            "id": r["f"], "relation": _relation(r["pred"]), "subject": r.get("s"), "object": r.get("o"),
            "claim": r.get("claim"), "about": r.get("about"), "article": articles.get(r["g"]),
            "text": r.get("text"), "start": _int(r.get("begin")), "end": _int(r.get("end")),
            "quantity": quantity, "time": r.get("time"), "location": r.get("loc"),
            "confidence": _float(r.get("conf")), "hedged": r.get("hedged") == "true",
            "isClaim": r.get("isclaim") == "true", "trigger": r.get("trigger"),
            "attributedTo": r.get("attr"),
        }
    return facts


def graph_from_store(store: KGStore) -> nx.MultiDiGraph:
    """The whole store as a graph: entity and claim nodes, fact edges, evidence in the attributes.

    ``G.graph`` holds ``articles`` (a list; nodes and edges refer to articles by
    index) and ``facts`` (IRI -> fact dict with the evidence sentence, figures,
    time, confidence). Node attributes: ``kind`` (entity/claim), ``type``,
    ``label``, ``names``, ``wikidata``, ``articles``, ``facts``, ``importance``.
    Edge attributes: ``relation``, ``kind`` (fact, confirms, denies, claim-subject,
    claim-object), ``facts``, ``articles``, ``hops`` (0 for a claim's own ends).
    ``G.graph["claims"]`` is the claims view per claim IRI (:func:`claim_records`).
    """
    article_rows = sorted(_solutions(store, _ARTICLES_Q, ("g", "src", "title", "pub", "issued", "url")),
                          key=lambda r: (r.get("issued") or "", r.get("src") or "", r["g"]))
    articles: list[dict] = []
    index: dict[str, int] = {}
    for row in article_rows:
        if row["g"] in index:
            if safe_url(row.get("url")) and not articles[index[row["g"]]]["url"]:
                articles[index[row["g"]]]["url"] = safe_url(row.get("url"))
            continue
        index[row["g"]] = len(articles)
        articles.append({"id": row["g"], "source": row.get("src"), "title": row.get("title"),
                         "publisher": row.get("pub"), "issued": row.get("issued"),
                         "url": safe_url(row.get("url"))})
    entities = _load_entities(store, index)
    facts = _load_facts(store, index)
    G = build_graph(articles, entities, facts)
    G.graph["claims"] = claim_records(store, index)
    return G


def claim_records(store: KGStore, articles: dict[str, int]) -> dict[str, dict]:
    """The claims view of :mod:`kg.claims` (the saved ``claims`` query), per claim IRI, for the page.

    Each record: ``label``, ``articles`` (how many), ``figures`` (the range per
    unit, as text), ``disputed``, ``conflicts`` (sources whose figures do not
    overlap, as text) and ``rows``, one per statement: ``stance``, ``source``,
    ``article`` (index into the page's articles), ``issued``, ``speaker``,
    ``figure``, ``written``, ``time``, ``saidOn``, ``when``, ``hedged``,
    ``evidence``, ``fact``, ``conflict`` (its source disagrees with another).
    """
    from kg.claims import load_claims

    out: dict[str, dict] = {}
    for claim in load_claims(store):
        conflicts = claim.figure_conflicts
        clashing = {c.a for c in conflicts} | {c.b for c in conflicts}
        rows = []
        for s in claim.statements:
            rows.append({
                "stance": s.stance, "source": s.name, "article": articles.get(s.article), "issued": s.issued,
                "speaker": s.speaker, "figure": s.figure.text if s.figure else None,
                "number": s.figure.number if s.figure else None, "unit": s.figure.unit if s.figure else None,
                "written": s.figure.written if s.figure else None, "time": s.time, "saidOn": s.said_on,
                "when": s.when, "hedged": s.hedged, "evidence": s.evidence, "fact": s.statement,
                "conflict": (s.article in clashing and s.figure is not None and s.stance != "denies")
                or (claim.disputed and s.stance == "denies"),
            })
        out[claim.iri] = {
            "label": claim.label, "articles": len(claim.articles), "figures": [f.text for f in claim.figures],
            "unit": claim.figures[0].unit if claim.figures else None,
            "disputed": claim.disputed, "conflicts": [c.text for c in conflicts],
            "rows": rows,
        }
    return out


def build_graph(articles: list[dict], entities: dict[str, dict], facts: dict[str, dict]) -> nx.MultiDiGraph:
    """Assemble the graph from plain records (see :func:`graph_from_store` for what it holds)."""
    G = nx.MultiDiGraph(articles=articles, facts=facts)
    for iri in sorted(entities):
        ent = entities[iri]
        G.add_node(iri, kind="entity", type=ent["type"], label=ent["label"], names=ent["names"],
                   wikidata=ent["wikidata"], articles=set(ent["articles"]), facts=[])

    def ensure_node(iri: str | None) -> str | None:
        if iri is not None and iri not in G:
            G.add_node(iri, kind="entity", type=OTHER, label=tail(iri), names=[], wikidata=None,
                       articles=set(), facts=[])
        return iri

    def add_edge(u: str, v: str, key: str, relation: str, kind: str, fact: dict | None,
                 hops: int = 1) -> None:
        if not G.has_edge(u, v, key):
            G.add_edge(u, v, key=key, relation=relation, kind=kind, facts=[], articles=set(), hops=hops)
        data = G.edges[u, v, key]
        if fact is not None:
            data["facts"].append(fact["id"])
            if fact["article"] is not None:
                data["articles"].add(fact["article"])

    def ensure_claim(cid: str, claimed: dict | None) -> str:
        if cid not in G:
            s = ensure_node(claimed["subject"] if claimed else None)
            o = ensure_node(claimed["object"] if claimed else None)
            rel = claimed["relation"] if claimed else "?"
            text = " ".join(x for x in (s and G.nodes[s]["label"], rel, o and G.nodes[o]["label"]) if x)
            G.add_node(cid, kind="claim", type=CLAIM, label=text, names=[], wikidata=None,
                       articles=set(), facts=[])
            if s:
                add_edge(s, cid, "claim-subject", rel, "claim-subject", None, hops=0)
            if o:
                add_edge(cid, o, "claim-object", rel, "claim-object", None, hops=0)
        return cid

    def note(node: str, fact: dict) -> None:
        G.nodes[node]["facts"].append(fact["id"])
        if fact["article"] is not None:
            G.nodes[node]["articles"].add(fact["article"])

    for fid in sorted(facts, key=lambda f: (facts[f]["article"] or 0, facts[f]["start"] or 0, f)):
        fact = facts[fid]
        s, o = ensure_node(fact["subject"]), ensure_node(fact["object"])
        if fact["relation"] in ("confirms", "denies") and fact["claim"]:
            claimed = facts.get(fact["claim"])
            cid = ensure_claim((claimed and claimed["about"]) or fact["claim"], claimed)
            if s:
                add_edge(s, cid, fact["relation"], fact["relation"], fact["relation"], fact)
            else:
                note(cid, fact)  # nobody named as the speaker: shown on the claim itself
            if fact["article"] is not None:
                G.nodes[cid]["articles"].add(fact["article"])
        elif fact["isClaim"]:
            note(ensure_claim(fact["about"] or fid, fact), fact)
        elif s and o:
            add_edge(s, o, fact["relation"], fact["relation"], "fact", fact)
        elif s:
            note(s, fact)  # a fact with one end only: listed on its node
    for u, v, k, data in G.edges(keys=True, data=True):
        if k.startswith("claim-"):
            data["articles"] = set(G.nodes[v if k == "claim-subject" else u]["articles"])
    _score(G)
    G.graph["labels"] = {n: d["label"] for n, d in G.nodes(data=True)}
    return G


def _score(G: nx.MultiDiGraph) -> None:
    """Importance = networkx degree centrality; nodes are sized by it."""
    centrality = nx.degree_centrality(G) if len(G) > 1 else dict.fromkeys(G, 1.0)
    top = max(centrality.values(), default=0) or 1.0
    for node, value in centrality.items():
        G.nodes[node]["importance"] = value
        rel = math.sqrt(value / top)
        claim = G.nodes[node]["kind"] == "claim"
        G.nodes[node]["size"] = round((8 + 8 * rel) if claim else (10 + 30 * rel), 1)


# -- choosing what to draw -------------------------------------------------------------------------

def find_entity(G: nx.MultiDiGraph, name: str) -> str:
    """The node whose IRI, label or one of its names is ``name`` (case-insensitive)."""
    wanted = name.strip().casefold()
    by_label, by_name = [], []
    for node, data in G.nodes(data=True):
        if data["kind"] != "entity":
            continue
        if node == name or data["label"].casefold() == wanted:
            by_label.append(node)
        elif any(n.casefold() == wanted for n in data["names"]):
            by_name.append(node)
    found = by_label or by_name
    if len(found) == 1:
        return found[0]
    if found:
        labels = ", ".join(sorted(f"{G.nodes[n]['label']!r} ({n})" for n in found)[:5])
        raise RenderError(f"--focus {name!r} is ambiguous: {labels}; give the entity's IRI")
    from rapidfuzz import fuzz, process

    choices: dict[str, str] = {}
    for data in G.nodes.values():
        if data["kind"] == "entity":
            for text in (data["label"], *data["names"]):
                choices.setdefault(text, data["label"])
    close = process.extract(name, list(choices), scorer=fuzz.WRatio, limit=10, score_cutoff=60)
    suggestions = list(dict.fromkeys(choices[c[0]] for c in close))[:5]
    hint = f"; close matches: {', '.join(repr(s) for s in suggestions)}" if suggestions else ""
    raise RenderError(f"no entity named {name!r} in the graph{hint}")


def select(G: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,
           max_nodes: int | None = None) -> nx.MultiDiGraph:
    """The ego graph of ``focus`` within ``depth`` hops, capped at the ``max_nodes`` most important.

    A claim diamond costs no hop to its own ends, so "X confirms (A deploys B)"
    comes whole at depth 1. Importance is the centrality in the whole graph.
    """
    H = G
    center = None
    if focus:
        if depth < 0:
            raise RenderError("--depth must be 0 or more")
        center = find_entity(G, focus)
        H = nx.ego_graph(G, center, radius=depth, undirected=True, distance="hops")
    if max_nodes is not None:
        if max_nodes < 1:
            raise RenderError("--max-nodes must be at least 1")
        if len(H) > max_nodes:
            ranked = sorted(H.nodes, key=lambda n: (n != center, -H.nodes[n]["importance"],
                                                    H.nodes[n]["label"], n))
            H = H.subgraph(ranked[:max_nodes])
    return H.copy() if H is G else H
