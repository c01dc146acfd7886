"""Hand-written ArticleResult records for the render tests.

Three small articles about a deployment (one confirms it, one denies it, two
give figures), plus a hostile article whose names, sentences, title and
publisher carry HTML/JS payloads. Texts are written for the tests.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.model import Article, ArticleResult, Entity, Evidence, Fact, Mention, Quantity
from kg.vocab import SCHEMA, article_iri, claim_iri, content_hash, entity_iri, fact_iri

# payloads that must show as text and never run
XSS_SCRIPT = "<script>window.__pwned='script'</script>"
XSS_IMG = "<img src=x onerror=\"window.__pwned='img';alert(1)\">"
XSS_CLOSE = "</script><script>window.__pwned='close'</script>"
XSS_QUOTES = "O'Brien \"the <b>bold</b>\" & co"
XSS_JS_URL = "javascript:window.__pwned='url'"
LINE_SEP = "\u2028\u2029"


def _entity(type_: str, label: str, *names: str, en: str | None = None, id_: str | None = None,
            wikidata: str | None = None) -> Entity:
    labels = tuple((t, lang) for t, lang in ((en, "en"), (id_, "id")) if t)
    return Entity(iri=entity_iri(type_, label, wikidata), label=label, type=type_,
                  names=tuple(dict.fromkeys((label, *names))), labels=labels, wikidata=wikidata)


NORTH_KOREA = _entity("Country", "North Korea", "Korea Utara", "Korut", en="North Korea",
                      id_="Korea Utara", wikidata="Q423")
RUSSIA = _entity("Country", "Russia", "Rusia", en="Russia", id_="Rusia", wikidata="Q159")
KURSK = _entity("Location", "Kursk", "Kursk region")
GERASIMOV = _entity("Person", "Valery Gerasimov", "Gerasimov")
KREMLIN = _entity("Organization", "Kremlin")
UKRAINE = _entity("Country", "Ukraine", "Ukraina", wikidata="Q212")
KIM = _entity("Person", "Kim Jong Un", "Kim Jong-un", "Kim")

EVIL_PERSON = _entity("Person", XSS_IMG)
EVIL_ORG = _entity("Organization", XSS_CLOSE)
EVIL_PLACE = _entity("Location", XSS_QUOTES + LINE_SEP)


class _Writer:
    """Builds one article: text, offsets and facts that point into it."""

    def __init__(self, source: str, sentences: list[str], **meta: str | None) -> None:
        self.text = " ".join(sentences)
        self.source = source
        self.meta = meta
        self.iri = article_iri(content_hash(self.text))
        self.entities: list[Entity] = []
        self.mentions: list[Mention] = []
        self.facts: list[Fact] = []
        self.sentences = []
        pos = 0
        for s in sentences:
            self.sentences.append((pos, pos + len(s)))
            pos += len(s) + 1

    def evidence(self, sentence: str) -> Evidence:
        start = self.text.index(sentence)
        return Evidence(sentence, start, start + len(sentence))

    def mention(self, entity: Entity, surface: str) -> None:
        if entity not in self.entities:
            self.entities.append(entity)
        start = self.text.index(surface)
        self.mentions.append(Mention(entity.iri, start, start + len(surface), surface))

    def fact(self, predicate: str, subject: Entity | None, sentence: str, obj: Entity | None = None,
             claim: Fact | None = None, **extra) -> Fact:
        ev = self.evidence(sentence)
        iri = fact_iri(self.iri, predicate, subject and subject.iri, obj and obj.iri,
                       claim and claim.iri, ev.start, ev.end)
        fact = Fact(iri=iri, predicate=predicate, subject=subject and subject.iri, evidence=ev,
                    object=obj and obj.iri, claim=claim and claim.iri, **extra)
        self.facts.append(fact)
        return fact

    def result(self) -> ArticleResult:
        article = Article(iri=self.iri, source=self.source, text=self.text,
                          body=((0, len(self.text)),), lang=self.meta.pop("lang", None) or "en",
                          content_hash=content_hash(self.text), **self.meta)
        return ArticleResult(article=article, sentences=tuple(self.sentences),
                             entities=tuple(self.entities), mentions=tuple(self.mentions),
                             facts=tuple(self.facts))


def _article_one() -> ArticleResult:
    s1 = "North Korea has sent about 11,000 troops to Russia, officials said on Monday."
    s2 = "Kim Jong Un did not comment."
    w = _Writer("tests/a1.txt", [s1, s2], title="Troops arrive in Russia", publisher="Daily Wire One",
                published="2024-11-04", url="https://example.org/news/a1")
    w.mention(NORTH_KOREA, "North Korea")
    w.mention(RUSSIA, "Russia")
    w.mention(KIM, "Kim Jong Un")
    w.fact("deploys", NORTH_KOREA, s1, RUSSIA, quantity=Quantity(11000, 11000, "troops", "11,000 troops"),
           time="2024-11-04", confidence=0.9, trigger="sent")
    return w.result()


def _article_two() -> ArticleResult:
    s1 = "Valery Gerasimov confirmed that North Korea deployed soldiers to Russia in Kursk."
    s2 = "The Kremlin denied that North Korea deployed soldiers to Russia."
    s3 = "Between 10,000 and 12,000 North Korea troops are in Russia since October 2024."
    w = _Writer("tests/a2.txt", [s1, s2, s3], title="Kursk: who says what", publisher="Harian Dua",
                published="2024-12-01", lang="id")
    for ent, surf in ((GERASIMOV, "Valery Gerasimov"), (NORTH_KOREA, "North Korea"), (RUSSIA, "Russia"),
                      (KURSK, "Kursk"), (KREMLIN, "Kremlin")):
        w.mention(ent, surf)
    claimed = w.fact("deploys", NORTH_KOREA, s1, RUSSIA, is_claim=True, location=KURSK.iri, confidence=0.6)
    w.fact("confirms", GERASIMOV, s1, claim=claimed, confidence=0.8, time="2025-04-26", trigger="confirmed")
    claimed2 = w.fact("deploys", NORTH_KOREA, s2, RUSSIA, is_claim=True, confidence=0.6)
    w.fact("denies", KREMLIN, s2, claim=claimed2, confidence=0.7, trigger="denied")
    w.fact("deploys", NORTH_KOREA, s3, RUSSIA, quantity=Quantity(10000, 12000, "troops", "10,000 and 12,000"),
           time="2024-10", confidence=0.75)
    return w.result()


def _article_three() -> ArticleResult:
    s1 = "Ukraine says it retook villages near Kursk."
    w = _Writer("tests/a3.txt", [s1], title="Counter-offensive", publisher="Daily Wire One",
                published="2025-01-15")
    w.mention(UKRAINE, "Ukraine")
    w.mention(KURSK, "Kursk")
    w.fact("retakes", UKRAINE, s1, KURSK, confidence=0.55, hedged=True)
    return w.result()


HOSTILE_SENTENCE = f"{XSS_IMG} said {XSS_CLOSE} sent {XSS_QUOTES} to {XSS_JS_URL}{LINE_SEP} today."
HOSTILE_TITLE = XSS_SCRIPT + " & <u>title</u>"
HOSTILE_PUBLISHER = "\"><svg onload=\"window.__pwned='svg'\">"


def _article_hostile() -> ArticleResult:
    s2 = f"{XSS_IMG} confirmed it."
    s3 = f"Later {XSS_CLOSE} sent 1000 {XSS_SCRIPT} to {XSS_QUOTES}."
    w = _Writer("tests/evil.txt", [HOSTILE_SENTENCE, s2, s3], title=HOSTILE_TITLE,
                publisher=HOSTILE_PUBLISHER, published="2025-02-02", url="https://example.org/?q=<script>window.__pwned='href'</script>")
    w.mention(EVIL_PERSON, XSS_IMG)
    w.mention(EVIL_ORG, XSS_CLOSE)
    w.mention(EVIL_PLACE, XSS_QUOTES)
    claimed = w.fact("deploys", EVIL_ORG, HOSTILE_SENTENCE, EVIL_PLACE, is_claim=True,
                     quantity=Quantity(1, 2, "<i>troops</i>", XSS_SCRIPT))
    w.fact("deploys", EVIL_ORG, s3, EVIL_PLACE,
           quantity=Quantity(1000, 1000, XSS_SCRIPT, XSS_IMG), time="2025-02", trigger=XSS_CLOSE)
    w.fact("confirms", EVIL_PERSON, s2, claim=claimed, attributed_to=EVIL_PERSON.iri)
    return w.result()


def results(hostile: bool = True) -> list[ArticleResult]:
    """The fixture articles, in a fixed order."""
    out = [_article_one(), _article_two(), _article_three()]
    if hostile:
        out.append(_article_hostile())
    return out


def hostile_extra_quads(result: ArticleResult) -> list[ox.Quad]:
    """Quads ``kg.rdf`` would never write (it drops non-http URLs), to test the renderer's own guard."""
    doc = ox.NamedNode(result.article.iri)
    return [ox.Quad(doc, ox.NamedNode(str(SCHEMA.url)), ox.Literal(XSS_JS_URL), doc)]


# what the graph built from results() must hold
ENTITY_COUNT = 10          # 7 plain + 3 hostile entities
CLAIM_COUNT = 2            # North Korea deploys Russia; the hostile claim
# edges: NK->Russia deploys, Ukraine->Kursk retakes, evil deploys,
# Gerasimov confirms, Kremlin denies, evil confirms, 2 claims x (subject, object)
EDGE_COUNT = 10
DEPLOY_CLAIM = claim_iri("deploys", NORTH_KOREA.iri, RUSSIA.iri)
