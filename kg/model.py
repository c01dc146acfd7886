"""Typed records that the pipeline stages exchange.

Every stage meets the next through these frozen dataclasses: ingest yields
:class:`Article`, extraction yields :class:`ArticleResult` (entities, mentions,
facts), the RDF module turns an ``ArticleResult`` into quads. None of them
knows about spaCy or rdflib, so any stage can be tested with records written
by hand.

Offsets (``start``/``end``) are always character offsets into
``Article.text``, the source text exactly as read from the file, so
``article.text[start:end] == span_text`` holds everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_TYPES = ("Person", "Organization", "Country", "Location")
RELATIONS = ("deploys", "confirms", "denies")


@dataclass(frozen=True)
class Article:
    """One ingested article.

    ``text`` is the source text exactly as read (after decoding); ``body`` lists
    the ``(start, end)`` spans of ``text`` that hold the article itself
    (title and paragraphs), with page cruft (menus, share buttons, "Baca juga"
    links, bylines) left out. ``iri`` comes from a hash of the normalised text.
    """

    iri: str
    source: str
    text: str
    body: tuple[tuple[int, int], ...]
    lang: str
    content_hash: str
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None

    def body_text(self) -> str:
        """The analysed body, paragraphs joined by blank lines (for display only)."""
        return "\n\n".join(self.text[s:e] for s, e in self.body)


@dataclass(frozen=True)
class Entity:
    """A canonical real-world thing, the same IRI across all articles.

    ``labels`` holds ``(text, lang)`` pairs (English and Indonesian where
    known); ``names`` every surface form seen plus the catalogue's aliases
    that were matched.
    """

    iri: str
    label: str
    type: str
    names: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    wikidata: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Mention:
    """A span of the article's text that names an entity."""

    entity: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quantity:
    """A reported figure: ``min``..``max`` of ``unit`` (``troops`` by default)."""

    min: int
    max: int
    unit: str = "troops"
    text: str = ""


@dataclass(frozen=True)
class Evidence:
    """The sentence that states a fact; ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Fact:
    """One extracted statement.

    ``predicate`` is ``deploys``, ``confirms``, ``denies`` or the predicate of
    a claim (for example ``retakes``). ``claim`` is the IRI of the claimed
    fact for ``confirms``/``denies``; that fact is a record of its own.
    ``attributed_to`` is who said it (reported speech), ``trigger`` the word
    that expressed the relation, ``is_claim`` marks a fact that only exists as
    the content of a confirmation or denial.
    """

    iri: str
    predicate: str
    subject: str | None
    evidence: Evidence
    object: str | None = None
    claim: str | None = None
    quantity: Quantity | None = None
    time: str | None = None
    location: str | None = None
    confidence: float = 0.5
    attributed_to: str | None = None
    trigger: str | None = None
    hedged: bool = False
    is_claim: bool = False


@dataclass(frozen=True)
class ArticleResult:
    """Everything extraction found in one article."""

    article: Article
    sentences: tuple[tuple[int, int], ...] = ()
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    facts: tuple[Fact, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def entity(self, iri: str | None) -> Entity | None:
        """The entity with this IRI, if this article has it."""
        if iri is None:
            return None
        for entity in self.entities:
            if entity.iri == iri:
                return entity
        return None
