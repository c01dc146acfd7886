"""The entity catalogue: names in both languages, demonyms, metonyms, roles, cities, validation."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from kg.catalogue import ENTRY_TYPES, Catalogue, load_catalogue, normalise_name
from kg.errors import ResourceError


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    with pytest.MonkeyPatch.context() as patch:  # keep the disk cache out of the home folder
        patch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        return load_catalogue()


def first(cat: Catalogue, name: str) -> str | None:
    found = cat.lookup(name)
    return found[0].key if found else None


@pytest.mark.parametrize("name", [
    "Korea Utara", "Korut", "North Korea", "DPRK", "Democratic People's Republic of Korea",
    "Republik Rakyat Demokratik Korea", "korea utara", "N. Korea",
])
def test_north_korea_names(cat: Catalogue, name: str) -> None:
    entry = cat.lookup(name)[0]
    assert entry.key == "north_korea"
    assert entry.type == "Country"
    assert entry.wikidata == "Q423"
    assert entry.country == "KP"


@pytest.mark.parametrize("name, key", [
    ("Korea Selatan", "south_korea"), ("Korsel", "south_korea"), ("ROK", "south_korea"),
    ("Rusia", "russia"), ("Federasi Rusia", "russia"), ("Russian Federation", "russia"),
    ("Ukraina", "ukraine"), ("AS", "united_states"), ("Amerika Serikat", "united_states"),
    ("U.S.", "united_states"), ("USA", "united_states"), ("Inggris", "united_kingdom"),
    ("Britain", "united_kingdom"), ("UK", "united_kingdom"), ("Tiongkok", "china"), ("Cina", "china"),
    ("RRT", "china"), ("Jepang", "japan"), ("Vatikan", "vatican_city"), ("Holy See", "vatican_city"),
    ("Turki", "turkey"), ("Türkiye", "turkey"), ("Burma", "myanmar"), ("Belanda", "netherlands"),
    ("Norway", "norway"),
])
def test_country_names_both_languages(cat: Catalogue, name: str, key: str) -> None:
    assert first(cat, name) == key


@pytest.mark.parametrize("demonym, key", [
    ("North Korean", "north_korea"), ("South Korean", "south_korea"), ("Russian", "russia"),
    ("Ukrainian", "ukraine"), ("American", "united_states"), ("Chinese", "china"),
    ("Japanese", "japan"), ("British", "united_kingdom"), ("Belarusian", "belarus"),
])
def test_demonyms(cat: Catalogue, demonym: str, key: str) -> None:
    assert first(cat, demonym) == key
    assert (demonym, key, "demonym") in set(cat.surface_forms())


def test_every_country_has_a_demonym_or_is_a_territory(cat: Catalogue) -> None:
    countries = [e for e in cat.entries.values() if e.type == "Country"]
    assert len(countries) >= 249
    with_demonym = [e for e in countries if e.demonyms]
    assert len(with_demonym) >= 200


@pytest.mark.parametrize("capital, key", [
    ("Pyongyang", "north_korea"), ("Seoul", "south_korea"), ("Moscow", "russia"), ("Moskow", "russia"),
    ("Washington", "united_states"), ("Kyiv", "ukraine"), ("Kiev", "ukraine"), ("Beijing", "china"),
    ("Tokyo", "japan"), ("London", "united_kingdom"),
])
def test_capital_metonyms_point_at_the_country(cat: Catalogue, capital: str, key: str) -> None:
    assert [e.key for e in cat.lookup(capital, kinds=("metonym",))] == [key]
    # as a name the capital is the city, and the city comes first
    city = cat.lookup(capital)[0]
    assert city.type == "Location" and city.country == cat.get(key).country


def test_weak_names_are_kept_apart(cat: Catalogue) -> None:
    north = cat.get("north_korea")
    assert "the North" in north.weak_names and "Utara" in north.weak_names
    assert cat.lookup("Utara") == []
    assert all(form != "Utara" for form, _, _ in cat.surface_forms())


def test_kremlin_is_an_organisation_not_a_metonym(cat: Catalogue) -> None:
    assert cat.lookup("Kremlin", kinds=("metonym",)) == []
    assert cat.lookup("Kremlin")[0].type == "Organization"


@pytest.mark.parametrize("name, key, type_", [
    ("Kim Jong Un", "kim_jong_un", "Person"), ("Kim Jong-un", "kim_jong_un", "Person"),
    ("Putin", "vladimir_putin", "Person"), ("Zelensky", "volodymyr_zelenskyy", "Person"),
    ("Zelenskyy", "volodymyr_zelenskyy", "Person"), ("Gerasimov", "valery_gerasimov", "Person"),
    ("Syrsky", "oleksandr_syrskyi", "Person"), ("Paus Fransiskus", "pope_francis", "Person"),
    ("NIS", "nis", "Organization"), ("Badan Intelijen Nasional", "nis", "Organization"),
    ("HUR", "defence_intelligence_of_ukraine", "Organization"),
    ("Angkatan Bersenjata Rusia", "armed_forces_of_russia", "Organization"),
    ("militer Rusia", "armed_forces_of_russia", "Organization"),
    ("Russian military", "armed_forces_of_russia", "Organization"),
    ("Korean People's Army", "korean_peoples_army", "Organization"),
    ("Komisi Militer Pusat", "central_military_commission", "Organization"),
    ("Workers' Party of Korea", "workers_party_of_korea", "Organization"),
    ("Dewan Keamanan PBB", "un_security_council", "Organization"), ("PBB", "united_nations", "Organization"),
    ("NATO", "nato", "Organization"), ("Pentagon", "pentagon", "Organization"),
    ("Reuters", "reuters", "Organization"), ("Yonhap", "yonhap", "Organization"),
    ("KCNA", "kcna", "Organization"), ("The Moscow Times", "the_moscow_times", "Organization"),
    ("wilayah Kursk", "kursk_oblast", "Location"), ("Kursk region", "kursk_oblast", "Location"),
    ("Semenanjung Korea", "korean_peninsula", "Location"), ("Eropa", "europe", "Location"),
    ("Timur Tengah", "middle_east", "Location"), ("Krimea", "crimea", "Location"),
    ("Bandara Sunan", "sunan_airport", "Location"),
])
def test_curated_entries(cat: Catalogue, name: str, key: str, type_: str) -> None:
    entry = cat.lookup(name)[0]
    assert (entry.key, entry.type) == (key, type_)


@pytest.mark.parametrize("common_surname", ["Kim", "Lee", "Park"])
def test_common_korean_surnames_alone_name_nobody(cat: Catalogue, common_surname: str) -> None:
    assert [e for e in cat.lookup(common_surname) if e.type == "Person"] == []


@pytest.mark.parametrize("a, b", [
    ("Kim Jong-un", "kim jong un"), ("KIM JONG UN", "Kim Jong Un"), ("Zelenskyy", "ZELENSKYY"),
    ("Korean People’s Army", "Korean People's Army"), ("Pyeongyang", "Pyeong-yang"), ("Kúrsk", "Kursk"),
])
def test_normalisation_folds_case_accents_hyphens_spaces(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize("role, of, date, key", [
    ("president", "US", "2023-05-01", "joe_biden"),
    ("president", "US", "2025-05-01", "donald_trump"),
    ("president", "US", "2019-06", "donald_trump"),
    ("president", "US", None, "donald_trump"),
    ("leader", "KP", None, "kim_jong_un"),
    ("leader", "KP", "2010-01-01", "kim_jong_il"),
    ("president", "RU", "2024-10-23", "vladimir_putin"),
    ("president", "UA", "2024-10-23", "volodymyr_zelenskyy"),
    ("president", "KR", "2024-10-23", "yoon_suk_yeol"),
    ("president", "KR", "2025-08-01", "lee_jae_myung"),
    ("defence_minister", "RU", "2024-01-15", "sergei_shoigu"),
    ("defence_minister", "RU", "2024-10-15", "andrei_belousov"),
    ("chief_of_general_staff", "RU", "2025-04-26", "valery_gerasimov"),
    ("commander_in_chief", "UA", "2023-06-01", "valerii_zaluzhnyi"),
    ("commander_in_chief", "UA", "2024-12-01", "oleksandr_syrskyi"),
    ("secretary_general", "nato", "2024-10-28", "mark_rutte"),
    ("secretary_general", "united_nations", "2024-10-28", "antonio_guterres"),
    ("spokesperson", "kremlin", "2024-10-10", "dmitry_peskov"),
    ("intelligence_chief", "nis", "2024-10-23", "cho_tae_yong"),
])
def test_role_holder(cat: Catalogue, role: str, of: str, date: str | None, key: str) -> None:
    holder = cat.role_holder(role, of, date)
    assert holder is not None and holder.key == key


def test_role_holder_handover_day_goes_to_the_new_holder(cat: Catalogue) -> None:
    assert cat.role_holder("president", "US", "2025-01-20").key == "donald_trump"
    assert cat.role_holder("president", "US", "2025-01-19").key == "joe_biden"


def test_role_holder_unknown(cat: Catalogue) -> None:
    assert cat.role_holder("president", "US", "1700-01-01") is None
    assert cat.role_holder("no_such_role", "US") is None


@pytest.mark.parametrize("lang, word, role", [
    ("id", "Presiden", "president"), ("en", "President", "president"),
    ("id", "pemimpin", "leader"), ("id", "Pemimpin", "leader"), ("en", "leader", "leader"),
    ("id", "Menteri Pertahanan", "defence_minister"), ("id", "Menhan", "defence_minister"),
    ("en", "Defense Secretary", "defence_minister"), ("en", "Defence Minister", "defence_minister"),
    ("id", "Menteri Luar Negeri", "foreign_minister"), ("en", "Secretary of State", "foreign_minister"),
    ("id", "juru bicara", "spokesperson"), ("en", "spokesman", "spokesperson"),
    ("id", "Kepala Staf Umum", "chief_of_general_staff"), ("id", "Sekjen", "secretary_general"),
    ("en", "Unification Minister", "unification_minister"),
])
def test_title_words(cat: Catalogue, lang: str, word: str, role: str) -> None:
    assert cat.titles(lang)[word] == role


def test_titles_of_an_unknown_language_are_empty(cat: Catalogue) -> None:
    assert cat.titles("xx") == {}


def test_every_role_used_is_defined(cat: Catalogue) -> None:
    defined = cat.role_ids()
    used = {held.role for e in cat.entries.values() for held in e.roles}
    assert used <= defined


def test_cities_from_geonames(cat: Catalogue) -> None:
    kursk = cat.lookup("Kursk")[0]
    assert kursk.type == "Location" and kursk.country == "RU"
    for city, country in [("Vladivostok", "RU"), ("Busan", "KR"), ("Surabaya", "ID"), ("Chicago", "US"),
                          ("Lviv", "UA"), ("Osaka", "JP")]:
        entry = cat.lookup(city)[0]
        assert (entry.type, entry.country) == ("Location", country), city
    assert len([e for e in cat.entries.values() if e.generated]) > 3000


@pytest.mark.parametrize("word", ["Of", "Mobile", "Reading", "Nice", "Split", "Bar", "Batu", "Kota",
                                  "Medan", "Serang", "Male", "Lima", "Soul"])
def test_common_words_are_not_cities(cat: Catalogue, word: str) -> None:
    assert [e.key for e in cat.lookup(word) if e.generated] == []


def test_curated_entries_win_over_generated_cities(cat: Catalogue) -> None:
    for name in ("Moscow", "Seoul", "Pyongyang", "Kyiv", "Jakarta", "Rome"):
        entries = cat.lookup(name)
        assert not entries[0].generated, name
        assert not any(e.generated and e.country == entries[0].country for e in entries), name


def test_surface_forms_cover_names_demonyms_metonyms(cat: Catalogue) -> None:
    forms = list(cat.surface_forms())
    kinds = {kind for _, _, kind in forms}
    assert kinds == {"name", "demonym", "metonym"}
    assert ("Korut", "north_korea", "name") in forms
    assert ("Pyongyang", "north_korea", "metonym") in forms
    assert all(cat.get(key) is not None for _, key, _ in forms)


def test_country_of(cat: Catalogue) -> None:
    assert cat.country_of("kim_jong_un").key == "north_korea"
    assert cat.country_of("nis").key == "south_korea"
    assert cat.country_of("russia").key == "russia"
    assert cat.country_of("nato") is None
    assert cat.country("kp").key == "north_korea"


def test_every_entry_is_well_formed(cat: Catalogue) -> None:
    qid = re.compile(r"^Q[1-9][0-9]*$")
    for key, entry in cat.entries.items():
        assert key == entry.key
        assert entry.type in ENTRY_TYPES
        assert entry.labels.get("en") and entry.labels.get("id"), key
        assert entry.labels["en"] in entry.names and entry.labels["id"] in entry.names, key
        assert entry.wikidata is None or qid.match(entry.wikidata), key
        assert entry.country is None or cat.country(entry.country) is not None, key


def test_wikidata_ids_are_unique(cat: Catalogue) -> None:
    seen: dict[str, str] = {}
    for entry in cat.entries.values():
        if entry.wikidata:
            assert entry.wikidata not in seen, (entry.key, seen.get(entry.wikidata))
            seen[entry.wikidata] = entry.key


def test_known_wikidata_ids(cat: Catalogue) -> None:
    expected = {"north_korea": "Q423", "south_korea": "Q884", "russia": "Q159", "ukraine": "Q212",
                "united_states": "Q30", "china": "Q148", "japan": "Q17", "vatican_city": "Q237",
                "kim_jong_un": "Q56226", "vladimir_putin": "Q7747", "nato": "Q7184"}
    for key, q in expected.items():
        assert cat.get(key).wikidata == q


def test_load_is_cached(cat: Catalogue) -> None:
    assert load_catalogue() is cat


# ---------------------------------------------------------------- validation

MINIMAL_ROLES = "president:\n  en: [President]\n  id: [Presiden]\n"


def make_root(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "ontology"
    (root / "catalogue").mkdir(parents=True)
    (root / "lexicon").mkdir()
    (root / "lexicon" / "roles.yaml").write_text(MINIMAL_ROLES, encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))


GOOD_PERSON = """\
- key: test_person
  type: Person
  labels: {en: Testa Personova, id: Testa Personova}
  names: [Personova]
  country: KP
  roles:
    - {role: president, of: KP, from: 2020-01}
