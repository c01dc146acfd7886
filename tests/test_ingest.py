"""kg.ingest, kg.cruft and kg.metadata: files -> Article, page furniture left out, metadata found.

Every text here is written for the test; the seed articles appear only in the
end-to-end test at the bottom.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cruft import classify, compile_lexicon, layout
from kg.errors import IngestError, ResourceError
from kg.ingest import detect_language, input_files, iter_articles, parse_date, parse_text, read_article, read_jsonl
from kg.model import Article
from kg.vocab import article_iri, content_hash

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def paragraphs(article: Article) -> list[str]:
    return [article.text[s:e] for s, e in article.body]


def assert_spans_exact(article: Article) -> None:
    last = 0
    for s, e in article.body:
        assert last <= s < e <= len(article.text)
        piece = article.text[s:e]
        assert piece == piece.strip()
        last = e


# ------------------------------------------------------------------ cruft lines, one at a time

CRUFT = [
    ("close icon", "ui"),
    ("Scroll ke bawah untuk membaca", "ui"),
    ("icon caption", "ui"),
    ("Back to top button", "ui"),
    ("Kembali ke atas", "ui"),
    ("Powered by ExamplePress", "ui"),
    ("ADVERTISEMENT", "ui"),
    ("Tags: Rusia, Ukraina, Korea Utara", "ui"),
    ("×", "ui"),
    ("Bagikan :", "share"),
    ("SHARE   :", "share"),
    ("bagikan", "share"),
    ("Facebook Twitter WhatsApp Telegram", "share"),
    ("Share this article", "share"),
    ("Baca juga: Harga beras naik menjelang Lebaran", "related"),
    ("Baca Juga Gempa kecil guncang pesisir selatan", "related"),
    ("Read also: Talks stall over border crossing", "related"),
    ("Related: Flooding closes schools in the north", "related"),
    ("Artikel Terkait", "opener"),
    ("Related Articles", "opener"),
    ("Next Article", "opener"),
    ("Tonton video di bawah ini:", "opener"),
    ("Oleh Dewi Lestari", "byline"),
    ("By Jane Roe and John Poe", "byline"),
    ("Penulis: Agus Salim | Editor: Rina Marlina", "byline"),
    ("Reporter", "role"),
    ("Editor :", "role"),
    ("Editor: Rina Marlina", "editor_line"),
    ("Foto: Warga mengungsi ke balai desa (Dok. Warta Contoh)", "caption"),
    ("Para menteri berfoto bersama. Foto: Istimewa", "caption"),
    ("Photo: Soldiers on parade in the capital", "caption"),
    ("Budi Hartono/Reuters via AP", "credit"),
    ("© Reuters", "credit"),
    ("Copyright 2025 Example Daily", "copyright"),
    ("Hak cipta dilindungi undang-undang.", "copyright"),
    ("Tinggalkan Balasan", "comments"),
    ("Leave a Reply", "comments"),
    ("Alamat email Anda tidak akan dipublikasikan.", "comment_boilerplate"),
    ("Your email address will not be published. Required fields are marked *", "comment_boilerplate"),
    ("Isi komentar sepenuhnya adalah tanggung jawab pembaca.", "comment_boilerplate"),
    ("Ikuti kami di Instagram dan TikTok", "promo"),
    ("Untuk berita menarik lainnya, kunjungi kanal kami", "promo"),
    ("Follow us on Twitter.", "promo"),
    ("(dan/dan)", "editor_tag"),
    ("(rah)", "editor_tag"),
    ("https://contoh.example/berita/123", "url"),
    ("Artikel ini telah tayang di https://contoh.example/a/1", "source"),
    ("Sumber: https://contoh.example/a/2", "source"),
    ("Sumber", "source_label"),
    ("Source: Reuters, AFP", "source_label"),
    ("Senin, 3 Maret 2025 08:15 WIB", "date"),
    ("Rabu (12/3/2025)", "date"),
    ("Updated: March 3, 2025 10:42 a.m. ET", "date"),
    ("2025-04-28", "date"),
    ("Beranda › Internasional › Asia", "breadcrumb"),
    ("HOME ⁄ Dunia", "breadcrumb"),
    ("Sembunyikan keterangan", "caption_toggle"),
    ("toggle caption", "caption_toggle"),
    ("— — —", "symbols"),
    ("Skip to main content", "ui"),
    ("Lihat Foto", "ui"),
    ("Our Standards: The Trust Principles., opens new tab", "ui"),
    ("Baca berikutnya", "opener"),
    ("Suggested Topics:", "opener"),
    ("Reporting by Jane Roe; Editing by John Poe", "byline"),
    ("Penulis Agus Salim | Editor Rina Marlina", "byline"),
    ("Tim Redaksi - Kabar Kota", "editor_line"),
    ("Item 2 of 4 Soldiers march past the palace. REUTERS/Staff/File Photo", "caption"),
    ("Rakit dipakai warga menyeberang. (KABARKOTA.com/AGUS SALIM)", "credit"),
    ("Simak breaking news dan berita pilihan kami di ponselmu.", "promo"),
    ("Ikuti saluran WhatsApp kami: https://wa.example/channel/abc", "promo"),
    ("Kabarkota.com - 12/03/2025, 10:15 WIB", "date"),
    ("March 12, 20252:15 PM GMT+7Updated 3 hours ago", "date"),
]

KEPT = [
    # one-sentence paragraphs that start like cruft
    "Share prices fell sharply on Monday after the announcement.",
    "By the end of the week, the talks had collapsed.",
    "Oleh karena itu, pemerintah menunda keputusan tersebut.",
    "Related talks are planned for next month in Geneva.",
    "Sumber daya militer negara itu terbatas, kata analis.",
    "Editor senior itu mengundurkan diri pekan lalu.",
    "Foto-foto itu beredar luas di media sosial sejak Minggu.",
    "Bagikan informasi ini kepada keluarga Anda, kata pejabat itu.",
    "Komentar tersebut muncul setelah pertemuan kabinet.",
    "Reporter itu ditahan selama dua hari.",
    "Reporting by foreign media was restricted.",
    "Penulis buku itu hadir dalam acara peluncuran.",
    "Pasukan itu mundur dari desa, kata pejabat. (AFP/REUTERS)",
    "Tim Nasional",
    "Tim SAR dikerahkan ke lokasi",
    "Copyright law was not discussed at the meeting.",
    "Senin, 3 Maret 2025 menjadi hari yang bersejarah bagi warga desa itu.",
    "Tidak.",
    # subheadings inside an article
    "Reaksi Ukraina",
    "Thousands of soldiers",
    "1. Sudah ada ribuan pasukan di perbatasan",
    "Apa Tujuannya?",
]


@pytest.mark.parametrize(("line", "category"), CRUFT)
def test_cruft_line_is_recognised(line: str, category: str) -> None:
    assert classify(line)[0] == category


@pytest.mark.parametrize("line", KEPT)
def test_real_line_is_not_cruft(line: str) -> None:
    assert classify(line)[0] is None


def test_byline_needs_a_name() -> None:
    assert classify("Oleh Dewi Lestari")[1]["name"] == "Dewi Lestari"
    assert classify("By the way, nobody asked")[0] is None


# ------------------------------------------------------------------ whole articles: body spans

ID_PAGE = """close icon
Scroll ke atas untuk melanjutkan
Politik
Kabar Kota
Senin, 3 Maret 2025 08:15 WIB

