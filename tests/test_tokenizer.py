"""kg's tokenizer (``kg.Tokenizer.v1``) makes the same tokens as spaCy's own, which loads
its ~16,000 Indonesian exceptions as special cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from kg.nlp import BLANK_CONFIG, TOKENIZER_CACHE, tokenize

ARTICLES = Path(__file__).parent / "data" / "articles"

TRICKY = [
    "anak-anak", "Anak-anak", "ANAK-ANAK", "Anak-Anak", "(anak-anak),", "\"anak-anak\".", "anak-anaknya",
    "anak-anak-nya", "anak-anak-anak", "anak-anak/remaja", "x-anak-anak-y", "rata-rata—", "abu-abu'",
    "Kim Jong-un", "Rusia-Ukraina", "neo-Nazi", "1950-53", "20241218114724-4-596922", "masing-masing.",
    "kupu-kupu-ku", "A.Md. Dr. Jum'at do'a Jan. dkk. dll. s.d. :-) (^_^)", "anak - anak", "anak -anak",
    "Rp5-juta", "pasukan-pasukan Korea Utara: sebanyak 3.000-an tentara", "https://x.id/anak-anak-y",
    "sebaik-baiknya kira-kira 12 ribu serdadu", "Putin-Kim", "tiba-tiba/rata-rata", "-anak-anak",
]


def _tokens(nlp: Language, text: str) -> list[tuple[str, int, str, str]]:
    return [(t.text, t.idx, t.whitespace_, t.norm_) for t in tokenize(nlp, text)]


@pytest.fixture(scope="module", params=["id", "en"])
def pair(request: pytest.FixtureRequest) -> tuple[Language, Language]:
    spacys, kgs = spacy.blank(request.param), spacy.blank(request.param, config=BLANK_CONFIG)
    for nlp in (spacys, kgs):
        nlp.tokenizer.max_cache_size = TOKENIZER_CACHE  # type: ignore[union-attr]
    return spacys, kgs


def test_few_special_cases_left() -> None:
    nlp = spacy.blank("id", config=BLANK_CONFIG)
    assert len(nlp.tokenizer.rules) < 1_000  # type: ignore[union-attr]


@pytest.mark.parametrize("text", TRICKY)
def test_same_tokens_tricky(pair: tuple[Language, Language], text: str) -> None:
    spacys, kgs = pair
    assert _tokens(kgs, text) == _tokens(spacys, text)
    joined = " ".join(TRICKY)   # spaCy's special cases also apply across a whole doc
    assert _tokens(kgs, joined) == _tokens(spacys, joined)


def test_same_tokens_articles(pair: tuple[Language, Language]) -> None:
    spacys, kgs = pair
    for path in sorted(ARTICLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert _tokens(kgs, text) == _tokens(spacys, text), path.name
