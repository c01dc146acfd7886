"""The embedded Oxigraph store on disk: one named graph per article.

:class:`KGStore` wraps ``pyoxigraph.Store`` with what a build needs: an
exclusive writer lock (one build at a time), an atomic write per article
(``Store.extend`` commits all of an article's quads in one transaction) and
the list of stored articles with their content hashes, so a build can skip,
replace or prune. Queries see the union of all graphs as the default graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import StoreError, StoreLockedError
from kg.vocab import KG, PREFIXES, sparql_prefixes

LOCK_NAME = "kg-build.lock"


@dataclass(frozen=True)
class StoredArticle:
    """What the store knows of an article without reading its facts."""

    iri: str
    source: str
    content_hash: str


class KGStore:
    """An Oxigraph store at ``path`` (a directory), or in memory when ``path`` is None."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 lock: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._lock_file: IO[str] | None = None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not (self.path / "CURRENT").exists():
                    raise StoreError(f"no store at {self.path}: run `kg build` first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                if lock:
                    self._acquire_lock()
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            self.close()
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc

    # -- locking -----------------------------------------------------------------
    def _acquire_lock(self) -> None:
        assert self.path is not None
        lock_path = self.path.parent / f".{self.path.name}.{LOCK_NAME}"
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StoreLockedError(
                f"another `kg build` is writing {self.path}; wait for it to finish "
                "(`kg query` still works meanwhile)") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def close(self) -> None:
        """Flush, close the database on disk and release the writer lock.

        The on-disk database really closes only when the last reference to the
        ``pyoxigraph.Store`` goes, so a closed ``KGStore`` lets it go: another
        process (or ``kg query`` in this one) may then open the directory.
        """
        store = getattr(self, "_store", None)
        if store is not None and self.path is not None:
            if not self.read_only:
                with contextlib.suppress(OSError):
                    store.flush()
            del self._store
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------
    @property
    def raw(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store``."""
        return self._store

    def query(self, sparql: str, *, prefixes: bool = True, bindings: dict | None = None):
        """Run SPARQL over the union of all graphs; ``bindings`` maps variable names to terms."""
        subs = None
        if bindings:
            subs = {ox.Variable(k): v for k, v in bindings.items()}
        # the parser's default prefixes (a query's own PREFIX lines override them) keep
        # the line numbers of syntax errors those of the query as written
        return self._store.query(sparql, prefixes=dict(PREFIXES) if prefixes else None,
                                 use_default_graph_as_union=True, substitutions=subs)

    def articles(self) -> dict[str, StoredArticle]:
        """Stored articles keyed by graph IRI."""
        rows = self._store.query(
            sparql_prefixes()
            + "SELECT ?g ?src ?hash WHERE { GRAPH ?g { ?g a kg:Article ; kg:sourcePath ?src ; "
            "kg:contentHash ?hash } }"
        )
        out = {}
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            iri = row["g"].value
            out[iri] = StoredArticle(iri, row["src"].value, row["hash"].value)
        return out

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """All quads, or those of one named graph."""
        name = ox.NamedNode(graph) if graph else None
        return self._store.quads_for_pattern(None, None, None, name)

    def __len__(self) -> int:
        return len(self._store)

    # -- writing -----------------------------------------------------------------
    def put_article(self, iri: str, quads: Iterable[ox.Quad], replaces: Iterable[str] = ()) -> None:
        """Store an article's graph in one transaction, then drop the graphs it replaces.

        A crash between the two steps leaves the old graph beside the new one,
        never a half-written article; the next build prunes the stale graph.
        """
        name = ox.NamedNode(iri)
        try:
            if self._store.contains_named_graph(name):
                self._store.remove_graph(name)
            self._store.extend(quads)
            for old in replaces:
                if old != iri:
                    self._store.remove_graph(ox.NamedNode(old))
        except OSError as exc:
            raise StoreError(f"cannot write {iri} to the store: {exc}") from exc

    def drop_article(self, iri: str) -> None:
        self._store.remove_graph(ox.NamedNode(iri))

    def sources(self) -> dict[str, list[StoredArticle]]:
        """Stored articles grouped by source path."""
        out: dict[str, list[StoredArticle]] = {}
        for art in self.articles().values():
            out.setdefault(art.source, []).append(art)
        return out


def is_article_class(iri: str) -> bool:
    return iri == str(KG.Article)
