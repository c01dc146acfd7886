"""kg export: every RDF syntax parses back, with rdflib and with Oxigraph, to the store's content."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import records_fixture as rf
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.cli import main
from kg.errors import ExportError
from kg.export import FORMATS, QUAD_FORMATS, export
from kg.rdf import to_rdflib
from kg.store import KGStore

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld",
                  "xml": "xml"}
RAPPER_FORMATS = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "xml": "rdfxml", "trig": "trig"}


def _store_with_blank_nodes() -> KGStore:
    """The fixture articles plus blank nodes: in a graph, and shared by two graphs (and so in the merge)."""
    store = rf.build_store()
    graphs = [ox.NamedNode(g) for g in store.graphs()]
    source, shared = ox.BlankNode(), ox.BlankNode()
    p = ox.NamedNode("http://example.org/p")
    extra = [
        ox.Quad(graphs[0], ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy"), source, graphs[0]),
        ox.Quad(source, p, ox.Literal("a run with \"quotes\", \\ and\nnewlines"), graphs[0]),
        ox.Quad(source, p, shared, graphs[0]),
        ox.Quad(shared, p, ox.Literal("shared", language="en"), graphs[1]),
    ]
    store.raw.extend(extra + _as_triples(extra))      # as the store keeps them: in a graph and in the merge
    return store


@pytest.fixture(scope="module")
def store() -> KGStore:
    return _store_with_blank_nodes()


def _canonical(quads) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def _as_triples(quads) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, q.object) for q in quads]


def _expected(store: KGStore, fmt: str, graph: str | None = None) -> set[str]:
    """Quad formats: the article graphs (or one); triple formats: one graph, or the merge of all."""
    if fmt in QUAD_FORMATS:
        return _canonical(list(store.quads(graph)))
    if graph:
        return _canonical(_as_triples(store.quads(graph)))
    merge = _as_triples(store.quads())
    assert _canonical(merge) == _canonical(list(store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    return _canonical(merge)


def _from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    def conv(term):
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise TypeError(term)

    out = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        graph = ox.DefaultGraph() if name is None or str(name) == "urn:x-rdflib:default" else conv(name)
        out.append(ox.Quad(conv(s), conv(p), conv(o), graph))
    return out


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_with_oxigraph(store: KGStore, fmt: str) -> None:
    data = export(store, fmt)
    parsed = list(ox.parse(data, format=FORMATS[fmt]))
    assert _canonical(parsed) == _expected(store, fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_with_rdflib(store: KGStore, fmt: str) -> None:
    data = export(store, fmt)
    dataset = Dataset()
    dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
    assert _canonical(_from_rdflib(dataset)) == _expected(store, fmt)
    if fmt not in QUAD_FORMATS:  # and rdflib's own isomorphism test agrees
        merged = Graph()
        for t in _as_triples(store.quads()):
            merged.add(next(iter(to_rdflib([t]).quads()))[:3])
        assert isomorphic(dataset.default_graph, merged)


@pytest.mark.parametrize("fmt", sorted(RAPPER_FORMATS))
def test_raptor_reads_the_export(store: KGStore, fmt: str, tmp_path: Path) -> None:
    if not shutil.which("rapper"):
        pytest.skip("raptor2-utils (rapper) is not installed")
    path = tmp_path / f"graph.{fmt}"
    export(store, fmt, path)
    result = subprocess.run(["rapper", "-c", "-i", RAPPER_FORMATS[fmt], str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    expected = len(_expected(store, fmt))
    assert f"returned {expected} " in result.stderr


@pytest.mark.parametrize("fmt", ["ttl", "nq", "jsonld"])
def test_one_graph(store: KGStore, fmt: str) -> None:
    graph = rf.article_two().article.iri
    parsed = list(ox.parse(export(store, fmt, graph=graph), format=FORMATS[fmt]))
    assert _canonical(parsed) == _expected(store, fmt, graph)
    if fmt in QUAD_FORMATS:
        assert {q.graph_name.value for q in parsed} == {graph}


def test_jsonld_is_compacted_with_the_context(store: KGStore) -> None:
    data = json.loads(export(store, "jsonld"))
    assert data["@context"]["deploys"] == {"@id": "kg:deploys", "@type": "@id"}
    text = json.dumps(data)
    assert '"deploys"' in text and '"beginIndex"' in text
    named = [g for g in data["@graph"] if "@graph" in g]
    assert {g["@id"] for g in named} == set(store.graphs())


def test_triple_formats_merge_graphs_once(store: KGStore) -> None:
    parsed = list(ox.parse(export(store, "nt"), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len({str(t) for t in parsed})
    nk_type = [t for t in parsed if t.subject == ox.NamedNode(rf.NORTH_KOREA.iri)
               and t.predicate.value.endswith("#type")]
    assert len(nk_type) == 1  # North Korea is typed in two article graphs


def test_unknown_format_and_graph(store: KGStore) -> None:
    with pytest.raises(ExportError, match="unknown format"):
        export(store, "rdfa")
    with pytest.raises(ExportError, match="no graph"):
        export(store, "nq", graph="https://example.org/none")
    with pytest.raises(ExportError, match="not an IRI"):
        export(store, "nq", graph="not an iri")


def test_cli_export(tmp_path: Path) -> None:
    rf.build_store(tmp_path / "store").close()
    runner = CliRunner()
    target = tmp_path / "graph.trig"
    result = runner.invoke(main, ["export", "-f", "trig", "-o", str(target), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(ox.parse(path=str(target)))) == len(rf.build_store())
    stdout = runner.invoke(main, ["export", "-f", "nt", "--out", str(tmp_path)])
    assert stdout.exit_code == 0 and stdout.output.count(" .\n") > 100
    bad = runner.invoke(main, ["export", "-f", "nq", "--graph", "http://nope", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and bad.output.startswith("kg: error: [E601]")
