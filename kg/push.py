"""Load the store into an external triple store, one named graph per article, and verify it.

Two protocols:

* ``gsp`` (default), the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT
  <gsp>?graph=IRI`` per named graph with the graph as Turtle or N-Triples, so
  a changed article replaces its own graph and nothing else;
* ``update``, SPARQL 1.1 Update: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH
  <g> { ... } }`` per graph, for stores whose Graph Store endpoint is off.

After loading, each graph's triples are counted through the store's SPARQL
query service and compared with what was sent. Pushing twice changes nothing.
Graph IRIs come from kg's own hashing but are still checked to be IRIs before
they are written between ``<`` and ``>``; graph content is Oxigraph's
N-Triples serialization, which escapes every string.

Credentials come only from the environment (``KG_PUSH_USER``,
``KG_PUSH_PASSWORD``), sent with HTTP basic or digest auth. Transient failures
(connection errors, timeouts, 429, 502, 503, 504) are retried with exponential
backoff; anything else fails at once with a one-line :class:`PushError` that
says which graphs landed.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from kg.errors import PushError
from kg.export import serialization_prefixes
from kg.query import text_table
from kg.store import KGStore
from kg.vocab import KG, KGR

SERVERS = ("oxigraph", "fuseki", "virtuoso", "graphdb")
PROTOCOLS = ("gsp", "update")
BODIES = {"ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
          "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples")}
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
RESULTS_JSON = "application/sparql-results+json"
VERIFY_BATCH = 50
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\]")

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Endpoints:
    """Where a store takes graphs (``gsp``), updates and queries."""

    server: str
    query: str
    gsp: str | None = None
    update: str | None = None


@dataclass
class GraphResult:
    graph: str
    sent: int
    found: int | None = None

    @property
    def ok(self) -> bool:
        return self.found == self.sent


@dataclass
class PushReport:
    endpoints: Endpoints
    protocol: str
    graphs: list[GraphResult] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.graphs)


def guess_server(base: str) -> str:
    """The store a base URL most likely belongs to, from its path and port."""
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    if "/repositories/" in path + "/" and path.split("/repositories/")[-1]:
        return "graphdb"
    if parts.port == 8890 or path.endswith("/sparql") or "sparql-graph-crud" in path:
        return "virtuoso"
    if path and path not in ("/store", "/query", "/update"):
        return "fuseki"
    return "oxigraph"


def endpoints_for(base: str, server: str = "auto", *, gsp_url: str | None = None,
                  query_url: str | None = None, update_url: str | None = None,
                  authenticated: bool = False) -> Endpoints:
    """The endpoints of a store at ``base`` by its conventions; explicit URLs win.

    * Oxigraph ``http://host:7878``: ``/store``, ``/query``, ``/update``
    * Fuseki ``http://host:3030/ds``: ``/ds/data``, ``/ds/query``, ``/ds/update``
    * Virtuoso ``http://host:8890``: ``/sparql-graph-crud-auth`` (``/sparql-graph-crud``
      without credentials), queries at ``/sparql``, updates at ``/sparql-auth``
    * GraphDB ``http://host:7200/repositories/X``: ``.../rdf-graphs/service``,
      queries at the repository URL, updates at ``.../statements``
    """
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"endpoint {base!r} is not an http(s) URL (e.g. http://127.0.0.1:7878)")
    if server == "auto":
        server = guess_server(base)
    if server not in SERVERS:
        raise PushError(f"unknown server {server!r}: use one of auto, {', '.join(SERVERS)}")
    root = base.rstrip("/")
    if server == "oxigraph":
        root = re.sub(r"/(store|query|update)$", "", root)
        found = Endpoints(server, f"{root}/query", f"{root}/store", f"{root}/update")
    elif server == "fuseki":
        root = re.sub(r"/(data|query|update|sparql|get)$", "", root)
        found = Endpoints(server, f"{root}/query", f"{root}/data", f"{root}/update")
    elif server == "virtuoso":
        root = re.sub(r"/(sparql|sparql-auth|sparql-graph-crud|sparql-graph-crud-auth)$", "", root)
        auth = "-auth" if authenticated else ""
        found = Endpoints(server, f"{root}/sparql", f"{root}/sparql-graph-crud{auth}",
                          f"{root}/sparql{auth}")
    else:
        root = re.sub(r"/(statements|rdf-graphs/service)$", "", root)
        found = Endpoints(server, root, f"{root}/rdf-graphs/service", f"{root}/statements")
    return Endpoints(server, query_url or found.query, gsp_url or found.gsp, update_url or found.update)


def credentials_auth(auth: str | None) -> AuthBase | None:
    """HTTP auth from ``KG_PUSH_USER``/``KG_PUSH_PASSWORD``; ``auth`` is basic, digest or None."""
    user = os.environ.get("KG_PUSH_USER")
    password = os.environ.get("KG_PUSH_PASSWORD")
    if auth in (None, "none"):
        return None
    if auth not in ("basic", "digest"):
        raise PushError(f"unknown auth {auth!r}: use basic, digest or none")
    if not user or password is None:
        raise PushError(f"--auth {auth} needs KG_PUSH_USER and KG_PUSH_PASSWORD in the environment")
    return HTTPDigestAuth(user, password) if auth == "digest" else HTTPBasicAuth(user, password)


def checked_iri(iri: str) -> str:
    """``<iri>`` for SPARQL text, after checking that ``iri`` is an absolute IRI with nothing to escape."""
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise PushError(f"graph name {iri!r} is not a valid IRI: {exc}") from exc
    if _IRI_FORBIDDEN.search(iri) or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise PushError(f"graph name {iri!r} is not an absolute IRI that can be written in SPARQL")
    return str(node)


# -- what is sent --------------------------------------------------------------------

def local_graphs(store: KGStore) -> list[tuple[str, int]]:
    """Named graphs of the store with their triple counts, by IRI."""
    return [(g, sum(1 for _ in store.quads(g))) for g in store.graphs()]


def graph_payload(store: KGStore, graph: str, body: str = "ttl") -> bytes:
    fmt, _ = BODIES[body]
    triples = (q.triple for q in store.quads(graph))
    prefixes = serialization_prefixes() if body == "ttl" else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""


def update_request(store: KGStore, graph: str) -> str:
    """``DROP SILENT GRAPH`` + ``INSERT DATA`` for one graph (terms as escaped N-Triples)."""
    name = checked_iri(graph)
    data = ox.serialize((q.triple for q in store.quads(graph)), format=ox.RdfFormat.N_TRIPLES) or b""
    return (f"DROP SILENT GRAPH {name} ;\n"
            f"INSERT DATA {{ GRAPH {name} {{\n{data.decode('utf-8')}}} }}\n")


# -- HTTP ------------------------------------------------------------------------------

class _Client:
    """A requests session with retries on transient failures."""

    def __init__(self, auth: AuthBase | None, retries: int, backoff: float, timeout: float) -> None:
        self.session = requests.Session()
        self.session.auth = auth
        self.session.headers["User-Agent"] = "kg-push"
        self.retries = max(0, retries)
        self.backoff = backoff
        self.timeout = timeout

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.retries:
                    raise _Failure(f"cannot reach {_where(url)} ({_reason(exc)})") from exc
            else:
                if response.status_code not in TRANSIENT_STATUS or attempt >= self.retries:
                    return response
                wait = _retry_after(response)
                if wait is not None:
                    time.sleep(min(wait, 30.0))
                    attempt += 1
                    continue
            time.sleep(self.backoff * (2 ** attempt))
            attempt += 1


class _Failure(Exception):
    """An HTTP step failed; push() turns it into a PushError naming the graphs that landed."""


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "No route to host", "Connection reset"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def _check(response: requests.Response, what: str) -> None:
    if response.ok:
        return
    status = response.status_code
    hint = ""
    if status in (401, 403):
        hint = ": check KG_PUSH_USER, KG_PUSH_PASSWORD and --auth"
    elif status in (404, 405, 501):
        hint = ": check the endpoint URL and --server (or give --gsp-url/--query-url/--update-url)"
    text = response.text
    if "html" in response.headers.get("Content-Type", "") or text.lstrip().startswith("<"):
        text = re.sub(r"(?s)<(script|style|head).*?</\1>|<[^>]+>", " ", text)  # the words of an error page
    detail = " ".join(text.split())[:160]
    raise _Failure(f"{what} refused with HTTP {status} {response.reason}{hint}"
                   + (f" ({detail})" if detail and status not in (401, 403) else ""))


def _load_graph(client: _Client, store: KGStore, ends: Endpoints, graph: str, protocol: str,
                body: str) -> None:
    checked_iri(graph)
    if protocol == "gsp":
        if not ends.gsp:
            raise _Failure("no Graph Store endpoint: give --gsp-url or use --protocol update")
        _, content_type = BODIES[body]
        response = client.request("PUT", ends.gsp, params={"graph": graph},
                                  data=graph_payload(store, graph, body),
                                  headers={"Content-Type": content_type})
        _check(response, f"PUT {_where(ends.gsp)}?graph={graph}")
    else:
        if not ends.update:
            raise _Failure("no update endpoint: give --update-url")
        response = client.request("POST", ends.update,
                                  data={"update": update_request(store, graph)},
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        _check(response, f"update of {graph} at {_where(ends.update)}")


def _select(client: _Client, ends: Endpoints, sparql: str) -> list[dict]:
    response = client.request("POST", ends.query, data={"query": sparql},
                              headers={"Accept": RESULTS_JSON})
    _check(response, f"query at {_where(ends.query)}")
    try:
        return response.json()["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _Failure(f"the query service at {_where(ends.query)} did not answer with "
                       "SPARQL JSON results") from exc


def remote_counts(client: _Client, ends: Endpoints, graphs: Sequence[str]) -> dict[str, int]:
    """Triples per graph as the remote store's query service counts them."""
    counts = {g: 0 for g in graphs}
    for i in range(0, len(graphs), VERIFY_BATCH):
        values = " ".join(checked_iri(g) for g in graphs[i:i + VERIFY_BATCH])
        rows = _select(client, ends, "SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { " + values
                       + " } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        for row in rows:
            if row.get("g", {}).get("value") in counts:
                counts[row["g"]["value"]] = int(row["n"]["value"])
    return counts


def remote_article_graphs(client: _Client, ends: Endpoints) -> list[str]:
    """Graphs on the remote store that kg made (each holds its own kg:Article)."""
    rows = _select(client, ends, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{KG.Article}> }} }}")
    prefix = f"{KGR}article/"
    return sorted(r["g"]["value"] for r in rows if r.get("g", {}).get("value", "").startswith(prefix))


