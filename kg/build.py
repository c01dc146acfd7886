"""``kg build``: ingest, extract and store articles, then write the outputs.

The build streams: each article is read, extracted and written to the store
(one transaction per article) before the next is read, so memory does not
grow with the corpus. It is incremental: an article whose content hash is
already stored is skipped, a file whose content changed replaces its named
graph, ``force`` re-extracts everything and ``prune`` drops the graphs of
files that are gone. A bad file is reported in one line and skipped; what is
already stored is never lost.

After the store, the build writes ``graph.trig``, ``facts.jsonl`` and
``entities.jsonl`` (read back from the store, so they cover every stored
article) and the HTML graph.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import IngestError
from kg.extract import Extractor
from kg.ingest import iter_articles
from kg.model import Article, ArticleResult
from kg.rdf import article_quads
from kg.store import KGStore

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


Progress = Callable[[str, Article | IngestError | None], None]


def build(paths: Sequence[Path], out: Path, *, force: bool = False, prune: bool = False,
          model: str | None = None, progress: Progress | None = None,
          render: bool = True) -> BuildSummary:
    """Build the graph of the articles under ``paths`` into the folder ``out``."""
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = BuildSummary(out=out)
    extractor = Extractor(model=model)
    with KGStore(out / STORE_DIR, lock=True) as store:
        stored = store.articles()
        by_source: dict[str, list[str]] = {}
        for art in stored.values():
            by_source.setdefault(art.source, []).append(art.iri)
        seen_sources: set[str] = set()
        for item in iter_articles(list(paths)):
            if isinstance(item, IngestError):
                summary.failed.append(str(item))
                if progress:
                    progress("failed", item)
                continue
            seen_sources.add(item.source)
            old = [iri for iri in by_source.get(item.source, []) if iri != item.iri]
            if item.iri in stored and not force and not old:
                summary.skipped += 1
                if progress:
                    progress("skipped", item)
                continue
            result = extract_one(extractor, item)
            store.put_article(item.iri, article_quads(result), replaces=old)
            summary.sentences += len(result.sentences)
            if old or item.iri in stored:
                summary.replaced += 1
            else:
                summary.added += 1
            if progress:
                progress("stored", item)
        if prune:
            for source, iris in by_source.items():
                if source not in seen_sources:
                    for iri in iris:
                        store.drop_article(iri)
                        summary.dropped += 1
        write_outputs(store, out, summary)
    if render:
        render_graph(out)
    summary.seconds = time.perf_counter() - started
    return summary


def extract_one(extractor: Extractor, article: Article) -> ArticleResult:
    return extractor(article)


def write_outputs(store: KGStore, out: Path, summary: BuildSummary) -> None:
    """graph.trig, facts.jsonl and entities.jsonl from the store, and the store's figures."""
    import pyoxigraph as ox

    from kg.records import entity_rows, fact_rows
    from kg.vocab import PREFIXES

    store.raw.dump(str(out / "graph.trig"), ox.RdfFormat.TRIG, prefixes=PREFIXES)
    entity_ids = set()
    with open(out / "entities.jsonl", "w", encoding="utf-8") as handle:
        for row in entity_rows(store):
            entity_ids.add(row["id"])
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out / "facts.jsonl", "w", encoding="utf-8") as handle:
        for row in fact_rows(store):
            summary.facts[row["predicate"]] += 1
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary.entities = len(entity_ids)
    summary.triples = len(store)
    summary.graphs = len(store.graphs())


def render_graph(out: Path) -> None:
    """The HTML graph beside the store (skipped until the renderer is installed)."""
    try:
        from kg.render import render_html
    except ImportError:
        return
    with KGStore(out / STORE_DIR, read_only=True) as store:
        render_html(store, out / "graph.html")
