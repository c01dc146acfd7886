"""The claims view: per claim, which sources assert it, who confirms or denies it, with which figures and when.

A claim is the same relation between the same entities in any article
(``kg:Claim``, written by :mod:`kg.rdf`). The saved query
``ontology/queries/claims.rq`` returns one row per statement about a claim:
an article stating it (``asserts``), or somebody confirming or denying it
(``confirms``/``denies``, with the figures and time of the claimed statement).
This module runs that query (bound parameters only) and groups its rows:

* :func:`load_claims` -> :class:`Claim` objects, each with its statements,
  the range of figures the supporting statements give, the pairs of sources
  whose figures do not overlap, and whether somebody denies what others assert;
* :func:`claim_dicts` / :func:`flat_rows` -> the JSON and CSV shapes
  (``kg claims --format json|csv``, :func:`kg.api.claims`);
* :func:`format_table` -> the text view of ``kg claims``.

Two sources disagree on figures when none of the figures one gives overlaps
any the other gives for the same claim and unit (10,000 and 10,000-12,000
agree; 10,000 and 12,000 do not). Counts change over time, so every figure is
listed with the time it refers to and the date it was reported.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.query import execute, text_table
from kg.store import KGStore

QUERY = "claims"
STANCES = ("asserts", "confirms", "denies")
SUPPORT = ("asserts", "confirms")
FORMATS = ("table", "json", "csv")


@dataclass(frozen=True)
class Figure:
    """A reported figure: a single number (min == max) or a range, and what it counts."""

    min: int
    max: int
    unit: str | None = None
    written: str | None = field(default=None, compare=False)  # as the article wrote it ("puluhan ribu")

    def overlaps(self, other: Figure) -> bool:
        return self.min <= other.max and other.min <= self.max

    def comparable(self, other: Figure) -> bool:
        return (self.unit or "") == (other.unit or "")

    @property
    def number(self) -> str:
        return f"{self.min:,}" if self.min == self.max else f"{self.min:,}–{self.max:,}"

    @property
    def text(self) -> str:
        return f"{self.number} {self.unit}" if self.unit else self.number

    def as_dict(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max, "unit": self.unit, "written": self.written}


@dataclass(frozen=True)
class Statement:
    """One row of the claims query: a source's statement about a claim."""

    claim: str
    stance: str                 # asserts, confirms or denies
    statement: str
    article: str
    source: str                 # the article's file (kg:sourcePath)
    speaker: str | None = None  # who confirms/denies, or whom an asserting article attributes it to
    figure: Figure | None = None
    time: str | None = None     # when the claimed event happened, as this statement says
    said_on: str | None = None  # when the confirmation or denial was made, if the article says
    publisher: str | None = None
    issued: str | None = None
    title: str | None = None
    hedged: bool = False
    confidence: float | None = None
    evidence: str | None = None
    start: int | None = None
    end: int | None = None

    @property
    def name(self) -> str:
        """The source as a reader names it: its publisher, else its title, else its file."""
        return self.publisher or self.title or self.source

    @property
    def when(self) -> str | None:
        """When this was said: the date the article gives for it, else the article's publication date."""
        return self.said_on or self.issued

    @property
    def as_of(self) -> str | None:
        """The date a figure refers to: the event's time, else when it was said (for plots over time)."""
        return self.time or self.when

    def as_dict(self) -> dict[str, Any]:
        return {
            "stance": self.stance, "source": self.name, "speaker": self.speaker,
            "figure": self.figure.as_dict() if self.figure else None,
            "figure_text": self.figure.text if self.figure else None,
            "time": self.time, "said_on": self.said_on, "when": self.when,
            "publisher": self.publisher, "issued": self.issued, "title": self.title, "path": self.source,
            "hedged": self.hedged, "confidence": self.confidence,
            "evidence": {"text": self.evidence, "start": self.start, "end": self.end},
            "article": self.article, "statement": self.statement,
        }


