"""Extraction in worker processes and on a real Dask cluster gives the same graph as in-process."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.bench import make_corpus
from kg.build import build
from kg.ingest import parse_text
from kg.parallel import Runner, extract_article, extract_batch
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    ("Pasukan dikirim\n\nKorea Utara mengirim 1.500 tentara ke Rusia pada Senin, kata pejabat Seoul.", "id"),
    ("Troops sent\n\nNorth Korea has deployed about 2,000 troops to Russia, officials said.", "en"),
    ("Bantahan\n\nKremlin membantah bahwa Korea Utara mengirim pasukan ke Ukraina.", "id"),
    ("Confirmation\n\nThe Pentagon confirmed that North Korea sent soldiers to the Kursk region.", "en"),
    ("Kabar lain\n\nPresiden Indonesia bertemu Perdana Menteri Jepang di Tokyo.", "id"),
]


def articles():
    return [parse_text(text, f"t{i}.txt", meta={"lang": lang, "published": "2024-11-04"})
            for i, (text, lang) in enumerate(TEXTS)]


def store_quads(out: Path) -> set[ox.Quad]:
    with KGStore(out / "store", read_only=True) as store:
        return set(store.quads())


def test_worker_batches_carry_the_same_quads_as_in_process_extraction():
    arts = articles()
    local = [extract_article(a) for a in arts]
    shipped = extract_batch(arts)
    assert [e.iri for e in shipped] == [a.iri for a in arts]
    for here, there in zip(local, shipped, strict=True):
        assert here.error is None and there.error is None
        assert there.quads is None and there.nquads
        assert set(here.quad_list()) == set(there.quad_list())
        assert here.sentences == there.sentences > 0


def test_pool_keeps_input_order_and_equals_in_process():
    arts = articles() * 3      # more than one batch, so workers really start
    with Runner(jobs=2, batch=2) as runner:
        pooled = list(runner.run(iter(arts)))
        assert runner._pool is not None
    assert [e.iri for e in pooled] == [a.iri for a in arts]
    with Runner(jobs=1) as runner:
        local = list(runner.run(iter(arts)))
    assert [set(e.quad_list()) for e in pooled] == [set(e.quad_list()) for e in local]


def test_small_inputs_stay_in_process_whatever_the_jobs():
    with Runner(jobs=4, batch=8) as runner:
        done = list(runner.run(iter(articles())))
        assert runner._pool is None
    assert len(done) == len(TEXTS) and all(e.quads is not None for e in done)


def test_a_failing_extraction_is_an_error_line_not_an_exception():
    done = extract_article(articles()[0], model="no_such_pipeline_xx")
    assert done.error and done.error.startswith("t0.txt: ") and "\n" not in done.error
    assert done.quads is None and done.nquads is None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return make_corpus(ROOT / "seeds", 40, folder)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("one-process")
    summary = build([corpus], out, render=False, jobs=1)
    assert summary.added == 40
    return out


@pytest.mark.slow
def test_jobs_build_equals_the_single_process_build(corpus, reference, tmp_path):
    summary = build([corpus], tmp_path, render=False, jobs=2)
    assert summary.added == 40 and not summary.failed
    assert store_quads(tmp_path) == store_quads(reference)
    assert (tmp_path / "facts.jsonl").read_bytes() == (reference / "facts.jsonl").read_bytes()


@pytest.mark.slow
def test_dask_build_on_a_local_cluster_equals_the_single_process_build(corpus, reference, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    shards = tmp_path / "shards"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        summary = build([corpus], tmp_path / "out", render=False, dask=cluster.scheduler_address,
                        shards=shards)
        assert summary.added == 40 and not summary.failed
        # incremental on the cluster too: nothing new, nothing extracted
        again = build([corpus], tmp_path / "out", render=False, dask=cluster.scheduler_address)
        assert (again.added, again.skipped) == (0, 40)
    assert store_quads(tmp_path / "out") == store_quads(reference)
    # the kept shards hold exactly the graph, and its merge as the default graph: they load as they are
    loaded = ox.Store()
    for shard in sorted(shards.glob("*.nq")):
        loaded.bulk_load(path=str(shard), format=ox.RdfFormat.N_QUADS)
    named = {q for q in loaded if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert named == store_quads(reference)
    assert {q.triple for q in loaded if isinstance(q.graph_name, ox.DefaultGraph)} == {q.triple for q in named}


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    from click.testing import CliRunner
    from servers import free_port

    from kg.cli import main

    text = tmp_path / "a.txt"
    text.write_text(TEXTS[0][0], encoding="utf-8")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(main, ["build", str(text), "--out", str(tmp_path / "out"), "-q",
                                           "--dask", f"tcp://127.0.0.1:{free_port()}"])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler" in result.output and "Traceback" not in result.output
