"""Relations as a specification: one row per language phenomenon, in Indonesian and English.

Every sentence is written for the test. A row lists facts that must be found
(``expected``) and, where it matters, facts that must not be (``absent``).
"""

from __future__ import annotations

import pytest

NK, RU, UA, KR, US = "North Korea", "Russia", "Ukraine", "South Korea", "United States"
KURSK = "Kursk Oblast"


def D(s, o):
    return ("deploys", s, o)


def C(s, claim):
    return ("confirms", s, claim)


def X(s, claim):
    return ("denies", s, claim)


ROWS = [
    # deploys: active voice, both languages, several verbs
    ("id", "Korea Utara mengerahkan ribuan tentara ke Rusia.", {D(NK, RU)}, set()),
    ("id", "Korut mengirimkan 2.000 prajurit ke wilayah Kursk pekan ini.", {D(NK, KURSK)}, set()),
    ("id", "Pemerintah Belarus menempatkan ratusan tentara di Rusia.", {D("Belarus", RU)}, set()),
    ("en", "North Korea has dispatched about 1,500 soldiers to Russia.", {D(NK, RU)}, set()),
    ("en", "Russia deployed extra troops to the Kursk region in March.", set(), {D(RU, RU)}),
    ("en", "Iran sent military advisers to Syria last year.", {D("Iran", "Syria")}, set()),
    # passive voice: the agent after oleh/by, or the owner of the troops
    ("id", "Ribuan tentara dikirim oleh Pyongyang ke Rusia.", {D(NK, RU)}, set()),
    ("id", "Sebanyak 3.000 tentara Korea Utara dikerahkan ke Kursk bulan lalu.", {D(NK, KURSK)}, set()),
    ("en", "Hundreds of troops were sent by Pyongyang to Russia.", {D(NK, RU)}, set()),
    ("en", "North Korean soldiers have been deployed to the Kursk region.", {D(NK, KURSK)}, set()),
    # a sending that is not a deployment
    ("id", "Korea Utara mengirim bantuan makanan ke Rusia.", set(), {D(NK, RU)}),
    ("en", "Putin sent a letter to Kim Jong Un on Monday.", set(), {D("Vladimir Putin", "Kim Jong Un")}),
    ("en", "North Korea sent 4,000 construction workers to Russia.", set(), {D(NK, RU)}),
    # destination through who the troops help
    ("id", "Pyongyang mengirim pasukan untuk membantu Rusia melawan Ukraina.", {D(NK, RU)}, {D(NK, UA)}),
    ("en", "North Korea could send troops to help Russia in its war against Ukraine.", {D(NK, RU)}, {D(NK, UA)}),
    # presence and use
    ("en", "Russia used North Korean troops in Kursk, officials said.", {D(NK, KURSK)}, set()),
    ("id", "Rusia menggunakan pasukan Korea Utara di wilayah Kursk.", {D(NK, KURSK)}, set()),
    # presence licensed by a figure, arrivals, "menambah pasukan"
    ("en", "Around 11,000 North Korean soldiers are believed to be in Russia's Kursk region.",
     {D(NK, KURSK), D(NK, RU)}, set()),
    ("id", "Menurut Zelensky, ribuan tentara Korut kini bertempur di Kursk bersama pasukan Rusia.",
     {D(NK, KURSK)}, {D(RU, KURSK)}),
    ("id", "Korea Selatan menyebut Korut menambah pasukan di Rusia.", {D(NK, RU)}, set()),
    ("id", "Kementerian Pertahanan Rusia membenarkan keterlibatan tentara Korea Utara dalam operasi di Kursk.",
     {C("Russian Ministry of Defence", ("deploys", NK, KURSK))}, set()),
    ("en", "Kim Jong Un acknowledged sending troops to Russia.",
     {C("Kim Jong Un", ("deploys", "Kim Jong Un", RU))}, set()),
    ("id", "Kremlin enggan mengonfirmasi keberadaan tentara Korea Utara di Rusia.", set(),
     {C("Kremlin", ("deploys", NK, RU)), D(NK, RU)}),
    # confirms: complement clause, nominal object, passive with agent
    ("id", "Kremlin mengonfirmasi bahwa tentara Korea Utara telah dikerahkan ke Rusia.",
     {C("Kremlin", ("deploys", NK, RU))}, set()),
    ("id", "Jenderal Valery Gerasimov mengakui pengerahan pasukan Korea Utara ke Kursk.",
     {C("Valery Gerasimov", ("deploys", NK, KURSK))}, set()),
    ("en", "South Korea confirmed that North Korea had sent troops to Russia.",
     {C(KR, ("deploys", NK, RU)), D(NK, RU)}, set()),
    ("en", "The deployment of North Korean troops to Russia was confirmed by NATO.",
     {C("NATO", ("deploys", NK, RU))}, set()),
    # denies, including "reject the claim" and a claim made before
    ("id", "Korea Utara membantah telah mengirim pasukan ke Rusia.", {X(NK, ("deploys", NK, RU))}, set()),
    ("en", "The Kremlin denied that North Korean soldiers were fighting in Ukraine.",
     {X("Kremlin", ("deploys", NK, UA))}, set()),
    ("en", "Russia rejected the report that its army had deployed North Korean troops to Kursk.",
     {X(RU, ("deploys", NK, KURSK))}, set()),
    ("id", "Rusia mengatakan pasukannya telah merebut kembali Kursk. Ukraina membantah klaim tersebut.",
     {X(UA, ("retakes", RU, KURSK))}, set()),
    # negation, refusal and conditionals: no fact at all
    ("id", "Korea Utara belum mengonfirmasi pengiriman pasukan ke Rusia.", set(),
     {C(NK, ("deploys", NK, RU))}),
    ("id", "Kremlin tidak membantah bahwa pasukan Korea Utara berada di Kursk.", set(),
     {X("Kremlin", ("deploys", NK, KURSK))}),
    ("en", "Moscow has not confirmed that North Korean troops are in Russia.", set(),
     {C(RU, ("deploys", NK, RU))}),
    ("en", "The Pentagon declined to confirm that troops had been sent to Russia.", set(),
     {C("Pentagon", ("deploys", NK, RU))}),
    ("id", "Jika dikonfirmasi, pengiriman pasukan itu akan menjadi yang terbesar.", set(), set()),
    # metonyms: a capital speaking or acting is its government
    ("id", "Seoul mengatakan Pyongyang telah mengirim 1.500 tentara ke Rusia.", {D(NK, RU)}, set()),
    ("en", "Kyiv denied that its troops had been pushed out of Kursk.", {("denies", UA, ("withdraws", UA, KURSK))},
     set()),
    ("id", "Rusia mengatakan pasukannya telah merebut kembali Kursk. Ukraina membantah klaim tersebut.",
     {("denies", UA, ("retakes", RU, KURSK))}, set()),
    # pronouns and "both countries"
    ("id", "Korea Utara mengonfirmasi bahwa mereka mengirim pasukan ke Rusia.",
     {C(NK, ("deploys", NK, RU)), D(NK, RU)}, set()),
    ("en", "North Korea said on Monday that it had deployed troops to Russia.", {D(NK, RU)}, set()),
    ("id", "Rusia dan Korea Utara menandatangani pakta. Kedua negara mengakui pengiriman tentara Korut ke Rusia.",
     {C(RU, ("deploys", NK, RU)), C(NK, ("deploys", NK, RU))}, set()),
    ("en", "“I can confirm that North Korean troops are in Russia,” Mark Rutte told reporters.",
     {C("Mark Rutte", ("deploys", NK, RU))}, set()),
    # "the deployment" confirmed by a third party is the one told before, not the speaker's own
    ("en", "North Korea has sent 3,000 soldiers to Russia. South Korea confirmed the deployment on Friday.",
     {C(KR, ("deploys", NK, RU))}, {D(KR, RU), C(KR, ("deploys", KR, RU))}),
    ("en", "North Korea has sent troops to Russia. Seoul confirmed the deployment, adding that they came by sea.",
     {C(KR, ("deploys", NK, RU))}, {C(KR, ("asserts", None, None))}),
    ("id", "Korut mengirim 2.000 tentara ke Rusia. Kementerian Pertahanan Korea Selatan membenarkan "
           "pengiriman pasukan tersebut.", {C("Ministry of National Defense", ("deploys", NK, RU))},
     {D(KR, RU)}),
    ("id", "Korea Utara memberangkatkan 1.500 personel militer ke Rusia.", {D(NK, RU)}, set()),
    ("id", "Sebanyak 500 tentara diberangkatkan oleh Pyongyang ke Rusia.", {D(NK, RU)}, set()),
]