Jembatan Baru di Atas Sungai Kapuas Akhirnya Dibuka untuk Warga

Oleh Dewi Lestari
Bagikan :

Foto: Warga melintasi jembatan baru (Dok. Warta Contoh)

KABARKOTA.CO.ID - Pemerintah kota membuka jembatan baru pada Senin pagi, disaksikan ratusan warga.

Baca juga: Harga cabai turun menjelang akhir bulan

Wali kota mengatakan jembatan itu memangkas waktu tempuh warga hingga setengah jam.

Tidak ada korban.

Dampak bagi Pedagang

Para pedagang pasar menyambut baik pembukaan jembatan tersebut.

Reporter
img
Agus Salim
Editor

Ikuti kami di Instagram dan TikTok
Tinggalkan Balasan
Alamat email Anda tidak akan dipublikasikan.
Komentar pembaca yang panjang sekali dan seharusnya tidak ikut masuk ke artikel.
"""

ID_BODY = [
    "Jembatan Baru di Atas Sungai Kapuas Akhirnya Dibuka untuk Warga",
    "KABARKOTA.CO.ID - Pemerintah kota membuka jembatan baru pada Senin pagi, disaksikan ratusan warga.",
    "Wali kota mengatakan jembatan itu memangkas waktu tempuh warga hingga setengah jam.",
    "Tidak ada korban.",
    "Dampak bagi Pedagang",
    "Para pedagang pasar menyambut baik pembukaan jembatan tersebut.",
]

EN_PAGE = """World
Ferry Service Resumes Between the Islands After the Storm
Updated: March 3, 2025 10:42 a.m. ET
By Jane Roe
Share this article

HARBOUR CITY (Example Wire) - The harbour authority said on Tuesday that ferry service would resume.

The operator will run extra boats on Saturday.

Read more: Storm damage estimated at millions

"We are ready," the harbour master said.

Related Articles
Storm closes schools across the region
Bridge inspections ordered after flood

Leave a Reply
Your email address will not be published. Required fields are marked *
"""

EN_BODY = [
    "Ferry Service Resumes Between the Islands After the Storm",
    "HARBOUR CITY (Example Wire) - The harbour authority said on Tuesday that ferry service would resume.",
    "The operator will run extra boats on Saturday.",
    '"We are ready," the harbour master said.',
]

CAPTION_PAGE = """Berita

