"""The import of a folder of normative acts into the normative base (cms.pages.regulations_import)."""

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.models import Revision

from cms.accounts.permissions import city_collection
from cms.library.models import DocumentKind, ExtractionStatus, LegalStatus, LibraryDocument
from cms.pages.models import HomePage, RegulationIndexPage, RegulationPage
from cms.pages.regulations_import import (
    amended_titles,
    decode_text,
    import_regulations,
    rada_number,
    read_source_notes,
)
from cms.pages.tree import city_regulation_index, ensure_page_tree
from tests.factories import DistrictFactory

LAWS = settings.SHARED_DATA_DIR / "laws"
OSVITA = "law_2145-19_pro-osvitu.txt"
OSVITA_AMENDMENT = "amend_2661-19_pro-vnesennia-zminy-do-statti-80-zakonu-ukrainy-pro-osvitu-shchodo-zab.txt"
OSVITA_1991 = "law_1060-12_pro-osvitu.txt"
PZSO = "law_463-20_pro-povnu-zahalnu-seredniu-osvitu.txt"
KINDS = {"law": DocumentKind.LAW, "amending-law": DocumentKind.LAW, "constitution": DocumentKind.LAW}


@pytest.fixture(autouse=True)
def english():
    """The reasons are checked in English (the msgids); the Ukrainian ones come from the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def base(db) -> RegulationIndexPage:
    """The page tree of two districts, with empty normative bases (lighter than the `world` fixture)."""
    DistrictFactory(name="Голосіївський")
    DistrictFactory(name="Оболонський")
    ensure_page_tree()
    return city_regulation_index()


def index_rows() -> list[dict[str, str]]:
    with (LAWS / "index.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def copy_laws(target: Path, *names: str, with_index: bool = True) -> Path:
    """A folder with some of the real laws (and their index.csv rows)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(LAWS / name, target / name)
    if with_index:
        rows = [row for row in index_rows() if row["file"] in names]
        with (target / "index.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return target


def revisions(page: RegulationPage) -> int:
    return Revision.objects.filter(base_content_type=page.get_base_content_type(), object_id=str(page.pk)).count()


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF written by hand: a Helvetica text stream, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def word_document(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Про порядок зарахування учнів до ліцеїв міста")
    document.add_paragraph("Наказую затвердити кількість учнів у класах.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Клас", "Кількість учнів"), ("10-А", "28")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Контроль залишаю за собою.")
    document.save(path)


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    """No index.csv: three good files (.txt, .docx, .pdf) and four bad ones."""
    folder = tmp_path / "acts"
    folder.mkdir()
    (folder / "наказ № 15 від 01.09.2025.txt").write_text(
        "\n\nПро організацію харчування в закладах освіти\n\nНаказую забезпечити гаряче харчування учнів.\n",
        encoding="utf-8",
    )
    word_document(folder / "zarakhuvannia.docx")
    (folder / "order.pdf").write_bytes(minimal_pdf("Order No 15 on school admission"))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    (folder / "setup.exe").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    return folder


# --- The real laws ----------------------------------------------------------------------------------------------


def test_the_104_real_laws_are_imported_once(base):
    report = import_regulations(LAWS)

    assert report.failed == []
    assert len(report.created) == 104
    pages = RegulationPage.objects.child_of(base)
    assert pages.live().count() == 104 == RegulationPage.objects.count()
    by_file = {page.source_file: page for page in pages}
    for row in index_rows():
        page = by_file[row["file"]]
        assert (page.number, page.document_date, page.kind) == (
            row["number"],
            date.fromisoformat(row["date"]),
            KINDS[row["kind"]],
        )
        assert page.source_url == row["url"]
        assert page.issuer == "Верховна Рада України"
        assert page.text and page.summary.startswith("<p>")
        assert not page.has_unpublished_changes

    osvita = pages.get(number="2145-19")
    assert osvita.title == "Про освіту"
    assert osvita.document_date == date(2017, 9, 5)
    assert osvita.status == LegalStatus.IN_FORCE
    assert osvita.text.startswith("Стаття 1. Основні терміни")
    assert "Назва:" not in osvita.text  # the file's metadata header is not the act's text
    assert len(osvita.summary) < 400
    # sources.md: the 1991 law is historical and was replaced by 2145-VIII.
    old = pages.get(number="1060-12")
    assert old.status == LegalStatus.REPEALED
    assert list(osvita.replaces.all()) == [old]
    assert set(pages.filter(status=LegalStatus.REPEALED).values_list("number", flat=True)) == {
        "1060-12",
        "100/96-ВР",
        "2628-14",
        "2984-14",
    }
    # Amending laws are linked to the acts they amend, the one in force on their date.
    assert list(pages.get(number="2661-19").amends.all()) == [osvita]
    assert list(pages.get(number="1575-18").amends.all()) == [old]  # 2014: the 1991 law «Про освіту»
    assert set(pages.get(number="1114-19").amends.values_list("number", flat=True)) == {"651-14", "1556-18"}
    assert osvita.amended_by.count() >= 10
    assert report.links > 50

    revision_count = Revision.objects.count()
    again = import_regulations(LAWS)

    assert again.failed == again.created == again.updated == []
    assert len(again.unchanged) == 104 and again.links == 0
    assert RegulationPage.objects.count() == 104
    assert Revision.objects.count() == revision_count
    assert again.elapsed < report.elapsed / 2


def test_a_changed_file_updates_its_page_and_nothing_else(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA, OSVITA_AMENDMENT, PZSO)
    first = import_regulations(folder)
    assert len(first.created) == 3
    osvita = RegulationPage.objects.get(number="2145-19")
    pzso = RegulationPage.objects.get(number="463-20")
    # An editor writes a better summary and marks the act amended: a re-import keeps both.
    pzso.summary = "<p>Основний закон про школу.</p>"
    pzso.status = LegalStatus.AMENDED
    pzso.save_revision().publish()
    osvita_revisions, pzso_revisions = revisions(osvita), revisions(pzso)

    with (folder / OSVITA).open("a", encoding="utf-8") as handle:
        handle.write("\nСтаття 100. Нова стаття, додана для перевірки оновлення.\n")
    report = import_regulations(folder)

    assert report.updated == [OSVITA]
    assert sorted(report.unchanged) == sorted([OSVITA_AMENDMENT, PZSO])
    assert RegulationPage.objects.count() == 3
    osvita.refresh_from_db()
    assert osvita.text.endswith("Стаття 100. Нова стаття, додана для перевірки оновлення.")
    assert revisions(osvita) == osvita_revisions + 1
    assert osvita.live_revision == osvita.latest_revision and not osvita.has_unpublished_changes
    assert revisions(pzso) == pzso_revisions
    pzso.refresh_from_db()
    assert (pzso.summary, pzso.status) == ("<p>Основний закон про школу.</p>", LegalStatus.AMENDED)
    # Editors' links stay: the import only ever adds the ones it finds.
    assert list(RegulationPage.objects.get(number="2661-19").amends.all()) == [osvita]


def test_metadata_changes_in_the_index_update_the_page(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA)
    import_regulations(folder)
    index = (folder / "index.csv").read_text(encoding="utf-8")
    (folder / "index.csv").write_text(index.replace("2017-09-05", "2017-09-28"), encoding="utf-8")

    report = import_regulations(folder)

    assert report.updated == [OSVITA]
    assert RegulationPage.objects.get().document_date == date(2017, 9, 28)


def test_an_amendment_imported_before_its_law_is_linked_by_a_later_import(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA_AMENDMENT)
    import_regulations(folder)
    assert not RegulationPage.objects.get(number="2661-19").amends.exists()

    copy_laws(folder, OSVITA_AMENDMENT, OSVITA)
    report = import_regulations(folder)

    assert report.created == [OSVITA] and report.updated == [OSVITA_AMENDMENT] and report.links == 1
    amendment = RegulationPage.objects.get(number="2661-19")
    assert list(amendment.amends.all()) == [RegulationPage.objects.get(number="2145-19")]
    assert not amendment.has_unpublished_changes


def test_a_file_first_imported_without_index_keeps_its_page_when_the_index_comes(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA, with_index=False)
    import_regulations(folder)
    page = RegulationPage.objects.get()
    assert (page.title, page.number, page.source_file) == ("Про освіту", "", OSVITA)

    copy_laws(folder, OSVITA)
    report = import_regulations(folder)

    assert report.updated == [OSVITA]
    assert RegulationPage.objects.get().pk == page.pk
    assert RegulationPage.objects.get().number == "2145-19"


# --- Mixed formats, bad files -----------------------------------------------------------------------------------


def test_a_folder_without_index_of_txt_docx_and_pdf_with_bad_files(
    base, mixed_folder, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the library's text extraction of the originals
        report = import_regulations(mixed_folder)

    assert set(report.created) == {"наказ № 15 від 01.09.2025.txt", "order.pdf", "zarakhuvannia.docx"}
    failed = dict(report.failed)
    assert sorted(failed) == ["broken.pdf", "empty.txt", "latin.txt", "setup.exe"]
    assert "PDF" in failed["broken.pdf"]
    assert "empty" in failed["empty.txt"]
    assert "encoding" in failed["latin.txt"]
    assert ".exe" in failed["setup.exe"]

    pages = {page.source_file: page for page in RegulationPage.objects.child_of(base).live()}
    assert set(pages) == {"наказ № 15 від 01.09.2025.txt", "order.pdf", "zarakhuvannia.docx"}
    txt, word, pdf = pages["наказ № 15 від 01.09.2025.txt"], pages["zarakhuvannia.docx"], pages["order.pdf"]
    assert txt.slug == "nakaz-no-15-vid-01092025"  # ASCII: the portal's page URLs take no encoded Cyrillic
    assert txt.title == "Про організацію харчування в закладах освіти"
    assert txt.number == "" and txt.document_date is None
    assert "гаряче харчування" in txt.text
    assert not txt.attachments.exists()
    assert word.title == "Про порядок зарахування учнів до ліцеїв міста"
    assert "Клас | Кількість учнів" in word.text and "10-А | 28" in word.text
    assert word.text.index("Наказую") < word.text.index("10-А") < word.text.index("Контроль")
    assert pdf.title == "order"  # a PDF's title comes from its file name
    assert "Order No 15 on school admission" in pdf.text

    city = city_collection()
    for page, name in ((word, "zarakhuvannia.docx"), (pdf, "order.pdf")):
        (attachment,) = page.attachments.all()
        document = attachment.document
        assert attachment.caption == name
        assert document.collection == city
        assert document.extraction_status == ExtractionStatus.DONE
        assert document.extracted_text
        assert document.file.read() == (mixed_folder / name).read_bytes()
    assert LibraryDocument.objects.count() == 2
    assert "10-А" in word.attachments.get().document.extracted_text

    with django_capture_on_commit_callbacks(execute=True):
        again = import_regulations(mixed_folder)
    assert sorted(again.unchanged) == sorted(report.created)
    assert len(again.failed) == 4 and not again.created and not again.updated
    assert LibraryDocument.objects.count() == 2
    assert len(list((media / "documents").iterdir())) == 2


def test_a_changed_word_file_replaces_the_attached_original(
    base, mixed_folder, media, django_capture_on_commit_callbacks
):
    import_regulations(mixed_folder)
    document = RegulationPage.objects.get(source_file="zarakhuvannia.docx").attachments.get().document
    old_file = Path(document.file.path)

    changed = docx.Document(mixed_folder / "zarakhuvannia.docx")
    changed.add_paragraph("Наказ набирає чинності з 1 вересня.")
    changed.save(mixed_folder / "zarakhuvannia.docx")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_regulations(mixed_folder)

    assert report.updated == ["zarakhuvannia.docx"]
    page = RegulationPage.objects.get(source_file="zarakhuvannia.docx")
    assert page.text.endswith("Наказ набирає чинності з 1 вересня.")
    (attachment,) = page.attachments.all()
    assert attachment.document.pk == document.pk
    assert attachment.document.file.read() == (mixed_folder / "zarakhuvannia.docx").read_bytes()
    assert not old_file.exists()
    assert "1 вересня" in LibraryDocument.objects.get(pk=document.pk).extracted_text
    assert LibraryDocument.objects.count() == 2


def test_a_file_that_fails_half_way_leaves_nothing_behind(base, mixed_folder, media, monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Revision, "publish", fail)
    report = import_regulations(mixed_folder)

    assert not report.created
    assert dict(report.failed)["zarakhuvannia.docx"] == "the database went away"
    assert not RegulationPage.objects.exists()
    assert not LibraryDocument.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_after_a_failed_file_the_next_ones_are_whole(base, mixed_folder, monkeypatch):
    """The first PDF fails after the city collection was created in its (rolled back) transaction."""
    publish, calls = Revision.publish, []

    def fail_once(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:
            raise RuntimeError("interrupted")
        return publish(self, *args, **kwargs)

    monkeypatch.setattr(Revision, "publish", fail_once)
    report = import_regulations(mixed_folder)

    assert dict(report.failed)["order.pdf"] == "interrupted"
    document = RegulationPage.objects.get(source_file="zarakhuvannia.docx").attachments.get().document
    assert document.collection == city_collection()
    assert LibraryDocument.objects.count() == 1


def test_index_rows_without_file_and_bad_dates_are_reported(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA, PZSO)
    index = (folder / "index.csv").read_text(encoding="utf-8")
    index = index.replace("2020-01-16", "16 January")
    index += "law_9999-20_missing.txt,9999-20,Про відсутній закон,law,2020-01-01,,,,,\n"
    (folder / "index.csv").write_text(index, encoding="utf-8")

    report = import_regulations(folder)

    assert report.created == [OSVITA]
    failed = dict(report.failed)
    assert "16 January" in failed[PZSO]
    assert "missing" in failed["law_9999-20_missing.txt"]


def test_windows_1251_text_is_read_and_binary_is_not():
    assert decode_text("Про освіту".encode("cp1251")) == "Про освіту"
    assert decode_text("Про освіту".encode("utf-16")) == "Про освіту"
    with pytest.raises(Exception, match="encoding"):
        decode_text(b"\x00\x01\x02binary")


# --- Metadata helpers -------------------------------------------------------------------------------------------


def test_rada_numbers_in_roman_form():
    assert rada_number("2145-VIII") == "2145-19"
    assert rada_number("463-IX") == "463-20"
    assert rada_number("1556-VII") == "1556-18"
    assert rada_number("651-XIV") == "651-14"
    assert rada_number("1060-XII") == "1060-12"
    assert rada_number("103/98-ВР") == "103/98-ВР"


def test_sources_md_notes():
    notes = read_source_notes(LAWS)
    repealed = {name for name, note in notes.items() if note.repealed}
    assert repealed == {
        OSVITA_1991,
        "law_100-96-VR_pro-osvitu-redaktsiia-zakonu-100-96-vr-vid-23-03-1996.txt",
        "law_2628-14_pro-doshkilnu-osvitu.txt",
        "law_2984-14_pro-vyshchu-osvitu.txt",
    }
    assert notes[OSVITA_1991].replaced_by == "2145-19"
    # «largely replaced» and «being replaced» are not repealed yet.
    assert not notes["law_651-14_pro-zahalnu-seredniu-osvitu.txt"].repealed
    assert not notes["law_103-98-VR_pro-profesiinu-profesiino-tekhnichnu-osvitu.txt"].repealed


def test_amended_titles_from_the_title_or_the_text():
    title = 'Про внесення змін до законів України "Про освіту" та "Про мобілізаційну підготовку"'
    assert amended_titles(title, "") == ["Про освіту", "Про мобілізаційну підготовку"]
    text = (
        '1. Частину другу статті 34 Закону України "Про загальну середню освіту" (Відомості Верховної Ради) '
        'доповнити словами "згідно із Законом України "Про освіту"".'
    )
    assert amended_titles("Про внесення змін до деяких законів України", text) == ["Про загальну середню освіту"]


# --- The command ------------------------------------------------------------------------------------------------


def test_the_command_shows_progress_and_the_summary(base, mixed_folder):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_regulations", str(mixed_folder), stdout=out, stderr=err)

    output, errors = out.getvalue(), err.getvalue()
    assert "Regulations: 3 created, 0 updated, 0 unchanged, 4 failed" in output
    assert " s." in output
    assert "] 7/7" in errors and "\r[" in errors
    assert "Not imported:" in errors
    assert "  setup.exe: unsupported file type «.exe»" in errors

    out = io.StringIO()
    call_command("import_regulations", str(mixed_folder), stdout=out, stderr=io.StringIO(), verbosity=0)
    assert "0 created, 0 updated, 3 unchanged, 4 failed" in out.getvalue()

    out = io.StringIO()
    with translation.override("uk"):
        call_command("import_regulations", str(mixed_folder), stdout=out, stderr=io.StringIO(), verbosity=0)
    assert "Regulations:" not in out.getvalue()  # the summary is in Ukrainian for Ukrainian users


def test_the_command_imports_under_another_normative_base(base, tmp_path):
    folder = copy_laws(tmp_path / "laws", OSVITA)
    district_base = RegulationIndexPage.objects.exclude(pk=base.pk).first()
    call_command("import_regulations", str(folder), parent=district_base.pk, stdout=io.StringIO(), verbosity=0)

    assert RegulationPage.objects.child_of(district_base).get().number == "2145-19"
    assert not RegulationPage.objects.child_of(base).exists()
    with pytest.raises(CommandError):
        call_command("import_regulations", str(folder), parent=HomePage.objects.get().pk, verbosity=0)
    with pytest.raises(CommandError):
        call_command("import_regulations", str(tmp_path / "nowhere"), verbosity=0)
