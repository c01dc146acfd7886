"""SPARQL over the store: output formats, saved queries, bound parameters.

:func:`run_query` takes a query text, the name of a saved query
(``ontology/queries/<name>.rq``) or a file, runs it over the store (the
default graph is the merge of the article graphs) and renders the answer: SELECT as an aligned ``table``,
``csv``/``tsv`` (SPARQL 1.1 CSV/TSV results) or ``json`` (SPARQL 1.1 Query
Results JSON); ASK as ``true``/``false`` (the JSON boolean form with
``json``); CONSTRUCT and DESCRIBE as Turtle.

Parameters are bound, never pasted into the query text: ``params`` maps a
variable name to a value, and Oxigraph substitutes the term for the variable
(SEP-0007), so a value holding quotes, braces or ``DROP`` is just a string.
A saved query declares its parameters in its leading comment
(``# param entity: ...``); the variable must appear in its SELECT clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.ontology import ontology_dir
from kg.store import KGStore
from kg.vocab import PREFIXES

FORMATS = ("table", "csv", "tsv", "json")
_RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM_LINE = re.compile(r"#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(optional\))?\s*:?\s*(.*)")
CELL_WIDTH = 60


@dataclass(frozen=True)
class SavedQuery:
    """A query file under ``ontology/queries``: its leading ``#`` comment describes it."""

    name: str
    description: str
    path: Path
    text: str
    params: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


def queries_dir() -> Path:
    return ontology_dir() / "queries"


def _parse_saved(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    description = ""
    params: list[str] = []
    optional: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#"):
            break
        match = _PARAM_LINE.fullmatch(line)
        if match:
            (optional if match.group(2) else params).append(match.group(1))
        elif not description:
            description = line.lstrip("#").strip()
    return SavedQuery(path.stem, description, path, text, tuple(params), tuple(optional))


def list_saved_queries() -> list[SavedQuery]:
    """The saved queries, by name."""
    folder = queries_dir()
    if not folder.is_dir():
        return []
    return [_parse_saved(p) for p in sorted(folder.glob("*.rq"))]


def saved_query(name: str) -> SavedQuery | None:
    path = queries_dir() / f"{name}.rq"
    if _NAME.fullmatch(name) and path.is_file():
        return _parse_saved(path)
    return None


def resolve_query(query_or_name_or_file: str) -> tuple[str, SavedQuery | None]:
    """The query text, and the saved query it came from (if it was a name)."""
    arg = query_or_name_or_file.strip()
    if not arg:
        raise QueryError("empty query: give SPARQL text, a saved query name or a .rq file")
    saved = saved_query(arg)
    if saved:
        return saved.text, saved
    if "\n" not in arg and len(arg) < 4096:
        path = Path(arg)
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8"), None
            except (OSError, UnicodeDecodeError) as exc:
                raise QueryError(f"cannot read the query file {arg}: {exc}") from exc
        if _NAME.fullmatch(arg) and not re.fullmatch(r"(?i)select|ask|construct|describe", arg):
            names = ", ".join(q.name for q in list_saved_queries()) or "none"
            raise QueryError(f"no saved query or file named {arg!r} (saved queries: {names}; "
                             "`kg query --list` describes them)")
    return arg, None


def parse_param(value: str) -> ox.NamedNode | ox.Literal:
    """``<IRI>`` becomes an IRI (validated), anything else a plain string literal."""
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as exc:
            raise QueryError(f"parameter value {value!r} is not a valid IRI: {exc}") from exc
    return ox.Literal(value)


def _bindings(params: dict[str, str] | None, saved: SavedQuery | None) -> dict[str, object]:
    params = dict(params or {})
    for name in params:
        if not _VAR.fullmatch(name):
            raise QueryError(f"parameter name {name!r} is not a SPARQL variable name")
    if saved:
        missing = [p for p in saved.params if p not in params]
        if missing:
            example = " ".join(f"--param {p}=VALUE" for p in missing)
            raise QueryError(f"saved query {saved.name!r} needs {example}")
    return {k: parse_param(v) for k, v in params.items()}


def execute(store: KGStore, query_or_name_or_file: str, params: dict[str, str] | None = None):
    """Run a query; the raw pyoxigraph result (solutions, boolean or triples)."""
    text, saved = resolve_query(query_or_name_or_file)
    bindings = _bindings(params, saved)
    try:
        return store.query(text, bindings=bindings or None)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {_one_line(exc)}") from exc
    except RuntimeError as exc:  # e.g. a bound variable the query does not select
        raise QueryError(f"cannot run the query: {_one_line(exc)}") from exc


def run_query(store: KGStore, query_or_name_or_file: str, fmt: str = "table",
              params: dict[str, str] | None = None) -> str:
    """Run a query (text, saved name or file) and render its answer in ``fmt``."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    result = execute(store, query_or_name_or_file, params)
    try:
        if isinstance(result, ox.QueryBoolean):
            if fmt == "json":
                return _text(result.serialize(format=ox.QueryResultsFormat.JSON))
            return "true" if bool(result) else "false"
        if isinstance(result, ox.QueryTriples):
            return _text(ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=_turtle_prefixes()))
        if fmt == "table":
            return render_table(result)
        return _text(result.serialize(format=_RESULT_FORMATS[fmt]))
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"cannot evaluate the query: {_one_line(exc)}") from exc


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _turtle_prefixes() -> dict[str, str]:
    # instance IRIs (kgr:) stay whole: their local names need escapes (kgr:article\/...)
    return {p: iri for p, iri in PREFIXES.items() if p != "kgr"}


def compact(term: object) -> str:
    """A short form of a term for tables: ``kg:deploys``, a literal's text (no tag or type), ``_:b0``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _cell(term: object) -> str:
    text = " ".join(compact(term).split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of an aligned text table: header, rule, rows."""
    cells = [list(row) for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return lines


def render_table(solutions: ox.QuerySolutions) -> str:
    """SELECT results as an aligned text table, with the row count below."""
    names = [v.value for v in solutions.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    lines = text_table(names, rows)
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
