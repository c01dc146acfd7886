"""``make bench``: speed and memory figures, printed (never asserted in a test).

Makes a corpus of varied articles from the seed articles (paragraphs
recombined across seeds, figures, dates and country names varied, so no two
articles are the same text), then measures:

* a full build on one core (``--jobs 1``): articles/s and sentences/s, peak
  RSS, the ratio of build time to bare spaCy tokenisation of the same texts,
  where the time goes (CPU per article by stage, and the pipelines' start),
  and the same build again with nothing changed;
* the same build with worker processes (``--jobs 2``) and the speed-up;
* three typical SPARQL queries on the Oxigraph store next to the same
  queries on an in-memory rdflib graph of the same data (their rows must agree);
* peak RSS for a ten times larger corpus, to show memory does not grow with it;
* where the renderer is installed, time to the first drawn frame of the HTML
  graph for 500 and 5,000 synthetic nodes in headless Chromium.

Run ``python -m kg.bench --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = {
    "facts by relation": """
        SELECT ?p (COUNT(?f) AS ?n) WHERE { ?f a kg:Statement ; kg:predicate ?p } GROUP BY ?p""",
    "who deploys where, with figures": """
        SELECT ?s ?o ?min ?max WHERE { ?f kg:predicate kg:deploys ; kg:subject ?s ; kg:object ?o .
          OPTIONAL { ?f kg:quantityMin ?min ; kg:quantityMax ?max } }""",
    "confirmations with their claims": """
        SELECT ?speaker ?cs ?co WHERE { ?f kg:predicate kg:confirms ; kg:subject ?speaker ; kg:claim ?c .
          ?c kg:subject ?cs . OPTIONAL { ?c kg:object ?co } }""",
}

STAGE_ARTICLES = 300     # articles of the in-process stage timing

COUNTRY_SWAPS = {
    "id": ["Rusia", "Ukraina", "Belarus", "Iran", "Suriah", "China", "Korea Selatan", "Jepang"],
    "en": ["Russia", "Ukraine", "Belarus", "Iran", "Syria", "China", "South Korea", "Japan"],
}


def _seed_paragraphs(seeds: Path) -> list[tuple[str, list[str]]]:
    from kg.ingest import read_article

    out = []
    for path in sorted(seeds.glob("*.txt")):
        art = read_article(path)
        out.append((art.lang, [art.text[s:e] for s, e in art.body]))
    return out


def make_corpus(seeds: Path, count: int, target: Path, *, seed: int = 7) -> Path:
    """``count`` varied articles as one JSON-lines file under ``target``."""
    rng = random.Random(seed)
    sources = _seed_paragraphs(seeds)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"corpus-{count}.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            lang, paragraphs = sources[i % len(sources)]
            other = sources[rng.randrange(len(sources))][1]
            body = paragraphs[:1] + rng.sample(paragraphs[1:], k=len(paragraphs) - 1)
            body += rng.sample(other, k=min(3, len(other)))
            text = "\n\n".join(body)
            text = re.sub(r"\d{1,3}(?:\.\d{3})+",
                          lambda m: f"{rng.randint(1, 40)}.{rng.randint(0, 999):03d}", text)
            swaps = COUNTRY_SWAPS["id"]
            text = text.replace("Ukraina", swaps[rng.randrange(len(swaps))])
            day = rng.randint(1, 28)
            month = rng.randint(1, 12)
            record = {"text": text, "title": body[0][:120], "lang": lang,
                      "published": f"2025-{month:02d}-{day:02d}", "publisher": f"Bench {i % 17}",
                      "url": f"https://bench.example/{i}"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _run_build(corpus: Path, out: Path, jobs: int = 1) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB, the build process and its workers together) and output of a
    `kg build` in a child process.

    RSS is sampled every 50 ms over the process tree: the ``ru_maxrss`` that
    ``wait4`` reports would count this process's own memory too, which the
    child carries until it execs.
    """
    import psutil

    cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--no-render", "-q",
           "--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{stdout}\n{stderr}")
    return seconds, peak // 1024, stdout


def _figure(stdout: str, name: str) -> int:
    match = re.search(rf"{name}\s+(\d+)", stdout)
    return int(match.group(1)) if match else 0


def _tokenise_seconds(corpus: Path) -> float:
    import spacy

    with open(corpus, encoding="utf-8") as handle:
        texts = [json.loads(line) for line in handle]
    tokenizers = {lang: spacy.blank(lang).tokenizer for lang in ("id", "en")}
    started = time.perf_counter()
    for rec in texts:
        tokenizers.get(rec.get("lang", "id"), tokenizers["id"])(rec["text"])
    return time.perf_counter() - started


def _query_times(out: Path, repeat: int = 3) -> list[tuple[str, float, float, int]]:
    """Each query on the Oxigraph store and on an rdflib Dataset parsed from graph.trig (its default
    graph the union of the article graphs, as the store's is their merge); rows must agree."""
    from rdflib import Dataset

    from kg.store import KGStore
    from kg.vocab import sparql_prefixes

    rows = []
    dataset = Dataset(default_union=True)
    dataset.parse(out / "graph.trig", format="trig")
    with KGStore(out / "store", read_only=True) as store:
        for name, query in QUERIES.items():
            started = time.perf_counter()
            for _ in range(repeat):
                found = len(list(store.query(query)))
            ox_ms = (time.perf_counter() - started) / repeat * 1000
            started = time.perf_counter()
            for _ in range(repeat):
                again = len(list(dataset.query(sparql_prefixes() + query)))
            rdflib_ms = (time.perf_counter() - started) / repeat * 1000
            if again != found:
                raise SystemExit(f"{name}: {found} rows from Oxigraph, {again} from rdflib")
            rows.append((name, ox_ms, rdflib_ms, found))
    return rows


