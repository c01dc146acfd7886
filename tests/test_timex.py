"""Dates, absolute and relative to the publication date, in both languages."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import timex
from kg.timex import find_times, parse_iso

PUB = "2025-03-12"  # a Wednesday


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("pada Jumat, 14 Februari 2025 pukul 10.00", "id", "2025-02-14"),
        ("Selasa (4/2/2025)", "id", "2025-02-04"),
        ("sejak Mei 2023", "id", "2023-05"),
        ("pada tahun 2022", "id", "2022"),
        ("pasukan yang dikirim tahun lalu", "id", "2024"),
        ("awal tahun ini", "id", "2025"),
        ("musim gugur yang lalu", "id", "2024"),
        ("sejak Agustus tahun lalu", "id", "2024-08"),
        ("pada 3 Januari", "id", "2025-01-03"),
        ("pada 20 Desember", "id", "2024-12-20"),   # later in the year than publication: last year
        ("mengumumkan pada hari Senin", "id", "2025-03-10"),
        ("Juli lalu", "id", "2024-07"),
        ("bulan lalu", "id", "2025-02"),
        ("kemarin", "id", "2025-03-11"),
        ("on Monday", "en", "2025-03-10"),
        ("last autumn", "en", "2024"),
        ("earlier this year", "en", "2025"),
        ("on February 3, 2025", "en", "2025-02-03"),
        ("in October 2024", "en", "2024-10"),
        ("last year", "en", "2024"),
        ("since November", "en", "2024-11"),
        ("last month", "en", "2025-02"),
        ("yesterday", "en", "2025-03-11"),
        # the word before the month (these raised IndexError before)
        ("they arrived last January", "en", "2025-01"),
        ("troops landed last October", "en", "2024-10"),
        ("talks planned for this June", "en", "2025-06"),
    ],
)
def test_resolved(text, lang, expected):
    found = find_times(text, lang, PUB)
    assert [t.value for t in found] == [expected]
    assert text[found[0].start:found[0].end] == found[0].text


@pytest.mark.parametrize(
    "text, lang",
    [
        ("North Korea may have sent troops", "en"),   # the verb, not the month
        ("selama dua minggu", "id"),                  # a week, not Sunday
        ("rudal jarak jauh", "id"),
    ],
)
def test_not_dates(text, lang):
    assert find_times(text, lang, PUB) == []


def test_relative_needs_publication_date():
    assert find_times("tahun lalu", "id", None) == []
    assert [t.value for t in find_times("pada 26 April 2025", "id", None)] == ["2025-04-26"]


def test_weekday_with_explicit_date_defers_to_the_date():
    assert [t.value for t in find_times("Rabu (18/12/2024)", "id", PUB)] == ["2024-12-18"]


def test_parse_iso_partial():
    assert parse_iso("2025-04").isoformat() == "2025-04-01"
    assert parse_iso("2024").isoformat() == "2024-01-01"
    assert parse_iso("nonsense") is None


# words that make the rules' cheap tests (kg.timex._Rule.may_match) pass or fail, and the few characters
# re.IGNORECASE matches to ASCII letters (ſ = s, ı and İ = i, K = k), which turn those tests off
DATE_WORDS = ["Mei", "mei", "Jum'at", "jumat", "Senin", "tahun", "lalu", "ini", "yang", "akan", "datang", "bulan",
              "pekan", "minggu", "Minggu", "musim", "gugur", "hari", "kemarin", "kemarın", "ſenin", "İni", "Desember",
              "Des.", "12", "2024", "(4/2/2025)", "2024-01-02", "on", "Monday", "MONDAY", "last", "year", "laſt",
              "March", "3,", "this", "week", "fall", "today", "Kursk", "pada", ",", "(", "\n"]


def _outcome(text: str, lang: str, published: str | None):
    """What find_times returns, or the error it raises."""
    try:
        return find_times(text, lang, published)
    except Exception as exc:  # "kemarin Mei" raises IndexError: month_rel reads a "rel" group that rule lacks
        return repr(exc)


def _every_rule(text: str, lang: str, published: str | None):
    """find_times with the cheap word tests off: every rule runs on every text, as it once did."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timex, "_text_words", lambda text: None)
        return _outcome(text, lang, published)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DATE_WORDS), st.sampled_from([" ", "", "  "])), max_size=10),
       st.sampled_from(["id", "en"]), st.sampled_from([PUB, "2025", None]))
def test_cheap_tests_skip_only_rules_that_cannot_match(words, lang, published):
    text = "".join(word + gap for word, gap in words)
    assert _outcome(text, lang, published) == _every_rule(text, lang, published)