Menteri Luar Negeri Bertemu Mitra dari Tiga Negara Tetangga

Para menteri berpose sebelum pertemuan di gedung kementerian pada bulan lalu.

Budi Hartono/Reuters via AP

Sembunyikan keterangan

Caption beralih

Budi Hartono/Reuters via AP

JAKARTA – Menteri luar negeri bertemu tiga mitranya pada hari Kamis.

Pertemuan itu membahas kerja sama perbatasan dan perdagangan.

Sumber

Related Articles

Back to top button
"""

CAPTION_BODY = [
    "Menteri Luar Negeri Bertemu Mitra dari Tiga Negara Tetangga",
    "JAKARTA – Menteri luar negeri bertemu tiga mitranya pada hari Kamis.",
    "Pertemuan itu membahas kerja sama perbatasan dan perdagangan.",
]

LIST_PAGE = """Aliansi Dagang Baru Disepakati di Ibu Kota Negara Tetangga



Bandung, Warta Kita – Dua negara menyepakati aliansi dagang baru pada hari Rabu (12/3/2025).

Kesepakatan itu berlaku mulai tahun depan.

(dan/dan)

Saksikan video di bawah ini:

Menteri Perdagangan Bicara soal Tarif Baru

Next Article

Ekspor Kopi Naik Tajam Sepanjang Tahun Lalu

Artikel Ini Merupakan Rangkuman Dari https://warta-kita.example/2025/03/12/aliansi-dagang

Tinggalkan komentar

Optimized by ExampleCache
"""

LIST_BODY = [
    "Aliansi Dagang Baru Disepakati di Ibu Kota Negara Tetangga",
    "Bandung, Warta Kita – Dua negara menyepakati aliansi dagang baru pada hari Rabu (12/3/2025).",
    "Kesepakatan itu berlaku mulai tahun depan.",
]

KICKER_PAGE = """Konflik di Perbatasan
Pasukan Tambahan Dikirim ke Perbatasan: Warga Diminta Tetap Tenang
Pemerintah mengirim tambahan pasukan ke perbatasan untuk menjaga keamanan warga
TRIBUNKOTA.COM - Pemerintah mengirim tambahan pasukan ke perbatasan.
Baca juga: Harga beras naik lagi: Warga Mengeluh
Mengapa Pasukan Dikirim ?
Langkah itu diambil setelah serangkaian insiden.
Isi komentar sepenuhnya adalah tanggung jawab pengguna.
"""

KICKER_BODY = [
    "Pasukan Tambahan Dikirim ke Perbatasan: Warga Diminta Tetap Tenang",
    "Pemerintah mengirim tambahan pasukan ke perbatasan untuk menjaga keamanan warga",
    "TRIBUNKOTA.COM - Pemerintah mengirim tambahan pasukan ke perbatasan.",
    "Mengapa Pasukan Dikirim ?",
    "Langkah itu diambil setelah serangkaian insiden.",
]

DUPLICATE_PAGE = """Pantau Kabar
HOME  ⁄  Internasional

Pasukan Penjaga Perdamaian Tiba di Wilayah Sengketa

Oleh Rina Marlina
SHARE   :

Pasukan Penjaga Perdamaian Tiba di Wilayah Sengketa
Foto: Pasukan tiba di bandara (sumber: Istimewa)

Rombongan pertama pasukan penjaga perdamaian tiba di wilayah sengketa.
swipe

Pantau - Pasukan itu dikirim atas permintaan kedua negara.

Rombongan pertama pasukan penjaga perdamaian tiba di wilayah sengketa pada pagi hari, kata juru bicara.

Penulis :
Rina Marlina
Editor :
Agus Salim
"""

DUPLICATE_BODY = [
    "Pasukan Penjaga Perdamaian Tiba di Wilayah Sengketa",
    "Pantau - Pasukan itu dikirim atas permintaan kedua negara.",
    "Rombongan pertama pasukan penjaga perdamaian tiba di wilayah sengketa pada pagi hari, kata juru bicara.",
]

WRAPPED = """Ferry service resumes after storm

The harbour authority said on Tuesday that ferry service between the
two islands would resume this weekend, after a storm damaged the main
pier last month and forced the cancellation of all crossings.

Share this article

