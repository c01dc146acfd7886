"""The claims view: one claim per relation between the same entities across articles, each source's
statement kept apart with its figure, time and evidence, figures compared, denials listed.

The end-to-end articles are written for this test: two sources give different
figures (10,000 and 12,000), a third agrees with the second, a fourth reports
the Kremlin denying the deployment.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import render_fixture as fx
from click.testing import CliRunner

from kg import api
from kg.build import build
from kg.claims import Claim, Figure, Statement, flat_rows, format_table, load_claims
from kg.cli import main
from kg.model import Evidence, Fact
from kg.rdf import article_quads, claim_of
from kg.store import KGStore
from kg.vocab import KG, PREFIXES, claim_iri

ARTICLES = [
    {"title": "Laporan intelijen terbaru", "publisher": "Kabar Timur", "published": "2024-11-01", "lang": "id",
     "text": "Laporan intelijen terbaru\n\n"
             "Korea Utara mengirim 10.000 tentara ke Rusia pada Oktober 2024, menurut sumber intelijen."},
    {"title": "Troop numbers", "publisher": "Northern Wire", "published": "2024-11-04", "lang": "en",
     "text": "Troop numbers\n\nNorth Korea has sent 12,000 troops to Russia, officials said on Monday."},
    {"title": "Angka baru", "publisher": "Harian Selatan", "published": "2024-11-05", "lang": "id",
     "text": "Angka baru\n\nKorea Utara telah mengerahkan sekitar 12.000 tentara ke Rusia."},
    {"title": "Moscow responds", "publisher": "Steppe Post", "published": "2024-11-06", "lang": "en",
     "text": "Moscow responds\n\nThe Kremlin denied on Wednesday that North Korea had sent troops to Russia."},
]
NK_RU = "North Korea deploys Russia"
RUSSIA = "https://w3id.org/kgnews/id/entity/Q159"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    summary = build([source], folder / "out", render=False)
    assert summary.added == len(ARTICLES) and not summary.failed
    return folder / "out"


@pytest.fixture(scope="module")
def claims(out):
    with KGStore(out / "store", read_only=True) as store:
        return load_claims(store)


@pytest.fixture(scope="module")
def fixture_store():
    with KGStore(None) as store:
        for result in fx.results(hostile=False):
            store.put_article(result.article.iri, article_quads(result))
        yield store


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


# -- item 1: the same claim across articles is one node ---------------------------------------------

def test_statements_of_different_articles_point_at_one_claim_node(fixture_store):
    rows = list(fixture_store.query("""
        SELECT ?g ?st ?claim ?max WHERE { GRAPH ?g { ?st kg:aboutClaim ?claim ;
            kg:subject <https://w3id.org/kgnews/id/entity/Q423> ; kg:object <https://w3id.org/kgnews/id/entity/Q159> .
            OPTIONAL { ?st kg:quantityMax ?max } } }"""))
    assert {r["claim"].value for r in rows} == {fx.DEPLOY_CLAIM}
    assert len({r["g"].value for r in rows}) == 2          # two articles ...
    assert len({r["st"].value for r in rows}) == 4         # ... four statements, each kept apart
    assert {r["max"].value for r in rows if r["max"] is not None} == {"11000", "12000"}


def test_a_claim_node_is_typed_labelled_and_says_what_it_claims(fixture_store):
    node = ox.NamedNode(fx.DEPLOY_CLAIM)
    values = {(q.predicate.value, q.object.value) for q in fixture_store.raw.quads_for_pattern(node, None, None)}
    assert (PREFIXES["rdf"] + "type", str(KG.Claim)) in values
    assert (PREFIXES["rdfs"] + "label", NK_RU) in values
    assert (str(KG.predicate), str(KG.deploys)) in values
    assert (str(KG.subject), fx.NORTH_KOREA.iri) in values and (str(KG.object), fx.RUSSIA.iri) in values


def test_a_claim_without_entities_is_not_shared_across_articles():
    ev = Evidence("They denied it.", 0, 15)
    one = Fact("https://w3id.org/kgnews/id/fact/a", "asserts", None, ev, is_claim=True)
    two = Fact("https://w3id.org/kgnews/id/fact/b", "asserts", None, ev, is_claim=True)
    assert claim_of(one) != claim_of(two)
    with_subject = Fact("https://w3id.org/kgnews/id/fact/c", "deploys", fx.NORTH_KOREA.iri, ev)
    assert claim_of(with_subject) == claim_iri("deploys", fx.NORTH_KOREA.iri, None)


# -- the view on hand-made records: confirmations, denials, claimed-only content ------------------

def test_confirmations_and_denials_are_listed_and_claimed_content_is_not_support(fixture_store):
    found = {c.iri: c for c in load_claims(fixture_store)}
    claim = found[fx.DEPLOY_CLAIM]
    assert claim.label == NK_RU
    assert [(s.name, s.figure and s.figure.text) for s in claim.asserted] == [
        ("Daily Wire One", "11,000 troops"), ("Harian Dua", "10,000–12,000 troops")]
    assert [(s.speaker, s.name, s.said_on, s.when) for s in claim.confirmed] == [
        ("Valery Gerasimov", "Harian Dua", "2025-04-26", "2025-04-26")]
    assert [(s.speaker, s.name, s.when) for s in claim.denied] == [("Kremlin", "Harian Dua", "2024-12-01")]
    assert claim.disputed and claim.figure_conflicts == []      # 11,000 lies within 10,000-12,000
    assert claim.figures == [Figure(10000, 12000, "troops")]
    assert len(claim.articles) == 2


# -- item 5: articles written for the test, built with kg.build ----------------------------------

def test_the_four_sources_group_under_one_claim(claims):
    assert [c.label for c in claims] == [NK_RU]
    claim = claims[0]
    assert len(claim.articles) == 4
    assert [(s.stance, s.name) for s in claim.statements] == [
        ("asserts", "Kabar Timur"), ("asserts", "Northern Wire"), ("asserts", "Harian Selatan"),
        ("denies", "Steppe Post")]


def test_each_source_keeps_its_figure_date_and_sentence(claims):
    by_source = {s.name: s for s in claims[0].statements}
    a, b, c = by_source["Kabar Timur"], by_source["Northern Wire"], by_source["Harian Selatan"]
    assert (a.figure, a.time, a.issued) == (Figure(10000, 10000, "troops"), "2024-10", "2024-11-01")
    assert (b.figure, b.issued) == (Figure(12000, 12000, "troops"), "2024-11-04")
    assert (c.figure, c.issued) == (Figure(12000, 12000, "troops"), "2024-11-05")
    assert a.evidence.startswith("Korea Utara mengirim 10.000 tentara")
    assert a.figure.written == "10.000 tentara"
    article = next(x for x in ARTICLES if x["publisher"] == "Northern Wire")
    assert article["text"][b.start:b.end] == b.evidence


def test_the_range_and_the_sources_whose_figures_disagree(claims):
    claim = claims[0]
    assert claim.figures == [Figure(10000, 12000, "troops")]
    pairs = {frozenset((c.a_name, c.b_name)) for c in claim.figure_conflicts}
    assert pairs == {frozenset({"Kabar Timur", "Northern Wire"}), frozenset({"Kabar Timur", "Harian Selatan"})}


def test_the_kremlin_denial_is_listed_with_its_date(claims):
    claim = claims[0]
    (denial,) = claim.denied
    assert (denial.speaker, denial.name, denial.when) == ("Kremlin", "Steppe Post", "2024-11-06")
    assert denial.evidence == "The Kremlin denied on Wednesday that North Korea had sent troops to Russia."
    assert claim.disputed
    stance = next(d for d in claim.disagreements() if d["kind"] == "stance")
    assert stance["denied_by"] == ["Kremlin (Steppe Post, 2024-11-06)"]
    assert stance["supported_by"] == ["Kabar Timur (2024-11-01)", "Northern Wire (2024-11-04)",
                                      "Harian Selatan (2024-11-05)"]
    # what the Kremlin denies is not something the Steppe Post states
    assert [s.name for s in claim.asserted] == ["Kabar Timur", "Northern Wire", "Harian Selatan"]


def test_flat_rows_say_who_disagrees_with_whom(claims):
    rows = {r["source"]: r for r in flat_rows(claims)}
    assert rows["Kabar Timur"]["disagrees_with"] == "Northern Wire; Harian Selatan; Kremlin (Steppe Post, 2024-11-06)"
    assert rows["Northern Wire"]["disagrees_with"] == "Kabar Timur; Kremlin (Steppe Post, 2024-11-06)"
    assert rows["Steppe Post"]["disagrees_with"] == "Kabar Timur; Northern Wire; Harian Selatan"
    assert rows["Kabar Timur"]["as_of"] == "2024-10" and rows["Northern Wire"]["as_of"] == "2024-11-04"
    assert {r["claim_min"] for r in rows.values()} == {10000} and {r["claim_max"] for r in rows.values()} == {12000}


# -- kg claims ------------------------------------------------------------------------------------

def test_cli_table_shows_the_conflict(out):
    result = _run("claims", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"{NK_RU}  ·  4 articles  ·  figures: 10,000–12,000 troops  ·  DISPUTED, FIGURES DISAGREE")
    assert "figures disagree: Kabar Timur 10,000 troops vs Northern Wire 12,000 troops" in text
    assert "denied by Kremlin (Steppe Post, 2024-11-06)" in text
    assert text.rstrip().endswith("(1 claim)")


def test_cli_json_and_csv_match_the_api(out):
    as_json = json.loads(_run("claims", "--out", str(out), "-f", "json").output)
    assert as_json == api.claims(out)
    (claim,) = as_json
    assert claim["label"] == NK_RU and claim["articles"] == 4 and claim["disputed"] and claim["figures_disagree"]
    assert [s["source"] for s in claim["asserted_by"]] == ["Kabar Timur", "Northern Wire", "Harian Selatan"]
    assert [(s["speaker"], s["when"]) for s in claim["denied_by"]] == [("Kremlin", "2024-11-06")]
    assert claim["figures"] == [{"min": 10000, "max": 12000, "unit": "troops", "written": None,
                                 "text": "10,000–12,000 troops"}]
    rows = list(csv.DictReader(io.StringIO(_run("claims", "--out", str(out), "-f", "csv").output)))
    assert len(rows) == len(api.claims(out, flat=True)) == 4
    assert [(r["source"], r["stance"], r["min"]) for r in rows] == [
        ("Kabar Timur", "asserts", "10000"), ("Northern Wire", "asserts", "12000"),
        ("Harian Selatan", "asserts", "12000"), ("Steppe Post", "denies", "")]


def test_cli_writes_to_a_file(out, tmp_path):
    target = tmp_path / "claims.csv"
    result = _run("claims", "--out", str(out), "-f", "csv", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("claim_label,stance,source,")


@pytest.mark.parametrize("entity", ["Kremlin", "korea utara", "Russia", f"<{RUSSIA}>"])
def test_entity_filter_by_label_name_speaker_or_iri(out, entity):
    result = _run("claims", "--out", str(out), "--entity", entity, "-f", "json")
    assert result.exit_code == 0, result.output
    assert [c["label"] for c in json.loads(result.output)] == [NK_RU]


def test_entity_filter_keeps_only_that_entitys_claims(fixture_store):
    labels = {c.label for c in load_claims(fixture_store, "Ukraine")}
    assert labels == {"Ukraine retakes Kursk"}
    assert {c.label for c in load_claims(fixture_store, "Gerasimov")} == {NK_RU}


@pytest.mark.parametrize("entity", ["Atlantis", '") } DROP ALL ; #', "x' || true || '"])
def test_unknown_or_hostile_entity_is_one_line_and_changes_nothing(out, entity):
    result = _run("claims", "--out", str(out), "--entity", entity)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no entity named" in result.output
    assert len(api.claims(out)) == 1


def test_claims_is_a_saved_query(out):
    listed = _run("query", "--list", "--out", str(out)).output
    assert "claims [-p entity=...]" in listed
    rows = api.select(out, "claims")
    assert len(rows) == 4 and {r["claimLabel"] for r in rows} == {NK_RU}
    assert api.select(out, "claims", {"entity": "Steppe Post"}) == []    # a publisher is not an entity


def test_empty_store_says_so(tmp_path):
    build([], tmp_path / "empty", render=False)
    result = _run("claims", "--out", str(tmp_path / "empty"))
    assert result.exit_code == 0 and result.output.strip() == "(no claims)"


# -- figures ---------------------------------------------------------------------------------------

def test_figures_overlap_and_ranges_per_unit():
    assert Figure(10000, 12000, "troops").overlaps(Figure(12000, 12000, "troops"))
    assert not Figure(10000, 10000, "troops").overlaps(Figure(12000, 12000, "troops"))
    assert Figure(10000, 12000, "troops").text == "10,000–12,000 troops"

    def st(article: str, figure: Figure | None, stance: str = "asserts") -> Statement:
        return Statement(claim="c", stance=stance, statement=f"s-{article}-{stance}", article=article,
                         source=f"{article}.txt", figure=figure, publisher=article.upper())

    claim = Claim("c", "X deploys Y", "deploys", "X", "Y", [
        st("a", Figure(100, 100, "troops")), st("b", Figure(300, 400, "troops")),
        st("c", Figure(5, 5, "tanks")), st("d", Figure(1, 1000, "troops"), "denies")])
    assert claim.figures == [Figure(100, 400, "troops"), Figure(5, 5, "tanks")]   # denials give no figures
    assert [(c.a_name, c.b_name) for c in claim.figure_conflicts] == [("A", "B")]  # tanks are not troops
    assert claim.disputed
    assert "FIGURES DISAGREE" in format_table([claim]) and "DISPUTED" in format_table([claim])
