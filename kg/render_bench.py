"""Benchmark of the HTML graph: time to the first drawn frame in headless Chromium.

:func:`first_frame_ms` builds a synthetic news graph of exactly ``n_nodes``
nodes (entities plus confirmed/denied claims; hubs that many articles mention,
like the countries of a real corpus), renders it through the store like
``kg render`` does, opens the file in headless Chromium and reads the time from
navigation start to the first frame drawn after vis-network's ``afterDrawing``
(``performance.now()`` in a ``requestAnimationFrame`` callback). ``make bench``
calls it for 500 and 5,000 nodes; ``python -m kg.render_bench [N ...]`` prints
the figures.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from kg.model import ENTITY_TYPES, Article, ArticleResult, Entity, Evidence, Fact, Mention, Quantity
from kg.vocab import article_iri, content_hash, entity_iri, fact_iri

PER_ARTICLE = 8  # entities an article mentions


def synthetic_results(n_nodes: int, seed: int = 0) -> list[ArticleResult]:
    """Articles whose graph has exactly ``n_nodes`` nodes: entities and ~5% claim diamonds."""
    rng = random.Random(seed)
    n_claims = n_nodes // 20 if n_nodes >= 20 else 0
    n_entities = n_nodes - n_claims
    entities = [Entity(iri=entity_iri(ENTITY_TYPES[i % 4], f"Entity {i}"), label=f"Entity {i}",
                       type=ENTITY_TYPES[i % 4], names=(f"Entity {i}", f"E{i}")) for i in range(n_entities)]
    hubs = entities[: max(1, n_entities // 100)]
    results: list[ArticleResult] = []
    pending_claims = n_claims
    for start in range(0, n_entities, PER_ARTICLE - 2):
        group = entities[start:start + PER_ARTICLE - 2] + rng.sample(hubs, min(2, len(hubs)))
        # the sentences come first (the article IRI hashes the text), then the facts
        deployments = [(a, b, rng.randint(1000, 20000)) for a, b in pairwise(group) if a.iri != b.iri]
        sentences = [f"{a.label} deploys {n} troops to {b.label}." for a, b, n in deployments]
        denial = None
        if pending_claims and len(group) > 2:
            pending_claims -= 1
            speaker, subj = group[0], group[-1]
            obj = group[1] if group[1].iri != subj.iri else group[2]
            denial = (speaker, subj, obj)
            sentences.append(f"{speaker.label} denies that {subj.label} deploys troops to {obj.label}.")
        text = " ".join(sentences)
        doc = article_iri(content_hash(text))
        spans, pos = [], 0
        for sentence in sentences:
            spans.append(Evidence(sentence, pos, pos + len(sentence)))
            pos += len(sentence) + 1
        facts = [Fact(fact_iri(doc, "deploys", a.iri, b.iri, None, ev.start, ev.end), "deploys", a.iri, ev,
                      object=b.iri, quantity=Quantity(n, n, "troops", f"{n} troops"), time="2024-11",
                      confidence=0.8) for (a, b, n), ev in zip(deployments, spans, strict=False)]
        if denial:
            speaker, subj, obj = denial
            ev = spans[-1]
            claimed = Fact(fact_iri(doc, "deploys", subj.iri, obj.iri, None, ev.start, ev.end), "deploys",
                           subj.iri, ev, object=obj.iri, is_claim=True)
            facts += [claimed, Fact(fact_iri(doc, "denies", speaker.iri, None, claimed.iri, ev.start, ev.end),
                                    "denies", speaker.iri, ev, claim=claimed.iri)]
        uniq = list({e.iri: e for e in group}.values())
        mentions = tuple(Mention(e.iri, text.index(e.label), text.index(e.label) + len(e.label), e.label)
                         for e in uniq if e.label in text)
        article = Article(iri=doc, source=f"synthetic/{len(results):05d}.txt", text=text,
                          body=((0, len(text)),), lang="en", content_hash=content_hash(text),
                          title=f"Synthetic article {len(results)}", publisher="Bench Wire",
                          published="2024-11-01")
        results.append(ArticleResult(article=article, entities=tuple(uniq), mentions=mentions,
                                     facts=tuple(facts)))
    return results


def measure(n_nodes: int, *, keep: Path | None = None) -> dict[str, float]:
    """Render a synthetic graph of ``n_nodes`` and time it in headless Chromium.

    Returns ``render_s`` (Python: store to HTML file), ``first_frame_ms``
    (navigation start to the first drawn frame), ``response_ms`` (a search that
    selects, focuses and explains a node, to the next drawn frame) and ``bytes``.
    """
    from kg.browser import browser_context, open_page
    from kg.render import render_records

    with tempfile.TemporaryDirectory(prefix="kg-render-bench-") as tmp:
        html_path = (keep or Path(tmp)) / f"bench-{n_nodes}.html"
        started = time.perf_counter()
        stats = render_records(synthetic_results(n_nodes), html_path)
        render_s = time.perf_counter() - started
        if stats.nodes != n_nodes:
            raise AssertionError(f"synthetic graph has {stats.nodes} nodes, wanted {n_nodes}")
        with browser_context() as context:
            page = open_page(context, html_path)
            first = page.evaluate("window.kgFirstFrameMs")
            response = page.evaluate("""() => new Promise((resolve) => {
                const t0 = performance.now();
                kg.network.once("afterDrawing",
                    () => requestAnimationFrame(() => resolve(performance.now() - t0)));
                kg.search("Entity 7");
                kg.network.redraw();
            })""")
    return {"nodes": n_nodes, "render_s": render_s, "first_frame_ms": float(first),
            "response_ms": float(response), "bytes": stats.bytes}


def first_frame_ms(n_nodes: int) -> float:
    """Milliseconds from navigation start to the first drawn frame of a synthetic ``n_nodes`` graph."""
    return measure(n_nodes)["first_frame_ms"]


def main(argv: list[str] | None = None) -> int:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [500, 5000]
    for n in sizes:
        m = measure(n)
        print(f"render {n:>6} nodes: first frame {m['first_frame_ms']:8.0f} ms | search+focus "
              f"{m['response_ms']:6.0f} ms | python render {m['render_s']:5.1f} s | "
              f"{m['bytes'] / 1e6:5.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