Officials said repairs had cost more than expected. The operator will
run extra boats on Saturday to clear the backlog of passengers who
had been waiting since the storm.
"""

WRAPPED_BODY = [
    "Ferry service resumes after storm",
    "The harbour authority said on Tuesday that ferry service between the\ntwo islands would resume this "
    "weekend, after a storm damaged the main\npier last month and forced the cancellation of all crossings.",
    "Officials said repairs had cost more than expected. The operator will\nrun extra boats on Saturday to "
    "clear the backlog of passengers who\nhad been waiting since the storm.",
]

CRLF = ("Judul Berita dengan Baris Windows\r\n\r\nBagikan :\r\n  Paragraf pertama berisi kalimat.  \r\n"
        "\r\nParagraf kedua.\r\n")
CRLF_BODY = ["Judul Berita dengan Baris Windows", "Paragraf pertama berisi kalimat.", "Paragraf kedua."]


@pytest.mark.parametrize(("text", "expected"), [
    (ID_PAGE, ID_BODY),
    (EN_PAGE, EN_BODY),
    (CAPTION_PAGE, CAPTION_BODY),
    (LIST_PAGE, LIST_BODY),
    (KICKER_PAGE, KICKER_BODY),
    (DUPLICATE_PAGE, DUPLICATE_BODY),
    (WRAPPED, WRAPPED_BODY),
    (CRLF, CRLF_BODY),
], ids=["id-page", "en-page", "caption-toggle", "link-lists", "kicker", "duplicates", "wrapped", "crlf"])
def test_body_keeps_the_article_and_drops_cruft(text: str, expected: list[str]) -> None:
    article = parse_text(text, "page.txt")
    assert article.text == text
    assert paragraphs(article) == expected
    assert_spans_exact(article)


def test_dropped_lines_are_reported_with_their_category() -> None:
    lay = layout(ID_PAGE)
    dropped = {ID_PAGE[s:e]: cat for s, e, cat in lay.dropped}
    assert dropped["Agus Salim"] == "name"
    assert dropped["Politik"] == "short"
    assert dropped["Kabar Kota"] == "kicker"
    assert dropped["Komentar pembaca yang panjang sekali dan seharusnya tidak ikut masuk ke artikel."] \
        == "after_end"


# ------------------------------------------------------------------ metadata

@pytest.mark.parametrize(("text", "title"), [
    (ID_PAGE, "Jembatan Baru di Atas Sungai Kapuas Akhirnya Dibuka untuk Warga"),
    (KICKER_PAGE, "Pasukan Tambahan Dikirim ke Perbatasan: Warga Diminta Tetap Tenang"),
    (CAPTION_PAGE, "Menteri Luar Negeri Bertemu Mitra dari Tiga Negara Tetangga"),
    ("Putin meets Kim\n\nThe two leaders met on Monday.\n\nA New Chapter in Old Ties\n\nMore text here.\n",
     "Putin meets Kim"),
    ("Korea Utara mengakui pengiriman pasukan: ABC\n\nIsi berita di sini.\n",
     "Korea Utara mengakui pengiriman pasukan"),
    ("Intelijen: Pasukan Tambahan Dikirim ke Utara\n\nIsi berita di sini.\n",
     "Intelijen: Pasukan Tambahan Dikirim ke Utara"),
    ("Only sentences here. Nothing looks like a title.\n", None),
])
def test_title(text: str, title: str | None) -> None:
    assert parse_text(text, "t.txt").title == title


@pytest.mark.parametrize(("text", "published"), [
    ("Judul Berita Hari Ini Cukup Panjang\nSenin, 3 Maret 2025 08:15 WIB\n\nIsi berita.\n", "2025-03-03"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nPejabat itu berbicara, Rabu (12/3/2025), di Jakarta.\n",
     "2025-03-12"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nPasukan tiba pada Sabtu, 5 April 2025 di pelabuhan.\n",
     "2025-04-05"),
    ("A Fairly Long English Headline Here\n\nThe minister spoke on March 3, 2025 in the capital.\n",
     "2025-03-03"),
    ("A Fairly Long English Headline Here\nPublished 2025-04-28\n\nThe minister spoke.\n", "2025-04-28"),
    ("A Fairly Long English Headline Here\n\nThe minister spoke.\n\n"
     "Sumber: https://news.example/world/2025/04/27/minister-speaks\n", "2025-04-27"),
    # a date near the top wins over one further down
    ("Judul Berita Hari Ini Cukup Panjang\nKamis, 6 Maret 2025 19:13\n\n"
     "Pada 1 Januari 2024 terjadi banjir.\n", "2025-03-06"),
    # never guessed: no year, a month only, relative words
    ("Judul Berita Hari Ini Cukup Panjang\n\nBadan itu berbicara pada Rabu (23/10) kepada wartawan.\n", None),
    ("Judul Berita Hari Ini Cukup Panjang\n\nPerjanjian itu diteken pada Juni 2024.\n", None),
    ("Judul Berita Hari Ini Cukup Panjang\n\nKemarin pasukan tiba di perbatasan.\n", None),
    # a date in the headline is the story's, not the page's
    ("Upacara 17 Agustus 2025 Berlangsung Meriah di Alun-Alun\n\nWarga memadati alun-alun.\n", None),
])
def test_published(text: str, published: str | None) -> None:
    assert parse_text(text, "d.txt").published == published


@pytest.mark.parametrize(("candidate", "iso"), [
    ("Kamis, 27 Maret 2025 19:13", "2025-03-27"),
    ("Rabu (18/12/2024)", "2024-12-18"),
    ("Sabtu, 26 April 2025", "2025-04-26"),
    ("March 3, 2025", "2025-03-03"),
    ("2025-04-28", "2025-04-28"),
    ("31/02/2025", None),
    ("kemarin", None),
])
def test_parse_date(candidate: str, iso: str | None) -> None:
    assert parse_date(candidate) == iso


@pytest.mark.parametrize(("text", "author"), [
    ("Judul Berita Hari Ini Cukup Panjang\nOleh Dewi Lestari\n\nIsi berita.\n", "Dewi Lestari"),
    ("A Fairly Long English Headline Here\nBy Jane Roe\n\nThe story.\n", "Jane Roe"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\nPenulis :\nAgus Salim\nEditor :\nRina Marlina\n",
     "Agus Salim"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\n"
     "img\nAgus Salim\nReporter\nimg\nRina Marlina\nEditor\n", "Agus Salim"),
    ("Judul Berita Hari Ini Cukup Panjang\nReporter: Budi Hartono\n\nIsi berita.\n", "Budi Hartono"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\nEditor: Rina Marlina\n", None),
])
def test_author(text: str, author: str | None) -> None:
    assert parse_text(text, "a.txt").author == author


@pytest.mark.parametrize(("first_paragraph", "publisher"), [
    ("KABARKOTA.CO.ID - Pemerintah membuka jembatan baru.", "KABARKOTA.CO.ID"),
    ("Bandung, Warta Kita – Pemerintah membuka jembatan baru.", "Warta Kita"),
    ("JAKARTA, BERITASATU.com - Pemerintah membuka jembatan baru.", "BERITASATU.com"),
    ("SEOUL (Reuters) - The government opened a new bridge.", "Reuters"),
    ("SEOUL, South Korea (AP) — The government opened a new bridge.", "AP"),
    ("SEOUL, Korea Selatan – Pemerintah membuka jembatan baru.", None),
    ("SEOUL - Pemerintah membuka jembatan baru.", None),
    ("MOSCOW: The Kremlin said nothing.", None),
    ("Putin - who rarely travels - went to the east.", None),
])
def test_publisher_from_dateline(first_paragraph: str, publisher: str | None) -> None:
    text = f"Judul Berita Hari Ini Cukup Panjang\n\n{first_paragraph}\n\nParagraf lain.\n"
    assert parse_text(text, "p.txt").publisher == publisher


@pytest.mark.parametrize(("text", "publisher"), [
    # a brand in the page header confirms a one-word dateline
    ("Pantau Kabar\n\nJudul Berita Hari Ini Cukup Panjang\n\nPantau - Isi berita.\n", "Pantau"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\nKalimat terakhir berita.(contohnews)\n",
     "contohnews"),
    ("Korea Utara mengakui pengiriman pasukan: ABC\n\nIsi berita di sini.\n", "ABC"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\n"
     "Artikel ini merupakan rangkuman dari https://www.kabar.example.com/a/1\n", "kabar.example.com"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n", None),
])
def test_publisher_other_clues(text: str, publisher: str | None) -> None:
    assert parse_text(text, "p.txt").publisher == publisher


@pytest.mark.parametrize(("text", "url"), [
    (LIST_PAGE, "https://warta-kita.example/2025/03/12/aliansi-dagang"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\nSumber: https://contoh.example/a/2\n",
     "https://contoh.example/a/2"),
    ("Judul Berita Hari Ini Cukup Panjang\n\nIsi berita.\n\nhttps://contoh.example/bukan-sumber\n", None),
])
def test_url(text: str, url: str | None) -> None:
    assert parse_text(text, "u.txt").url == url


@pytest.mark.parametrize(("text", "lang"), [
    ("Pemerintah mengatakan bahwa pasukan itu akan dikirim ke perbatasan dalam waktu dekat.", "id"),
    ("Mereka belum mengonfirmasi jumlah tentara yang tewas di wilayah tersebut.", "id"),
    ("The government said that the troops would be sent to the border soon.", "en"),
    ("North Korea has not confirmed how many of its soldiers were killed in the fighting.", "en"),
    ("Kim Jong Un, Vladimir Putin, Kursk, 2025.", "id"),
    ("", "id"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_language_of_an_article() -> None:
    assert parse_text(EN_PAGE, "en.txt").lang == "en"
    assert parse_text(ID_PAGE, "id.txt").lang == "id"


def test_metadata_of_a_whole_page() -> None:
    article = parse_text(ID_PAGE, "id.txt")
    assert (article.title, article.author, article.publisher, article.published) == (
        "Jembatan Baru di Atas Sungai Kapuas Akhirnya Dibuka untuk Warga", "Dewi Lestari",
        "KABARKOTA.CO.ID", "2025-03-03")
    article = parse_text(EN_PAGE, "en.txt")
    assert (article.author, article.publisher, article.published) == (
        "Jane Roe", "Example Wire", "2025-03-03")


# ------------------------------------------------------------------ identity

def test_same_text_same_iri_one_character_changes_it(tmp_path: Path) -> None:
    a = parse_text(ID_PAGE, "a.txt")
    b = parse_text(ID_PAGE, "b.txt")
    c = parse_text(ID_PAGE.replace("ratusan", "ribuan", 1), "a.txt")
    d = parse_text(ID_PAGE.replace("Senin pagi", "Senin Pagi"), "a.txt")
    assert a.iri == b.iri == article_iri(content_hash(ID_PAGE))
    assert a.content_hash == content_hash(ID_PAGE)
    assert len({a.iri, c.iri, d.iri}) == 3
    path = tmp_path / "x.txt"
    path.write_text(ID_PAGE, encoding="utf-8")
    assert read_article(path).iri == read_article(path).iri == a.iri


def test_source_is_relative_to_base_in_posix_form(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "x.txt"
    path.write_text(ID_PAGE, encoding="utf-8")
    assert read_article(path, base=tmp_path).source == "sub/x.txt"
    assert read_article(path).source == path.as_posix()


def test_text_is_the_file_exactly(tmp_path: Path) -> None:
    raw = "Judul Berita dengan Akhir Baris Campuran\r\n\rParagraf satu.\n\r\nParagraf dua.\r"
    path = tmp_path / "mixed.txt"
    path.write_bytes(raw.encode("utf-8"))
    article = read_article(path)
    assert article.text == raw
    assert paragraphs(article) == [
        "Judul Berita dengan Akhir Baris Campuran", "Paragraf satu.", "Paragraf dua."]


def test_bom_is_skipped_and_offsets_count_from_after_it(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + CRLF.encode("utf-8"))
    article = read_article(path)
    assert article.text == CRLF
    assert paragraphs(article) == CRLF_BODY


# ------------------------------------------------------------------ JSON lines and JSON

def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    good = {"text": "Judul dari JSON yang Cukup Panjang\n\nIsi berita pertama.", "title": "Judul dari JSON",
            "lang": "en-US", "published": "2025-04-28T10:00:00Z", "url": "https://contoh.example/a",
            "publisher": "Contoh", "author": ["Dewi Lestari", "Agus Salim"]}
    lines = [json.dumps(good), "{not json", "", json.dumps({"title": "no text"}), "[1, 2]",
             json.dumps({"text": 42}), json.dumps({"text": "  \n "}),
             json.dumps({"text": "Another English Headline Goes Here\n\nThe story of the day."})]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(read_jsonl(path, base=tmp_path))
    articles = [x for x in out if isinstance(x, Article)]
    errors = [str(x) for x in out if isinstance(x, IngestError)]
    assert [a.source for a in articles] == ["batch.jsonl#L1", "batch.jsonl#L8"]
    first = articles[0]
    assert first.text == good["text"]
    assert (first.title, first.lang, first.published, first.url, first.publisher, first.author) == (
        "Judul dari JSON", "en", "2025-04-28", "https://contoh.example/a", "Contoh",
        "Dewi Lestari, Agus Salim")
    assert articles[1].lang == "en" and articles[1].title == "Another English Headline Goes Here"
    assert len(errors) == 5
    for lineno, error in zip([2, 4, 5, 6, 7], errors, strict=True):
        assert f"batch.jsonl:{lineno}:" in error and "\n" not in error
    assert "malformed JSON" in errors[0] and '"text"' in errors[1]


def test_json_file_with_one_object_or_a_list(tmp_path: Path) -> None:
    record = {"text": "Judul Berita dari Berkas JSON\n\nIsi berita.", "lang": "id"}
    (tmp_path / "one.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([record, {"nope": 1}]), encoding="utf-8")
    out = list(iter_articles([tmp_path], base=tmp_path))
    assert [x.source for x in out if isinstance(x, Article)] == ["many.json#1", "one.json"]
    assert [str(x) for x in out if isinstance(x, IngestError)] == [
        '[E101] many.json item 2: no "text" field (fields: nope)']


# ------------------------------------------------------------------ HTML through trafilatura

HTML = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<title>Jembatan Baru Dibuka untuk Umum | Warta Contoh</title>
<link rel="canonical" href="https://warta.contoh.example/2025/03/04/jembatan-baru-dibuka">
<meta property="og:site_name" content="Warta Contoh">
<meta name="author" content="Sari Wulandari">
<meta property="article:published_time" content="2025-03-04T08:00:00+07:00">
</head><body>
<nav><ul><li><a href="/">Beranda</a></li><li><a href="/kota">Kota</a></li>
<li><a href="/masuk">Masuk</a></li></ul></nav>
<article><h1>Jembatan Baru Dibuka untuk Umum</h1>
<p>Pemerintah kota membuka jembatan baru di atas sungai utama pada hari Selasa pagi, disaksikan ratusan
warga yang sudah menunggu sejak subuh.</p>
<p>Baca juga: Harga cabai turun menjelang akhir bulan</p>
<p>Wali kota mengatakan jembatan itu akan memangkas waktu tempuh warga dari pinggiran ke pusat kota hingga
setengah jam setiap hari.</p>
<p>Pembangunan jembatan memakan waktu dua tahun dan sempat tertunda karena banjir besar pada musim hujan.</p>
</article>
<footer><p>Hak cipta 2025 Warta Contoh. Semua hak dilindungi.</p>
<a href="/privasi">Kebijakan privasi</a></footer>
</body></html>
"""