@pytest.mark.parametrize("lang, text, expected, absent", ROWS, ids=[r[1][:50] for r in ROWS])
def test_relations(facts, lang, text, expected, absent):
    found = facts(text, lang, "2025-04-28")
    assert expected <= found, f"missing {expected - found}; found {found}"
    assert not absent & found, f"unexpected {absent & found}"


@pytest.mark.parametrize("lang, text", [
    ("id", "Korea Utara belum mengonfirmasi atau membantah laporan itu."),
    ("en", "North Korea has neither confirmed nor denied sending troops to Russia."),
    ("en", "Did North Korea confirm the deployment?"),
    ("id", "Pyongyang tak pernah membantah laporan pengiriman pasukan."),
])
def test_negated_stances_make_no_fact(extract, lang, text):
    result = extract(text, lang)
    assert not [f for f in result.facts if f.predicate in ("confirms", "denies")]


def test_reported_speech_keeps_who_said_it(extract):
    result = extract("NIS mengatakan bahwa Korea Utara mengirim 3.000 tentara ke Rusia.", "id")
    labels = {e.iri: e.label for e in result.entities}
    deploy = next(f for f in result.facts if f.predicate == "deploys")
    assert labels[deploy.attributed_to] == "National Intelligence Service"
    assert (deploy.quantity.min, deploy.quantity.max) == (3000, 3000)