def _drop_graph(client: _Client, ends: Endpoints, graph: str, protocol: str) -> None:
    name = checked_iri(graph)
    if protocol == "gsp" and ends.gsp:
        response = client.request("DELETE", ends.gsp, params={"graph": graph})
        if response.status_code != 404:
            _check(response, f"DELETE {_where(ends.gsp)}?graph={graph}")
    else:
        response = client.request("POST", ends.update or ends.query,
                                  data={"update": f"DROP SILENT GRAPH {name}"})
        _check(response, f"drop of {graph}")


# -- the command -------------------------------------------------------------------------

def _landed(graphs: list[str], total: int) -> str:
    if not graphs:
        return f"no graph landed (0 of {total})"
    shown = ", ".join(graphs[:3]) + (f" and {len(graphs) - 3} more" if len(graphs) > 3 else "")
    return f"{len(graphs)} of {total} graphs landed ({shown})"


def push(store: KGStore, endpoint: str, *, protocol: str = "gsp", server: str = "auto",
         auth: str | None = None, gsp_url: str | None = None, query_url: str | None = None,
         update_url: str | None = None, body: str = "ttl", dry_run: bool = False,
         prune: bool = False, retries: int = 4, backoff: float = 0.5, timeout: float = 60.0,
         echo: Echo | None = None) -> PushReport:
    """Push every named graph of ``store`` to ``endpoint``, verify the counts, print a table."""
    say = echo or (lambda _line: None)
    if protocol not in PROTOCOLS:
        raise PushError(f"unknown protocol {protocol!r}: use gsp or update")
    if body not in BODIES:
        raise PushError(f"unknown body format {body!r}: use ttl or nt")
    if auth is None and os.environ.get("KG_PUSH_USER"):
        auth = "digest" if (server == "virtuoso" or (server == "auto" and
                            guess_server(endpoint) == "virtuoso")) else "basic"
    http_auth = None if dry_run else credentials_auth(auth)
    ends = endpoints_for(endpoint, server, gsp_url=gsp_url, query_url=query_url,
                         update_url=update_url, authenticated=auth not in (None, "none"))
    report = PushReport(ends, protocol)
    graphs = local_graphs(store)
    for graph, _ in graphs:
        checked_iri(graph)
    default_size = sum(1 for _ in store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default_size:
        say(f"note: {default_size} triples in the default graph are not pushed (only named graphs are)")
    if dry_run:
        target = ends.gsp if protocol == "gsp" else ends.update
        say(f"dry run: would send {len(graphs)} graphs, {sum(n for _, n in graphs)} triples "
            f"to {target} ({ends.server}, {protocol}); verify at {ends.query}")
        for line in text_table(("graph", "triples"), [(g, str(n)) for g, n in graphs]):
            say(line)
        report.graphs = [GraphResult(g, n) for g, n in graphs]
        return report
    if not graphs:
        raise PushError("the store holds no named graphs: run `kg build` first")
    client = _Client(http_auth, retries, backoff, timeout)
    landed: list[str] = []
    try:
        for graph, _ in graphs:
            _load_graph(client, store, ends, graph, protocol, body)
            landed.append(graph)
        if prune:
            local = {g for g, _ in graphs}
            for graph in remote_article_graphs(client, ends):
                if graph not in local:
                    _drop_graph(client, ends, graph, protocol)
                    report.pruned.append(graph)
        counts = remote_counts(client, ends, [g for g, _ in graphs])
    except _Failure as exc:
        raise PushError(f"{exc}; {_landed(landed, len(graphs))}") from exc
    report.graphs = [GraphResult(g, n, counts.get(g, 0)) for g, n in graphs]
    rows = [(r.graph, str(r.sent), str(r.found), "ok" if r.ok else "MISMATCH") for r in report.graphs]
    for line in text_table(("graph", "sent", "found", "ok"), rows):
        say(line)
    for graph in report.pruned:
        say(f"pruned {graph} (no longer in the local store)")
    bad = [r for r in report.graphs if not r.ok]
    if bad:
        first = bad[0]
        raise PushError(f"verification failed for {len(bad)} of {len(graphs)} graphs "
                        f"(first: {first.graph} sent {first.sent}, found {first.found}); "
                        f"{len(graphs) - len(bad)} graphs verified")
    say(f"pushed {len(graphs)} graphs, {sum(r.sent for r in report.graphs)} triples to "
        f"{ends.gsp if protocol == 'gsp' else ends.update}: verified")
    return report