def test_html_through_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    article = read_article(path, base=tmp_path)
    assert article.source == "page.html"
    assert article.text.startswith("Jembatan Baru Dibuka untuk Umum\n")
    found = (article.title, article.url, article.publisher, article.author, article.published, article.lang)
    assert found == (
        "Jembatan Baru Dibuka untuk Umum", "https://warta.contoh.example/2025/03/04/jembatan-baru-dibuka",
        "Warta Contoh", "Sari Wulandari", "2025-03-04", "id")
    body = paragraphs(article)
    assert body[0] == "Jembatan Baru Dibuka untuk Umum"
    assert len(body) == 4 and body[-1].startswith("Pembangunan jembatan")
    joined = "\n".join(body)
    for cruft in ("Beranda", "Masuk", "Baca juga", "Hak cipta", "privasi"):
        assert cruft not in joined
    assert_spans_exact(article)


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><body><nav><a href='/'>Beranda</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(IngestError, match=r"empty\.htm"):
        read_article(path)


# ------------------------------------------------------------------ bad input

BAD_FILES = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\r\n  ", "empty file"),
    ("nul.txt", b"Judul\x00\x00berita", "binary"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x01\x02\x03", "binary"),
    ("noise.html", bytes(range(1, 9)) * 50 + b"\xff\xfe", "binary"),
    ("latin1.txt", "Judul berita\n\nCaf\u00e9 ramai.".encode("latin-1"), "invalid UTF-8 at byte 17"),
    ("broken.jsonl", b'{"text": "ok"\n', "broken.jsonl:1: malformed JSON"),
    ("notext.jsonl", b'{"title": "Judul"}\n', 'notext.jsonl:1: no "text" field'),
    ("furniture.txt", "Bagikan :\nBaca juga: Sesuatu\n×\n".encode(), "no article text"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_yields_one_error_and_the_batch_goes_on(
        tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / "a_good.txt").write_text(ID_PAGE, encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "z_good.txt").write_text(EN_PAGE, encoding="utf-8")
    out = list(iter_articles([tmp_path], base=tmp_path))
    errors = [x for x in out if isinstance(x, IngestError)]
    assert [x.source for x in out if isinstance(x, Article)] == ["a_good.txt", "z_good.txt"]
    assert len(errors) == 1
    assert name in str(errors[0]) and message in str(errors[0])
    assert "\n" not in str(errors[0])


def test_read_article_raises_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(IngestError, match=r"empty\.txt: empty file"):
        read_article(path)


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "notes.md").write_text("not an article", encoding="utf-8")
    (tmp_path / "ok.txt").write_text(ID_PAGE, encoding="utf-8")
    out = list(iter_articles([tmp_path / "missing.txt", tmp_path / "nothing", tmp_path / "ok.txt"],
                             base=tmp_path))
    assert [str(x) for x in out if isinstance(x, IngestError)] == [
        "[E101] missing.txt: no such file or folder",
        "[E101] nothing: no articles in this folder (looked for .txt .html .htm .jsonl .json files)"]
    assert [x.source for x in out if isinstance(x, Article)] == ["ok.txt"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(ID_PAGE, encoding="utf-8")
    (tmp_path / "ok.txt").write_text(ID_PAGE, encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    out = list(iter_articles([tmp_path], base=tmp_path))
    assert [str(x) for x in out if isinstance(x, IngestError)] == [
        "[E101] locked.txt: cannot read it (permission denied)"]
    assert [x.source for x in out if isinstance(x, Article)] == ["ok.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(ID_PAGE, encoding="utf-8")
    locked.chmod(0)
    try:
        out = list(iter_articles([locked]))
    finally:
        locked.chmod(0o644)
    assert len(out) == 1 and "locked.txt" in str(out[0]) and "permission denied" in str(out[0])


def test_folders_are_read_recursively_in_order_skipping_hidden(tmp_path: Path) -> None:
    for rel in ("b.txt", "a/z.html", "a.txt", ".hidden/x.txt", "a/.secret.txt", "c/readme.md"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HTML if rel.endswith(".html") else ID_PAGE, encoding="utf-8")
    out = list(iter_articles([tmp_path], base=tmp_path))
    assert [x.source for x in out] == ["a.txt", "a/z.html", "b.txt"]  # type: ignore[union-attr]


def test_a_broken_lexicon_is_a_resource_error() -> None:
    with pytest.raises(ResourceError, match="categories"):
        compile_lexicon({"words": {}})
    with pytest.raises(ResourceError, match="bad pattern"):
        compile_lexicon({"fragments": {"date": "x"}, "words": {"author_role": ["reporter"]},
                         "categories": [{"name": "x", "effect": "drop", "patterns": ["("]}]})
    with pytest.raises(ResourceError, match="nowhere"):
        compile_lexicon({"fragments": {"date": "x"}, "words": {"author_role": ["reporter"]},
                         "categories": [{"name": "x", "effect": "drop", "patterns": ["{nowhere}"]}]})
    with pytest.raises(ResourceError, match="effect"):
        compile_lexicon({"categories": [{"name": "x", "effect": "explode", "patterns": ["a"]}]})


# ------------------------------------------------------------------ random input

_LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\n\n", "\x0c"])
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))  # surrogates cannot be written to a file
_MIXED = st.sampled_from(["Baca juga: ", "Oleh ", "Foto: ", "مرحبا بالعالم", "שלום", "🙂🚀",
                          "Kamis, 27 Maret 2025", "\u202e", "\x00", "TRIBUN.COM - ", "(abc/def)",
                          "https://x.example/2025/01/02/", "Penulis :", "Reporter", "\ufeff", "ä̈",
                          "\x07\x1b", "\t \x0b"])
_LINE = st.one_of(st.text(_CHARS, max_size=80), _MIXED,
                  st.builds(lambda s, n: s * n, st.text(_CHARS, min_size=1, max_size=12),
                            st.integers(200, 3000)))
_TEXT = st.lists(st.tuples(_LINE, _LINE_ENDS), max_size=30).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_random_text_never_breaks_ingest(text: str) -> None:
    try:
        article = parse_text(text, "random.txt")
    except IngestError as exc:
        assert "random.txt" in str(exc)
        return
    assert article.text == text
    assert article.body and article.lang in ("id", "en")
    assert_spans_exact(article)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400), _TEXT.map(lambda t: t.encode("utf-8"))),
       st.sampled_from(["r.txt", "r.html", "r.jsonl", "r.json"]))
