"""End to end on the seed articles: build, offsets, linking, rebuilds, bad files."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.build import build
from kg.evaluate import evaluate
from kg.store import DIRTY_NAME, KGStore, side_file, writer_active

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_five_named_graphs_and_outputs(seed_build):
    out, summary = seed_build
    assert summary.added == 5 and not summary.failed
    with KGStore(out / "store", read_only=True) as store:
        assert len(store.graphs()) == 5
        assert {a.source for a in store.articles().values()} == {
            f"{SEEDS.name}/{p.name}" for p in SEEDS.glob("*.txt")} or len(store.articles()) == 5
    for name in ("graph.trig", "facts.jsonl", "entities.jsonl"):
        assert (out / name).stat().st_size > 0
    assert {"deploys", "confirms", "denies"} <= set(summary.facts)


def test_every_evidence_and_mention_offset_is_exact(seed_build):
    out, _ = seed_build
    texts = {}

    def text_of(source: str) -> str:
        if source not in texts:
            path = ROOT / source if (ROOT / source).exists() else Path(source)
            with open(path, encoding="utf-8", newline="") as handle:
                texts[source] = handle.read()
        return texts[source]

    facts = rows(out / "facts.jsonl")
    assert facts
    for fact in facts:
        ev = fact["evidence"]
        assert text_of(fact["source"])[ev["start"]:ev["end"]] == ev["text"]
    for entity in rows(out / "entities.jsonl"):
        for start, end in entity["mentions"]:
            assert text_of(entity["source"])[start:end].strip()


def test_kim_jong_un_linked_to_wikidata_wherever_named(seed_build):
    out, _ = seed_build
    sources = {p.name for p in SEEDS.glob("*.txt") if "Kim Jong" in p.read_text(encoding="utf-8")}
    linked = {Path(r["source"]).name for r in rows(out / "entities.jsonl") if r["wikidata"] == "Q56226"}
    assert sources and sources <= linked


def test_confirms_and_denies_point_at_claims_of_their_own(seed_build):
    out, _ = seed_build
    facts = rows(out / "facts.jsonl")
    ids = {f["id"] for f in facts}
    stances = [f for f in facts if f["predicate"] in ("confirms", "denies")]
    assert stances and all(f["claim"] in ids for f in stances)


def test_seed_scores(seed_build):
    out, _ = seed_build
    report = evaluate(ROOT / "gold" / "seeds", out / "entities.jsonl", out / "facts.jsonl")
    assert report.entities.f1 >= 0.90
    assert report.strict.f1 >= 0.80
    assert report.loose.f1 >= 0.90


def test_own_test_articles_scores(tmp_path):
    """Articles written for the tests (tests/data), scored by `kg eval` itself."""
    from click.testing import CliRunner

    from kg.cli import main

    data = ROOT / "tests" / "data"
    build([data / "articles"], tmp_path, render=False)
    result = CliRunner().invoke(main, ["eval", "--gold", str(data / "gold"), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["articles"] == len(list((data / "articles").glob("*.txt")))
    assert scores["entities"]["f1"] >= 0.90
    assert scores["strict"]["f1"] >= 0.85
    assert scores["loose"]["f1"] >= 0.90


def _dataset(path: Path) -> Dataset:
    ds = Dataset()
    ds.parse(path, format="trig")
    return ds


def test_rebuild_is_isomorphic_and_adding_a_file_leaves_others_alone(seed_build, tmp_path):
    out, _ = seed_build
    other = tmp_path / "again"
    build([SEEDS], other, render=False)
    a, b = _dataset(out / "graph.trig"), _dataset(other / "graph.trig")
    names = {g.identifier for g in a.graphs() if len(g)}
    assert names == {g.identifier for g in b.graphs() if len(g)} and len(names) == 5
    assert sum(len(a.graph(n)) for n in names) == sum(len(b.graph(n)) for n in names)
    for name in names:
        assert isomorphic(a.graph(name), b.graph(name))
    # a new article adds a graph and rewrites none of the others
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = tmp_path / "first"
    build([corpus], first, render=False)
    with KGStore(first / "store", read_only=True) as store:
        before = {g: set(store.quads(g)) for g in store.graphs()}
    (corpus / "new.txt").write_text("Judul baru\n\nKorea Utara mengirim 500 tentara ke Rusia.\n", encoding="utf-8")
    summary = build([corpus], first, render=False)
    assert (summary.added, summary.skipped) == (1, 5)
    with KGStore(first / "store", read_only=True) as store:
        after = {g: set(store.quads(g)) for g in store.graphs()}
    assert len(after) == 6
    assert all(after[g] == quads for g, quads in before.items())


def test_bad_files_are_skipped_and_nothing_stored_is_lost(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "004_821b5704207c4569.txt", corpus / "good.txt")
    out = tmp_path / "out"
    build([corpus], out, render=False)
    stored = len(KGStore(out / "store", read_only=True))
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (corpus / "latin1.txt").write_bytes("Korea Utara mengirim pasukan ke Rusia, kata pejabat \xe9".encode("latin-1"))
    (corpus / "lines.jsonl").write_text('{"text": "Korea Utara mengirim pasukan ke Rusia.", "lang": "id"}\n{not json\n')
    summary = build([corpus, tmp_path / "missing.txt"], out, render=False)
    assert len(summary.failed) == 5, summary.failed
    for message in summary.failed:
        assert "\n" not in message
    assert summary.added == 1 and summary.skipped == 1   # the good JSON line, the unchanged article
    with KGStore(out / "store", read_only=True) as store:
        assert len(store) > stored
        assert len(store.graphs()) == 2


# -- crash safety and one writer: a real `kg build` in a subprocess ------------------------

def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def _wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """80 articles made from the seeds (varied) and their graphs from a build that ran to the end."""
    from kg.bench import make_corpus

    folder = tmp_path_factory.mktemp("crash")
    path = make_corpus(SEEDS, 80, folder / "corpus")
    build([path], folder / "reference", render=False)
    with KGStore(folder / "reference" / "store", read_only=True) as store:
        graphs = {g: set(store.quads(g)) for g in store.graphs()}
    assert len(graphs) == 80
    return path, graphs


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_killed_build_keeps_what_it_stored_and_the_next_build_finishes(corpus, tmp_path, jobs):
    path, reference = corpus
    out = tmp_path / "out"
    proc = subprocess.Popen(_kg("build", str(path), "--out", str(out), "-q", "--no-render", "--jobs", jobs),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: side_file(out / "store", DIRTY_NAME).exists() or proc.poll() is not None,
                  "the first stored article")
        time.sleep(0.4)                         # a few articles in, more to come
        workers = psutil.Process(proc.pid).children(recursive=True)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"workers outlived the killed build: {alive}"
    with KGStore(out / "store", read_only=True) as store:
        kept = {g: set(store.quads(g)) for g in store.graphs()}
    assert 0 < len(kept) < len(reference), "the kill should land in the middle of the build"
    for graph, quads in kept.items():
        assert quads == reference[graph], f"{graph} is not whole"
    summary = build([path], out, render=False)
    assert (summary.skipped, summary.added) == (len(kept), len(reference) - len(kept))
    with KGStore(out / "store", read_only=True) as store:
        assert {g: set(store.quads(g)) for g in store.graphs()} == reference


@pytest.mark.slow
def test_one_writer_at_a_time_and_queries_answer_during_a_build(corpus, seed_build, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    path, reference = corpus
    out = tmp_path / "out"
    shutil.copytree(seed_build[0], out)           # a store that already holds the five seeds
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a kg:Article } }"
    proc = subprocess.Popen(_kg("build", str(path), "--out", str(out), "-q", "--no-render", "--jobs", "1"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: side_file(out / "store", DIRTY_NAME).exists() or proc.poll() is not None,
                  "the build to write")
        assert writer_active(out / "store"), proc.communicate()
        second = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "-q"])
        assert second.exit_code == 1
        assert "another `kg build` is writing" in second.output and "Traceback" not in second.output
        during = CliRunner().invoke(main, ["query", count, "--out", str(out), "-f", "csv"])
        assert during.exit_code == 0, during.output
        assert during.output.split() == ["n", "5"]      # the store as the build found it
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "80 added" in stdout
    after = CliRunner().invoke(main, ["query", count, "--out", str(out), "-f", "csv"])
    assert after.output.split() == ["n", str(5 + len(reference))]


def test_a_build_that_changes_nothing_keeps_the_outputs_and_their_figures(seed_build, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_build[0], out)
    first = seed_build[1]
    stamps = {name: (out / name).stat().st_mtime_ns for name in ("graph.trig", "facts.jsonl", "entities.jsonl")}
    again = build([SEEDS], out, render=False)
    assert (again.added, again.skipped) == (0, 5)
    assert {name: (out / name).stat().st_mtime_ns for name in stamps} == stamps       # not rewritten
    assert (again.entities, again.facts, again.triples, again.graphs) == \
        (first.entities, first.facts, first.triples, first.graphs)
    (out / "facts.jsonl").unlink()                     # an output gone: written again
    build([SEEDS], out, render=False)
    assert (out / "facts.jsonl").read_bytes() == (seed_build[0] / "facts.jsonl").read_bytes()
