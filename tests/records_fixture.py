"""Three small articles as hand-written extraction results, and stores built from them.

The texts are written for the tests. Offsets are found in the text with
:func:`span`, so ``text[start:end]`` is always the span's text. The third
article names an organisation whose label holds quotes, braces, ``;``,
``DROP`` and a literal backslash-u, to show that such strings are bound in
SPARQL, never pasted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Article, ArticleResult, Entity, Evidence, Fact, Mention, Quantity
from kg.rdf import article_quads
from kg.store import KGStore
from kg.vocab import article_iri, content_hash, entity_iri, fact_iri

HOSTILE = 'Acme "Defence" } ; DROP ALL #'
HOSTILE_ALIAS = "Acme \\u0022Defence\\u0022"


def span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def sentences(text: str) -> tuple[tuple[int, int], ...]:
    return tuple((m.start(), m.end()) for m in re.finditer(r"[^.\n]+\.", text))


def _entity(type_: str, label: str, names: tuple[str, ...] = (), labels=(), wikidata=None) -> Entity:
    return Entity(entity_iri(type_, label, wikidata), label, type_, names or (label,), tuple(labels),
                  wikidata)


NORTH_KOREA = _entity("Country", "North Korea", ("Korea Utara", "North Korea", "Korut"),
                      (("North Korea", "en"), ("Korea Utara", "id")), "Q423")
RUSSIA = _entity("Country", "Russia", ("Rusia", "Russia"), (("Russia", "en"), ("Rusia", "id")), "Q159")
SOUTH_KOREA = _entity("Country", "South Korea", ("South Korea",),
                      (("South Korea", "en"), ("Korea Selatan", "id")), "Q884")
KURSK = _entity("Location", "Kursk")
PENTAGON = _entity("Organization", "Pentagon", labels=(("Pentagon", "en"),), wikidata="Q11208")
KREMLIN = _entity("Organization", "Kremlin")
GERASIMOV = _entity("Person", "Valery Gerasimov", ("Valery Gerasimov", "Gerasimov"))
KIM = _entity("Person", "Kim Jong-un", ("Kim Jong-un",),
              (("Kim Jong-un", "en"), ("Kim Jong-un", "id")), "Q56226")
ACME = _entity("Organization", HOSTILE, (HOSTILE, HOSTILE_ALIAS))


def _article(source: str, text: str, lang: str, **meta) -> Article:
    digest = content_hash(text)
    return Article(article_iri(digest), source, text, ((0, len(text)),), lang, digest, **meta)


def _mentions(text: str, entities: dict[str, Entity]) -> tuple[Mention, ...]:
    found = []
    for name, entity in entities.items():
        for m in re.finditer(re.escape(name), text):
            found.append(Mention(entity.iri, m.start(), m.end(), name))
    return tuple(sorted(found, key=lambda m: (m.start, m.end)))


def _fact(art: Article, predicate: str, subject: Entity, sentence: str, *, obj: Entity | None = None,
          claim: Fact | None = None, **kw) -> Fact:
    start, end = span(art.text, sentence)
    iri = fact_iri(art.iri, predicate, subject.iri, obj.iri if obj else None,
                   claim.iri if claim else None, start, end)
    return Fact(iri, predicate, subject.iri, Evidence(sentence, start, end),
                object=obj.iri if obj else None, claim=claim.iri if claim else None, **kw)


def article_one() -> ArticleResult:
    """Indonesian: a deployment with figures, time, place and source; a confirmation with its claim."""
    text = ("Korut Kirim Pasukan ke Rusia\n\n"
            "Korea Utara mengirim sekitar 10.000-12.000 tentara ke Rusia pada Oktober 2024, "
            "kata Pentagon.\n\n"
            "Kepala Staf Umum Rusia Valery Gerasimov mengkonfirmasi bahwa tentara Korea Utara "
            "bertempur di Kursk.\n\nKim Jong-un belum berkomentar.")
    art = _article("news/a1_korut.txt", text, "id", title="Korut Kirim Pasukan ke Rusia",
                   publisher="Kompas", author="Redaksi", published="2025-04-27",
                   url="https://example.org/a1")
    deploy_s = "Korea Utara mengirim sekitar 10.000-12.000 tentara ke Rusia pada Oktober 2024, kata Pentagon."
    confirm_s = ("Kepala Staf Umum Rusia Valery Gerasimov mengkonfirmasi bahwa tentara Korea Utara "
                 "bertempur di Kursk.")
    deploys = _fact(art, "deploys", NORTH_KOREA, deploy_s, obj=RUSSIA,
                    quantity=Quantity(10000, 12000, "troops", "10.000-12.000 tentara"), time="2024-10",
                    location=KURSK.iri, confidence=0.9, attributed_to=PENTAGON.iri, trigger="mengirim")
    claimed = _fact(art, "deploys", NORTH_KOREA, confirm_s, obj=KURSK, confidence=0.7, is_claim=True)
    confirms = _fact(art, "confirms", GERASIMOV, confirm_s, claim=claimed, time="2025-04-26",
                     confidence=0.8, trigger="mengkonfirmasi")
    names = {"Korea Utara": NORTH_KOREA, "Korut": NORTH_KOREA, "Rusia": RUSSIA, "Pentagon": PENTAGON,
             "Valery Gerasimov": GERASIMOV, "Kursk": KURSK, "Kim Jong-un": KIM}
    return ArticleResult(art, sentences(text),
                         (NORTH_KOREA, RUSSIA, PENTAGON, GERASIMOV, KURSK, KIM),
                         _mentions(text, names), (deploys, claimed, confirms))


def article_two() -> ArticleResult:
    """English: a denial of the same claim as article one's confirmation; a hedged, attributed figure."""
    text = ("The Kremlin denied that North Korean troops were fighting in Kursk. "
            "South Korea said 11,000 soldiers had reportedly been sent to Russia last year.")
    art = _article("news/a2_kremlin.txt", text, "en", title="Kremlin denies", published="2024-11")
    deny_s = "The Kremlin denied that North Korean troops were fighting in Kursk."
    deploy_s = "South Korea said 11,000 soldiers had reportedly been sent to Russia last year."
    claimed = _fact(art, "deploys", NORTH_KOREA, deny_s, obj=KURSK, confidence=0.7, is_claim=True)
    denies = _fact(art, "denies", KREMLIN, deny_s, claim=claimed, confidence=0.8, trigger="denied")
    deploys = _fact(art, "deploys", NORTH_KOREA, deploy_s, obj=RUSSIA,
                    quantity=Quantity(11000, 11000, "troops", "11,000 soldiers"), time="2024",
                    confidence=0.6, attributed_to=SOUTH_KOREA.iri, hedged=True, trigger="sent")
    names = {"Kremlin": KREMLIN, "North Korea": NORTH_KOREA, "Kursk": KURSK, "South Korea": SOUTH_KOREA,
             "Russia": RUSSIA}
    return ArticleResult(art, sentences(text), (KREMLIN, NORTH_KOREA, KURSK, SOUTH_KOREA, RUSSIA),
                         _mentions(text, names), (claimed, denies, deploys))


