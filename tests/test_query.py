"""kg query: formats, saved queries, bound parameters, errors, and the docs' example queries."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import records_fixture as rf
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg.cli import main
from kg.errors import QueryError
from kg.query import list_saved_queries, run_query
from kg.store import KGStore

DOCS = Path(__file__).resolve().parent.parent / "docs" / "stores.md"
SAMPLE_PARAMS = {"entity": "Kim Jong-un", "relation": "deploys"}


@pytest.fixture(scope="module")
def store() -> KGStore:
    return rf.build_store()


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    rf.build_store(out / "store").close()
    return out


def _json_rows(text: str) -> list[dict]:
    return json.loads(text)["results"]["bindings"]


# -- saved queries -----------------------------------------------------------------------

def test_saved_queries_are_described() -> None:
    saved = list_saved_queries()
    assert {"facts-by-relation", "deployments", "confirmations-denials", "entities-wikidata",
            "articles", "entity-mentions"} <= {q.name for q in saved}
    for query in saved:
        assert query.description, f"{query.path} needs a leading # description"


@pytest.mark.parametrize("saved", list_saved_queries(), ids=lambda q: q.name)
def test_every_saved_query_answers_on_the_fixture(store: KGStore, saved) -> None:
    params = {p: SAMPLE_PARAMS[p] for p in saved.params}
    rows = _json_rows(run_query(store, saved.name, "json", params))
    assert rows, f"{saved.name} found nothing"


def test_saved_query_with_optional_parameter_filters(store: KGStore) -> None:
    every = _json_rows(run_query(store, "facts-by-relation", "json"))
    denials = _json_rows(run_query(store, "facts-by-relation", "json", {"relation": "denies"}))
    assert len(every) == 8
    assert [r["predicate"]["value"] for r in denials] == ["denies"]


def test_deployments_show_figures_and_who_said_it(store: KGStore) -> None:
    rows = _json_rows(run_query(store, "deployments", "json"))
    figures = {(r["subject"]["value"], r["object"]["value"], int(r["min"]["value"]), int(r["max"]["value"]),
                r["saidBy"]["value"]) for r in rows}
    assert figures == {("North Korea", "Russia", 10000, 12000, "Pentagon"),
                       ("North Korea", "Russia", 11000, 11000, "South Korea")}


def test_confirmations_and_denials_name_their_claims(store: KGStore) -> None:
    rows = _json_rows(run_query(store, "confirmations-denials", "json"))
    seen = {(r["speaker"]["value"], r["stance"]["value"], r["claimPredicate"]["value"],
             r["claimSubject"]["value"], r["claimObject"]["value"]) for r in rows}
    assert seen == {("Valery Gerasimov", "confirms", "deploys", "North Korea", "Kursk"),
                    ("Kremlin", "denies", "deploys", "North Korea", "Kursk"),
                    ("Russia", "confirms", "retakes", rf.HOSTILE, "Kursk")}


def test_saved_query_needs_its_parameter(store: KGStore) -> None:
    with pytest.raises(QueryError, match="entity"):
        run_query(store, "entity-mentions")


# -- formats -------------------------------------------------------------------------------

KG_DEPLOYS = "https://w3id.org/kgnews/ontology#deploys"
QUERY = "SELECT DISTINCT ?s ?o WHERE { ?s kg:deploys ?o } ORDER BY ?s ?o"


def test_table(store: KGStore) -> None:
    lines = run_query(store, QUERY).splitlines()
    assert re.match(r"s\s+\| o$", lines[0])
    assert set(lines[1]) <= {"-", "+"}
    assert "kgr:entity/Q423" in lines[2]
    assert lines[-1] == "(1 row)"   # the claim-only deployment to Kursk has no direct triple


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv(store: KGStore, fmt: str, delimiter: str) -> None:
    rows = list(csv.reader(io.StringIO(run_query(store, QUERY, fmt)), delimiter=delimiter))
    assert [c.lstrip("?") for c in rows[0]] == ["s", "o"]
    assert len(rows) == 2


def test_json_is_sparql_results_json(store: KGStore) -> None:
    data = json.loads(run_query(store, QUERY, "json"))
    assert data["head"]["vars"] == ["s", "o"]
    first = data["results"]["bindings"][0]
    assert first["s"] == {"type": "uri", "value": "https://w3id.org/kgnews/id/entity/Q423"}
    typed = json.loads(run_query(store, "SELECT ?n WHERE { ?a kg:quantityMin ?n } ORDER BY ?n", "json"))
    assert typed["results"]["bindings"][0]["n"] == {
        "type": "literal", "value": "10000", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_ask(store: KGStore) -> None:
    assert run_query(store, "ASK { ?s kg:denies ?o }") == "true"
    assert run_query(store, "ASK { ?s kg:retakes kgr:nothing }") == "false"
    assert json.loads(run_query(store, "ASK { ?s kg:denies ?o }", "json")) == {"head": {}, "boolean": True}


def test_construct_and_describe_print_turtle(store: KGStore) -> None:
    text = run_query(store, "CONSTRUCT { ?s kg:deploys ?o } WHERE { ?s kg:deploys ?o }")
    graph = Graph().parse(data=text, format="turtle")
    # what is only claimed (confirmed or denied) is not stated as a direct triple
    assert set(graph) == {(URIRef(rf.NORTH_KOREA.iri), URIRef(KG_DEPLOYS), URIRef(rf.RUSSIA.iri))}
    described = Graph().parse(data=run_query(store, f"DESCRIBE <{rf.NORTH_KOREA.iri}>"), format="turtle")
    assert len(described) > 3


def test_query_from_a_file(store: KGStore, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("# how many articles\nSELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Article }\n")
    assert _json_rows(run_query(store, str(path), "json"))[0]["n"]["value"] == "3"


def test_own_prefix_declarations_win(store: KGStore) -> None:
    text = "PREFIX kg: <http://example.org/other#> ASK { ?s kg:deploys ?o }"
    assert run_query(store, text) == "false"


@pytest.mark.parametrize("bad, message", [
    ("SELECT ?s WHERE { ?s ?p }", "malformed SPARQL"),
    ("SELEC ?x", "malformed SPARQL"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "malformed SPARQL"),
    ("no-such-query", "no saved query or file"),
])
def test_errors_are_query_errors_on_one_line(store: KGStore, bad: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        run_query(store, bad)
    assert "\n" not in str(info.value)


def test_unknown_format(store: KGStore) -> None:
    with pytest.raises(QueryError, match="format"):
        run_query(store, QUERY, "xml")


# -- injection: values are bound, never pasted ---------------------------------------------

HOSTILE_VALUES = [
    rf.HOSTILE,
    '" } ; DROP ALL ; #',
    "x\") || true || (\"",
    "} UNION { ?id ?p ?name } #",
    "'; DROP GRAPH <https://w3id.org/kgnews/id/article/x> ; '",
    "\\u0022) || (\\u0022",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_parameters_cannot_change_the_query(value: str) -> None:
    store = rf.build_store()
    size = len(store)
    rows = _json_rows(run_query(store, "entity-mentions", "json", {"entity": value}))
    if value == rf.HOSTILE:
        assert [(r["start"]["value"], r["end"]["value"]) for r in rows] == [("22", "51")]
        assert rows[0]["text"]["value"] == rf.HOSTILE
    else:
        assert rows == []
    assert all(r["entity"]["value"] == value for r in rows)
    assert len(store) == size


def test_hostile_alias_is_matched_literally(store: KGStore) -> None:
    rows = _json_rows(run_query(store, "entity-mentions", "json", {"entity": rf.HOSTILE_ALIAS}))
    assert {r["id"]["value"] for r in rows} == {rf.ACME.iri}


def test_iri_parameters_are_validated(store: KGStore) -> None:
    query = "SELECT ?e ?label WHERE { ?e rdfs:label ?label }"
    rows = _json_rows(run_query(store, query, "json", {"e": f"<{rf.KREMLIN.iri}>"}))
    assert {r["label"]["value"] for r in rows} == {"Kremlin"}
    with pytest.raises(QueryError, match="not a valid IRI"):
        run_query(store, query, "json", {"e": "<http://x> } ; DROP ALL #>"})


def test_parameter_names_must_be_variables(store: KGStore) -> None:
    with pytest.raises(QueryError, match="variable name"):
        run_query(store, "entity-mentions", params={"entity": "x", "a }": "y"})


def test_binding_a_variable_the_query_does_not_select_is_an_error(store: KGStore) -> None:
    with pytest.raises(QueryError, match="cannot run"):
        run_query(store, "SELECT ?s WHERE { ?s ?p ?o }", params={"o": "x"})


# -- the CLI ---------------------------------------------------------------------------------

def test_cli_query(out_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["query", "entity-mentions", "-p", "entity=Korea Utara", "-f", "csv",
                                  "--out", str(out_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("news/a1_korut.txt") == 3
    listed = runner.invoke(main, ["query", "--list", "--out", str(out_dir)])
    assert "entity-mentions -p entity=..." in listed.output


def test_cli_query_from_stdin(out_dir: Path) -> None:
    result = CliRunner().invoke(main, ["query", "-", "--out", str(out_dir)],
                                input="ASK { ?s kg:confirms ?o }")
    assert result.output.strip() == "true"


@pytest.mark.parametrize("args, code", [
    (["query", "SELECT nonsense"], 1),
    (["query", "graphs", "-p", "novalue"], 2),
    (["query", "graphs", "-f", "xml"], 2),
    (["query"], 2),
])
def test_cli_query_exit_codes(out_dir: Path, args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, [*args, "--out", str(out_dir)])
    assert result.exit_code == code
    if code == 1:
        assert result.output.count("\n") == 1 and result.output.startswith("kg: error: [E301]")


def test_cli_query_without_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "graphs", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "kg build" in result.output


# -- the examples in docs/stores.md run --------------------------------------------------------

def _doc_queries() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)


def test_docs_have_example_queries() -> None:
    assert 4 <= len(_doc_queries()) <= 8


@pytest.mark.parametrize("index", range(len(_doc_queries()) if DOCS.exists() else 0))
def test_docs_example_query_answers(store: KGStore, index: int) -> None:
    text = _doc_queries()[index]
    result = run_query(store, text, "json")
    data = json.loads(result) if result.lstrip().startswith("{") else None
    if data is None:  # a CONSTRUCT: Turtle
        assert len(Graph().parse(data=result, format="turtle")) > 0
    elif "boolean" in data:
        assert data["boolean"] is True
    else:
        assert data["results"]["bindings"], f"example {index + 1} found nothing"


@pytest.mark.parametrize("command", ["query", "facts", "entities", "export", "push", "validate", "serve"])
def test_commands_have_help_and_a_docs_section(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("\n\n")[1].strip()) > 30  # a sentence, not just the usage line
    assert "--out" in result.output
    assert f"`kg {command}" in DOCS.read_text(encoding="utf-8")


def test_hostile_entity_names_go_through_every_command_bound(tmp_path) -> None:
    """A name with quotes, braces, `}`, `;` and DROP, as --entity, --focus and -p: found, never run."""
    out = tmp_path / "out"
    rf.build_store(out / "store").close()
    with KGStore(out / "store", read_only=True) as store:
        size = len(store)
    runner = CliRunner()
    claims = runner.invoke(main, ["claims", "--out", str(out), "--entity", rf.HOSTILE, "--format", "json"])
    assert claims.exit_code == 0, claims.output
    assert [c["label"] for c in json.loads(claims.output)] == [f"{rf.HOSTILE} retakes Kursk"]
    page = tmp_path / "ego.html"
    render = runner.invoke(main, ["render", "--out", str(out), "--focus", rf.HOSTILE, "-o", str(page)])
    assert render.exit_code == 0, render.output
    assert "DROP ALL" in page.read_text(encoding="utf-8")          # drawn as a label, as text
    query = runner.invoke(main, ["query", "entity-mentions", "--out", str(out), "-p", f"entity={rf.HOSTILE}",
                                 "-f", "json"])
    assert query.exit_code == 0 and rf.ACME.iri in query.output
    for hostile in ('") } ; DROP ALL ; #', "} UNION { ?s ?p ?o } #"):
        for args in (["claims", "--entity", hostile], ["render", "--focus", hostile, "-o", str(page)]):
            result = runner.invoke(main, [*args, "--out", str(out)])
            assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    with KGStore(out / "store", read_only=True) as store:
        assert len(store) == size
