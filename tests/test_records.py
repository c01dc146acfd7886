"""kg facts / kg entities: the JSON-lines schemas of the design notes, read back from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import records_fixture as rf
from click.testing import CliRunner

from kg.cli import main
from kg.rdf import article_quads
from kg.records import entity_rows, fact_rows
from kg.store import KGStore

ENTITY_KEYS = ["doc", "source", "id", "label", "type", "names", "wikidata", "mentions"]
FACT_KEYS = ["id", "doc", "source", "predicate", "subject", "object", "claim", "quantity", "time",
             "location", "evidence", "confidence", "attributed_to", "hedged"]
ENTITY_OBJECT_KEYS = ["id", "label", "type", "names", "wikidata"]
TEXTS = {r.article.iri: r.article.text for r in rf.results()}


@pytest.fixture(scope="module")
def store() -> KGStore:
    return rf.build_store()


@pytest.fixture(scope="module")
def facts(store: KGStore) -> list[dict]:
    return list(fact_rows(store))


@pytest.fixture(scope="module")
def entities(store: KGStore) -> list[dict]:
    return list(entity_rows(store))


def test_entity_rows_have_exactly_the_schema(entities: list[dict]) -> None:
    assert entities
    for row in entities:
        assert list(row) == ENTITY_KEYS
        assert row["type"] in ("Person", "Organization", "Country", "Location")
        assert all(isinstance(n, str) for n in row["names"])
        for start, end in row["mentions"]:
            assert TEXTS[row["doc"]][start:end] in row["names"]


def test_entity_rows_per_article_in_order(entities: list[dict]) -> None:
    sources = [r["source"] for r in entities]
    assert sources == sorted(sources)
    first = [(r["source"], r["mentions"][0][0]) for r in entities if r["mentions"]]
    assert first == sorted(first)
    assert [r["label"] for r in entities if r["source"] == "news/a1_korut.txt"] == [
        "North Korea", "Russia", "Pentagon", "Valery Gerasimov", "Kursk", "Kim Jong-un"]


def test_entity_row_values(entities: list[dict]) -> None:
    nk = next(r for r in entities if r["id"] == rf.NORTH_KOREA.iri and r["source"] == "news/a1_korut.txt")
    assert nk["label"] == "North Korea"  # the English label, though the article is Indonesian
    assert nk["wikidata"] == "Q423"
    assert nk["names"] == ["Korut", "Korea Utara", "North Korea"]  # as first used, then the rest
    assert nk["mentions"] == [[0, 5], [30, 41], [194, 205]]
    kursk = next(r for r in entities if r["id"] == rf.KURSK.iri)
    assert kursk["label"] == "Kursk" and kursk["wikidata"] is None
    acme = next(r for r in entities if r["id"] == rf.ACME.iri)
    assert acme["label"] == rf.HOSTILE
    assert acme["names"] == [rf.HOSTILE, rf.HOSTILE_ALIAS]


def test_fact_rows_have_exactly_the_schema(facts: list[dict]) -> None:
    assert len(facts) == 8
    for row in facts:
        assert list(row) == FACT_KEYS
        for key in ("subject", "object", "location", "attributed_to"):
            assert row[key] is None or list(row[key]) == ENTITY_OBJECT_KEYS
        ev = row["evidence"]
        assert TEXTS[row["doc"]][ev["start"]:ev["end"]] == ev["text"]
        assert 0 <= row["confidence"] <= 1
        assert isinstance(row["hedged"], bool)
        assert row["quantity"] is None or list(row["quantity"]) == ["min", "max", "unit"]


def test_fact_rows_in_order(facts: list[dict]) -> None:
    keys = [(r["source"], r["evidence"]["start"], r["evidence"]["end"]) for r in facts]
    assert keys == sorted(keys)


def test_deploys_row(facts: list[dict]) -> None:
    row = next(r for r in facts if r["predicate"] == "deploys" and r["quantity"]
               and r["quantity"]["min"] == 10000)
    assert row["subject"] == {"id": rf.NORTH_KOREA.iri, "label": "North Korea", "type": "Country",
                              "names": ["Korut", "Korea Utara", "North Korea"], "wikidata": "Q423"}
    assert row["object"]["label"] == "Russia"
    assert row["quantity"] == {"min": 10000, "max": 12000, "unit": "troops"}
    assert row["time"] == "2024-10"
    assert row["location"]["id"] == rf.KURSK.iri
    assert row["attributed_to"]["label"] == "Pentagon"
    assert row["claim"] is None and row["hedged"] is False
    assert row["confidence"] == 0.9


def test_confirms_and_denies_point_at_claim_rows(facts: list[dict]) -> None:
    by_id = {r["id"]: r for r in facts}
    stances = [r for r in facts if r["predicate"] in ("confirms", "denies")]
    assert {(r["subject"]["label"], r["predicate"]) for r in stances} == {
        ("Valery Gerasimov", "confirms"), ("Kremlin", "denies"), ("Russia", "confirms")}
    for row in stances:
        claimed = by_id[row["claim"]]
        assert claimed["doc"] == row["doc"]
        assert row["object"] is None
    gerasimov = next(r for r in stances if r["subject"]["label"] == "Valery Gerasimov")
    assert gerasimov["time"] == "2025-04-26"
    assert by_id[gerasimov["claim"]]["object"]["label"] == "Kursk"
    retakes = by_id[next(r for r in stances if r["subject"]["label"] == "Russia")["claim"]]
    assert retakes["predicate"] == "retakes" and retakes["subject"]["label"] == rf.HOSTILE


def test_hedged_and_single_figure(facts: list[dict]) -> None:
    row = next(r for r in facts if r["hedged"])
    assert row["quantity"] == {"min": 11000, "max": 11000, "unit": "troops"}
    assert row["time"] == "2024"
    assert row["attributed_to"]["wikidata"] == "Q884"


def test_rows_list_every_stored_article_after_an_incremental_build() -> None:
    store = KGStore()
    rf.fill(store, [rf.article_two()])
    assert {r["source"] for r in fact_rows(store)} == {"news/a2_kremlin.txt"}
    rf.fill(store, [rf.article_one(), rf.article_three()])  # a later build adds two articles
    assert len({r["source"] for r in fact_rows(store)}) == 3
    assert len({r["source"] for r in entity_rows(store)}) == 3


def test_rows_do_not_depend_on_build_order(facts: list[dict], entities: list[dict]) -> None:
    store = rf.fill(KGStore(), list(reversed(rf.results())))
    assert list(fact_rows(store)) == facts
    assert list(entity_rows(store)) == entities


def test_changed_article_replaces_its_rows() -> None:
    store = rf.build_store()
    changed = rf.changed_article_one()
    store.put_article(changed.article.iri, article_quads(changed))
    rows = [r for r in fact_rows(store) if r["source"] == "news/a1_korut.txt"]
    assert len(rows) == 4
    assert any(r["subject"]["label"] == "Kim Jong-un" for r in rows)


def test_cli_writes_the_same_rows(tmp_path: Path, facts: list[dict], entities: list[dict]) -> None:
    rf.build_store(tmp_path / "store").close()
    runner = CliRunner()
    out = runner.invoke(main, ["facts", "--out", str(tmp_path)])
    assert out.exit_code == 0
    assert [json.loads(line) for line in out.output.splitlines()] == facts
    assert json.dumps(rf.HOSTILE)[1:-1] in out.output
    target = tmp_path / "entities.jsonl"
    assert runner.invoke(main, ["entities", "--out", str(tmp_path), "-o", str(target)]).exit_code == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == entities