@dataclass(frozen=True)
class FigureConflict:
    """Two sources whose figures for a claim have nothing in common."""

    a: str                      # article IRIs
    b: str
    a_name: str
    b_name: str
    a_figures: tuple[Figure, ...]
    b_figures: tuple[Figure, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"sources": [self.a_name, self.b_name], "articles": [self.a, self.b],
                "figures": [[f.text for f in self.a_figures], [f.text for f in self.b_figures]]}

    @property
    def text(self) -> str:
        def side(name: str, figures: tuple[Figure, ...]) -> str:
            return f"{name} {' / '.join(f.text for f in figures)}"

        return f"{side(self.a_name, self.a_figures)} vs {side(self.b_name, self.b_figures)}"


@dataclass
class Claim:
    """A claim and every statement about it, in the order they were reported."""

    iri: str
    label: str
    predicate: str
    subject: str | None
    object: str | None
    statements: list[Statement] = field(default_factory=list)

    def _with(self, *stances: str) -> list[Statement]:
        return [s for s in self.statements if s.stance in stances]

    @property
    def asserted(self) -> list[Statement]:
        return self._with("asserts")

    @property
    def confirmed(self) -> list[Statement]:
        return self._with("confirms")

    @property
    def denied(self) -> list[Statement]:
        return self._with("denies")

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(s.article for s in self.statements))

    @property
    def figures(self) -> list[Figure]:
        """The range of the figures the supporting statements give, one per unit (most reported first)."""
        by_unit: dict[str | None, list[Figure]] = {}
        for s in self._with(*SUPPORT):
            if s.figure:
                by_unit.setdefault(s.figure.unit, []).append(s.figure)
        ranked = sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0] or ""))
        return [Figure(min(f.min for f in fs), max(f.max for f in fs), unit) for unit, fs in ranked]

    @property
    def figure_conflicts(self) -> list[FigureConflict]:
        """Pairs of articles whose supporting figures for this claim never overlap (same unit)."""
        per_article: dict[str, list[Figure]] = {}
        names: dict[str, str] = {}
        for s in self._with(*SUPPORT):
            if s.figure:
                figures = per_article.setdefault(s.article, [])
                if s.figure not in figures:
                    figures.append(s.figure)
                names.setdefault(s.article, s.name)
        conflicts = []
        articles = list(per_article)
        for i, a in enumerate(articles):
            for b in articles[i + 1:]:
                pairs = [(x, y) for x in per_article[a] for y in per_article[b] if x.comparable(y)]
                if pairs and not any(x.overlaps(y) for x, y in pairs):
                    conflicts.append(FigureConflict(a, b, names[a], names[b], tuple(per_article[a]),
                                                    tuple(per_article[b])))
        return conflicts

    @property
    def disputed(self) -> bool:
        """Somebody denies what others assert or confirm."""
        return bool(self.denied) and bool(self._with(*SUPPORT))

    def disagreements(self) -> list[dict[str, Any]]:
        """Which sources disagree, and how: on figures, or one denies what another states."""
        out: list[dict[str, Any]] = [{"kind": "figures", **c.as_dict()} for c in self.figure_conflicts]
        if self.disputed:
            out.append({
                "kind": "stance",
                "supported_by": _unique(_who(s) for s in self._with(*SUPPORT)),
                "denied_by": _unique(_who(s) for s in self.denied),
            })
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.iri, "label": self.label, "predicate": self.predicate,
            "subject": self.subject, "object": self.object,
            "articles": len(self.articles),
            "figures": [f.as_dict() | {"text": f.text} for f in self.figures],
            "asserted_by": [s.as_dict() for s in self.asserted],
            "confirmed_by": [s.as_dict() for s in self.confirmed],
            "denied_by": [s.as_dict() for s in self.denied],
            "disputed": self.disputed,
            "figures_disagree": bool(self.figure_conflicts),
            "disagreements": self.disagreements(),
        }


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _who(s: Statement) -> str:
    """``Kremlin (Steppe Post, 2024-11-06)`` or, for a source speaking for itself, ``Steppe Post (2024-11-06)``."""
    detail = ", ".join(x for x in (s.name if s.speaker else None, s.when) if x)
    head = s.speaker or s.name
    return f"{head} ({detail})" if detail else head


