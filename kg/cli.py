"""The `kg` command line: a thin shell over the library.

Each command parses its options, calls one library function and prints the
result. Library errors (:class:`kg.errors.KGError`) become exit code 1 and one
line on stderr; click's usage errors exit with 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError

DEFAULT_OUT = "out"


def out_option(func):
    """``--out DIR``: the build folder holding ``store/`` and the exports (env ``KG_OUT``)."""
    return click.option(
        "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
        envvar="KG_OUT", show_default=True,
        help="Build folder: the store is OUT/store, outputs are written beside it.",
    )(func)


class KGGroup(click.Group):
    """Maps library errors to one line and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph with provenance from news articles.

    Typical session:

    \b
      kg build seeds/                 # ingest, extract, store in out/store
      kg query "SELECT ..."           # SPARQL over the store
      kg facts | head                 # the facts as JSON lines
      kg claims                       # per claim: who states, confirms, denies it, figures
      kg eval --gold gold/seeds       # score against gold annotations
    """


def _count_inputs(paths: tuple[Path, ...]) -> int:
    """How many articles the build will read, for the progress bar: a file each, a line
    each in JSON-lines files (counted by bytes, not parsed)."""
    from kg.ingest import input_files

    total = 0
    for path in paths:
        files = input_files(path) if path.is_dir() else [path]
        for file in files:
            total += _lines(file) if file.suffix.lower() == ".jsonl" else 1
    return total


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return max(1, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")))
    except OSError:
        return 1


def _jobs(value: str) -> int:
    from kg.parallel import default_jobs

    if value == "auto":
        return default_jobs()
    try:
        jobs = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number of processes or 'auto'") from None
    if jobs < 1:
        raise click.BadParameter("needs at least 1 process")
    return jobs


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@out_option
@click.option("--force", is_flag=True, help="Re-extract every article, even those already stored unchanged.")
@click.option("--prune", is_flag=True, help="Drop stored articles whose files are no longer among PATHS.")
@click.option("--jobs", "-j", default="auto", show_default=True, metavar="N",
              help="Worker processes that extract (one writer stores); 'auto' is every core. "
                   "Small inputs are extracted in this process whatever N is.")
@click.option("--dask", metavar="SCHEDULER", default=None,
              help="Extract on a Dask distributed cluster (tcp://HOST:8786); the results are "
                   "bulk-loaded as N-Quads shards. Needs kg[dask].")
@click.option("--shards", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --dask: keep the N-Quads shards in this folder (for an external store's "
                   "bulk loader); by default they are deleted once loaded.")
@click.option("--model", metavar="NAME", default=None,
              help="An installed trained spaCy pipeline to add kg's components to (optional; "
                   "by default kg runs on spacy.blank and downloads nothing).")
@click.option("--no-render", is_flag=True, help="Do not write graph.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
def build(paths: tuple[Path, ...], out: Path, force: bool, prune: bool, jobs: str, dask: str | None,
          shards: Path | None, model: str | None, no_render: bool, quiet: bool) -> None:
    """Ingest, extract and store articles (default input: seeds/).

    PATHS are files (.txt, .html, .jsonl) or folders, read recursively. The
    store goes to OUT/store; OUT also gets graph.trig, facts.jsonl,
    entities.jsonl and graph.html. Building again skips unchanged articles,
    replaces changed ones and keeps everything else; a bad file is reported
    in one line and skipped. A build killed midway keeps every article it
    stored; the next build does the rest. `kg query` keeps answering during
    a build (from the store as it was when the build started).
    """
    from kg.build import build as run_build

    paths = paths or (Path("seeds"),)
    for path in paths:
        if not path.exists():
            raise KGError(f"{path}: no such file or folder")
    if shards is not None and dask is None:
        raise click.BadParameter("--shards goes with --dask", param_hint="--shards")
    failures: list[str] = []
    with click.progressbar(length=max(1, _count_inputs(paths)), label="building", file=sys.stderr,
                           show_pos=True, show_eta=True, hidden=quiet) as bar:

        def progress(state: str, item) -> None:
            if state == "failed":
                failures.append(str(getattr(item, "error", None) or item))
            bar.update(1)

        summary = run_build(paths, out, force=force, prune=prune, model=model, progress=progress,
                            render=not no_render, jobs=_jobs(jobs), dask=dask, shards=shards)
    for line in failures:
        click.echo(f"kg: skipped: {line}", err=True)
    for line in summary.lines():
        click.echo(line)
    click.echo("next: kg query facts-by-relation | kg facts | kg render | kg eval --gold DIR")


@main.command(name="eval")
@click.option("--gold", "gold", required=True, type=click.Path(path_type=Path),
              help="Folder of per-article gold files; entities.json in it or its parent.")
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--misses", is_flag=True, help="Also list, per article, what was missed or extra.")
def eval_command(gold: Path, out: Path, as_json: bool, misses: bool) -> None:
    """Score the build's facts and entities against gold annotations.

    Prints precision, recall and F1 for entities, strict facts (subject,
    relation, object or claim) and loose facts (subject, relation), summed
    over the articles that have a gold file (see gold/README.md).
    """
    import json

    from kg.evaluate import evaluate

    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"articles {report.articles} (gold: {gold})")
    for line in report.lines():
        click.echo(line)
    click.echo("confidence  facts  right (strict)")
    for label, count, share in report.reliability():
        click.echo(f"{label:<10} {count:>6}  {share:.2f}")
    if misses:
        for name, miss in sorted(report.misses.items()):
            click.echo(f"\n{name}")
            for kind, items in miss.items():
                if items:
                    click.echo(f"  {kind}: {items}")


# -- getting triples out: query, facts, entities, export, push, validate, serve --------------

def _store_path(out: Path) -> Path:
    return out / "store"


def _open_store(out: Path):
    from kg.store import KGStore

    return KGStore(_store_path(out), read_only=True)


def _write_text(text: str) -> None:
    """Print to stdout; a closed pipe (`kg facts | head`) ends quietly."""
    try:
        click.echo(text)
    except BrokenPipeError:
        _quiet_exit()


def _quiet_exit() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip().lstrip("?$")] = value
    return params


@main.command()
@click.argument("query", required=False, metavar="QUERY-OR-NAME-OR-FILE")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True,
              help="SELECT/ASK output: aligned table, SPARQL 1.1 CSV/TSV or JSON results. "
                   "CONSTRUCT/DESCRIBE always print Turtle.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (a string; <IRI> for an IRI). Repeatable. Values are bound "
                   "by the engine, never pasted into the query text.")
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries and exit.")
@out_option
def query(query: str | None, fmt: str, params: tuple[str, ...], list_saved: bool, out: Path) -> None:
    """Run SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) over the store.

    QUERY-OR-NAME-OR-FILE is SPARQL text, the name of a saved query in
    ontology/queries/ (see --list), a .rq file, or - for standard input.
    The default graph is the merge of all article graphs (each triple once);
    GRAPH ?doc { ... } reads article by article. During a build, queries
    answer from the store as the build found it.
    The usual prefixes (kg:, kgr:, rdfs:, skos:, prov:, nif:, dcterms:,
    schema:, owl:, wd:, xsd:, itsrdf:) are predeclared.

    \b
      kg query --list
      kg query facts-by-relation -p relation=deploys
      kg query entity-mentions -p entity="Kim Jong-un" -f csv
      kg query "SELECT ?s ?o WHERE { ?s kg:deploys ?o }" -f json
    """
    from kg.query import list_saved_queries, run_query

    if list_saved:
        for saved in list_saved_queries():
            args = "".join(f" -p {p}=..." for p in saved.params)
            args += "".join(f" [-p {p}=...]" for p in saved.optional)
            _write_text(f"{saved.name}{args}\n    {saved.description}")
        return
    if not query:
        raise click.UsageError("give a query, a saved query name or a file (or --list)")
    if query == "-":
        query = sys.stdin.read()
    with _open_store(out) as store:
        _write_text(run_query(store, query, fmt, _params(params)))


def _jsonl_command(kind: str, out: Path, output: Path | None) -> None:
    from kg.records import entity_rows, fact_rows, write_jsonl

    rows_for = fact_rows if kind == "facts" else entity_rows
    with _open_store(out) as store:
        if output is not None:
            try:
                with output.open("w", encoding="utf-8") as handle:
                    write_jsonl(rows_for(store), handle)
            except OSError as exc:
                raise KGError(f"cannot write {output}: {exc.strerror}") from exc
            return
        try:
            write_jsonl(rows_for(store), sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_exit()


_OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                       help="Write to this file instead of standard output.")


@main.command()
@click.option("--entity", "-e", metavar="NAME", default=None,
              help="Only claims about this entity (its label, a name, case-insensitive, or <IRI>), "
                   "or that it asserts, confirms or denies.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True,
              help="table: a block per claim; json: one object per claim; csv: one row per statement.")
@_OUTPUT
@out_option
def claims(entity: str | None, fmt: str, output: Path | None, out: Path) -> None:
    """Compare the sources: per claim, who states it, who confirms or denies it, with which figures and when.

    A claim is the same relation between the same entities in any article
    (North Korea deploys Russia). For each claim: the articles that state it
    (publisher, publication date, figure, time, who it is attributed to), the
    confirmations and denials (who, when), the range of figures, which sources
    give figures that do not overlap, and whether somebody denies it. It runs
    the saved query `claims` (kg query claims shows its raw rows).

    \b
      kg claims
      kg claims --entity "Korea Utara"
      kg claims -f csv -o claims.csv
    """
    from kg.claims import entity_known, load_claims, render
    from kg.errors import QueryError

    with _open_store(out) as store:
        found = load_claims(store, entity)
        if entity and not found and not entity_known(store, entity):
            raise QueryError(f"no entity named {entity!r} in the store (kg entities lists them)")
    text = render(found, fmt)
    if output is not None:
        try:
            output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as exc:
            raise KGError(f"cannot write {output}: {exc.strerror}") from exc
        return
    _write_text(text.rstrip("\n"))


@main.command()
@out_option
@click.option("--focus", metavar="ENTITY", help="Draw only this entity's neighbourhood (a label or name, "
              "case-insensitive, or the entity's IRI).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Hops around --focus (a claim diamond costs no hop to its own ends).")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Keep only the N most central nodes (the focus always stays).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: OUT/graph.html].")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a PNG screenshot of the drawn page (needs Chromium and Playwright).")
def render(out: Path, focus: str | None, depth: int, max_nodes: int | None, output: Path | None,
           png: Path | None) -> None:
    """Draw the graph as one offline HTML file: entities, facts, claims and their evidence.

    Opens the store at OUT/store read-only and writes OUT/graph.html (or -o FILE),
    a single page with everything inlined that works with no network.
    """
    from kg.render import render_folder, screenshot

    stats = render_folder(out, output, focus=focus, depth=depth, max_nodes=max_nodes)
    shown = f"{stats.nodes} nodes ({stats.entities} entities, {stats.claims} claims), {stats.edges} edges"
    left = f", {stats.left_out} left out" if stats.left_out else ""
    click.echo(f"wrote {stats.path}: {shown} from {stats.articles} articles{left}")
    if png is not None:
        click.echo(f"wrote {screenshot(stats.path, png)}")


@main.command()
@out_option
@_OUTPUT
def facts(out: Path, output: Path | None) -> None:
    """Print every stored fact as JSON lines (read back from the store).

    One line per statement: id, doc, source, predicate, subject, object,
    claim, quantity, time, location, evidence {text,start,end}, confidence,
    attributed_to, hedged. Ordered by source, then evidence offsets.
    """
    _jsonl_command("facts", out, output)


@main.command()
@out_option
@_OUTPUT
def entities(out: Path, output: Path | None) -> None:
    """Print the entities of every stored article as JSON lines.

    One line per article and entity: doc, source, id, label (English where
    known), type, names, wikidata, mentions [[start, end], ...]. Ordered by
    source, then first mention.
    """
    _jsonl_command("entities", out, output)


@main.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "xml"]),
              default="trig", show_default=True,
              help="nq, trig and jsonld keep one named graph per article; ttl, nt and xml merge them.")
@click.option("--graph", "graph", metavar="IRI", help="Export only this named graph.")
@_OUTPUT
@out_option
def export(fmt: str, graph: str | None, output: Path | None, out: Path) -> None:
    """Write the store in an RDF syntax (standard output unless -o).

    \b
      kg export -f nq -o graph.nq
      kg export -f jsonld -o graph.jsonld      # compacted with ontology/context.jsonld
      kg export -f ttl --graph https://w3id.org/kgnews/id/article/...
    """
    from kg.export import export as export_store

    with _open_store(out) as store:
        if output is not None:
            export_store(store, fmt, output, graph)
            return
        try:
            export_store(store, fmt, sys.stdout.buffer, graph)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_exit()


@main.command()
@click.argument("endpoint")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: Graph Store Protocol, one PUT per graph. update: SPARQL Update, "
                   "DROP SILENT GRAPH + INSERT DATA per graph.")
@click.option("--server", type=click.Choice(["auto", "oxigraph", "fuseki", "virtuoso", "graphdb"]),
              default="auto", show_default=True,
              help="Whose endpoint conventions to use (auto guesses from the URL).")
@click.option("--auth", type=click.Choice(["basic", "digest", "none"]), default=None,
              help="HTTP auth with KG_PUSH_USER / KG_PUSH_PASSWORD from the environment "
                   "(default: basic, digest for Virtuoso, when KG_PUSH_USER is set).")
@click.option("--gsp-url", help="Graph Store endpoint, overriding the server's convention.")
@click.option("--query-url", "--query-endpoint", "query_url",
              help="SPARQL query endpoint used to verify, overriding the convention.")
@click.option("--update-url", help="SPARQL update endpoint, overriding the convention.")
@click.option("--body", type=click.Choice(["ttl", "nt"]), default="ttl", show_default=True,
              help="Serialization of each PUT body.")
@click.option("--prune", is_flag=True,
              help="Also drop article graphs on the endpoint that the local store no longer has.")
@click.option("--dry-run", is_flag=True, help="List the graphs and triple counts, send nothing.")
@click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Retries on connection errors, timeouts, 429, 502, 503, 504 (exponential backoff).")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
              help="Seconds to wait for each HTTP request.")
@out_option
def push(endpoint: str, protocol: str, server: str, auth: str | None, gsp_url: str | None,
         query_url: str | None, update_url: str | None, body: str, prune: bool, dry_run: bool,
         retries: int, timeout: float, out: Path) -> None:
    """Load the store into an external triple store and verify it.

    One named graph per article: a changed article replaces its own graph,
    and pushing twice changes nothing. After loading, every graph's triples
    are counted through the endpoint's SPARQL query service and printed as
    graph | sent | found | ok; any mismatch or refusal exits with 1.

    \b
      kg push http://127.0.0.1:7878                                  # Oxigraph
      KG_PUSH_USER=dba KG_PUSH_PASSWORD=dba kg push http://127.0.0.1:8890   # Virtuoso
      kg push http://127.0.0.1:3030/ds                               # Fuseki
      kg push http://127.0.0.1:7200/repositories/kg                  # GraphDB
    """
    from kg.push import push as push_store

    with _open_store(out) as store:
        push_store(store, endpoint, protocol=protocol, server=server, auth=auth, gsp_url=gsp_url,
                   query_url=query_url, update_url=update_url, body=body, dry_run=dry_run,
                   prune=prune, retries=retries, timeout=timeout, echo=_write_text)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="Let pyshacl apply RDFS inference with the ontology before validating.")
@out_option
def validate(file: Path | None, inference: str, out: Path) -> None:
    """Check the store (or an RDF FILE) against the SHACL shapes.

    Validates each article graph against ontology/shapes.ttl with the
    ontology mixed in, and prints every violation (graph, focus node, path,
    message). Exits with 1 when there are violations.
    """
    from kg.validate import format_report, validate_file, validate_store

    if file is not None:
        report = validate_file(file, inference)
    else:
        with _open_store(out) as store:
            report = validate_store(store, inference)
    _write_text(format_report(report))
    if not report.conforms:
        sys.exit(1)


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the store to the network.")
@out_option
def serve(port: int, bind: str, out: Path) -> None:
    """Serve the store as a read-only SPARQL endpoint (Oxigraph server).

    Queries go to http://BIND:PORT/query (GET or POST, any SPARQL client:
    Yasgui, Protégé, rdflib's SPARQLStore, curl); the default graph is the
    merge of all article graphs. It serves the store as the last build left
    it (a snapshot), so builds go on meanwhile; restart it to serve their
    articles. Stop with Ctrl-C.
    """
    from kg.serve import serve as serve_store

    sys.exit(serve_store(_store_path(out), port, bind, echo=_write_text))