def stage_times(corpus: Path, out: Path, count: int = 200) -> tuple[float, dict[str, float]]:
    """Where the time goes, in this process: the pipelines' one-off start (seconds), then
    milliseconds of CPU per article for each stage of a build of the first ``count`` articles.

    Stages are timed on this thread; what other threads spent meanwhile (RocksDB's flushes and
    compactions, the bulk loader's workers) is the last figure, "store threads".
    """
    from kg.extract import Extractor
    from kg.ingest import iter_articles
    from kg.model import Article
    from kg.outputs import Spool, article_output, write_outputs
    from kg.rdf import article_quads
    from kg.store import KGStore

    articles = [a for _, a in zip(range(count), iter_articles([corpus]), strict=False) if isinstance(a, Article)]
    started = time.thread_time()
    extractor = Extractor()
    for lang in {a.lang for a in articles}:
        extractor.pipeline(lang)
    start = time.thread_time() - started
    spent = dict.fromkeys(("extract", "quads", "output parts", "store", "output files"), 0.0)

    def timed(stage: str, work, *args):
        began = time.thread_time()
        result = work(*args)
        spent[stage] += time.thread_time() - began
        return result

    out.mkdir(parents=True, exist_ok=True)
    process, thread = time.process_time(), time.thread_time()
    with KGStore(out / "store", lock=True) as store, Spool(out) as spool:
        for article in articles:
            result = timed("extract", extractor, article)
            quads = timed("quads", article_quads, result)
            spool.add(article.iri, timed("output parts", article_output, article.iri, quads))
            timed("store", lambda q=quads, a=article: store.put_article(a.iri, q, merge_later=True))
        timed("store", store.done_writing)
        timed("output files", write_outputs, store, out, spool)
    spent["store threads"] = (time.process_time() - process) - (time.thread_time() - thread)
    return start, {stage: seconds / len(articles) * 1000 for stage, seconds in spent.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--large", type=int, default=10000,
                        help="the larger corpus for the memory comparison (default 10000; 0 skips it)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel build (default 2)")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="seed articles folder")
    parser.add_argument("--no-render", action="store_true", help="skip the browser figures")
    args = parser.parse_args(argv)
    n = args.articles
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        tmpdir = Path(tmp)
        corpus = make_corpus(args.seeds, n, tmpdir / "corpus")
        out = tmpdir / "out"
        seconds, rss_kib, stdout = _run_build(corpus, out, jobs=1)
        sentences = _figure(stdout, "sentences")
        tok = _tokenise_seconds(corpus)
        print(f"corpus            {n} articles generated from {args.seeds}/ (varied), {sentences} sentences, "
              f"{_figure(stdout, 'triples')} quads", flush=True)
        print(f"build --jobs 1    {seconds:7.2f} s  {n / seconds:6.1f} articles/s  {sentences / seconds:7.1f} "
              f"sentences/s  peak RSS {rss_kib / 1024:.0f} MiB", flush=True)
        print(f"  vs tokenising   {tok:.3f} s of bare spaCy tokenisation: build/tokenise = {seconds / tok:.0f}x")
        start, stages = stage_times(corpus, tmpdir / "out-stages", STAGE_ARTICLES)
        print(f"  per article     {' + '.join(f'{stage} {ms:.1f}' for stage, ms in stages.items())} = "
              f"{sum(stages.values()):.1f} ms of CPU (first {STAGE_ARTICLES}); the pipelines start in {start:.1f} s",
              flush=True)
        again, _rss, _out = _run_build(corpus, out, jobs=1)
        print(f"  again, no change {again:6.2f} s  (every article skipped by its content hash)", flush=True)
        par_seconds, par_rss, _out = _run_build(corpus, tmpdir / f"out-{args.jobs}", jobs=args.jobs)
        print(f"build --jobs {args.jobs}    {par_seconds:7.2f} s  {n / par_seconds:6.1f} articles/s  speed-up "
              f"{seconds / par_seconds:.2f}x on {os.cpu_count()} cores  peak RSS {par_rss / 1024:.0f} MiB "
              "(all processes)", flush=True)
        if args.large:
            big = make_corpus(args.seeds, args.large, tmpdir / "corpus-large", seed=11)
            big_seconds, big_rss, _out = _run_build(big, tmpdir / "out-large", jobs=1)
            growth = (big_rss - rss_kib) / rss_kib * 100
            print(f"memory            peak RSS {rss_kib / 1024:.0f} MiB for {n} articles, {big_rss / 1024:.0f} MiB "
                  f"for {args.large} ({growth:+.1f}%), --jobs 1; the large build took {big_seconds:.0f} s "
                  f"({args.large / big_seconds:.1f} articles/s)", flush=True)
        print(f"SPARQL            {'query':<34} {'oxigraph ms':>11} {'rdflib ms':>10} {'rows':>6}")
        for name, ox_ms, rdflib_ms, found in _query_times(out):
            print(f"                  {name:<34} {ox_ms:11.2f} {rdflib_ms:10.2f} {found:6d}", flush=True)
    if not args.no_render:
        try:
            from kg.render_bench import first_frame_ms
        except ImportError:
            print("render            (kg.render_bench not installed)")
        else:
            for nodes in (500, 5000):
                print(f"render {nodes:>5} nodes first frame {first_frame_ms(nodes):.0f} ms (headless Chromium)",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
