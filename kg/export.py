"""Write the store in any standard RDF syntax.

Quad formats (N-Quads ``nq``, TriG ``trig``, JSON-LD ``jsonld``) keep each
article's named graph; triple formats (Turtle ``ttl``, N-Triples ``nt``,
RDF/XML ``xml``) merge all graphs into one (duplicates dropped), or take the
one graph given with ``graph``. Oxigraph's serializers stream the store to the
output; JSON-LD goes through rdflib so that it is compacted with
``ontology/context.jsonld`` (embedded in the file: no network needed to read it).
Every format parses back, with rdflib and with Oxigraph, to a graph isomorphic
to the store's content.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import ExportError
from kg.ontology import jsonld_context
from kg.rdf import to_rdflib
from kg.store import KGStore
from kg.vocab import PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
QUAD_FORMATS = frozenset({"nq", "trig", "jsonld"})
EXTENSIONS = {"ttl": "ttl", "nt": "nt", "nq": "nq", "trig": "trig", "jsonld": "jsonld", "xml": "rdf"}


def serialization_prefixes() -> dict[str, str]:
    """Prefixes for Turtle, TriG and RDF/XML: vocabularies only.

    Instance IRIs (``kgr:``) stay whole: their local names hold ``/`` and would
    need escapes (``kgr:article\\/...``) that few readers enjoy.
    """
    return {p: iri for p, iri in PREFIXES.items() if p != "kgr"}


def _graph_node(store: KGStore, graph: str | None) -> ox.NamedNode | None:
    if graph is None:
        return None
    try:
        node = ox.NamedNode(graph)
    except ValueError as exc:
        raise ExportError(f"--graph {graph!r} is not an IRI: {exc}") from exc
    if not store.raw.contains_named_graph(node):
        raise ExportError(f"the store has no graph <{graph}>: `kg query graphs` lists them")
    return node


def quads(store: KGStore, graph: str | None = None) -> Iterator[ox.Quad]:
    """The quads a quad format writes: all of them, or those of one graph."""
    node = _graph_node(store, graph)
    return store.quads(node.value if node is not None else None)


def triples(store: KGStore, graph: str | None = None) -> Iterator[ox.Triple]:
    """The triples a triple format writes: the merge of all graphs, or one graph."""
    node = _graph_node(store, graph)
    if node is not None:
        return (q.triple for q in store.raw.quads_for_pattern(None, None, None, node))
    # the merge of all article graphs, each triple once
    rows = store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", prefixes=False)
    return (ox.Triple(row["s"], row["p"], row["o"]) for row in rows)


def _jsonld(store: KGStore, graph: str | None, out: BinaryIO) -> None:
    dataset = to_rdflib(quads(store, graph))
    data = dataset.serialize(format="json-ld", context=jsonld_context(), indent=1, ensure_ascii=False)
    out.write(data.encode("utf-8") if isinstance(data, str) else data)


def export(store: KGStore, fmt: str, out: BinaryIO | str | Path | None = None,
           graph: str | None = None) -> bytes | None:
    """Write the store as ``fmt`` to ``out`` (a binary stream or a path); bytes when ``out`` is None."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if out is None:
        buffer = io.BytesIO()
        export(store, fmt, buffer, graph)
        return buffer.getvalue()
    if isinstance(out, (str, Path)):
        path = Path(out)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                export(store, fmt, handle, graph)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc}") from exc
        return None
    try:
        if fmt == "jsonld":
            _jsonld(store, graph, out)
        elif fmt in QUAD_FORMATS:
            ox.serialize(quads(store, graph), out, FORMATS[fmt], prefixes=serialization_prefixes())
        else:
            ox.serialize(triples(store, graph), out, FORMATS[fmt], prefixes=serialization_prefixes())
    except ValueError as exc:
        # e.g. RDF/XML cannot write a predicate IRI that has no XML name
        raise ExportError(f"cannot write the store as {fmt}: {' '.join(str(exc).split())}") from exc
    return None
