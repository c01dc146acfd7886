"""The Python API: what the CLI does, callable from a notebook the same way.

>>> from kg import api
>>> summary = api.build(["seeds"], "out")           # doctest: +SKIP
>>> rows = api.select("out", "SELECT ?s ?o WHERE { ?f kg:predicate kg:deploys ; kg:subject ?s ; kg:object ?o }")
...                                                  # doctest: +SKIP
>>> table = api.claims("out", flat=True)            # doctest: +SKIP

Every function takes the build folder (``out``, holding ``out/store``) and
opens the store read-only for reading, so it works while nothing else writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.build import BuildSummary
from kg.build import build as _build
from kg.store import KGStore

STORE = "store"


def build(paths: Sequence[str | Path], out: str | Path = "out", **options) -> BuildSummary:
    """Ingest, extract and store; the options are those of :func:`kg.build.build`."""
    return _build([Path(p) for p in paths], Path(out), **options)


def open_store(out: str | Path = "out") -> KGStore:
    """The built store, read-only (use it in a ``with`` block)."""
    return KGStore(Path(out) / STORE, read_only=True)


def select(out: str | Path, sparql: str, params: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    """A SELECT query (or a saved query's name) as a list of dicts of plain values.

    ``params`` are bound by substitution, never pasted into the query text.
    """
    from kg.query import execute

    with open_store(out) as store:
        solutions = execute(store, sparql, params)
        names = [v.value for v in solutions.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


def facts(out: str | Path = "out") -> list[dict]:
    """The ``kg facts`` rows."""
    from kg.records import fact_rows

    with open_store(out) as store:
        return list(fact_rows(store))


def entities(out: str | Path = "out") -> list[dict]:
    """The ``kg entities`` rows."""
    from kg.records import entity_rows

    with open_store(out) as store:
        return list(entity_rows(store))


def claims(out: str | Path = "out", entity: str | None = None, *, flat: bool = False) -> list[dict]:
    """The ``kg claims`` view: per claim, who states, confirms or denies it, with which figures and when.

    One dict per claim (the ``--format json`` objects), or with ``flat=True``
    one dict per statement with its claim's range and conflicts (the CSV
    rows, ready for ``pandas.DataFrame``). ``entity`` (a label, a name or
    ``<IRI>``) keeps the claims about it; it is bound, never pasted.
    """
    from kg.claims import claim_dicts, flat_rows, load_claims

    with open_store(out) as store:
        found = load_claims(store, entity)
    return flat_rows(found) if flat else claim_dicts(found)


def render(out: str | Path = "out", html: str | Path | None = None, **options):
    """Write the HTML graph (``out/graph.html`` by default); options as ``kg render``."""
    from kg.render import render_folder

    return render_folder(Path(out), html, **options)
