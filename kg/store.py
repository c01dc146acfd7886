"""The embedded Oxigraph store on disk: one named graph per article.

:class:`KGStore` wraps ``pyoxigraph.Store`` with what a build and its
readers need:

* one writer: a build holds an exclusive lock file beside the store, so a
  second ``kg build`` fails at once with a clear message;
* atomic articles: a new article's quads go in one transaction
  (``Store.load`` of its N-Quads), a re-extracted one replaces its graph in one SPARQL
  update, and bulk-loaded shards (``kg build --dask``) are listed in a
  journal first, so the graphs of a shard cut short by a crash are dropped
  when the store is next opened. A killed build never leaves half an
  article; what it committed stays;
* a build copies its articles into the merged default graph (below) in bulk,
  a few dozen articles at a time (``merge_later``): the bulk loader writes a
  quad in half the time a transaction takes. Each article is named in a
  merge journal before its transaction, so after a crash the next opening
  of the store copies whatever the journal names again (copying twice is
  harmless: a graph is a set);
* readers never see a store being written: Oxigraph forbids reading a
  directory while another process writes it, so a build first waits for the
  readers of the store to finish, then publishes a snapshot (RocksDB hard
  links, cheap) and readers that come during the build read that snapshot.
  Every build publishes a snapshot again at its end;
* bounded memory: the writer flushes its memtables every few hundred
  thousand quads, so a long build does not grow.

The default graph is the RDF merge of the article graphs: every triple of
every article, each once, kept in step with them (in the article's transaction, or by the next bulk copy
before anyone reads it).
Queries without ``GRAPH`` run on it, so a fact stated by fifty articles is
one row, not fifty, and a join over entities shared by all articles does not
multiply (Oxigraph's own union-of-graphs mode keeps every copy). ``GRAPH
?doc { ... }`` still reads one article.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import StoreError, StoreLockedError
from kg.vocab import PREFIXES, sparql_prefixes

LOCK_NAME = "kg-build.lock"
READERS_NAME = "kg-readers.lock"
JOURNAL_NAME = "kg-journal.json"
MERGE_JOURNAL_NAME = "kg-merge.journal"   # article graphs stored whose merge copies may not be in yet
SNAPSHOTS_NAME = "snapshots"
DIRTY_NAME = "kg-dirty"     # the store holds writes that no snapshot has yet
SNAPSHOT_READY = "KG-READY"
KEEP_SNAPSHOTS = 1          # and those a reader still has open (pinned): they share files with the store
FLUSH_EVERY = 200_000      # quads between flushes: keeps RocksDB's memtables (and RSS) small
MERGE_EVERY = 64           # articles whose merge copies go in one bulk load (``merge_later``)
READERS_WAIT = 30.0        # seconds a build waits for running queries to finish
SNAPSHOT_WAIT = 10.0       # seconds a reader waits for a starting build's snapshot


@dataclass(frozen=True)
class StoredArticle:
    """What the store knows of an article without reading its facts."""

    iri: str
    source: str
    content_hash: str


def side_file(path: Path, name: str) -> Path:
    """A file kept beside the store directory (``out/.store.NAME``), never inside it."""
    return path.parent / f".{path.name}.{name}"


def _try_lock(handle: IO[str], kind: int) -> bool:
    try:
        fcntl.flock(handle.fileno(), kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open_lock(path: Path) -> IO[str]:
    return open(path, "a+")  # held for the store's lifetime


def writer_active(path: Path) -> bool:
    """Whether a build holds the store at ``path`` now."""
    lock = side_file(path, LOCK_NAME)
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        if _try_lock(handle, fcntl.LOCK_SH):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False
    return True


def _snapshots(path: Path) -> list[Path]:
    """Published snapshots of the store, oldest first."""
    folder = side_file(path, SNAPSHOTS_NAME)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.name.isdigit() and p.is_dir() and (p / SNAPSHOT_READY).exists())


def latest_snapshot(path: Path, wait: float = 0.0) -> Path | None:
    """The newest published snapshot, waiting up to ``wait`` seconds for a first one."""
    deadline = time.monotonic() + wait
    while True:
        found = _snapshots(path)
        if found or time.monotonic() >= deadline:
            return found[-1] if found else None
        time.sleep(0.1)


class KGStore:
    """An Oxigraph store at ``path`` (a directory), or in memory when ``path`` is None.

    ``lock=True`` makes this the one writer (a build); ``read_only=True``
    opens the store for reading, or during a build its latest snapshot
    (``self.location`` says which directory is read).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 lock: bool = False, readers_wait: float = READERS_WAIT) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.location = self.path
        self._locks: list[IO[str]] = []
        self._pins: list[contextlib.ExitStack] = []
        self._unflushed = 0
        self._dirty = False
        self._union: bool | None = None
        self._pending: list[tuple[str, bytes, list[str]]] = []    # (graph, its N-Quads, graphs it replaces)
        self._merge_log: IO[str] | None = None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._open_for_reading(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                if lock:
                    self._acquire_writer(self.path, readers_wait)
                self._store = ox.Store(str(self.path))
                if lock:
                    self.recover()
                    if self._unmerged():
                        # a store written before the default graph held the merge: make it once
                        self._mark_dirty()
                        self._store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
                        self._union = False
                    if side_file(self.path, DIRTY_NAME).exists() or latest_snapshot(self.path) is None:
                        self.publish_snapshot()   # readers during this build see everything stored
        except OSError as exc:
            self.close()
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        except BaseException:
            self.close()
            raise

    # -- locking and snapshots ---------------------------------------------------
    def _acquire_writer(self, path: Path, readers_wait: float) -> None:
        handle = _open_lock(side_file(path, LOCK_NAME))
        if not _try_lock(handle, fcntl.LOCK_EX):
            handle.close()
            raise StoreLockedError(
                f"another `kg build` is writing {path}; wait for it to finish "
                "(`kg query` still works meanwhile)")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._locks.append(handle)
        # readers that opened the store before this build started must finish first;
        # readers that come now see the build's lock and read the latest snapshot
        readers = _open_lock(side_file(path, READERS_NAME))
        self._locks.append(readers)
        deadline = time.monotonic() + readers_wait
        while not _try_lock(readers, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"{path} is held open for reading by another process (a long `kg query` or an "
                    "old `kg serve`); stop it, then build again")
            time.sleep(0.05)

    def _open_for_reading(self, path: Path) -> None:
        if not (path / "CURRENT").exists():
            raise StoreError(f"no store at {path}: run `kg build` first")
        if not writer_active(path):
            if side_file(path, JOURNAL_NAME).exists() or side_file(path, MERGE_JOURNAL_NAME).exists():
                # a crashed build: repair first when nobody else has the store open
                with contextlib.suppress(StoreLockedError), KGStore(path, lock=True, readers_wait=0.0):
                    pass
            readers = _open_lock(side_file(path, READERS_NAME))
            if _try_lock(readers, fcntl.LOCK_SH):
                self._locks.append(readers)
                self._store = ox.Store.read_only(str(path))
                return
            readers.close()
        snapshot = latest_snapshot(path, wait=SNAPSHOT_WAIT)
        if snapshot is None:
            raise StoreLockedError(f"a `kg build` is writing {path} and has published no snapshot yet; "
                                   "try again in a moment")
        self._open_snapshot(snapshot)

    def _open_snapshot(self, snapshot: Path) -> None:
        pin = contextlib.ExitStack()
        self._pins.append(pin)
        pin.enter_context(_pin(snapshot))
        self.location = snapshot
        self._store = ox.Store.read_only(str(snapshot))

    def publish_snapshot(self) -> Path:
        """Flush and publish a read-only copy for the readers that come during a build."""
        assert self.path is not None and not self.read_only
        self._store.flush()
        folder = side_file(self.path, SNAPSHOTS_NAME)
        folder.mkdir(exist_ok=True)
        name = f"{time.time_ns():020d}"
        staging = folder / f"staging-{name}"
        self._store.backup(str(staging))
        (staging / SNAPSHOT_READY).touch()
        target = folder / name
        staging.rename(target)
        side_file(self.path, DIRTY_NAME).unlink(missing_ok=True)
        self._dirty = False
        for old in _snapshots(self.path)[:-KEEP_SNAPSHOTS]:
            self._drop_snapshot(old)
        for stale in folder.glob("staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        return target

    def done_writing(self) -> None:
        """The writes are over: publish a snapshot and reopen read-only, still holding the locks.

        The writer's buffers and caches go with the writable handle, so a build
        that then reads the whole store back (the outputs) does not carry both.
        """
        if self.path is None or self.read_only:
            return
        self.merge_pending()
        if self._dirty:
            self.publish_snapshot()
        self._store.flush()
        del self._store
        self._store = ox.Store.read_only(str(self.path))
        self.read_only = True

    @staticmethod
    def _drop_snapshot(snapshot: Path) -> None:
        pin_path = snapshot.with_suffix(".lock")
        with open(pin_path, "a+") as pin:
            if not _try_lock(pin, fcntl.LOCK_EX):
                return          # a reader (kg serve) still uses it
            shutil.rmtree(snapshot, ignore_errors=True)
            pin_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Flush, close the database on disk and release the locks.

        The on-disk database really closes only when the last reference to the
        ``pyoxigraph.Store`` goes, so a closed ``KGStore`` lets it go: another
        process (or ``kg query`` in this one) may then open the directory.
        """
        store = getattr(self, "_store", None)
        if store is not None and self.path is not None:
            if not self.read_only:
                with contextlib.suppress(OSError):
                    self.merge_pending()
                    if self._dirty:
                        self.publish_snapshot()
                    store.flush()
            del self._store
        if self._merge_log is not None:
            self._merge_log.close()
            self._merge_log = None
        while self._pins:
            self._pins.pop().close()
        while self._locks:
            handle = self._locks.pop()
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------
    @property
    def raw(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store`` (articles waiting for their bulk copy copied first)."""
        self.merge_pending()
        return self._store

    def query(self, sparql: str, *, prefixes: bool = True, bindings: dict | None = None):
        """Run SPARQL; the default graph is the merge of all article graphs.

        ``bindings`` maps variable names to terms, bound by the engine.
        """
        self.merge_pending()
        subs = None
        if bindings:
            subs = {ox.Variable(k): v for k, v in bindings.items()}
        # the parser's default prefixes (a query's own PREFIX lines override them) keep
        # the line numbers of syntax errors those of the query as written
        return self._store.query(sparql, prefixes=dict(PREFIXES) if prefixes else None,
                                 use_default_graph_as_union=self._unmerged(), substitutions=subs)

    def _unmerged(self) -> bool:
        """A store written before the default graph held the merge: read the union instead."""
        if self._union is None:
            default = next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
            self._union = default is None and bool(next(iter(self._store.named_graphs()), None))
        return self._union

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
        """The quads of every article graph, or of one (the merged default graph left out)."""
        if graph:
            return self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return chain.from_iterable(self._store.quads_for_pattern(None, None, None, g)
                                   for g in self._store.named_graphs())

    def __len__(self) -> int:
        """Quads in the article graphs."""
        rows = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    # -- writing -----------------------------------------------------------------
    def put_article(self, iri: str, quads: Iterable[ox.Quad] | bytes, replaces: Iterable[str] = (), *,
                    merge_later: bool = False) -> None:
        """Store an article's graph atomically, then drop the graphs it replaces.

        ``quads`` are the article graph's quads, or their N-Quads (as worker
        processes send them: loaded without making a Python object per quad).
        A new graph and its triples in the merged default graph go in one
        transaction; a graph already stored (a forced re-extraction) is
        replaced in one SPARQL update. A crash before the replaced graphs are
        dropped leaves them beside the new one, never half an article; the
        next build drops them.

        ``merge_later`` (a build's many new articles): the graph alone goes in
        its transaction; its copy into the default graph, and the dropping of
        the graphs it replaces, wait for the next bulk copy of
        :data:`MERGE_EVERY` articles, or for any read, drop or close.
        """
        name = ox.NamedNode(iri)
        self._mark_dirty()
        try:
            if self._store.contains_named_graph(name):
                self.merge_pending()
                if isinstance(quads, bytes):
                    quads = ox.parse(quads, format=ox.RdfFormat.N_QUADS)
                listed = list(quads)
                count = 2 * len(listed)
                triples = ox.serialize([q.triple for q in listed], format=ox.RdfFormat.N_TRIPLES)
                body = triples.decode("utf-8") if triples else ""
                self._store.update(f"{_forget(name)} ; INSERT DATA {{ {body} GRAPH {name} {{ {body} }} }}")
            else:
                # one path for both kinds: the default-graph copy is the N-Quads without graph terms
                data = quads if isinstance(quads, bytes) else ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
                data = data or b""
                count = data.count(b"\n")
                if merge_later and self.path is not None:
                    self._log_merge(iri)        # named before the graph is in: a crash after it is repaired
                    self._store.load(input=data, format=ox.RdfFormat.N_QUADS)
                    self._pending.append((iri, data, list(replaces)))
                    self._written(count)
                    if len(self._pending) >= MERGE_EVERY:
                        self.merge_pending()
                    return
                self._store.load(input=with_merge(data, iri), format=ox.RdfFormat.N_QUADS)
                count *= 2
            for old in replaces:
                if old != iri:
                    self.drop_article(old)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write {iri} to the store: {exc}") from exc
        self._written(count)

    def _log_merge(self, iri: str) -> None:
        assert self.path is not None
        if self._merge_log is None:
            self._merge_log = open(side_file(self.path, MERGE_JOURNAL_NAME), "a", encoding="utf-8")  # noqa: SIM115
        # flushed to the OS, not synced: as durable as Oxigraph's own commits, which RocksDB does not sync
        self._merge_log.write(iri + "\n")
        self._merge_log.flush()

    def merge_pending(self) -> None:
        """Copy the articles stored with ``merge_later`` into the default graph (one bulk load), then
        drop the graphs they replace."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        blobs = [in_default_graph(data, iri) for iri, data, _replaces in pending]
        try:
            self._store.bulk_load(b"".join(blobs), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot copy articles into the default graph: {exc}") from exc
        self._written(sum(b.count(b"\n") for b in blobs))
        self._clear_merge_log()
        for iri, _data, replaces in pending:
            for old in replaces:
                if old != iri:
                    self.drop_article(old)

    def _clear_merge_log(self) -> None:
        if self._merge_log is not None:
            self._merge_log.close()
            self._merge_log = None
        if self.path is not None:
            side_file(self.path, MERGE_JOURNAL_NAME).unlink(missing_ok=True)

    def bulk_add(self, nquads: Path, graphs: Iterable[str]) -> None:
        """Bulk-load an N-Quads shard of new article graphs (Oxigraph's bulk loader).

        The bulk loader is not transactional, so the shard's graphs are listed
        in a journal first: should the load be cut short, :meth:`recover` drops
        them when the store is next opened, and the next build extracts them
        again. ``graphs`` must not be in the store yet.
        """
        assert self.path is not None
        self.merge_pending()
        self._mark_dirty()
        journal = side_file(self.path, JOURNAL_NAME)
        staged = journal.with_name(journal.name + ".tmp")
        with open(staged, "w", encoding="utf-8") as handle:
            json.dump({"graphs": sorted(graphs)}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, journal)
        try:
            self._store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            self._store.flush()
        except (OSError, SyntaxError) as exc:
            self.recover()
            raise StoreError(f"cannot bulk-load {nquads}: {exc}") from exc
        journal.unlink()
        self._unflushed = 0

    def recover(self) -> list[str]:
        """Repair what a crashed build left: drop the graphs of a bulk load it cut short, and copy the
        articles it stored into the default graph where the copy may not have been made; the graphs
        dropped."""
        if self.path is None or self.read_only:
            return []
        self._recover_merge()
        journal = side_file(self.path, JOURNAL_NAME)
        if not journal.exists():
            return []
        try:
            graphs = json.loads(journal.read_text(encoding="utf-8"))["graphs"]
        except (ValueError, KeyError, TypeError):
            graphs = []     # cut short before the journal was complete: nothing was loaded yet
        self._mark_dirty()
        for graph in graphs:
            self._store.remove_graph(ox.NamedNode(graph))
        # the bulk loader writes in no particular order: merged triples may have come without theirs
        self._store.update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        self._store.flush()
        journal.unlink()
        return list(graphs)

    def _recover_merge(self) -> None:
        assert self.path is not None
        journal = side_file(self.path, MERGE_JOURNAL_NAME)
        if not journal.exists():
            return
        self._mark_dirty()
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                graph = ox.NamedNode(line.strip())
            except ValueError:
                continue        # a line cut short by the crash: its article was never written
            self._store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        self._store.flush()
        journal.unlink()

    def drop_article(self, iri: str) -> None:
        """Drop an article's graph, and its triples from the merge unless another article has them."""
        self.merge_pending()
        self._mark_dirty()
        self._store.update(_forget(ox.NamedNode(iri)))

    def _mark_dirty(self) -> None:
        if not self._dirty and self.path is not None:
            side_file(self.path, DIRTY_NAME).touch()
            self._dirty = True

    def _written(self, count: int) -> None:
        self._unflushed += count
        if self._unflushed >= FLUSH_EVERY and self.path is not None:
            self._store.flush()
            self._unflushed = 0



def _forget(graph: ox.NamedNode) -> str:
    """SPARQL Update that drops ``graph`` and those of its triples no other graph holds from the merge."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {graph}) }} }} ; "
            f"DROP SILENT GRAPH {graph}")


def with_merge(nquads: bytes, graph: str) -> bytes:
    """An article's N-Quads followed by the same statements in the default graph (the merge)."""
    return nquads + in_default_graph(nquads, graph)


def in_default_graph(nquads: bytes, graph: str) -> bytes:
    """The N-Quads of one graph with the graph term dropped from each line: the same statements
    in the default graph.

    Every line of N-Quads ends with its graph term, and no literal holds a raw
    line break, so ``<graph> .`` at a line's end is only ever the graph term.
    """
    return nquads.replace(f" <{graph}> .\n".encode(), b" .\n")


@contextlib.contextmanager
def pinned_snapshot(path: str | os.PathLike) -> Iterator[Path]:
    """A snapshot of the store for a long-lived reader (``kg serve``), kept while inside.

    Builds never wait for such a reader: it reads a snapshot, which the builds'
    clean-up leaves alone while it is pinned. When the store has writes that no
    snapshot holds yet (a store from before snapshots, or a build that was
    killed) and no build is running, a fresh snapshot is published first.
    """
    path = Path(path)
    if not (path / "CURRENT").exists():
        raise StoreError(f"no store at {path}: run `kg build` first")
    if not writer_active(path) and (side_file(path, DIRTY_NAME).exists() or latest_snapshot(path) is None):
        with contextlib.suppress(StoreLockedError), KGStore(path, lock=True, readers_wait=0.0):
            pass                                   # opening as the writer publishes the snapshot
    snapshot = latest_snapshot(path, wait=SNAPSHOT_WAIT if writer_active(path) else 0.0)
    if snapshot is None:
        raise StoreLockedError(f"{path} is busy and has no snapshot to serve yet; try again in a moment")
    with _pin(snapshot):
        yield snapshot


@contextlib.contextmanager
def _pin(snapshot: Path) -> Iterator[None]:
    handle = _open_lock(snapshot.with_suffix(".lock"))
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)   # the build's clean-up leaves a pinned snapshot alone
        if not snapshot.exists():                     # cleaned up between listing and pinning
            raise StoreLockedError(f"the snapshot {snapshot.name} was replaced while opening it; try again")
        yield
    finally:
        handle.close()
