"""The offline HTML graph: one self-contained file an analyst can explore and trust.

:func:`render_html` reads the store into a networkx graph (:mod:`kg.render_graph`),
cuts the part to draw (``focus``/``depth``/``max_nodes``), lays out big graphs
beforehand (:mod:`kg.render_layout`), turns the graph into vis-network data with
pyvis and writes ONE HTML file with vis-network (pyvis's own copy), the page
script and styles (``kg/render_assets``) inlined, so the page makes no request.
:func:`render_records` does the same from extraction results, :func:`render_folder`
is ``kg render``, :func:`screenshot` writes a PNG of the drawn page.

Every string from an article is untrusted: the data travel as JSON in a
``<script type="application/json">`` block with ``<``, ``>``, ``&`` and every
non-ASCII character escaped, the page writes them with ``textContent`` only,
links are kept only for http(s) URLs, and a Content-Security-Policy allows no
network access and only the page's own two scripts (by hash).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import networkx as nx
from pyvis.network import Network

from kg.errors import RenderError
from kg.model import ArticleResult
from kg.rdf import article_quads
from kg.render_graph import (
    CLAIM,
    OTHER,
    build_graph,
    find_entity,
    graph_from_store,
    safe_url,
    select,
    tail,
)
from kg.render_layout import precomputed_layout
from kg.store import KGStore

TYPE_COLOURS = {
    "Person": "#4e79a7",
    "Organization": "#f28e2b",
    "Country": "#59a14f",
    "Location": "#b07aa1",
    CLAIM: "#edc948",
    OTHER: "#9d9d9d",
}
RELATION_COLOURS = {"deploys": "#34495e", "confirms": "#2e7d32", "denies": "#c62828"}
OTHER_RELATION_COLOUR = "#6d6d6d"
CLAIM_PART_COLOUR = "#a0a0a0"
PHYSICS_LIMIT = 300  # above this many nodes the layout is computed in Python and physics is off
LABEL_MAX = 48

_ASSETS = "render_assets"


@dataclass(frozen=True)
class RenderStats:
    """What was drawn: counts of the drawn graph and where it went."""

    path: Path
    nodes: int
    edges: int
    entities: int
    claims: int
    facts: int
    articles: int
    physics: bool
    left_out: int = 0  # nodes of the full graph not drawn (focus / max_nodes)
    bytes: int = 0
    focus: str | None = None


# -- the page --------------------------------------------------------------------------------------

class _Network(Network):
    """pyvis ``Network`` with O(1) node look-ups (its list scan is quadratic on big graphs)."""

    def get_nodes(self):  # same contract as pyvis: a container of node ids
        return self.node_map.keys()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _edge_style(kind: str, relation: str, support: int) -> dict:
    width = 1.5 + 2.5 * math.log2(1 + support) if kind not in ("claim-subject", "claim-object") else 1
    style: dict[str, object] = {"width": round(width, 2), "arrows": "to" if kind != "claim-subject" else ""}
    if kind in ("claim-subject", "claim-object"):
        style.update(color={"color": CLAIM_PART_COLOUR}, dashes=[2, 4],
                     label=relation if kind == "claim-object" else "")
    else:
        style.update(color={"color": RELATION_COLOURS.get(relation, OTHER_RELATION_COLOUR)},
                     label=relation, dashes=kind == "denies")
    return style


def _options(physics: bool) -> dict:
    font = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
    opts: dict = {
        "nodes": {"font": {"size": 14, "face": font, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"font": {"size": 11, "face": font, "align": "middle", "strokeWidth": 3},
                  "arrows": {"to": {"scaleFactor": 0.6}}, "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": False, "keyboard": False},
        "layout": {"improvedLayout": physics, "randomSeed": 7},
    }
    if physics:
        opts["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                           "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 130,
                                                "avoidOverlap": 0.4},
                           "stabilization": {"enabled": True, "iterations": 400, "fit": True}}
        opts["edges"]["smooth"] = {"enabled": True, "type": "dynamic"}
    else:
        opts["physics"] = {"enabled": False}
        opts["edges"]["smooth"] = False
        opts["interaction"].update(hideEdgesOnDrag=True, hideEdgesOnZoom=True)
    return opts


def network_data(H: nx.MultiDiGraph, *, physics: bool | None = None) -> dict:
    """The page's data: vis-network nodes/edges/options made with pyvis, plus the evidence tables."""
    if physics is None:
        physics = len(H) <= PHYSICS_LIMIT
    positions = {} if physics else precomputed_layout(H)
    net = _Network(directed=True, cdn_resources="in_line")
    for node, d in H.nodes(data=True):
        extra = {}
        if node in positions:
            extra = {"x": positions[node][0], "y": positions[node][1]}
        net.add_node(node, label=_short(d["label"]), shape="diamond" if d["kind"] == "claim" else "dot",
                     color=TYPE_COLOURS.get(d["type"], TYPE_COLOURS[OTHER]), size=d["size"],
                     kgType=d["type"], kgKind=d["kind"], kgLabel=d["label"], kgNames=d["names"],
                     kgWikidata=d["wikidata"], kgArticles=sorted(d["articles"]), kgFacts=d["facts"],
                     kgImportance=round(d["importance"], 5), **extra)
    pair_count: dict[tuple, int] = {}
    for n, (u, v, _key, d) in enumerate(sorted(H.edges(keys=True, data=True), key=lambda e: e[:3])):
        style = _edge_style(d["kind"], d["relation"], len(d["articles"]))
        pair = (min(u, v), max(u, v))
        k = pair_count[pair] = pair_count.get(pair, -1) + 1
        if physics and k:  # parallel edges between the same two nodes bend apart
            style["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                               "roundness": 0.2 * ((k + 1) // 2)}
        net.add_edge(u, v, id=f"e{n}", kgRelation=d["relation"], kgKind=d["kind"], kgFacts=d["facts"],
                     kgArticles=sorted(d["articles"]), **style)
    net.options = _options(physics)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    used = {f for d in H.nodes.values() for f in d["facts"]} | {f for *_, d in H.edges(data=True)
                                                                 for f in d["facts"]}
    facts = H.graph.get("facts", {})
    labels = {n: d["label"] for n, d in H.nodes(data=True)}
    # the claims view of every drawn claim diamond, and of every drawn relation edge (an edge is one
    # claim) that more than one statement makes: one statement is already all of the edge's evidence
    all_claims = H.graph.get("claims", {})
    shown = [n for n, d in H.nodes(data=True) if d["kind"] == "claim"]
    shown += [c for c in (facts[f].get("about") for f in sorted(used) if f in facts)
              if c in all_claims and len(all_claims[c]["rows"]) > 1]
    page_facts = {f for f in used if f in facts}
    return {
        "claims": _page_claims(all_claims, list(dict.fromkeys(shown)), page_facts),
        "claimColumns": list(CLAIM_COLUMNS),
        "nodes": nodes, "edges": edges, "options": json.loads(options), "physics": physics,
        "articles": H.graph.get("articles", []),
        "facts": {f: facts[f] for f in sorted(used) if f in facts},
        "labels": labels | _outside_labels(H, used, facts),
        "relations": sorted({d["relation"] for *_, d in H.edges(data=True)}),
        "types": [t for t in TYPE_COLOURS if any(d["type"] == t for d in H.nodes.values())],
        "colours": TYPE_COLOURS, "relationColours": RELATION_COLOURS | {"": OTHER_RELATION_COLOUR},
    }


CLAIM_COLUMNS = ("stance", "source", "article", "speaker", "number", "unit", "time", "when", "hedged", "fact",
                 "conflict", "evidence", "written")


def _page_claims(claims: dict[str, dict], shown: list[str], page_facts: set[str]) -> dict[str, dict]:
    """The claims view for the page, rows as arrays of ``CLAIM_COLUMNS`` (a big graph has thousands).

    A row's sentence and written figure travel once: in the page's facts when
    that statement is drawn, else in the row.
    """
    out = {}
    for iri in shown:
        claim = claims.get(iri)
        if claim is None:
            continue
        rows = []
        for r in claim["rows"]:
            inline = r["fact"] not in page_facts
            rows.append([r["stance"], r["source"], r["article"], r["speaker"], r["number"], r["unit"], r["time"],
                         r["when"], r["hedged"], r["fact"], r["conflict"], r["evidence"] if inline else None,
                         r["written"] if inline else None])
        out[iri] = {k: v for k, v in claim.items() if k != "rows"} | {"rows": rows}
    return out


def _outside_labels(H: nx.MultiDiGraph, used: set[str], facts: dict) -> dict[str, str]:
    """Labels of entities a shown fact names (location, speaker) that are not drawn themselves."""
    full = H.graph.get("labels", {})
    out = {}
    for f in used:
        for key in ("location", "attributedTo", "subject", "object"):
            iri = facts.get(f, {}).get(key)
            if iri and iri not in H:
                out[iri] = full.get(iri, tail(iri))
    return out


def json_for_html(data: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``, U+2028/9."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), default=sorted)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    text = resources.files("kg").joinpath(_ASSETS, name).read_text(encoding="utf-8")
    return text


def _vis_asset(name: str) -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"pyvis's copy of vis-network is missing ({path}): reinstall pyvis") from exc


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def page_html(data: dict, title: str = "kg graph") -> str:
    """The whole page as a string: template, inlined assets, the data block and a strict CSP."""
    vis_js, page_js = _vis_asset("vis-network.min.js"), _asset("page.js")
    styles = _vis_asset("vis-network.css") + "\n" + _asset("page.css")
    for name, text in (("vis-network.min.js", vis_js), ("page.js", page_js)):
        if re.search(r"</script|<!--", text, flags=re.IGNORECASE):
            raise RenderError(f"{name} cannot be inlined: it holds '</script' or '<!--'")
    if re.search(r"</style", styles, flags=re.IGNORECASE):
        raise RenderError("a stylesheet cannot be inlined: it holds '</style'")
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
           "style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    parts = {
        "csp": html.escape(csp, quote=False).replace('"', "&quot;"), "title": html.escape(title),
        "styles": styles,
        "data": json_for_html(data), "vis_js": vis_js, "page_js": page_js,
    }
    template = _asset("page.html")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def write_html(H: nx.MultiDiGraph, out_path: str | Path, *, title: str = "kg graph",
               physics: bool | None = None) -> RenderStats:
    """Write the page for an already selected graph."""
    data = network_data(H, physics=physics)
    text = page_html(data, title)
    out = Path(out_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise RenderError(f"cannot write {out}: {exc}") from exc
    kinds = [d["kind"] for d in H.nodes.values()]
    return RenderStats(path=out, nodes=len(H), edges=H.number_of_edges(), entities=kinds.count("entity"),
                       claims=kinds.count("claim"), facts=len(data["facts"]),
                       articles=len({a for d in H.nodes.values() for a in d["articles"]}),
                       physics=data["physics"], bytes=len(text.encode("utf-8")))


def render_html(store: KGStore, out_path: str | Path, *, focus: str | None = None, depth: int = 1,
                max_nodes: int | None = None, title: str | None = None,
                physics: bool | None = None) -> RenderStats:
    """Draw the store as one offline HTML file at ``out_path``.

    ``focus`` (an entity's label, one of its names or its IRI) draws its ego
    graph within ``depth`` hops; ``max_nodes`` keeps the most central nodes.
    ``physics`` forces the in-browser layout on or off (default: on up to
    ``PHYSICS_LIMIT`` nodes, above that the layout is computed here).
    Raises :class:`RenderError` for an empty store or an unknown focus.
    """
    G = graph_from_store(store)
    if not G.graph["articles"]:
        raise RenderError("the store holds no articles: run `kg build` first")
    H = select(G, focus, depth, max_nodes)
    if title is None:
        title = f"kg graph: {G.nodes[find_entity(G, focus)]['label']}" if focus else "kg graph"
    stats = write_html(H, out_path, title=title, physics=physics)
    return replace(stats, left_out=len(G) - len(H), focus=focus)


def render_folder(out: str | Path, out_path: str | Path | None = None, **options) -> RenderStats:
    """What ``kg render`` does: draw the store at ``OUT/store`` (read-only) into ``OUT/graph.html``.

    ``out_path`` overrides the target; ``options`` are those of :func:`render_html`.
    """
    out = Path(out)
    with KGStore(out / "store", read_only=True) as store:
        return render_html(store, out_path or out / "graph.html", **options)


def render_records(results: Iterable[ArticleResult], out_path: str | Path, **options) -> RenderStats:
    """Draw extraction results without a store on disk (loads them into an in-memory store first).

    Takes the same keyword options as :func:`render_html`; ``kg build`` may call
    either this or :func:`render_html` on the store it just wrote.
    """
    with KGStore(None) as store:
        for result in results:
            store.put_article(result.article.iri, article_quads(result))
        return render_html(store, out_path, **options)


def screenshot(html_path: str | Path, png_path: str | Path, **options) -> Path:
    """A PNG of the page once drawn (headless Chromium); see :func:`kg.browser.screenshot`."""
    from kg.browser import screenshot as shoot

    return shoot(html_path, png_path, **options)


__all__ = [
    "RenderStats", "build_graph", "find_entity", "graph_from_store", "json_for_html",
    "network_data", "page_html", "render_folder", "render_html", "render_records", "safe_url", "screenshot",
    "select", "write_html",
]
