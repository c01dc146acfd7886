"""Entity mentions and their canonical entities, on small texts written for the test."""

from __future__ import annotations

import pytest


def labels(result):
    return {e.label for e in result.entities}


@pytest.mark.parametrize("lang, text, expected", [
    # one entity across languages, abbreviations and demonyms
    ("id", "Korut dan Korea Utara adalah negara yang sama.", {"North Korea"}),
    ("en", "North Korean officials met DPRK diplomats.", {"North Korea"}),
    ("id", "Pejabat AS bertemu pejabat Amerika Serikat.", {"United States"}),
    # people from the catalogue, with their short names
    ("en", "Vladimir Putin met Kim Jong Un. Putin later left.", {"Vladimir Putin", "Kim Jong Un"}),
    ("id", "Presiden Ukraina Volodymyr Zelensky berbicara. Zelensky menambahkan.", {"Volodymyr Zelenskyy",
                                                                                  "Ukraine"}),
    # names the catalogue does not know, found by titles, apposition, speech verbs, org words
    ("id", "Juru bicara kementerian, Arif Wicaksono, mengatakan hal itu.", {"Arif Wicaksono"}),
    ("en", "Defence Minister Tomasz Nowicki said the plan was ready.", {"Tomasz Nowicki"}),
    ("id", "Hal itu disampaikan Badan Penanggulangan Krisis Nasional pada Selasa.",
     {"Badan Penanggulangan Krisis Nasional"}),
    ("en", "The Northern Logistics Agency said supplies were late.", {"Northern Logistics Agency"}),
    ("id", "Pesawat itu mendarat di Bandara Kertajati.", {"Bandara Kertajati"}),
])
def test_mentions_become_entities(extract, lang, text, expected):
    assert expected <= labels(extract(text, lang))


@pytest.mark.parametrize("lang, text, unwanted", [
    ("id", "Ia membaca surat kabar pagi ini.", "Surat"),            # a common word, not the city Surat
    ("en", "Scholars of the Korean War met in May.", "Korea"),     # part of an event's name
    ("id", "Unit militer Korut terlihat di sana.", "Korean People's Army"),   # adjectival "militer"
    ("en", "North Korean military officers were seen.", "Korean People's Army"),
])
def test_not_mentions(extract, lang, text, unwanted):
    assert unwanted not in labels(extract(text, lang))


def test_short_name_resolves_within_article(extract):
    text = "Analis Rahmat Hidayat Saputra menulis laporan. Menurut Saputra, situasinya tegang."
    result = extract(text, "id")
    people = [e for e in result.entities if e.type == "Person"]
    assert len(people) == 1
    assert {"Rahmat Hidayat Saputra", "Saputra"} <= set(people[0].names)


def test_short_name_nobody_carries_is_dropped(extract):
    result = extract("Kata Wibisono, keadaan aman.", "id")
    assert not [e for e in result.entities if e.type == "Person"]


def test_acronym_in_brackets_names_the_same_entity(extract):
    text = "Badan Riset Pertahanan Laut (BRPL) merilis data. Kepala BRPL menolak berkomentar."
    result = extract(text, "id")
    org = next(e for e in result.entities if e.type == "Organization")
    assert "BRPL" in org.names
    assert sum(1 for m in result.mentions if m.entity == org.iri) >= 2


def test_wikidata_and_stable_iri(extract):
    a = extract("Kim Jong-un tiba di Moskow.", "id")
    b = extract("Kim Jong Un arrived in Moscow.", "en")
    kim_a = next(e for e in a.entities if e.label == "Kim Jong Un")
    kim_b = next(e for e in b.entities if e.label == "Kim Jong Un")
    assert kim_a.wikidata == "Q56226" and kim_a.iri == kim_b.iri


def test_unknown_names_are_the_same_entity_across_articles(extract):
    a = extract("Menteri Pertahanan Darius Wolanski berbicara.", "id")
    b = extract("Defence Minister Darius Wolanski spoke.", "en")
    iri_a = next(e.iri for e in a.entities if e.label == "Darius Wolanski")
    iri_b = next(e.iri for e in b.entities if e.label == "Darius Wolanski")
    assert iri_a == iri_b


def test_capital_as_speaker_is_the_government_and_still_the_city(extract):
    result = extract("Seoul mengatakan Korea Utara mengirim pasukan ke Rusia.", "id")
    assert {"Seoul", "South Korea"} <= labels(result)
    deploy = next(f for f in result.facts if f.predicate == "deploys")
    south = next(e.iri for e in result.entities if e.label == "South Korea")
    assert deploy.attributed_to == south


def test_mention_offsets_are_exact(extract):
    text = "Judul\n\nKorea Utara dan Rusia menandatangani pakta di Pyongyang."
    result = extract(text, "id")
    assert len(result.mentions) >= 3
    for m in result.mentions:
        assert text[m.start:m.end] == m.text
