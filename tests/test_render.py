"""The HTML graph: the graph built from the store, and the page in real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import render_fixture as fx
from click.testing import CliRunner

from kg.cli import main
from kg.errors import RenderError
from kg.rdf import article_quads
from kg.render import (
    PHYSICS_LIMIT,
    find_entity,
    graph_from_store,
    json_for_html,
    network_data,
    page_html,
    render_html,
    safe_url,
    select,
)
from kg.store import KGStore
from kg.vocab import claim_iri


def _fill(store: KGStore, hostile: bool = True) -> None:
    results = fx.results(hostile)
    for result in results:
        store.put_article(result.article.iri, article_quads(result))
    if hostile:
        store.raw.extend(fx.hostile_extra_quads(results[-1]))


@pytest.fixture(scope="module")
def store():
    with KGStore(None) as st:
        _fill(st)
        yield st


@pytest.fixture(scope="module")
def graph(store):
    return graph_from_store(store)


def _node(G, label):
    return next(n for n, d in G.nodes(data=True) if d["label"] == label)


# -- the graph, no browser ---------------------------------------------------------------------------

def test_graph_counts_nodes_edges_and_claims(graph):
    kinds = [d["kind"] for d in graph.nodes.values()]
    assert kinds.count("entity") == fx.ENTITY_COUNT
    assert kinds.count("claim") == fx.CLAIM_COUNT
    assert graph.number_of_edges() == fx.EDGE_COUNT
    assert len(graph.graph["articles"]) == 4


def test_supporting_articles_are_counted_and_claims_are_not_support(graph):
    nk, ru = fx.NORTH_KOREA.iri, fx.RUSSIA.iri
    deploys = graph.edges[nk, ru, "deploys"]
    assert deploys["kind"] == "fact"
    assert len(deploys["articles"]) == 2      # a1 and a2's asserted sentence
    assert len(deploys["facts"]) == 2          # the two claimed-only statements are not support
    facts = [graph.graph["facts"][f] for f in deploys["facts"]]
    assert {f["quantity"]["max"] for f in facts} == {11000, 12000}


def test_confirms_and_denies_point_at_a_claim_diamond(graph):
    claim = fx.DEPLOY_CLAIM
    assert graph.nodes[claim]["kind"] == "claim"
    assert graph.nodes[claim]["label"] == "North Korea deploys Russia"
    assert graph.has_edge(fx.GERASIMOV.iri, claim, "confirms")
    assert graph.has_edge(fx.KREMLIN.iri, claim, "denies")
    assert graph.edges[fx.NORTH_KOREA.iri, claim, "claim-subject"]["hops"] == 0
    assert graph.edges[claim, fx.RUSSIA.iri, "claim-object"]["relation"] == "deploys"
    # the claimed-only statements are kept on the diamond as evidence
    assert len(graph.nodes[claim]["facts"]) == 2


def test_claims_view_comes_from_the_claims_query(graph, store):
    from kg.claims import load_claims

    claim = graph.graph["claims"][fx.DEPLOY_CLAIM]
    assert claim["label"] == "North Korea deploys Russia" and claim["articles"] == 2
    assert claim["figures"] == ["10,000–12,000 troops"] and claim["unit"] == "troops"
    assert claim["disputed"] and claim["conflicts"] == []
    assert [(r["stance"], r["source"], r["figure"], r["speaker"], r["when"]) for r in claim["rows"]] == [
        ("asserts", "Daily Wire One", "11,000 troops", None, "2024-11-04"),
        ("denies", "Harian Dua", None, "Kremlin", "2024-12-01"),
        ("asserts", "Harian Dua", "10,000–12,000 troops", None, "2024-12-01"),
        ("confirms", "Harian Dua", None, "Valery Gerasimov", "2025-04-26"),
    ]
    assert [r["article"] for r in claim["rows"]] == [0, 1, 1, 1]
    assert [r["conflict"] for r in claim["rows"]] == [False, True, False, False]
    assert set(graph.graph["claims"]) == {c.iri for c in load_claims(store)}


def test_page_data_carries_the_claims_of_drawn_diamonds_and_edges(graph):
    data = network_data(graph)
    assert fx.DEPLOY_CLAIM in data["claims"]
    # an edge of one statement has all it says in its evidence list: no claim table
    assert claim_iri("retakes", fx.UKRAINE.iri, fx.KURSK.iri) not in data["claims"]
    row = dict(zip(data["claimColumns"], data["claims"][fx.DEPLOY_CLAIM]["rows"][0], strict=True))
    assert row["number"] == "11,000" and row["unit"] == "troops" and row["evidence"] is None  # in data["facts"]
    ego = network_data(select(graph, "Gerasimov", 1))
    assert set(ego["claims"]) == {fx.DEPLOY_CLAIM}
    assert network_data(select(graph, "Ukraine", 1))["claims"] == {}


def test_sizes_follow_centrality_and_widths_follow_support(graph):
    sizes = {d["label"]: d["size"] for d in graph.nodes.values() if d["kind"] == "entity"}
    assert sizes["Kim Jong Un"] == min(sizes.values())   # mentioned, in no fact
    assert sizes["North Korea"] > sizes["Kursk"]
    data = network_data(graph)
    width = {(e["from"], e["to"], e["kgRelation"]): e["width"] for e in data["edges"]}
    two = width[(fx.NORTH_KOREA.iri, fx.RUSSIA.iri, "deploys")]
    one = width[(fx.UKRAINE.iri, fx.KURSK.iri, "retakes")]
    assert two > one
    assert data["physics"] is True
    assert len(data["nodes"]) == len(graph) and len(data["edges"]) == graph.number_of_edges()


def test_entity_labels_names_and_wikidata(graph):
    nk = graph.nodes[fx.NORTH_KOREA.iri]
    assert nk["label"] == "North Korea" and nk["type"] == "Country"
    assert "Korea Utara" in nk["names"] and nk["wikidata"] == "Q423"
    assert graph.nodes[fx.KURSK.iri]["articles"] == {1, 2}


@pytest.mark.parametrize("name, expected", [
    ("valery gerasimov", fx.GERASIMOV), ("GERASIMOV", fx.GERASIMOV), ("Korut", fx.NORTH_KOREA),
    (fx.RUSSIA.iri, fx.RUSSIA),
])
def test_find_entity_by_label_name_or_iri(graph, name, expected):
    assert find_entity(graph, name) == expected.iri


def test_unknown_focus_lists_close_matches(graph):
    with pytest.raises(RenderError) as err:
        find_entity(graph, "North Kora")
    message = str(err.value)
    assert "\n" not in message and "North Korea" in message and "close matches" in message


def test_focus_draws_the_ego_graph(graph):
    ego = select(graph, "Gerasimov", depth=1)
    assert set(ego) == {fx.GERASIMOV.iri, fx.DEPLOY_CLAIM, fx.NORTH_KOREA.iri, fx.RUSSIA.iri}
    assert set(select(graph, "Gerasimov", depth=0)) == {fx.GERASIMOV.iri}
    wider = select(graph, "Gerasimov", depth=2)
    assert fx.KREMLIN.iri in wider and fx.UKRAINE.iri not in wider


def test_max_nodes_keeps_the_most_central(graph):
    top = select(graph, max_nodes=3)
    assert len(top) == 3
    ranks = sorted(graph.nodes[n]["importance"] for n in graph)
    assert min(graph.nodes[n]["importance"] for n in top) >= ranks[-3]
    assert fx.KIM.iri in select(graph, "Kim Jong Un", max_nodes=1)   # the focus always stays


def test_precomputed_layout_places_every_node_apart_and_is_repeatable():
    import networkx as nx

    from kg.render_layout import precomputed_layout

    G = nx.barabasi_albert_graph(650, 2, seed=3)
    G.add_nodes_from(range(1000, 1040))          # isolated nodes get a place too
    pos = precomputed_layout(G)
    assert set(pos) == set(G) and pos == precomputed_layout(G)
    assert len(set(pos.values())) == len(G)
    assert all(abs(x) < 1e6 and abs(y) < 1e6 for x, y in pos.values())


def test_json_for_html_escapes_what_could_end_the_script():
    value = {"a": "</script><img src=x>&\u2028\u2029'\"", "b": ["\ud800"]}
    text = json_for_html(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/a?b=1", True), ("HTTP://EXAMPLE.ORG", True), ("javascript:alert(1)", False),
    (" https://x.org", False), ("data:text/html,<script>", False), ("https://x.org/\nfoo", False),
    (None, False),
])
def test_safe_url_keeps_only_http(url, ok):
    assert (safe_url(url) is not None) is ok


def test_page_is_self_contained_and_data_is_inert(graph):
    page = page_html(network_data(graph))
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, flags=re.IGNORECASE)
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*[\"']?([^\"')]*)", page))
    assert "@import" not in page and "@font-face" not in page
    head, _, rest = page.partition('<script type="application/json" id="kg-data">')
    block = rest.split("</script>", 1)[0]
    assert "<" not in block and fx.XSS_IMG not in page
    urls = [a["url"] for a in json.loads(block)["articles"]]
    assert all(u is None or u.startswith("https://") for u in urls) and urls[3] is not None
    assert "default-src 'none'" in head and "connect-src 'none'" in head


def test_empty_store_is_a_render_error(tmp_path):
    with KGStore(None) as empty, pytest.raises(RenderError):
        render_html(empty, tmp_path / "g.html")


def test_cli_render_writes_out_graph_html(tmp_path):
    with KGStore(tmp_path / "store") as st:
        _fill(st, hostile=False)
    runner = CliRunner()
    result = runner.invoke(main, ["render", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "graph.html").stat().st_size > 100_000
    assert "wrote" in result.output
    result = runner.invoke(main, ["render", "--out", str(tmp_path), "--focus", "gerasimov", "--depth", "1",
                                  "-o", str(tmp_path / "g.html")])
    assert result.exit_code == 0 and "4 nodes" in result.output, result.output
    result = runner.invoke(main, ["render", "--out", str(tmp_path), "--focus", "Gerasimow"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Valery Gerasimov" in result.output


def test_cli_render_without_store_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["render", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "kg build" in result.output


# -- the page in Chromium ----------------------------------------------------------------------------

GRAPH_POS = """(id) => {
  kg.network.stopSimulation();
  const box = document.getElementById('graph').getBoundingClientRect();
  const p = kg.network.canvasToDOM(kg.network.getPosition(id));
  return {x: box.left + p.x, y: box.top + p.y};
}"""
EDGE_POS = """(id) => {
  kg.network.stopSimulation();
  const box = document.getElementById('graph').getBoundingClientRect();
  const p = kg.network.canvasToDOM(kg.network.body.edges[id].edgeType.getPoint(0.5));
  return {x: box.left + p.x, y: box.top + p.y};
}"""


@pytest.fixture(scope="module")
def browser():
    from kg.browser import browser_context

    with browser_context() as context:
        yield context


@pytest.fixture(scope="module")
def rendered(store, tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "graph.html"
    return render_html(store, path)


class Page:
    """An opened page with every request, console error and dialog recorded."""

    def __init__(self, context, path: Path):
        self.requests, self.errors, self.dialogs = [], [], []
        page = context.new_page()
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page = page
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_selector("html[data-kg-ready='1']", state="attached", timeout=60_000)

    def panel(self) -> str:
        return self.page.text_content("#panel")

    def drawn(self) -> dict:
        return self.page.evaluate("kg.drawn()")

    def click_node(self, iri: str) -> None:
        pos = self.page.evaluate(GRAPH_POS, iri)
        self.page.mouse.click(pos["x"], pos["y"])

    def edge_id(self, frm: str, to: str, relation: str) -> str:
        return self.page.evaluate("([f, t, r]) => kg.edges.get({filter: e => e.from === f && e.to === t "
                                  "&& e.kgRelation === r})[0].id", [frm, to, relation])


@pytest.fixture
def page(browser, rendered):
    p = Page(browser, rendered.path)
    yield p
    p.page.close()


@pytest.mark.browser
def test_drawn_counts_equal_the_graph(page, rendered, graph):
    counts = page.page.evaluate("[kg.nodes.length, kg.edges.length]")
    assert counts == [rendered.nodes, rendered.edges] == [len(graph), graph.number_of_edges()]
    assert page.drawn() == {"nodes": rendered.nodes, "edges": rendered.edges}
    assert page.errors == [] and page.dialogs == []


@pytest.mark.browser
def test_no_request_but_the_page_itself(page, rendered):
    page.page.evaluate("kg.search('Russia')")
    page.click_node(fx.RUSSIA.iri)
    assert page.requests == [rendered.path.resolve().as_uri()]
    assert page.errors == []   # a CSP violation would be logged as an error


@pytest.mark.browser
def test_click_on_edge_shows_evidence(page):
    edge = page.edge_id(fx.NORTH_KOREA.iri, fx.RUSSIA.iri, "deploys")
    pos = page.page.evaluate(EDGE_POS, edge)
    page.page.mouse.click(pos["x"], pos["y"])
    text = page.panel()
    assert "North Korea deploys Russia" in text
    assert "North Korea has sent about 11,000 troops to Russia, officials said on Monday." in text
    assert "Troops arrive in Russia" in text and "Daily Wire One, 2024-11-04" in text
    assert "11,000 troops" in text and "10,000–12,000 troops" in text
    assert "2024-10" in text and "0.90" in text
    assert page.page.get_attribute("#panel a", "href") == "https://example.org/news/a1"


@pytest.mark.browser
def test_hover_shows_evidence_until_a_click_pins_it(page):
    pos = page.page.evaluate(GRAPH_POS, fx.KREMLIN.iri)
    page.page.mouse.move(pos["x"], pos["y"])
    page.page.wait_for_selector("#panel h3:text-is('Kremlin')")
    assert "denies → North Korea deploys Russia" in page.panel()


@pytest.mark.browser
def test_click_on_claim_shows_who_confirmed_and_denied(page):
    page.click_node(fx.DEPLOY_CLAIM)
    text = page.panel()
    assert "Confirmed by" in text and "Valery Gerasimov" in text
    assert "Denied by" in text and "Kremlin" in text
    assert "The Kremlin denied that North Korea deployed soldiers to Russia." in text


CLAIM_ROWS = """() => [...document.querySelectorAll('#panel .claim-view tbody tr')].map(
    tr => [tr.className, ...[...tr.cells].map(td => td.innerText.replace(/\\s+/g, ' ').trim())])"""


@pytest.mark.browser
def test_click_on_claim_lists_sources_and_figures_side_by_side(page):
    page.click_node(fx.DEPLOY_CLAIM)
    view = page.page.inner_text("#panel .claim-view")
    assert "SOURCES SIDE BY SIDE" in view.upper()
    assert "2 articles · figures: 10,000–12,000 troops" in view
    assert "Disputed: denied by Kremlin (Harian Dua, 2024-12-01)" in view
    assert page.page.evaluate(CLAIM_ROWS) == [
        ["asserts", "Daily Wire One", "11,000 in 2024-11-04", "2024-11-04", "asserts"],
        ["denies conflict", "Harian Dua", "—", "2024-12-01", "denies by Kremlin"],
        ["asserts", "Harian Dua", "10,000–12,000 in 2024-10", "2024-12-01", "asserts"],
        ["confirms", "Harian Dua", "—", "2025-04-26", "confirms by Valery Gerasimov"],
    ]
    title = page.page.get_attribute("#panel .claim-view tbody tr:first-child", "title")
    assert title == "“11,000 troops” — North Korea has sent about 11,000 troops to Russia, officials said on Monday."
    assert page.page.get_attribute("#panel .claim-view tbody a", "href") == "https://example.org/news/a1"
    assert page.errors == []


@pytest.mark.browser
def test_click_on_a_relation_edge_shows_its_claim_view(page):
    edge = page.edge_id(fx.NORTH_KOREA.iri, fx.RUSSIA.iri, "deploys")
    pos = page.page.evaluate(EDGE_POS, edge)
    page.page.mouse.click(pos["x"], pos["y"])
    assert page.page.get_attribute("#panel .claim-view", "data-claim") == fx.DEPLOY_CLAIM
    assert len(page.page.evaluate(CLAIM_ROWS)) == 4
    edge = page.edge_id(fx.UKRAINE.iri, fx.KURSK.iri, "retakes")
    page.page.evaluate("(id) => kg.showEdge(id)", edge)
    assert page.page.evaluate(CLAIM_ROWS) == []   # one statement: its evidence says it all
    assert "Ukraine says it retook villages near Kursk." in page.panel()


@pytest.mark.browser
def test_hostile_strings_render_as_text_and_never_run(page):
    page.click_node(fx.EVIL_PERSON.iri)
    assert fx.XSS_IMG in page.panel()
    page.page.evaluate("(id) => kg.showNode(id)", fx.DEPLOY_CLAIM)
    claim = page.page.evaluate("(o) => kg.nodes.get({filter: n => n.kgKind === 'claim' && n.id !== o})[0].id",
                               fx.DEPLOY_CLAIM)
    page.click_node(claim)
    text = page.panel()
    payloads = (fx.XSS_IMG, fx.XSS_CLOSE, fx.XSS_QUOTES, fx.XSS_JS_URL, fx.HOSTILE_PUBLISHER, fx.XSS_SCRIPT)
    for payload in payloads:
        assert payload in text, payload
    assert fx.HOSTILE_TITLE in page.page.inner_text("#filter-articles")
    found = page.page.evaluate("""() => ({
        pwned: typeof window.__pwned,
        tags: document.querySelectorAll('#panel img, #panel script, #side img, svg, b, u').length,
        jsLinks: [...document.querySelectorAll('a')].filter(a => !/^https?:/.test(a.href)).length,
        scripts: document.scripts.length })""")
    assert found == {"pwned": "undefined", "tags": 0, "jsLinks": 0, "scripts": 3}
    assert page.dialogs == [] and page.errors == []


@pytest.mark.browser
def test_filters_hide_edges_and_nodes(page, graph):
    total = page.drawn()
    deploys = sum(1 for *_, d in graph.edges(data=True) if d["relation"] == "deploys")
    page.page.check("input[data-relation='deploys']")
    page.page.uncheck("input[data-relation='deploys']")
    assert page.drawn() == {"nodes": total["nodes"], "edges": total["edges"] - deploys}
    page.page.check("input[data-relation='deploys']")
    assert page.drawn() == total
    persons = sum(1 for d in graph.nodes.values() if d["type"] == "Person")
    page.page.uncheck("input[data-type='Person']")
    assert page.drawn()["nodes"] == total["nodes"] - persons
    assert page.drawn()["edges"] < total["edges"]
    page.page.check("input[data-type='Person']")
    page.page.uncheck("input[data-article='2']")   # the only article with `retakes`
    drawn = page.page.evaluate("kg.edgeView.get().map(e => e.kgRelation)")
    assert "retakes" not in drawn and len(drawn) == total["edges"] - 1


@pytest.mark.browser
def test_search_finds_and_focuses_an_entity(page):
    page.page.fill("#search-input", "gerasimov")
    page.page.press("#search-input", "Enter")
    assert page.page.evaluate("kg.network.getSelectedNodes()") == [fx.GERASIMOV.iri]
    centre = page.page.evaluate("[kg.network.getViewPosition(), kg.network.getPosition(arguments[0])]"
                                .replace("arguments[0]", json.dumps(fx.GERASIMOV.iri)))
    assert abs(centre[0]["x"] - centre[1]["x"]) < 1 and abs(centre[0]["y"] - centre[1]["y"]) < 1
    assert "Valery Gerasimov" in page.panel()
    page.page.fill("#search-input", "Atlantis")
    page.page.press("#search-input", "Enter")
    assert "no entity matches" in page.page.inner_text("#search-status")


@pytest.mark.browser
def test_focus_and_max_nodes_in_the_page(browser, store, tmp_path):
    ego = render_html(store, tmp_path / "ego.html", focus="Gerasimov")
    p = Page(browser, ego.path)
    assert p.drawn() == {"nodes": 4, "edges": 4}   # confirms, the claim's two ends, the deployment
    assert p.page.title() == "kg graph: Valery Gerasimov"
    capped = render_html(store, tmp_path / "top.html", max_nodes=5)
    p = Page(browser, capped.path)
    assert capped.nodes == 5 and capped.left_out == len(graph_from_store(store)) - 5
    assert p.drawn()["nodes"] == 5


@pytest.mark.browser
def test_big_graph_gets_a_precomputed_layout_without_physics(browser, tmp_path):
    from kg.render import render_records
    from kg.render_bench import synthetic_results

    n = PHYSICS_LIMIT + 100
    stats = render_records(synthetic_results(n), tmp_path / "big.html")
    assert stats.nodes == n and stats.physics is False
    p = Page(browser, stats.path)
    assert p.drawn() == {"nodes": n, "edges": stats.edges}
    state = p.page.evaluate("""() => ({physics: kg.network.physics.options.enabled,
        placed: kg.nodes.get().every(n => typeof n.x === 'number' && typeof n.y === 'number')})""")
    assert state == {"physics": False, "placed": True}
    p.page.evaluate("kg.search('Entity 3')")
    assert "Entity 3" in p.panel()


@pytest.mark.browser
def test_screenshot_writes_a_png(rendered, tmp_path):
    from kg.render import screenshot

    png = screenshot(rendered.path, tmp_path / "graph.png", width=800, height=600)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000


@pytest.mark.browser
def test_seed_graph_screenshot(seed_build):
    """The README shows the seed graph: draw it and keep the picture at out/graph.png."""
    from kg.render import render_html, screenshot
    from kg.store import KGStore

    out, _ = seed_build
    with KGStore(out / "store", read_only=True) as store:
        stats = render_html(store, out / "graph.html")
    assert stats.entities > 20 and stats.claims >= 1
    target = Path(__file__).resolve().parent.parent / "out" / "graph.png"
    target.parent.mkdir(exist_ok=True)
    data = screenshot(stats.path, target).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