# -- reading ---------------------------------------------------------------------------------------

def _value(row: Any, name: str) -> str | None:
    term = row[name]
    return None if term is None else term.value


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _statement(row: Any) -> Statement:
    qmin, qmax = _int(_value(row, "min")), _int(_value(row, "max"))
    figure = None
    if qmin is not None and qmax is not None:
        figure = Figure(qmin, qmax, _value(row, "unit"), _value(row, "figureText"))
    confidence = _value(row, "confidence")
    return Statement(
        claim=_value(row, "claim") or "", stance=_value(row, "stance") or "", statement=_value(row, "statement") or "",
        article=_value(row, "article") or "", source=_value(row, "source") or "",
        speaker=_value(row, "speaker"), figure=figure, time=_value(row, "time"), said_on=_value(row, "saidOn"),
        publisher=_value(row, "publisher"), issued=_value(row, "issued"), title=_value(row, "title"),
        hedged=_value(row, "hedged") in ("true", "1"),
        confidence=float(confidence) if confidence is not None else None,
        evidence=_value(row, "evidence"), start=_int(_value(row, "start")), end=_int(_value(row, "end")),
    )


def load_claims(store: KGStore, entity: str | None = None) -> list[Claim]:
    """Every claim in the store (or those about ``entity``: a label, a name or ``<IRI>``).

    Runs the saved query ``claims`` with ``entity`` bound, never pasted. Claims
    come most-reported first (articles, then statements), then by label;
    statements in the order they were said (undated last), then by source.
    """
    params = {"entity": entity} if entity else None
    claims: dict[str, Claim] = {}
    labels: dict[str, Counter] = {}
    seen: set[tuple[str, str]] = set()
    for row in execute(store, QUERY, params):
        st = _statement(row)
        if (st.claim, st.statement) in seen:
            continue
        seen.add((st.claim, st.statement))
        claim = claims.get(st.claim)
        if claim is None:
            claim = claims[st.claim] = Claim(st.claim, "", _value(row, "predicate") or "",
                                             _value(row, "subject"), _value(row, "object"))
        labels.setdefault(st.claim, Counter())[_value(row, "claimLabel") or ""] += 1
        claim.statements.append(st)
    for iri, claim in claims.items():
        # articles may label an entity differently: the most used label, then the smallest
        claim.label = min(labels[iri].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if claim.subject is None and claim.object is None and claim.statements:
            # nothing to name it by but the sentence that states it
            claim.label = f"{claim.predicate}: “{_short(claim.statements[0].evidence, 60)}”"
        claim.statements.sort(key=lambda s: (s.when is None, s.when or "", s.name, s.source, s.start or 0,
                                             STANCES.index(s.stance) if s.stance in STANCES else 9,
                                             s.statement))
    return sorted(claims.values(), key=lambda c: (-len(c.articles), -len(c.statements), c.label, c.iri))


# -- shapes ----------------------------------------------------------------------------------------

def claim_dicts(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """The JSON shape: one object per claim with its statements grouped by stance."""
    return [c.as_dict() for c in claims]


FLAT_COLUMNS = (
    "claim_label", "stance", "source", "speaker", "figure", "min", "max", "unit", "figure_written", "time",
    "said_on", "when", "as_of", "issued", "publisher", "hedged", "confidence", "claim_min", "claim_max", "claim_unit",
    "disputed", "figures_disagree", "disagrees_with", "evidence", "title", "path", "article", "statement",
    "claim", "predicate", "subject", "object",
)


def flat_rows(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """One row per statement with its claim's range and conflicts: the CSV, and a DataFrame's rows.

    ``disagrees_with`` names the sources whose figures for the same claim do
    not overlap this statement's source's figures, and who denies the claim
    (for a denial: the sources that assert or confirm what it denies).
    """
    rows = []
    for c in claims:
        conflicts = c.figure_conflicts
        top = c.figures[0] if c.figures else None
        supporters = _unique(s.name for s in c.statements if s.stance in SUPPORT)
        for s in c.statements:
            if s.stance == "denies":
                against = supporters
            else:
                against = _unique([x.b_name for x in conflicts if x.a == s.article]
                                  + [x.a_name for x in conflicts if x.b == s.article])
                if c.disputed:
                    against += [n for n in _unique(_who(d) for d in c.denied) if n not in against]
            f = s.figure
            rows.append({
                "claim_label": c.label, "stance": s.stance, "source": s.name, "speaker": s.speaker,
                "figure": f.text if f else None, "min": f.min if f else None, "max": f.max if f else None,
                "unit": f.unit if f else None, "figure_written": f.written if f else None, "time": s.time,
                "said_on": s.said_on, "when": s.when,
                "as_of": s.as_of, "issued": s.issued, "publisher": s.publisher, "hedged": s.hedged,
                "confidence": s.confidence, "claim_min": top.min if top else None,
                "claim_max": top.max if top else None, "claim_unit": top.unit if top else None,
                "disputed": c.disputed, "figures_disagree": bool(conflicts),
                "disagrees_with": "; ".join(against), "evidence": s.evidence, "title": s.title,
                "path": s.source, "article": s.article, "statement": s.statement, "claim": c.iri,
                "predicate": c.predicate, "subject": c.subject, "object": c.object,
            })
    return rows


def to_csv(claims: Sequence[Claim]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in flat_rows(claims):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def to_json(claims: Sequence[Claim]) -> str:
    return json.dumps(claim_dicts(claims), ensure_ascii=False, indent=2)


def _short(text: str | None, width: int = 48) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(claims: Sequence[Claim]) -> str:
    """The text view: per claim a heading (articles, figure range, conflicts), its statements, who disagrees."""
    if not claims:
        return "(no claims)"
    blocks = []
    for c in claims:
        figures = "; ".join(f.text for f in c.figures) or "no figures"
        flags = [flag for flag, on in (("DISPUTED", c.disputed), ("FIGURES DISAGREE", bool(c.figure_conflicts)))
                 if on]
        n = len(c.articles)
        head = f"{c.label}  ·  {n} article{'s' if n != 1 else ''}  ·  figures: {figures}"
        lines = [head + (f"  ·  {', '.join(flags)}" if flags else "")]
        rows = [[s.stance, _short(s.name, 30), s.issued or "", _short(s.speaker or "", 30),
                 s.figure.text if s.figure else "", s.time or "", s.said_on or "",
                 "yes" if s.hedged else "", _short(s.evidence, 60)] for s in c.statements]
        header = ["stance", "source", "published", "said by", "figure", "time", "said on", "hedged", "sentence"]
        lines += ["  " + line for line in text_table(header, rows)]
        for conflict in c.figure_conflicts:
            lines.append(f"  figures disagree: {conflict.text}")
        if c.disputed:
            lines.append(f"  denied by {'; '.join(_unique(_who(s) for s in c.denied))}; "
                         f"stated by {'; '.join(_unique(_who(s) for s in c._with(*SUPPORT)))}")
        blocks.append("\n".join(lines))
    total = len(claims)
    return "\n\n".join(blocks) + f"\n\n({total} claim{'s' if total != 1 else ''})"


def render(claims: Sequence[Claim], fmt: str = "table") -> str:
    """``claims`` in one of :data:`FORMATS`."""
    if fmt == "json":
        return to_json(claims)
    if fmt == "csv":
        return to_csv(claims)
    return format_table(claims)


_ENTITY_EXISTS = """SELECT ?entity WHERE { ?e rdfs:label|skos:altLabel ?name .
  FILTER(sameTerm(?e, ?entity) || LCASE(STR(?name)) = LCASE(STR(?entity))) } LIMIT 1"""


def entity_known(store: KGStore, entity: str) -> bool:
    """Whether any stored entity has this label, name or IRI (``entity`` is bound, never pasted)."""
    from kg.query import parse_param

    return any(True for _ in store.query(_ENTITY_EXISTS, bindings={"entity": parse_param(entity)}))