"""


def test_a_small_root_loads_via_argument_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_root(tmp_path, {"catalogue/people.yaml": GOOD_PERSON})
    cat = load_catalogue(root)
    assert cat.lookup("Personova")[0].key == "test_person"
    assert cat.role_holder("president", "KP", "2021-01-01").key == "test_person"
    assert cat.country("KP") is not None  # countries come from CLDR even without countries.yaml
    monkeypatch.setenv("KG_ONTOLOGY", str(root))
    assert load_catalogue().get("test_person") is not None


@pytest.mark.parametrize("name, text, message", [
    ("catalogue/people.yaml", "- key: a\n  type: Person\n  labels: {en: A\n", "malformed YAML"),
    ("catalogue/people.yaml", "- key: a\n  type: Robot\n  labels: {en: A, id: A}\n", "unknown type 'Robot'"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("role: president", "role: emperor_of_mars"),
     "unknown role id 'emperor_of_mars'"),
    ("catalogue/people.yaml", GOOD_PERSON + GOOD_PERSON, "duplicate key"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("country: KP", "country: XX"), "not an ISO 3166-1"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("names: [Personova]", "wikidata: 423"), "not a Q-id"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("from: 2020-01", "from: last year"), "date"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("of: KP", "of: nowhere_org"), "nowhere_org"),
    ("catalogue/people.yaml", GOOD_PERSON.replace("names:", "nmaes:"), "unknown field"),
    ("catalogue/people.yaml", "key: a\n", "expected a list"),
    ("catalogue/organizations.yaml", "- key: x\n  type: Organization\n  labels: {en: X, id: X}\n"
                                     "  kind: bakery\n", "kind 'bakery'"),
    ("catalogue/countries.yaml", "KP: {key: north_korea}\nKP: {key: dprk}\n", "duplicate key 'KP'"),
    ("catalogue/countries.yaml", "ZZ: {key: zedland}\n", "ZZ"),
    ("lexicon/roles.yaml", "president: {en: [President]}\nleader: {en: [President]}\n", "already belongs"),
])
def test_validation_errors_name_file_and_entry(tmp_path: Path, name: str, text: str, message: str) -> None:
    root = make_root(tmp_path, {name: text})
    with pytest.raises(ResourceError) as info:
        load_catalogue(root)
    line = str(info.value)
    assert "\n" not in line
    assert message in line
    assert Path(name).name in line


def test_duplicate_key_across_files(tmp_path: Path) -> None:
    org = "- key: test_person\n  type: Organization\n  labels: {en: T, id: T}\n  kind: media\n"
    root = make_root(tmp_path, {"catalogue/people.yaml": GOOD_PERSON, "catalogue/organizations.yaml": org})
    with pytest.raises(ResourceError, match="duplicate key"):
        load_catalogue(root)


def test_missing_catalogue_folder(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="catalogue folder not found"):
        load_catalogue(tmp_path / "nowhere")


def test_disk_cache_is_reused_and_keyed_on_content(tmp_path: Path) -> None:
    root = make_root(tmp_path, {"catalogue/people.yaml": GOOD_PERSON})
    first_load = load_catalogue(root)
    assert list((tmp_path / "cache").glob("catalogue-*.pickle"))
    (root / "catalogue" / "people.yaml").write_text(GOOD_PERSON.replace("Personova]", "Personova, Tp]"),
                                                    encoding="utf-8")
    second = load_catalogue(root)
    assert second is not first_load
    assert second.lookup("Tp")[0].key == "test_person"
