"""kg eval's scoring rules (gold/README.md) on gold and output written for the test."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import GoldError
from kg.evaluate import evaluate, norm

ENTITIES = {
    "aland": {"type": "Country", "names": ["Aland", "Negeri Aland"], "wikidata": "Q1"},
    "borea": {"type": "Country", "names": ["Borea"], "wikidata": None},
    "cato": {"type": "Person", "names": ["Cato Vell", "Vell"], "wikidata": None},
    "dunmark": {"type": "Location", "names": ["Dunmark", "wilayah Dunmark"]},
}
GOLD = {
    "doc": "a1.txt", "lang": "id", "entities": ["aland", "borea", "cato", "dunmark"],
    "facts": [
        {"s": "aland", "s_alt": ["cato"], "p": "deploys", "o": "borea", "o_alt": ["dunmark"], "quote": "q"},
        {"s": "cato", "p": "confirms", "claim": {"s": "aland", "p": "deploys", "o": "borea"}, "quote": "q"},
        {"s": "borea", "p": "denies", "claim": {"s": "borea", "p": "retakes", "o": "dunmark"}, "quote": "q"},
    ],
}


def ent(label, wikidata=None, names=()):
    return {"id": f"urn:{norm(label)}", "label": label, "type": "Country", "names": list(names),
            "wikidata": wikidata}


def write(tmp_path, entity_rows, fact_rows):
    gold = tmp_path / "gold"
    (gold / "docs").mkdir(parents=True)
    (gold / "entities.json").write_text(json.dumps(ENTITIES))
    (gold / "docs" / "a1.json").write_text(json.dumps(GOLD))
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "entities.jsonl", "w") as h:
        for row in entity_rows:
            h.write(json.dumps({"doc": "urn:a1", "source": "corpus/a1.txt", **row, "mentions": []}) + "\n")
    with open(out / "facts.jsonl", "w") as h:
        for row in fact_rows:
            h.write(json.dumps({"doc": "urn:a1", "source": "corpus/a1.txt", **row}) + "\n")
    return gold / "docs", out


def fact(fid, p, s, o=None, claim=None):
    return {"id": fid, "predicate": p, "subject": s, "object": o, "claim": claim}


def test_perfect_output_scores_one(tmp_path):
    aland, borea, cato = ent("Aland", "Q1"), ent("Borea"), ent("Cato Vell")
    rows = [
        fact("f1", "deploys", aland, borea),
        fact("c1", "deploys", aland, borea),
        fact("f2", "confirms", cato, claim="c1"),
        fact("c2", "retakes", borea, ent("Dunmark")),
        fact("f3", "denies", borea, claim="c2"),
    ]
    gold, out = write(tmp_path, [aland, borea, cato, ent("wilayah Dunmark")], rows)
    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    assert (report.entities.f1, report.strict.f1, report.loose.f1) == (1.0, 1.0, 1.0)


def test_alternatives_count_as_the_main_key_and_duplicates_collapse(tmp_path):
    cato, dun, borea = ent("Vell"), ent("Dunmark"), ent("Borea")
    rows = [fact("f1", "deploys", cato, dun), fact("f2", "deploys", ent("Negeri Aland"), borea)]
    gold, out = write(tmp_path, [], rows)
    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    # both rows are the one gold deploys fact; the other two gold facts are missed
    assert (report.strict.tp, report.strict.fp, report.strict.fn) == (1, 0, 2)


def test_unknown_entities_and_wrong_objects_are_false_positives(tmp_path):
    rows = [fact("f1", "deploys", ent("Aland", "Q1"), ent("Zembla"))]
    gold, out = write(tmp_path, [ent("Aland", "Q1"), ent("Zembla")], rows)
    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (1, 1, 3)
    assert (report.strict.tp, report.strict.fp) == (0, 1)
    assert (report.loose.tp, report.loose.fp) == (1, 0)


def test_claim_of_another_kind_is_matched_by_speaker_and_predicate(tmp_path):
    rows = [fact("c", "asserts", None), fact("f", "denies", ent("Borea"), claim="c")]
    gold, out = write(tmp_path, [], rows)
    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    assert report.strict.tp == 1


def test_cli_prints_three_lines_and_json(tmp_path):
    gold, out = write(tmp_path, [ent("Aland", "Q1")], [])
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--out", str(out)])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()[1:4]] == ["ent", "strict", "loose"]
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--out", str(out), "--json"])
    data = json.loads(result.output)
    assert data["entities"]["tp"] == 1 and data["strict"]["fn"] == 3


@pytest.mark.parametrize("setup", ["missing", "empty", "broken"])
def test_bad_gold_is_a_one_line_error(tmp_path, setup):
    gold = tmp_path / "gold"
    if setup != "missing":
        gold.mkdir()
    if setup == "broken":
        (gold / "x.json").write_text("{not json")
    with pytest.raises(GoldError):
        evaluate(gold, tmp_path / "e.jsonl", tmp_path / "f.jsonl")
    result = CliRunner().invoke(main, ["eval", "--gold", str(gold), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
