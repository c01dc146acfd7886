"""Dates, absolute and relative to the publication date, in both languages."""

import pytest

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