def test_random_files_never_break_ingest(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for item in iter_articles([path]):
        if isinstance(item, IngestError):
            assert name in str(item)
        else:
            assert_spans_exact(item)
    if name.endswith((".txt", ".html")):
        with contextlib.suppress(IngestError):
            read_article(path)


# ------------------------------------------------------------------ the seed articles, end to end

SEED_DATES = {
    "000_aefd8fe8c9c0908f.txt": "2025-02-27",
    "001_87021894f8a000d0.txt": None,          # the page shows no date
    "002_bb1eb99238e30977.txt": None,          # the page shows no date
    "003_494ec4fa3d3e232c.txt": "2024-12-18",
    "004_821b5704207c4569.txt": "2025-04-26",
}


def test_seeds_end_to_end() -> None:
    out = list(iter_articles([SEEDS], base=ROOT))
    assert all(isinstance(x, Article) for x in out), [str(x) for x in out if isinstance(x, IngestError)]
    articles = {Path(a.source).name: a for a in out if isinstance(a, Article)}
    assert sorted(articles) == sorted(SEED_DATES)
    for name, article in articles.items():
        assert article.source == f"seeds/{name}"
        assert article.title and article.lang == "id"
        assert article.published == SEED_DATES[name], name
        assert len(article.body) >= 10
        assert article.body[0] == next(
            (s, e) for s, e in article.body if article.text[s:e] == article.title or
            article.title in article.text[s:e])
        assert_spans_exact(article)
        for s, e in article.body:
            for cruft in ("Baca juga", "Bagikan", "SHARE", "Back to top"):
                assert cruft not in article.text[s:e], (name, article.text[s:e])


def test_input_files_are_those_a_build_reads(tmp_path):
    """The progress bar counts these: hidden files and folders and other suffixes are not read."""
    for name in ("a.txt", "b/c.html", "b/d.jsonl", ".hidden.txt", ".cache/e.txt", "notes.md"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in input_files(tmp_path)] == ["a.txt", "b/c.html", "b/d.jsonl"]
