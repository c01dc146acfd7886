"""``kg build``: ingest, extract and store articles, then write the outputs.

The build streams: articles are read one by one, extracted where the
:class:`~kg.parallel.Runner` puts the work (this process, worker processes or
a Dask cluster, through a bounded window) and written by this process, the
one writer: an article a transaction (:class:`ArticleWriter`), or, from a Dask
cluster, N-Quads shards through the journaled bulk loader
(:class:`ShardWriter`). Memory does not grow with the corpus. It is
incremental: an article whose content hash is already stored is skipped
before extraction, a file whose content changed replaces its named graph,
``force`` re-extracts everything and ``prune`` drops the graphs of files
that are gone (not of files that merely failed to read). A bad file is
reported in one line and skipped; what is already stored is never lost.

After the store, the build writes ``graph.trig``, ``facts.jsonl`` and
``entities.jsonl`` for every stored article (:mod:`kg.outputs`: the parts of
the articles just extracted were made beside their quads, the others are
read back from the store; the files are left as they are when the build
changed nothing) and the HTML graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg import outputs
from kg.errors import IngestError
from kg.ingest import iter_articles
from kg.model import Article
from kg.outputs import Spool
from kg.parallel import Extracted, Runner
from kg.store import KGStore, StoredArticle, with_merge

STORE_DIR = "store"


@dataclass
class BuildSummary:
    """What a build did; ``lines()`` is the one-screen summary the CLI prints."""

    added: int = 0
    replaced: int = 0
    skipped: int = 0
    dropped: int = 0
    failed: list[str] = field(default_factory=list)
    sentences: int = 0
    entities: int = 0
    facts: Counter = field(default_factory=Counter)
    triples: int = 0
    graphs: int = 0
    seconds: float = 0.0
    out: Path | None = None

    @property
    def articles(self) -> int:
        return self.added + self.replaced + self.skipped

    def lines(self) -> list[str]:
        rate = (self.added + self.replaced) / self.seconds if self.seconds else 0.0
        facts = ", ".join(f"{k} {v}" for k, v in sorted(self.facts.items())) or "none"
        return [
            f"articles   {self.articles} read: {self.added} added, {self.replaced} replaced, "
            f"{self.skipped} unchanged, {self.dropped} dropped, {len(self.failed)} failed",
            f"sentences  {self.sentences} in the articles extracted this run",
            f"entities   {self.entities} distinct in the store",
            f"facts      {sum(self.facts.values())} in the store ({facts})",
            f"triples    {self.triples} in {self.graphs} named graphs",
            f"time       {self.seconds:.2f} s ({rate:.1f} articles/s extracted)",
            f"output     {self.out}/ (store/, graph.trig, facts.jsonl, entities.jsonl, graph.html)",
        ]


Progress = Callable[[str, object], None]
"""Called as ``progress(state, item)``; state is ``stored``, ``skipped`` or ``failed``, and
``item`` has a ``source`` (an :class:`Article`, an :class:`Extracted` or an :class:`IngestError`)."""


class _Plan:
    """Decides, article by article, what the build must extract; remembers what is in flight."""

    def __init__(self, stored: dict[str, StoredArticle], force: bool) -> None:
        self.stored = stored
        self.force = force
        self.by_source: dict[str, list[str]] = {}
        for art in stored.values():
            self.by_source.setdefault(art.source, []).append(art.iri)
        self.seen_sources: set[str] = set()
        self.failed_files: set[str] = set()
        self.queued: set[str] = set()
        self.pending: dict[str, list[str]] = {}    # article IRI -> graphs it replaces

    def todo(self, items: Iterable[Article | IngestError], summary: BuildSummary,
             progress: Progress | None) -> Iterator[Article]:
        for item in items:
            if isinstance(item, IngestError):
                summary.failed.append(str(item))
                if item.source:
                    self.failed_files.add(item.source.split("#", 1)[0])
                _tell(progress, "failed", item)
                continue
            self.seen_sources.add(item.source)
            old = [iri for iri in self.by_source.get(item.source, []) if iri != item.iri]
            unchanged = item.iri in self.stored and not self.force and not old
            if unchanged or item.iri in self.queued:    # stored already, or the same text twice
                summary.skipped += 1
                _tell(progress, "skipped", item)
                continue
            self.queued.add(item.iri)
            self.pending[item.iri] = old
            yield item

    def gone(self) -> Iterator[str]:
        """Graphs whose files were not among the inputs (and did not merely fail to read)."""
        for source, iris in self.by_source.items():
            if source not in self.seen_sources and source.split("#", 1)[0] not in self.failed_files:
                yield from iris


def _tell(progress: Progress | None, state: str, item: object) -> None:
    if progress:
        progress(state, item)


def build(paths: Sequence[Path], out: Path, *, force: bool = False, prune: bool = False,
          model: str | None = None, progress: Progress | None = None, render: bool = True,
          jobs: int = 1, dask: str | Any | None = None, shards: Path | None = None) -> BuildSummary:
    """Build the graph of the articles under ``paths`` into the folder ``out``.

    ``jobs`` worker processes extract (one writer stores); ``dask`` (a
    scheduler address or a ``distributed.Client``) runs extraction on a Dask
    cluster and bulk-loads the results as N-Quads shards, kept in ``shards``
    when given.
    """
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = BuildSummary(out=out)
    with KGStore(out / STORE_DIR, lock=True) as store, Spool(out) as spool:
        plan = _Plan(store.articles(), force)
        writer = ShardWriter(store, shards or out / "shards", keep=shards is not None) if dask \
            else ArticleWriter(store)
        with Runner(jobs=jobs, model=model, dask=dask) as runner:
            for done in runner.run(plan.todo(iter_articles(list(paths)), summary, progress)):
                replaces = plan.pending.pop(done.iri)
                if done.error:
                    summary.failed.append(done.error)
                    _tell(progress, "failed", done)
                    continue
                writer.write(done, replaces, existed=done.iri in plan.stored)
                if done.output is not None:
                    spool.add(done.iri, done.output)
                summary.sentences += done.sentences
                if replaces or done.iri in plan.stored:
                    summary.replaced += 1
                else:
                    summary.added += 1
                _tell(progress, "stored", done)
        writer.finish()
        if prune:
            for iri in plan.gone():
                store.drop_article(iri)
                summary.dropped += 1
        store.done_writing()
        unchanged = not (summary.added or summary.replaced or summary.dropped or force)
        state = outputs_state(store)
        current = unchanged and _restore_figures(out, state, summary)
        if not current:
            write_outputs(store, out, summary, spool)
            _save_figures(out, state, summary)
    if render and not (current and (out / "graph.html").exists()):
        render_graph(out)
    summary.seconds = time.perf_counter() - started
    return summary


class ArticleWriter:
    """Stores each article in a transaction of its own as it arrives; the copies into the merged
    default graph follow in bulk, a few dozen articles at a time."""

    def __init__(self, store: KGStore) -> None:
        self.store = store

    def write(self, done: Extracted, replaces: list[str], existed: bool) -> None:
        self.store.put_article(done.iri, done.data(), replaces=replaces, merge_later=True)

    def finish(self) -> None:
        self.store.merge_pending()


class ShardWriter:
    """Collects N-Quads into shard files and bulk-loads each full shard (the Dask path).

    Only new graphs go through the bulk loader; an article already stored (a
    forced re-extraction) is replaced in a transaction of its own. The graphs
    an article replaces are dropped once its shard is in.
    """

    def __init__(self, store: KGStore, folder: Path, *, keep: bool, articles_per_shard: int = 256) -> None:
        self.store = store
        self.folder = Path(folder)
        self.keep = keep
        self.limit = articles_per_shard
        self.count = 0
        self._graphs: list[str] = []
        self._replaces: list[str] = []
        self._handle: IO[bytes] | None = None
        self._path: Path | None = None

    def write(self, done: Extracted, replaces: list[str], existed: bool) -> None:
        if existed:
            self.store.put_article(done.iri, done.data(), replaces=replaces)
            return
        if self._handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._path = self.folder / f"part-{time.strftime('%Y%m%d%H%M%S')}-{self.count:06d}.nq"
            self._handle = open(self._path, "wb")  # noqa: SIM115 - closed by _load
        self._handle.write(with_merge(done.nquads or b"", done.iri))
        self._graphs.append(done.iri)
        self._replaces += replaces
        if len(self._graphs) >= self.limit:
            self._load()

    def _load(self) -> None:
        if self._handle is None or self._path is None:
            return
        self._handle.close()
        self._handle = None
        self.store.bulk_add(self._path, self._graphs)
        for old in self._replaces:
            self.store.drop_article(old)
        if not self.keep:
            self._path.unlink()
        self.count += 1
        self._graphs, self._replaces, self._path = [], [], None

    def finish(self) -> None:
        self._load()
        if not self.keep:
            with contextlib.suppress(OSError):
                self.folder.rmdir()


def write_outputs(store: KGStore, out: Path, summary: BuildSummary, spool: Spool | None = None) -> None:
    """graph.trig, facts.jsonl and entities.jsonl (:mod:`kg.outputs`), and the store's figures."""
    figures = outputs.write_outputs(store, out, spool)
    summary.entities = figures.entities
    summary.facts.update(figures.facts)
    summary.triples = len(store)
    summary.graphs = len(store.graphs())


