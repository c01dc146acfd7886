"""A build's output files: ``graph.trig``, ``facts.jsonl`` and ``entities.jsonl``.

Each article's part of the three files is made where the article is
extracted, from the quads just made (:func:`article_output`), so a build
does not read back from the store what it has just written. The parts wait
in a spool file beside the outputs (memory does not grow with the corpus)
until the store is complete; then :func:`write_outputs` writes the files in
the store's article order (by source), reading back from the store only the
articles this build did not extract.

The rows are those ``kg facts`` and ``kg entities`` print: both come from
:func:`kg.records.rows_of_graph` over the same quads.
"""

from __future__ import annotations

import functools
import json
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.records import article_graphs, rows_of_graph
from kg.store import KGStore
from kg.vocab import PREFIXES

SPOOL_NAME = ".outputs.spool"


@dataclass(frozen=True)
class ArticleOutput:
    """One article's part of each output file."""

    trig: bytes                      # the graph as a TriG block; the file declares the prefixes
    entities: str                    # JSON lines
    facts: str                       # JSON lines
    entity_ids: tuple[str, ...] = ()
    predicates: tuple[str, ...] = ()


@functools.cache
def trig_prefixes() -> bytes:
    """The ``@prefix`` lines Oxigraph writes for kg's prefixes, declared once at the top of the file."""
    probe = ox.NamedNode("urn:kg:probe")
    data = ox.serialize([ox.Quad(probe, probe, probe, probe)], format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    return _split_prefixes(data or b"")[0]


def _split_prefixes(data: bytes) -> tuple[bytes, bytes]:
    cut = 0
    while data.startswith(b"@prefix ", cut):
        cut = data.index(b"\n", cut) + 1
    return data[:cut], data[cut:]


def trig_block(quads: Iterable[ox.Quad]) -> bytes:
    """Quads as TriG with kg's prefixes, without the ``@prefix`` lines when they are the usual ones
    (TriG allows them anywhere between graphs, so an unusual block keeps its own)."""
    # in N-Quads order: a subject's statements together (TriG writes the subject once), and the
    # same bytes whether the quads were just made or read back from the store
    ordered = sorted(quads, key=str)
    data = ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
    head, body = _split_prefixes(data)
    return body if head == trig_prefixes() else data


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def article_output(graph: str, quads: Iterable[ox.Quad]) -> ArticleOutput:
    """An article's part of the outputs, from its graph's quads."""
    listed = list(quads)
    entities, facts = rows_of_graph(graph, listed)
    return ArticleOutput(trig=trig_block(listed), entities=_jsonl(entities), facts=_jsonl(facts),
                         entity_ids=tuple(row["id"] for row in entities),
                         predicates=tuple(row["predicate"] for row in facts))


class Spool:
    """Article outputs kept on disk until the end of the build, found again by graph IRI."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / SPOOL_NAME
        self._handle: IO[bytes] | None = None
        self._index: dict[str, tuple[int, int]] = {}

    def add(self, iri: str, output: ArticleOutput) -> None:
        if self._handle is None:
            self._handle = open(self.path, "w+b")  # noqa: SIM115 - closed by close()
        data = pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL)
        self._index[iri] = (self._handle.seek(0, 2), len(data))
        self._handle.write(data)

    def get(self, iri: str) -> ArticleOutput | None:
        where = self._index.get(iri)
        if where is None or self._handle is None:
            return None
        self._handle.seek(where[0])
        # our own file, written by this process during this build
        return pickle.loads(self._handle.read(where[1]))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class OutputFigures:
    """What the outputs hold: distinct entities and statements by relation."""

    entities: int = 0
    facts: Counter = field(default_factory=Counter)


def write_outputs(store: KGStore, out: Path, spool: Spool | None = None) -> OutputFigures:
    """Write graph.trig, facts.jsonl and entities.jsonl for every article the store holds, in
    article order: from the spool where it has the article, else read back from the store."""
    out = Path(out)
    entity_ids: set[str] = set()
    figures = OutputFigures()
    with open(out / "graph.trig", "wb") as trig, \
            open(out / "entities.jsonl", "w", encoding="utf-8") as entities, \
            open(out / "facts.jsonl", "w", encoding="utf-8") as facts:
        trig.write(trig_prefixes())
        listed = set()
        for graph in article_graphs(store):
            listed.add(graph)
            part = spool.get(graph) if spool else None
            if part is None:
                part = article_output(graph, store.quads(graph))
            trig.write(part.trig)
            entities.write(part.entities)
            facts.write(part.facts)
            entity_ids.update(part.entity_ids)
            figures.facts.update(part.predicates)
        for other in store.graphs():        # a graph that is no article (loaded by hand) is kept too
            if other not in listed:
                trig.write(trig_block(store.quads(other)))
    figures.entities = len(entity_ids)
    return figures
