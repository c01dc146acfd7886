"""Where extraction runs: in this process, in worker processes, or on a Dask cluster.

Extraction (the spaCy pipeline, the rules, the quads) is the part of a build
that spreads over cores and machines; the store has one writer. So the build hands
articles to a :class:`Runner`, which gives back one :class:`Extracted` per
article, in input order, while the build's own process writes them:

* ``jobs=1``: in this process;
* ``jobs=N``: N worker processes (``concurrent.futures`` with ``spawn``:
  each worker builds its pipelines once and keeps no lock or file of the
  parent, so a killed build leaves no orphan holding the store);
* ``dask=ADDRESS``: tasks on a Dask distributed cluster, each a batch of
  articles; the workers import kg and return the batch's N-Quads.

Work is submitted through a bounded window of batches, so memory does not
grow with the corpus however far the reader runs ahead. An article whose
extraction fails comes back with an error instead of sinking the batch.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.model import Article
from kg.outputs import ArticleOutput, article_output

BATCH = 8            # articles per task of the worker pool
DASK_BATCH = 32      # articles per Dask task: fewer, larger tasks for the scheduler
WINDOW = 3           # batches in flight per worker


@dataclass(frozen=True)
class Extracted:
    """One article's extraction: its quads (in-process) or N-Quads (from a worker), or an error."""

    iri: str
    source: str
    sentences: int = 0
    quads: tuple[ox.Quad, ...] | None = None
    nquads: bytes | None = None
    output: ArticleOutput | None = None     # its part of the output files, made from the same quads
    error: str | None = None

    def data(self) -> tuple[ox.Quad, ...] | bytes:
        """What :meth:`kg.store.KGStore.put_article` takes: the quads, or their N-Quads."""
        return self.nquads if self.nquads is not None else (self.quads or ())

    def quad_list(self) -> list[ox.Quad]:
        if self.quads is not None:
            return list(self.quads)
        if not self.nquads:
            return []
        return list(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS))


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:      # not on Linux
        return max(1, os.cpu_count() or 1)


# -- the work itself (runs wherever extraction runs) ---------------------------------

_EXTRACTORS: dict[str | None, Any] = {}


def _extractor(model: str | None):
    from kg.extract import Extractor

    if model not in _EXTRACTORS:
        _EXTRACTORS[model] = Extractor(model=model)
    return _EXTRACTORS[model]


def extract_article(article: Article, model: str | None = None, *, serialise: bool = False) -> Extracted:
    """Extract one article; an unexpected failure becomes an error line, not an exception."""
    from kg.rdf import article_quads

    try:
        result = _extractor(model)(article)
        quads = article_quads(result)
    except KGError as exc:
        return Extracted(article.iri, article.source, error=f"{article.source}: {exc}")
    except Exception as exc:  # a bug on odd input must not sink the batch; say which article
        return Extracted(article.iri, article.source,
                         error=f"{article.source}: extraction failed ({type(exc).__name__}: {exc}); "
                               "please report it with the file")
    output = article_output(article.iri, quads)
    if serialise:
        return Extracted(article.iri, article.source, len(result.sentences),
                         nquads=ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", output=output)
    return Extracted(article.iri, article.source, len(result.sentences), quads=tuple(quads), output=output)


def extract_batch(articles: list[Article], model: str | None = None) -> list[Extracted]:
    """A batch of articles as N-Quads: the task a worker process or a Dask worker runs."""
    return [extract_article(article, model, serialise=True) for article in articles]


def _init_worker(model: str | None, parent: int) -> None:
    # Ctrl-C goes to the whole process group; the parent alone decides how to stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a killed parent closes no pipe a worker reads (every worker holds the queue's both
    # ends), so a worker watches for it and goes too rather than linger as an orphan
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _extractor(model)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


# -- runners ----------------------------------------------------------------------------

def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _ordered(submit, batches: Iterator[list[Article]], window: int) -> Iterator[Extracted]:
    """Submit batches through a bounded window and yield their results in input order."""
    pending: deque[Future] = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


class Runner:
    """Runs extraction for a build; use as a context manager, then :meth:`run`."""

    def __init__(self, *, jobs: int = 1, model: str | None = None, dask: str | Any | None = None,
                 batch: int | None = None) -> None:
        self.jobs = max(1, jobs)
        self.model = model
        self.dask = dask
        self.batch = batch or (DASK_BATCH if dask else BATCH)
        self.mode = "dask" if dask else ("pool" if self.jobs > 1 else "local")
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    def __enter__(self) -> Runner:
        if self.mode == "dask":
            self._client = _dask_client(self.dask)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None and isinstance(self.dask, str):
            self._client.close()
        self._client = None

    def run(self, articles: Iterable[Article]) -> Iterator[Extracted]:
        """One :class:`Extracted` per article, in the order given."""
        it = iter(articles)
        if self.mode == "local":
            return (extract_article(a, self.model) for a in it)
        if self.mode == "pool":
            first = list(islice(it, self.batch + 1))
            if len(first) <= self.batch:
                # not even two batches: starting workers would cost more than it saves
                return (extract_article(a, self.model) for a in first)
            return _ordered(self._submit_pool, _batches(chain(first, it), self.batch), WINDOW * self.jobs)
        workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        return _ordered(self._submit_dask, _batches(it, self.batch), WINDOW * workers)

    def _submit_pool(self, batch: list[Article]) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker, initargs=(self.model, os.getpid()))
        return self._pool.submit(extract_batch, batch, self.model)

    def _submit_dask(self, batch: list[Article]) -> Any:
        return self._client.submit(extract_batch, batch, self.model, pure=False)


def _dask_client(dask: str | Any) -> Any:
    """A client of the scheduler at ``dask`` (an address), or ``dask`` itself when it is a client."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise KGError("--dask needs Dask: pip install 'kg[dask]' (dask[distributed])") from exc
    if not isinstance(dask, str):
        return dask
    try:
        return Client(dask)   # waits as long as dask's config says (distributed.comm.timeouts.connect)
    except (OSError, TimeoutError) as exc:
        raise KGError(f"cannot reach the Dask scheduler at {dask}: {exc}") from exc
