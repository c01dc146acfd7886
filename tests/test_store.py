"""The store: one writer, atomic articles, a journal for bulk loads, snapshots for readers."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.errors import StoreLockedError
from kg.store import (
    DIRTY_NAME,
    JOURNAL_NAME,
    KEEP_SNAPSHOTS,
    MERGE_JOURNAL_NAME,
    KGStore,
    latest_snapshot,
    pinned_snapshot,
    side_file,
    writer_active,
)

EX = "http://example.org/"


def graph_quads(name: str, count: int, tag: str = "") -> list[ox.Quad]:
    g = ox.NamedNode(EX + name)
    return [ox.Quad(ox.NamedNode(f"{EX}{name}/s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"{tag}{i}"), g)
            for i in range(count)]


def names(store: KGStore) -> set[str]:
    return {g.removeprefix(EX) for g in store.graphs()}


def test_put_article_adds_then_replaces_a_graph_whole(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "a", graph_quads("a", 5))
        store.put_article(EX + "b", graph_quads("b", 3))
        # a re-extraction of the same article: the graph is exactly the new quads
        store.put_article(EX + "a", graph_quads("a", 2, tag="new"))
        assert set(store.quads(EX + "a")) == set(graph_quads("a", 2, tag="new"))
        # a changed file: the new graph in, the old one out
        store.put_article(EX + "c", graph_quads("c", 4), replaces=[EX + "b"])
        assert names(store) == {"a", "c"}
        # as N-Quads, the way worker processes send it: new, then again
        for tag in ("", "again"):
            data = ox.serialize(graph_quads("d", 3, tag=tag), format=ox.RdfFormat.N_QUADS)
            store.put_article(EX + "d", data)
            assert set(store.quads(EX + "d")) == set(graph_quads("d", 3, tag=tag))
        merged = {q.triple for q in store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert merged == {q.triple for q in store.quads()}


def test_a_second_writer_fails_at_once_with_a_clear_message(tmp_path):
    with KGStore(tmp_path / "store", lock=True):
        assert writer_active(tmp_path / "store")
        with pytest.raises(StoreLockedError, match="another `kg build` is writing"):
            KGStore(tmp_path / "store", lock=True)
    assert not writer_active(tmp_path / "store")
    KGStore(tmp_path / "store", lock=True).close()     # free again once the first is done


def test_readers_during_a_build_read_the_snapshot_of_its_start(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "a", graph_quads("a", 5))
    with KGStore(path, lock=True) as writer:
        writer.put_article(EX + "b", graph_quads("b", 5))
        with KGStore(path, read_only=True) as reader:
            assert reader.location != path and reader.location.parent == side_file(path, "snapshots")
            assert names(reader) == {"a"}          # as the build found it
            assert len(reader) == 5
    with KGStore(path, read_only=True) as reader:   # after the build: the store itself, all of it
        assert reader.location == path
        assert names(reader) == {"a", "b"}


def test_a_build_waits_for_readers_of_the_store_then_says_who_holds_it(tmp_path):
    path = tmp_path / "store"
    KGStore(path, lock=True).close()
    with KGStore(path, read_only=True) as reader:
        assert reader.location == path
        with pytest.raises(StoreLockedError, match="held open for reading"):
            KGStore(path, lock=True, readers_wait=0.2)
    assert not writer_active(path)                 # the failed build let the lock go
    KGStore(path, lock=True).close()


def test_each_build_publishes_a_snapshot_and_keeps_only_the_newest(tmp_path):
    path = tmp_path / "store"
    for i in range(KEEP_SNAPSHOTS + 2):
        with KGStore(path, lock=True) as store:
            store.put_article(EX + f"g{i}", graph_quads(f"g{i}", 2))
        assert not side_file(path, DIRTY_NAME).exists()
    snapshots = sorted(p for p in side_file(path, "snapshots").iterdir() if p.is_dir())
    assert len(snapshots) == KEEP_SNAPSHOTS
    latest = latest_snapshot(path)
    assert latest == snapshots[-1]
    with KGStore(latest, read_only=True) as copy:
        assert names(copy) == {f"g{i}" for i in range(KEEP_SNAPSHOTS + 2)}


def test_a_pinned_snapshot_outlives_later_builds(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "a", graph_quads("a", 2))
    with pinned_snapshot(path) as served:
        for i in range(KEEP_SNAPSHOTS + 1):
            with KGStore(path, lock=True) as store:
                store.put_article(EX + f"n{i}", graph_quads(f"n{i}", 2))
        assert served.exists()
        with KGStore(served, read_only=True) as copy:
            assert names(copy) == {"a"}
    with KGStore(path, lock=True) as store:          # unpinned: the next clean-up removes it
        store.put_article(EX + "z", graph_quads("z", 1))
    assert not served.exists()


def test_a_bulk_load_cut_short_is_dropped_when_the_store_is_next_opened(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "kept", graph_quads("kept", 3))
        shard = tmp_path / "shard.nq"
        shard.write_bytes(ox.serialize(graph_quads("x", 4) + graph_quads("y", 4), format=ox.RdfFormat.N_QUADS))
        store.bulk_add(shard, [EX + "x", EX + "y"])
        assert names(store) == {"kept", "x", "y"}
        assert not side_file(path, JOURNAL_NAME).exists()
        # what a crash in the middle of a bulk load leaves: the journal and part of the shard
        side_file(path, JOURNAL_NAME).write_text(json.dumps({"graphs": [EX + "z", EX + "w"]}))
        store.raw.extend(graph_quads("z", 2))
    with KGStore(path, read_only=True) as reader:     # a reader repairs it when nobody writes
        assert names(reader) == {"kept", "x", "y"}
    assert not side_file(path, JOURNAL_NAME).exists()


def test_recovery_with_a_torn_journal_drops_nothing(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "kept", graph_quads("kept", 3))
    side_file(path, JOURNAL_NAME).write_text('{"graphs": ["http://exa')
    with KGStore(path, lock=True) as store:
        assert names(store) == {"kept"}
    assert not side_file(path, JOURNAL_NAME).exists()


def test_a_reader_needs_a_built_store(tmp_path):
    from kg.errors import StoreError

    with pytest.raises(StoreError, match="run `kg build` first"):
        KGStore(tmp_path / "nothing", read_only=True)


@pytest.mark.parametrize("merge_later", [False, True], ids=["in-transaction", "bulk-copied"])
def test_the_default_graph_is_the_merge_of_the_article_graphs(tmp_path, merge_later):
    shared = ox.Quad(ox.NamedNode(EX + "nk"), ox.NamedNode(EX + "deploys"), ox.NamedNode(EX + "ru"))
    own = {name: ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "p"), ox.Literal(name)) for name in "abc"}

    def article(name: str, graph: str | None = None) -> list[ox.Quad]:
        g = ox.NamedNode(EX + (graph or name))
        return [ox.Quad(shared.subject, shared.predicate, shared.object, g),
                ox.Quad(own[name].subject, own[name].predicate, own[name].object, g)]

    rows = "SELECT ?s ?o WHERE { ?s <http://example.org/deploys> ?o . ?s ?p ?x }"   # a join on a shared node
    with KGStore(tmp_path / "store", lock=True) as store:
        for name in "abc":
            store.put_article(EX + name, article(name), merge_later=merge_later)
        # stated by three articles, one row: each triple once, however many articles state it
        assert len(list(store.query(rows))) == 1
        assert len(list(store.query("SELECT * WHERE { GRAPH ?g { ?s <http://example.org/deploys> ?o } }"))) == 3
        assert len(store) == 6                                    # quads in the article graphs
        store.drop_article(EX + "a")
        store.put_article(EX + "b2", article("b", "b2"), replaces=[EX + "b"], merge_later=merge_later)
        store.put_article(EX + "c", article("c")[1:])             # re-extracted: no longer states it
        merged = {q.triple for q in store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert merged == {q.triple for q in store.quads()} == {shared.triple, own["b"].triple, own["c"].triple}
        store.drop_article(EX + "b2")
        assert list(store.query(rows)) == []


def test_articles_stored_before_a_crash_are_merged_when_the_store_is_next_opened(tmp_path):
    """A build killed between an article's transaction and its bulk copy into the default graph."""
    path = tmp_path / "store"
    script = f"""
import os, pyoxigraph as ox
from kg.store import KGStore
store = KGStore({str(path)!r}, lock=True)
for name in "abc":
    g = ox.NamedNode("{EX}" + name)
    store.put_article(g.value, [ox.Quad(ox.NamedNode("{EX}s" + name), ox.NamedNode("{EX}p"), ox.Literal(name), g)],
                      merge_later=True)
os._exit(0)         # as if killed: no bulk copy, no close
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    assert side_file(path, MERGE_JOURNAL_NAME).read_text().split() == [EX + "a", EX + "b", EX + "c"]
    with KGStore(path, read_only=True) as reader:       # a reader repairs first when no build runs
        rows = list(reader.query("SELECT ?o WHERE { ?s <http://example.org/p> ?o }"))
        assert sorted(row["o"].value for row in rows) == ["a", "b", "c"]
    assert not side_file(path, MERGE_JOURNAL_NAME).exists()


def test_a_merge_journal_line_cut_short_is_skipped(tmp_path):
    path = tmp_path / "store"
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "kept", graph_quads("kept", 3))
    side_file(path, MERGE_JOURNAL_NAME).write_text(f"{EX}kept\nhttp://exa")
    with KGStore(path, lock=True) as store:
        assert names(store) == {"kept"}
        assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 3
    assert not side_file(path, MERGE_JOURNAL_NAME).exists()


def test_a_snapshot_being_made_is_never_the_latest(tmp_path):
    path = tmp_path / "store"
    KGStore(path, lock=True).close()
    published = latest_snapshot(path)
    staging = side_file(path, "snapshots") / "staging-99999999999999999999"
    staging.mkdir()
    (staging / "KG-READY").touch()          # marked, not yet renamed into place
    assert latest_snapshot(path) == published


def test_a_store_from_before_the_merge_is_read_as_the_union_then_merged_by_the_next_build(tmp_path):
    path = tmp_path / "store"
    old = ox.Store(str(path))                     # as kg wrote it before: article graphs only
    old.extend(graph_quads("a", 2) + graph_quads("b", 2))
    del old
    with KGStore(path, read_only=True) as reader:
        assert len(list(reader.query("SELECT * WHERE { ?s ?p ?o }"))) == 4
    with KGStore(path, lock=True) as store:
        store.put_article(EX + "c", graph_quads("c", 1))
    with KGStore(path, read_only=True) as reader:
        assert len(list(reader.query("SELECT * WHERE { ?s ?p ?o }"))) == 5
        merged = {q.triple for q in reader.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        assert merged == {q.triple for q in reader.quads()}
