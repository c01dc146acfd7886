"""Shared fixtures: one extraction pipeline per test session, and a helper that
reads facts back as small tuples of labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.extract import Extractor
from kg.ingest import parse_text
from kg.model import ArticleResult


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


def run(extractor: Extractor, text: str, lang: str, published: str | None = None) -> ArticleResult:
    """Extract from a small text written for a test (a title line, a blank line, the body)."""
    meta = {"lang": lang}
    if published:
        meta["published"] = published
    return extractor(parse_text(text, "test.txt", meta=meta))


def summarise(result: ArticleResult) -> set[tuple]:
    """Facts as (predicate, subject label, object label) or, for confirms/denies,
    (predicate, speaker label, (claim predicate, claim subject, claim object))."""
    labels = {e.iri: e.label for e in result.entities}
    facts = {f.iri: f for f in result.facts}
    out = set()
    for f in result.facts:
        if f.is_claim:
            continue
        if f.claim:
            c = facts[f.claim]
            out.add((f.predicate, labels.get(f.subject), (c.predicate, labels.get(c.subject), labels.get(c.object))))
        else:
            out.add((f.predicate, labels.get(f.subject), labels.get(f.object)))
    return out


@pytest.fixture(scope="session")
def facts(extractor):
    """``facts(text, lang, published=None)`` -> the summarised facts of a small text."""

    def _facts(text: str, lang: str, published: str | None = None) -> set[tuple]:
        return summarise(run(extractor, text, lang, published))

    return _facts


@pytest.fixture(scope="session")
def extract(extractor):
    """``extract(text, lang, published=None)`` -> the ArticleResult of a small text."""

    def _extract(text: str, lang: str, published: str | None = None) -> ArticleResult:
        return run(extractor, text, lang, published)

    return _extract


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed articles built once per session: (out folder, build summary)."""
    out = tmp_path_factory.mktemp("seed-build")
    summary = build([ROOT / "seeds"], out, render=False)
    return out, summary