OUTPUTS_STATE = ".outputs.json"
OUTPUT_FILES = ("graph.trig", "facts.jsonl", "entities.jsonl")


def outputs_state(store: KGStore) -> str:
    """A digest of which article graphs the store holds: the outputs are current while it holds."""
    digest = hashlib.sha256()
    for iri in store.graphs():
        digest.update(iri.encode() + b"\n")
    return digest.hexdigest()


def _save_figures(out: Path, state: str, summary: BuildSummary) -> None:
    figures = {"state": state, "entities": summary.entities, "facts": dict(summary.facts),
               "triples": summary.triples, "graphs": summary.graphs}
    (out / OUTPUTS_STATE).write_text(json.dumps(figures), encoding="utf-8")


def _restore_figures(out: Path, state: str, summary: BuildSummary) -> bool:
    """When nothing changed since the outputs were written, take their figures instead of rewriting
    them (a build over a large store that adds nothing should cost the reading, not the writing)."""
    try:
        figures = json.loads((out / OUTPUTS_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if figures.get("state") != state or not all((out / name).exists() for name in OUTPUT_FILES):
        return False
    summary.entities, summary.triples, summary.graphs = figures["entities"], figures["triples"], figures["graphs"]
    summary.facts.update(figures["facts"])
    return True


def render_graph(out: Path) -> None:
    """The HTML graph beside the store (skipped until the renderer is installed)."""
    try:
        from kg.render import render_html
    except ImportError:
        return
    with KGStore(out / STORE_DIR, read_only=True) as store:
        render_html(store, out / "graph.html")
