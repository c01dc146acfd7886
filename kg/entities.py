"""The ``kg_entities`` component: resolve mentions to canonical entities.

Every mention in ``doc.spans["kg_mentions"]`` (and the countries nested in
organisation names, ``doc.spans["kg_nested"]``) gets ``span._.kg_entity``, the
id of an :class:`EntityInfo` in ``doc._.kg_entities``:

* catalogue mentions resolve to their catalogue entry (one id per entry, so
  "Korea Utara", "Korut" and "North Korea" are one entity);
* a capital used as a speaker or actor ("Seoul ungkap", "Pyongyang sent")
  is its country's government; elsewhere it is the city;
* a short name resolves within the article to the person named in full
  ("Gerasimov" after "Valery Gerasimov", "Kim" after "Kim Yong-hyun");
  a short name nobody in the article carries is dropped;
* an acronym in brackets after a name becomes one of its names
  ("Badan Intelijen Nasional (NIS)");
* names the catalogue does not know become entities of their own, keyed by
  type and normalised name, so the same name in two articles is one entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.catalogue import Catalogue, load_catalogue
from kg.catalogue import normalise_name as fold
from kg.lexicon import load_lexicon
from kg.nlp import Tokens, clean_label

ACTOR_WINDOW = 3


@dataclass
class EntityInfo:
    """A canonical entity as extraction sees it (mutable while the article is read)."""

    id: str
    type: str
    label: str
    key: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    wikidata: str | None = None
    country: str | None = None      # ISO2 of the entity's country (a country: itself)
    kind: str | None = None         # organisations: government, military, media...
    roles: tuple = ()

    def add_name(self, name: str) -> None:
        if name and name not in self.names:
            self.names.append(name)


def from_catalogue(key: str, catalogue: Catalogue | None = None) -> EntityInfo | None:
    """The entity of a catalogue key; pass the ``catalogue`` a component holds (loading checks files)."""
    entry = (catalogue or load_catalogue()).get(key)
    if entry is None:
        return None
    label = entry.labels.get("en") or next(iter(entry.labels.values()), None) or entry.names[0]
    return EntityInfo(
        id=key, type=entry.type, label=label, key=key, labels=dict(entry.labels),
        wikidata=entry.wikidata, country=entry.country, kind=entry.kind, roles=tuple(entry.roles),
    )


class EntityResolver:
    """Resolves the mentions of one article; see the module docstring."""

    def __init__(self, nlp: Language, lang: str) -> None:
        self.lang = lang
        lex = load_lexicon(lang)
        self.actor_words = (lex.single_words("speech") | lex.single_words("plan")
                            | {t[0] for t in lex.triggers if len(t) == 1})
        self.catalogue = load_catalogue()

    def __call__(self, doc: Doc) -> Doc:
        entities: dict[str, EntityInfo] = {}
        mentions = list(doc.spans["kg_mentions"])
        tok = Tokens.of(doc)
        keep: list[Span] = []
        persons: list[tuple[Span, EntityInfo]] = []
        acronyms: dict[str, EntityInfo] = {}
        metonyms: list[Span] = []

        def info_for(key: str) -> EntityInfo | None:
            if key not in entities:
                info = from_catalogue(key, self.catalogue)
                if info is None:
                    return None
                entities[key] = info
            return entities[key]

        for span in mentions:
            text = clean_label(tok.span_text(span.start, span.end))
            kind = span._.kg_kind or ""
            info: EntityInfo | None = None
            as_government = False
            if span.kb_id_:
                key = span.kb_id_
                if kind.startswith("metonym:") and self._acts(tok, span):
                    key = kind.split(":", 1)[1]
                    as_government = True
                info = info_for(key)
            elif kind == "short":
                info = self._resolve_short(text, persons, entities)
                if info is None:
                    continue
            else:
                info = self._pattern_entity(text, span.label_, entities)
            if info is None:
                continue
            if as_government:  # "Seoul" names the city, not South Korea; the city is still mentioned
                city = info_for(span.kb_id_)
                if city is not None:
                    city.add_name(text)
                    # a label of its own: extension values are stored per (offsets, label, kb id)
                    inner = Span(doc, span.start, span.end, label="city", kb_id=span.kb_id_)
                    inner._.kg_entity = city.id
                    metonyms.append(inner)
            else:
                info.add_name(text)
            span._.kg_entity = info.id
            keep.append(span)
            if info.type == "Person":
                persons.append((span, info))
            acro = self._acronym(tok, span)
            if acro:
                info.add_name(acro)
                acronyms.setdefault(acro, info)
        keep = self._acronym_uses(doc, keep, acronyms)
        nested = []
        for span in doc.spans.get("kg_nested", []):
            info = info_for(span.kb_id_) if span.kb_id_ else None
            if info is not None:
                info.add_name(clean_label(tok.span_text(span.start, span.end)))
                span._.kg_entity = info.id
                nested.append(span)
                # an organisation named after its country belongs to it
                if info.type != "Country":
                    continue
                for outer in keep:
                    if outer.start <= span.start and span.end <= outer.end:
                        owner = entities.get(outer._.kg_entity)
                        if owner is not None and owner.key is None and owner.country is None:
                            owner.country = info.country
        doc.spans["kg_mentions"] = keep
        doc.spans["kg_nested"] = nested + metonyms
        doc._.kg_entities = entities
        return doc

    def _acts(self, tok: Tokens, span: Span) -> bool:
        """A capital acts as its government when a speech or action verb follows closely."""
        for i in range(span.end, min(len(tok.text), span.end + ACTOR_WINDOW)):
            if tok.lower[i] in self.actor_words:
                return True
            if tok.punct[i] and tok.text[i] not in (",",):
                break
        prev = tok.lower[span.start - 1] if span.start > 0 else ""
        return prev in ("pihak", "pemerintah", "rezim", "regime")

    def _resolve_short(self, text: str, persons, entities) -> EntityInfo | None:
        """A one-word name: the nearest person named before whose name holds that word."""
        word = fold(text)
        for _span, info in reversed(persons):
            parts = {fold(p) for name in info.names for p in re.split(r"[\s]+", name)}
            if word in parts:
                return info
        for entry in self.catalogue.lookup(text):
            if entry.type == "Person":
                return from_catalogue(entry.key, self.catalogue)
        return None

    def _pattern_entity(self, text: str, type_: str, entities: dict[str, EntityInfo]) -> EntityInfo | None:
        """A name found by a pattern: the catalogue entry if it knows the name, else a new entity."""
        candidates = [text]
        words = text.split()
        # "Kementerian Unifikasi Korea Selatan" is also "Kementerian Unifikasi"
        for cut in range(len(words) - 1, 1, -1):
            candidates.append(" ".join(words[:cut]))
        for cand in candidates:
            for entry in self.catalogue.lookup(cand):
                if entry.type == type_ or (type_ == "Location" and entry.type == "Country"):
                    info = entities.get(entry.key) or from_catalogue(entry.key, self.catalogue)
                    if info is not None:
                        entities[entry.key] = info
                        return info
        if type_ == "Person":
            # a longer form of a person already met ("Jenderal Valery Gerasimov")
            for info in entities.values():
                if info.type == "Person" and any(fold(n) == fold(text) for n in info.names):
                    return info
        ident = f"{type_}:{fold(text)}"
        if ident not in entities:
            entities[ident] = EntityInfo(id=ident, type=type_, label=text)
        return entities[ident]

    @staticmethod
    def _acronym(tok: Tokens, span: Span) -> str | None:
        """The acronym in brackets right after a name: "Badan Intelijen Nasional (NIS)"."""
        if span.end + 2 < len(tok.text) and tok.text[span.end] == "(" and tok.text[span.end + 2] == ")":
            acro = tok.text[span.end + 1]
            if acro.isupper() and 2 <= len(acro) <= 8:
                return acro
        return None

    @staticmethod
    def _acronym_uses(doc: Doc, mentions: list[Span], acronyms: dict[str, EntityInfo]) -> list[Span]:
        """Later uses of a bracketed acronym the catalogue does not know are mentions too."""
        if not acronyms:
            return mentions
        taken = {i for s in mentions for i in range(s.start, s.end)}
        extra = []
        for i, word in enumerate(Tokens.of(doc).text):      # plain strings: no Token objects made
            info = acronyms.get(word)
            if info is not None and i not in taken:
                span = Span(doc, i, i + 1, label=info.type, kb_id=info.key or "")
                span._.kg_kind = "acronym"
                span._.kg_entity = info.id
                extra.append(span)
        return sorted(mentions + extra, key=lambda s: s.start)


@Language.factory("kg_entities", default_config={"lang": "id"}, requires=["doc.spans"],
                  assigns=["doc._.kg_entities"])
def make_entity_resolver(nlp: Language, name: str, lang: str) -> EntityResolver:
    return EntityResolver(nlp, lang)