@pytest.mark.parametrize("lang, hedged, plain", [
    ("id", "Korea Utara dilaporkan mengirim pasukan ke Rusia.", "Korea Utara mengirim pasukan ke Rusia."),
    ("en", "North Korea allegedly sent troops to Russia.", "North Korea sent troops to Russia."),
    ("en", "North Korea plans to send troops to Russia.", "North Korea sent troops to Russia."),
])
def test_hedges_and_plans_lower_confidence(extract, lang, hedged, plain):
    weak = next(f for f in extract(hedged, lang).facts if f.predicate == "deploys")
    strong = next(f for f in extract(plain, lang).facts if f.predicate == "deploys")
    assert weak.confidence < strong.confidence


@pytest.mark.parametrize("lang, text, qty, time", [
    ("id", "Korea Utara mengirim 10.000-12.000 tentara ke Rusia pada Oktober tahun lalu.", (10000, 12000), "2024-10"),
    ("id", "Korut mengirim 11 ribu tentara ke Rusia pada musim gugur lalu.", (11000, 11000), "2024"),
    ("id", "Pyongyang mengerahkan puluhan ribu pasukan ke Rusia awal tahun ini.", (10000, 99999), "2025"),
    ("en", "North Korea sent 25,000 to 30,000 troops to Russia last autumn.", (25000, 30000), "2024"),
    ("en", "Pyongyang deployed several hundred soldiers to Kursk on Monday.", (200, 900), "2025-04-28"),
])
def test_figures_and_dates_belong_to_their_fact(extract, lang, text, qty, time):
    deploy = next(f for f in extract(text, lang, "2025-04-30").facts if f.predicate == "deploys")
    assert (deploy.quantity.min, deploy.quantity.max) == qty
    assert deploy.time == time


def test_figure_of_another_clause_is_not_taken(extract):
    text = "Korea Utara mengirim pasukan ke Rusia, sementara 4.000 tentara Ukraina bertahan di Kharkiv."
    deploy = next(f for f in extract(text, "id").facts if f.predicate == "deploys")
    assert deploy.quantity is None


def test_evidence_offsets_are_exact(extract):
    text = "Judul berita\n\nPada Senin, Korea Utara mengirim 2.000 tentara ke Rusia.\n\nKremlin membantahnya."
    result = extract(text, "id", "2025-04-28")
    assert result.facts
    for fact in result.facts:
        assert text[fact.evidence.start:fact.evidence.end] == fact.evidence.text


@pytest.mark.parametrize("lang, text", [
    ("id", "Korea Utara mengerahkan ribuan tentara ke Rusia, kata NIS; Moskow membantah klaim tersebut. "
           "“Kami tidak mengirim pasukan,” ujar juru bicara Kremlin Dmitry Peskov kepada wartawan di Moskow."),
    ("en", "North Korea has dispatched about 1,500 soldiers to Russia, the NIS said: Moscow denied it. "
           "“We sent no troops,” Kremlin spokesman Dmitry Peskov told reporters in Moscow; Seoul disagreed."),
])
def test_clauses_found_once_are_the_clauses_walked(extractor, lang, text):
    """Sentence.clause looks its boundaries up (found once per sentence); walking to them gives the same."""
    from kg.nlp import make_doc

    nlp = extractor.pipeline(lang)
    doc = nlp(make_doc(nlp, text, lang=lang))
    relations = nlp.get_pipe("kg_relations")
    mentions = list(doc.spans["kg_mentions"])
    sentences = relations._sentences(doc, mentions, [m._.kg_entity for m in mentions])
    assert sentences
    for s in sentences:
        for i in range(s.start, s.end):
            for speech in (True, False):
                assert s.clause(i, speech=speech) == s._scan_clause(i, speech)
