"""kg push against real triple stores: an Oxigraph server always, Virtuoso with KG_TEST_VIRTUOSO=1.

The same tests run against each store (``remote`` is parametrised): counts
verified, a second push changes nothing, a changed article replaces only its
own graph, hostile strings arrive intact, wrong credentials and dead ports
fail with exit 1 and one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import records_fixture as rf
import requests
from click.testing import CliRunner
from requests.auth import HTTPDigestAuth
from servers import AuthProxy, free_port, oxigraph_server, virtuoso_available, virtuoso_server

from kg.cli import main
from kg.errors import PushError
from kg.push import checked_iri, endpoints_for, guess_server, push
from kg.rdf import article_quads
from kg.store import KGStore
from kg.vocab import KGR

pytestmark = pytest.mark.server

WANT_VIRTUOSO = os.environ.get("KG_TEST_VIRTUOSO") == "1"
REMOTES = [
    "oxigraph",
    pytest.param("virtuoso", marks=[
        pytest.mark.virtuoso,
        pytest.mark.skipif(not WANT_VIRTUOSO, reason="set KG_TEST_VIRTUOSO=1 (make test-stores)"),
        pytest.mark.skipif(not virtuoso_available(), reason="virtuoso-opensource is not installed"),
    ]),
]
ARTICLE_GRAPHS = f"{KGR}article/"


@dataclass
class Remote:
    """A store to push to, and SPARQL over HTTP to look at what it holds."""

    kind: str
    base: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    auth: object = None

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql" if self.kind == "virtuoso" else f"{self.base}/query"

    def select(self, sparql: str) -> list[dict]:
        response = requests.post(self.query_url, data={"query": sparql},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=30)
        response.raise_for_status()
        return response.json()["results"]["bindings"]

    def graphs(self) -> dict[str, int]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                           f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPHS}")) }} GROUP BY ?g')
        return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}

    def content(self, graph: str) -> set[tuple]:
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {checked_iri(graph)} {{ ?s ?p ?o }} }}")
        return {tuple(_term(r[k]) for k in ("s", "p", "o")) for r in rows}

    def push(self, out: Path, *extra: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, ["push", self.base, *self.args, *extra, "--retries", "1",
                                         "--out", str(out)], env=self.env if env is None else env)


def _literal(value: str, lang: str, datatype: str) -> tuple:
    if datatype.endswith("#string"):
        datatype = ""
    if datatype.endswith("#boolean"):  # Virtuoso answers 1/0 for true/false: the same value
        value = {"1": "true", "0": "false"}.get(value, value)
    return ("literal", value, lang.lower(), datatype)


def _term(binding: dict) -> tuple:
    kind = binding["type"]
    if kind == "uri":
        return ("uri", binding["value"])
    if kind == "bnode":
        return ("bnode",)
    return _literal(binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))


def _local_content(store: KGStore, graph: str) -> set[tuple]:
    out = set()
    for q in store.quads(graph):
        terms = []
        for t in (q.subject, q.predicate, q.object):
            if isinstance(t, ox.NamedNode):
                terms.append(("uri", t.value))
            elif isinstance(t, ox.BlankNode):
                terms.append(("bnode",))
            else:
                terms.append(_literal(t.value, t.language or "", "" if t.language else t.datatype.value))
        out.add(tuple(terms))
    return out


@pytest.fixture(scope="session")
def virtuoso_base(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as base:
        yield base


@pytest.fixture(params=REMOTES)
def remote(request, tmp_path: Path):
    if request.param == "oxigraph":
        with oxigraph_server(tmp_path / "remote") as base:
            yield Remote("oxigraph", base, ["--server", "oxigraph"])
        return
    base = request.getfixturevalue("virtuoso_base")
    auth = HTTPDigestAuth("dba", "dba")
    found = Remote("virtuoso", base, ["--server", "virtuoso"],
                   {"KG_PUSH_USER": "dba", "KG_PUSH_PASSWORD": "dba"}, auth)
    for graph in found.graphs():  # a clean slate: drop what earlier tests pushed
        requests.post(f"{base}/sparql-auth", data={"update": f"DROP SILENT GRAPH {checked_iri(graph)}"},
                      auth=auth, timeout=30).raise_for_status()
    yield found


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A build folder holding the three fixture articles."""
    folder = tmp_path / "out"
    rf.build_store(folder / "store").close()
    return folder