def article_three() -> ArticleResult:
    """English, hostile names: a confirmation of a ``retakes`` claim by an oddly named organisation."""
    text = f"Russia confirmed that {HOSTILE} retook Kursk."
    art = _article('news/a3 "odd" {name}.txt', text, "en")
    claimed = _fact(art, "retakes", ACME, text, obj=KURSK, confidence=0.6, is_claim=True)
    confirms = _fact(art, "confirms", RUSSIA, text, claim=claimed, confidence=0.75, trigger="confirmed")
    names = {"Russia": RUSSIA, HOSTILE: ACME, "Kursk": KURSK}
    return ArticleResult(art, sentences(text), (RUSSIA, ACME, KURSK), _mentions(text, names),
                         (claimed, confirms))


def results() -> list[ArticleResult]:
    return [article_one(), article_two(), article_three()]


def changed_article_one() -> ArticleResult:
    """Article one as a later extraction sees it: same article, one more fact."""
    result = article_one()
    art = result.article
    sentence = "Kim Jong-un belum berkomentar."
    extra = _fact(art, "deploys", KIM, sentence, obj=RUSSIA, confidence=0.3, hedged=True)
    return replace(result, facts=(*result.facts, extra))


def fill(store: KGStore, records: list[ArticleResult] | None = None) -> KGStore:
    """Put each article's quads into ``store`` as a build would."""
    for result in records if records is not None else results():
        store.put_article(result.article.iri, article_quads(result))
    return store


def build_store(path=None) -> KGStore:
    """A store (in memory, or on disk at ``path``) holding the three articles."""
    return fill(KGStore(path))
