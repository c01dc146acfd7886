"""kg validate: the fixture store conforms; graphs broken on purpose get a clear report."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import records_fixture as rf
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ValidationError
from kg.export import export
from kg.store import KGStore
from kg.validate import format_report, validate_file, validate_store
from kg.vocab import KG, NIF, PREFIXES, mention_iri

A1 = rf.article_one()
DOC = ox.NamedNode(A1.article.iri)
DEPLOYS = next(f for f in A1.facts if f.quantity)
CONFIRMS = next(f for f in A1.facts if f.predicate == "confirms")
EVIDENCE = ox.NamedNode(f"{A1.article.iri}/sentence/{DEPLOYS.evidence.start}-{DEPLOYS.evidence.end}")
MENTION = ox.NamedNode(mention_iri(A1.article.iri, A1.mentions[0].start, A1.mentions[0].end, A1.mentions[0].entity))
CLAIM = next(iter(q.object for q in rf.build_store().quads(A1.article.iri)
                  if q.predicate.value == str(KG.aboutClaim) and q.subject.value == DEPLOYS.iri))


def n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=n(PREFIXES["xsd"] + "integer"))


def quads_of(store: KGStore, subject: object, predicate: object) -> list[ox.Quad]:
    return list(store.raw.quads_for_pattern(n(subject), n(predicate), None, DOC))


@pytest.fixture(scope="module")
def clean_report():
    return validate_store(rf.build_store())


def test_fixture_store_conforms(clean_report) -> None:
    assert clean_report.conforms, format_report(clean_report)
    assert clean_report.graphs == 3 and clean_report.triples == len(rf.build_store())
    assert format_report(clean_report).startswith("conforms: 3 graphs")


# each case: (what to remove, what to add) -> the focus node, path and message expected
BROKEN = {
    "statement without evidence": (
        lambda s: quads_of(s, DEPLOYS.iri, KG.evidence), lambda s: [],
        DEPLOYS.iri, "kg:evidence", "exactly one kg:evidence"),
    "statement with two predicates": (
        lambda s: [], lambda s: [ox.Quad(n(DEPLOYS.iri), n(KG.predicate), n(KG.denies), DOC)],
        DEPLOYS.iri, "kg:predicate", "exactly one kg:predicate"),
    "confidence above 1": (
        lambda s: quads_of(s, DEPLOYS.iri, KG.confidence),
        lambda s: [ox.Quad(n(DEPLOYS.iri), n(KG.confidence),
                           ox.Literal("1.5", datatype=n(PREFIXES["xsd"] + "decimal")), DOC)],
        DEPLOYS.iri, "kg:confidence", "between 0 and 1"),
    "begin after end": (
        lambda s: quads_of(s, EVIDENCE.value, NIF.beginIndex),
        lambda s: [ox.Quad(EVIDENCE, n(NIF.beginIndex), integer(500), DOC)],
        EVIDENCE.value, None, "nif:beginIndex: a span needs one nif:beginIndex (a non-negative integer) "
                              "not after its nif:endIndex"),
    "confirmation without claim": (
        lambda s: quads_of(s, CONFIRMS.iri, KG.claim), lambda s: [],
        CONFIRMS.iri, None, "needs a kg:claim"),
    "statement not derived from an article": (
        lambda s: quads_of(s, DEPLOYS.iri, PREFIXES["prov"] + "wasDerivedFrom"), lambda s: [],
        DEPLOYS.iri, "prov:wasDerivedFrom", "wasDerivedFrom"),
    "entity without label": (
        lambda s: quads_of(s, rf.KURSK.iri, PREFIXES["rdfs"] + "label"), lambda s: [],
        rf.KURSK.iri, "rdfs:label", "rdfs:label"),
    "entity without type": (
        lambda s: quads_of(s, rf.GERASIMOV.iri, PREFIXES["rdf"] + "type"), lambda s: [],
        rf.GERASIMOV.iri, None, "needs a type"),
    "mention without entity": (
        lambda s: quads_of(s, MENTION.value, PREFIXES["itsrdf"] + "taIdentRef"), lambda s: [],
        MENTION.value, "itsrdf:taIdentRef", "taIdentRef"),
    "article without content hash": (
        lambda s: quads_of(s, A1.article.iri, KG.contentHash), lambda s: [],
        A1.article.iri, "kg:contentHash", "kg:contentHash"),
    "claim without predicate": (
        lambda s: list(s.raw.quads_for_pattern(CLAIM, n(KG.predicate), None, DOC)), lambda s: [],
        CLAIM.value, "kg:predicate", "claim needs exactly one kg:predicate"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_graph_is_reported(case: str) -> None:
    remove, add, focus, path, message = BROKEN[case]
    store = rf.build_store()
    doomed = remove(store)
    for quad in doomed:
        store.raw.remove(quad)
    store.raw.extend(add(store))
    report = validate_store(store)
    assert not report.conforms
    hits = [v for v in report.violations if message in v.message]
    assert hits, format_report(report)
    hit = hits[0]
    assert hit.graph == A1.article.iri
    assert focus.endswith(hit.focus.split(":", 1)[-1].strip("<>"))
    if path:
        assert hit.path == path
    assert {v.graph for v in report.violations} == {A1.article.iri}  # the others still conform
    text = format_report(report)
    assert f"graph <{A1.article.iri}>" in text and message in text
    assert "violations in 1 of 3 graphs" in text.splitlines()[-1]


@pytest.mark.parametrize("fmt", ["trig", "nq", "ttl", "jsonld"])
def test_exported_files_conform(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"graph.{fmt}"
    export(rf.build_store(), fmt, path)
    report = validate_file(path)
    assert report.conforms, format_report(report)
    assert report.graphs == (1 if fmt == "ttl" else 3)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        validate_file(tmp_path / "missing.ttl")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .")
    with pytest.raises(ValidationError, match="cannot parse"):
        validate_file(broken)
    with pytest.raises(ValidationError, match="extension"):
        validate_file(tmp_path / "graph.docx")


def test_cli_validate(tmp_path: Path) -> None:
    rf.build_store(tmp_path / "store").close()
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--out", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    with KGStore(tmp_path / "store") as store:  # break it, and close before kg validate reads it
        for quad in quads_of(store, DEPLOYS.iri, KG.evidence):
            store.raw.remove(quad)
    bad = runner.invoke(main, ["validate", "--out", str(tmp_path)])
    assert bad.exit_code == 1
    assert f"focus kgr:fact/{DEPLOYS.iri.rsplit('/', 1)[-1]}" in bad.output
    assert "path kg:evidence" in bad.output


def test_seed_build_has_no_violations(seed_build) -> None:
    from kg.store import KGStore
    from kg.validate import validate_store

    out, _ = seed_build
    with KGStore(out / "store", read_only=True) as store:
        report = validate_store(store)
    assert report.conforms, [str(v) for v in report.violations][:5]