def _local(out: Path) -> dict[str, int]:
    with KGStore(out / "store", read_only=True) as store:
        return {g: sum(1 for _ in store.quads(g)) for g in store.graphs()}


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("kg: error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


# -- against each store ----------------------------------------------------------------------

def test_push_loads_and_verifies_every_graph(remote: Remote, out: Path) -> None:
    result = remote.push(out)
    assert result.exit_code == 0, result.output
    local = _local(out)
    assert remote.graphs() == local
    for graph, count in local.items():
        assert any(line.startswith(graph) and f"| {count}" in line and line.endswith("| ok")
                   for line in result.output.splitlines()), result.output
    assert "verified" in result.output.splitlines()[-1]


def test_pushing_twice_changes_nothing(remote: Remote, out: Path) -> None:
    assert remote.push(out).exit_code == 0
    before = {g: remote.content(g) for g in remote.graphs()}
    assert remote.push(out).exit_code == 0
    assert {g: remote.content(g) for g in remote.graphs()} == before
    assert remote.push(out, "--protocol", "update").exit_code == 0
    assert {g: remote.content(g) for g in remote.graphs()} == before


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_content_arrives_intact(remote: Remote, out: Path, protocol: str) -> None:
    result = remote.push(out, "--protocol", protocol)
    assert result.exit_code == 0, result.output
    with KGStore(out / "store", read_only=True) as store:
        for graph in store.graphs():
            assert remote.content(graph) == _local_content(store, graph)
    names = {r["n"]["value"] for r in remote.select(
        f"SELECT ?n WHERE {{ GRAPH ?g {{ <{rf.ACME.iri}> ?p ?n }} FILTER(ISLITERAL(?n)) }}")}
    assert {rf.HOSTILE, rf.HOSTILE_ALIAS} <= names


def test_changed_article_replaces_only_its_graph(remote: Remote, out: Path) -> None:
    assert remote.push(out).exit_code == 0
    changed = rf.changed_article_one()
    iri = changed.article.iri
    others = {g: remote.content(g) for g in remote.graphs() if g != iri}
    with KGStore(out / "store") as store:
        store.put_article(iri, article_quads(changed))
    result = remote.push(out)
    assert result.exit_code == 0, result.output
    with KGStore(out / "store", read_only=True) as store:
        assert remote.content(iri) == _local_content(store, iri)
    assert {g: remote.content(g) for g in remote.graphs() if g != iri} == others


def test_prune_drops_graphs_the_store_no_longer_has(remote: Remote, out: Path) -> None:
    assert remote.push(out).exit_code == 0
    gone = rf.article_three().article.iri
    with KGStore(out / "store") as store:
        store.drop_article(gone)
    assert remote.push(out).exit_code == 0
    assert gone in remote.graphs()  # without --prune the old graph stays
    result = remote.push(out, "--prune")
    assert result.exit_code == 0, result.output
    assert f"pruned {gone}" in result.output
    assert remote.graphs() == _local(out)


def test_dry_run_sends_nothing(remote: Remote, out: Path) -> None:
    result = remote.push(out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send 3 graphs" in result.output
    for graph, count in _local(out).items():
        assert f"{graph} | {count}" in result.output
    assert remote.graphs() == {}


def test_wrong_credentials_fail_cleanly(remote: Remote, out: Path) -> None:
    if remote.kind == "virtuoso":  # a store that wants digest auth
        result = remote.push(out, env={"KG_PUSH_USER": "dba", "KG_PUSH_PASSWORD": "wrong"})
    else:  # Oxigraph has no auth: put a proxy that wants basic auth in front of it
        with AuthProxy(remote.base) as proxy:
            result = CliRunner().invoke(
                main, ["push", proxy.url, "--server", "oxigraph", "--auth", "basic", "--out", str(out)],
                env={"KG_PUSH_USER": "kg", "KG_PUSH_PASSWORD": "wrong"})
    line = _one_error_line(result)
    assert "HTTP 401" in line and "KG_PUSH_PASSWORD" in line
    assert "no graph landed (0 of 3)" in line
    assert remote.graphs() == {}


# -- failures, retries, conventions (Oxigraph) ------------------------------------------------

@pytest.fixture
def oxigraph(tmp_path: Path):
    with oxigraph_server(tmp_path / "remote") as base:
        yield Remote("oxigraph", base, ["--server", "oxigraph"])


def test_right_credentials_through_the_proxy(oxigraph: Remote, out: Path) -> None:
    with AuthProxy(oxigraph.base) as proxy:
        result = CliRunner().invoke(
            main, ["push", proxy.url, "--server", "oxigraph", "--out", str(out)],
            env={"KG_PUSH_USER": "kg", "KG_PUSH_PASSWORD": "secret"})
    assert result.exit_code == 0, result.output
    assert oxigraph.graphs() == _local(out)


def test_dead_port_fails_cleanly(out: Path) -> None:
    port = free_port()
    result = CliRunner().invoke(main, ["push", f"http://127.0.0.1:{port}", "--retries", "0",
                                       "--out", str(out)])
    line = _one_error_line(result)
    assert f"cannot reach http://127.0.0.1:{port}/store (connection refused)" in line
    assert "no graph landed" in line


def test_transient_failures_are_retried(oxigraph: Remote, monkeypatch) -> None:
    monkeypatch.setenv("KG_PUSH_USER", "kg")
    monkeypatch.setenv("KG_PUSH_PASSWORD", "secret")
    with AuthProxy(oxigraph.base, fail_first=3) as proxy:
        report = push(rf.build_store(), proxy.url, server="oxigraph", retries=4, backoff=0.01)
        assert report.ok
        assert proxy.seen >= 3 + len(report.graphs) + 1


def test_persistent_503_gives_up(oxigraph: Remote, monkeypatch) -> None:
    monkeypatch.delenv("KG_PUSH_USER", raising=False)
    with AuthProxy(oxigraph.base, fail_first=100) as proxy, pytest.raises(PushError, match="HTTP 503"):
        push(rf.build_store(), proxy.url, server="oxigraph", retries=2, backoff=0.01)


def test_refusal_midway_says_which_graphs_landed(oxigraph: Remote, out: Path) -> None:
    with AuthProxy(oxigraph.base, puts_before_error=1) as proxy:
        result = CliRunner().invoke(main, ["push", proxy.url, "--server", "oxigraph", "--out", str(out)],
                                    env={"KG_PUSH_USER": "kg", "KG_PUSH_PASSWORD": "secret"})
    line = _one_error_line(result)
    first = sorted(_local(out))[0]
    assert "HTTP 500" in line and f"1 of 3 graphs landed ({first})" in line
    assert list(oxigraph.graphs()) == [first]


def test_count_mismatch_fails(oxigraph: Remote, out: Path, tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "elsewhere") as other:
        result = oxigraph.push(out, "--query-url", f"{other}/query")
    line = _one_error_line(result)
    assert "verification failed for 3 of 3 graphs" in line
    assert "MISMATCH" in result.output


def test_wrong_endpoint_path(oxigraph: Remote, out: Path) -> None:
    line = _one_error_line(oxigraph.push(out, "--gsp-url", f"{oxigraph.base}/nowhere"))
    assert "HTTP 404" in line


def test_auth_needs_credentials(out: Path) -> None:
    env = {"KG_PUSH_USER": "", "KG_PUSH_PASSWORD": ""}
    line = _one_error_line(CliRunner().invoke(main, ["push", "http://127.0.0.1:9", "--auth", "digest",
                                                     "--out", str(out)], env=env))
    assert "KG_PUSH_USER and KG_PUSH_PASSWORD" in line


@pytest.mark.parametrize("bad", [
    "http://example.org/g> } ; DROP ALL ; <http://x",
    "http://example.org/a b",
    "relative/graph",
    'http://example.org/"quoted"',
])
def test_graph_names_are_checked_before_they_reach_sparql(bad: str) -> None:
    with pytest.raises(PushError):
        checked_iri(bad)


def test_checked_iri_writes_an_iri_for_sparql() -> None:
    assert checked_iri("urn:x:ok") == "<urn:x:ok>"
    assert checked_iri(rf.article_one().article.iri) == f"<{rf.article_one().article.iri}>"


@pytest.mark.parametrize("base, server, gsp, query, update", [
    ("http://h:7878", "oxigraph", "http://h:7878/store", "http://h:7878/query", "http://h:7878/update"),
    ("http://h:3030/ds", "fuseki", "http://h:3030/ds/data", "http://h:3030/ds/query",
     "http://h:3030/ds/update"),
    ("http://h:8890", "virtuoso", "http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql",
     "http://h:8890/sparql-auth"),
    ("http://h:8890/sparql", "virtuoso", "http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql",
     "http://h:8890/sparql-auth"),
    ("http://h:7200/repositories/kg", "graphdb", "http://h:7200/repositories/kg/rdf-graphs/service",
     "http://h:7200/repositories/kg", "http://h:7200/repositories/kg/statements"),
])
def test_endpoint_conventions(base: str, server: str, gsp: str, query: str, update: str) -> None:
    assert guess_server(base) == server
    found = endpoints_for(base, authenticated=True)
    assert (found.server, found.gsp, found.query, found.update) == (server, gsp, query, update)


def test_explicit_urls_override_conventions() -> None:
    found = endpoints_for("http://h:7878", "oxigraph", gsp_url="http://g/gsp", query_url="http://g/q")
    assert (found.gsp, found.query, found.update) == ("http://g/gsp", "http://g/q", "http://h:7878/update")
    with pytest.raises(PushError, match="http"):
        endpoints_for("ftp://h/x")
