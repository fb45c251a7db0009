"""Small real documents built in memory for the library tests: DOCX, XLSX, a hand-written PDF, hostile files."""

import io
import zipfile

import docx
from openpyxl import Workbook

DOCX_HEADING = "Наказ про зарахування учнів"
DOCX_TABLE_CELLS = ("Прізвище учня", "Клас", "Шевченко Тарас", "5-А")
PDF_LINES = ("Наказ про зарахування учнів", "Kyiv 2026")
XLSX_CELLS = ("Заклад освіти", "Кількість учнів", "Ліцей № 241", 812)


def make_docx(heading: str = DOCX_HEADING) -> bytes:
    document = docx.Document()
    document.add_heading(heading, level=1)
    document.add_paragraph("Відповідно до Закону України «Про освіту» НАКАЗУЮ:")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, DOCX_TABLE_CELLS, strict=True):
        cell.text = text
    document.add_paragraph("Директор ліцею")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Мережа"
    sheet.append(list(XLSX_CELLS[:2]))
    sheet.append(list(XLSX_CELLS[2:]))
    second = workbook.create_sheet("Примітки")
    second["A1"] = "Дані станом на 1 вересня"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_pdf(lines=PDF_LINES) -> bytes:
    """A one-page PDF written by hand: Helvetica with a ToUnicode map, so Cyrillic text extracts as text."""
    codes: dict[str, int] = {}
    for char in "".join(lines):
        if ord(char) >= 128 and char not in codes:
            codes[char] = 128 + len(codes)
    assert len(codes) < 128

    def encode(text: str) -> str:
        return "".join(f"{codes.get(char, ord(char)):02X}" for char in text)

    content = "BT /F1 14 Tf 72 760 Td 18 TL\n"
    content += "".join(f"<{encode(line)}> Tj T*\n" for line in lines) + "ET\n"
    bfchars = [f"<{ord(c):02X}> <{ord(c):04X}>" for c in sorted(set("".join(lines))) if ord(c) < 128]
    bfchars += [f"<{code:02X}> <{ord(char):04X}>" for char, code in codes.items()]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(bfchars)} beginbfchar\n" + "\n".join(bfchars) + "\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def broken_pdf() -> bytes:
    """Starts like a PDF (so it passes the upload checks) but its insides are garbage."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n1 0 obj << /Type /Catalog /Pages 99 0 R"


def make_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb(megabytes: int = 300) -> bytes:
    """A DOCX-shaped ZIP whose word/document.xml is `megabytes` MB of zeros (a few hundred KB compressed)."""
    out = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


MZ_EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>\n"
)
HTML_WITH_SCRIPT = b"<!DOCTYPE html>\n<html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>\n"
