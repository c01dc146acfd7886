"""The output files: each article's part made beside its quads equals what the store gives back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from kg.build import build
from kg.ingest import iter_articles
from kg.outputs import ArticleOutput, Spool, article_output, trig_block, trig_prefixes, write_outputs
from kg.rdf import article_quads, decimal_text
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
FILES = ("graph.trig", "facts.jsonl", "entities.jsonl")


def test_the_store_gives_back_exactly_the_quads_an_article_makes(extractor):
    """Oxigraph rewrites some literals (xsd:nonNegativeInteger to xsd:integer, "0.900" to "0.9"):
    kg writes them in that form, so outputs made from the quads match the store's."""
    for article in iter_articles([ROOT / "seeds"]):
        quads = article_quads(extractor(article))
        store = ox.Store()
        store.extend(quads)
        assert set(store) == set(quads), article.source


def test_decimal_text_is_the_canonical_form():
    assert [decimal_text(v) for v in (0.9, 1.0, 0.0, 0.855, 0.12345)] == ["0.9", "1", "0", "0.855", "0.123"]


def test_outputs_from_the_build_equal_outputs_read_back_from_the_store(tmp_path):
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    folder = tmp_path / "in"
    folder.mkdir()
    for path in seeds[:3]:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    build([folder], out, render=False)
    for path in seeds[3:]:          # the next build extracts two, reads three back from the store
        shutil.copy(path, folder / path.name)
    summary = build([folder], out, render=False)
    assert summary.added == 2 and summary.skipped == 3
    again = tmp_path / "again"
    again.mkdir()
    with KGStore(out / "store", read_only=True) as store:
        figures = write_outputs(store, again)           # no spool: every article read back
        stored = set(store.quads())
    for name in FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    assert set(ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)) == stored
    assert figures.entities == summary.entities and figures.facts == summary.facts
    assert not (out / ".outputs.spool").exists()


def test_graph_trig_declares_the_prefixes_once(seed_build):
    out, _summary = seed_build
    text = (out / "graph.trig").read_text(encoding="utf-8")
    assert text.startswith(trig_prefixes().decode())
    assert text.count("@prefix kg: ") == 1
    assert text.count("{\n") == 5          # one block per article graph


def test_a_block_with_unusual_prefixes_keeps_its_own(monkeypatch):
    import kg.outputs

    g = ox.NamedNode("http://example.org/g")
    quads = [ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("x"), g)]
    assert not trig_block(quads).startswith(b"@prefix")
    monkeypatch.setattr(kg.outputs, "PREFIXES", {"ex": "http://example.org/"})
    block = trig_block(quads)
    assert block.startswith(b"@prefix ex: ") and set(ox.parse(block, format=ox.RdfFormat.TRIG)) == set(quads)


def test_the_spool_gives_back_each_article_part_and_leaves_no_file(tmp_path):
    g = ox.NamedNode("http://example.org/g")
    quads = [ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("x"), g)]
    with Spool(tmp_path) as spool:
        parts = {f"http://example.org/{i}": ArticleOutput(trig=b"%d" % i, entities=f"{i}\n", facts="")
                 for i in range(50)}
        parts["http://example.org/g"] = article_output(g.value, quads)
        for iri, part in parts.items():
            spool.add(iri, part)
        assert all(spool.get(iri) == part for iri, part in reversed(parts.items()))
        assert spool.get("http://example.org/unknown") is None
        assert spool.path.exists()
    assert not spool.path.exists()
