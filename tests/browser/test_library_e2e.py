"""End to end in Chromium: a DON editor uploads a DOCX and publishes a regulation with it attached in the
Wagtail admin; a school director finds it in the portal's normative base with a filter and downloads it."""

import io
import re

import pytest
from docx import Document as DocxDocument
from playwright.sync_api import Page, expect

from cms.pages.models import RegulationPage
from cms.pages.tree import city_regulation_index

from .test_roles_e2e import DASHBOARD_URL, _code, confirmed_device, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Про порядок зарахування учнів до 1-х класів у 2027 році"
DOCUMENT_TITLE = "Наказ ДОН № 512 (текст)"


def _docx(path) -> str:
    document = DocxDocument()
    document.add_paragraph("Наказ про зарахування учнів до закладів загальної середньої освіти")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Строк подання заяв"
    table.rows[0].cells[1].text = "до 31 травня"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _sign_in_with_code(page: Page, username: str, password: str) -> None:
    device = confirmed_device(username)
    sign_in(page, username, password)
    page.fill("input[name=token]", _code(device.bin_key))
    page.click("main form:not([action]) button[type=submit]")
    expect(page).to_have_url(DASHBOARD_URL)


def test_editor_publishes_a_regulation_and_a_director_finds_and_downloads_it(
    browser_page: Page, demo: str, tmp_path, screenshots_dir
):
    page = browser_page
    _sign_in_with_code(page, "demo-don", demo)

    # 1. Upload the DOCX into the city collection, with its details.
    page.goto("/admin/documents/add/")
    page.fill("input[name=title]", DOCUMENT_TITLE)
    page.set_input_files("input[name=file]", _docx(tmp_path / "nakaz-512.docx"))
    page.select_option("select[name=collection]", label="Місто")
    page.select_option("select[name=kind]", value="order")
    page.fill("input[name=number]", "512")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".messages")).to_contain_text(DOCUMENT_TITLE)

    # 2. Create the regulation under the city normative base and attach the document through the chooser.
    page.goto(f"/admin/pages/add/pages/regulationpage/{city_regulation_index().pk}/")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=kind]", value="order")
    page.fill("input[name=number]", "512")
    page.fill("input[name=issuer]", "Департамент освіти і науки")
    page.wait_for_load_state("networkidle")
    page.click("#id_attachments-ADD")
    page.locator("#id_attachments-0-document-chooser button:visible").first.click()
    modal = page.locator(".modal-dialog, [role=dialog]").last
    expect(modal).to_be_visible()
    modal.get_by_role("link", name=DOCUMENT_TITLE).click()
    expect(page.locator("#id_attachments-0-document-title")).to_contain_text(DOCUMENT_TITLE)
    page.get_by_role("button", name="Більше дій").click()
    page.click("button[name=action-publish]")
    expect(page.locator(".messages")).to_contain_text(TITLE)
    regulation = RegulationPage.objects.get(title=TITLE)
    assert regulation.live and regulation.attachments.get().document.title == DOCUMENT_TITLE
    page.screenshot(path=str(screenshots_dir / "library-admin-published.png"), full_page=True)
    page.wait_for_load_state("networkidle")  # the admin's scripts finish loading before the editor leaves
    page.goto("/cabinet/")
    page.click("form[action='/logout/'] button[type=submit]")

    # 3. A school director finds it in the normative base with a filter and downloads the attachment.
    sign_in(page, "demo-school", demo)
    expect(page).to_have_url(DASHBOARD_URL)
    page.click("nav.main-nav [data-nav=regulations]")
    page.select_option("select[name=kind]", value="order")
    page.fill("input[name=q]", "512")
    page.get_by_role("button", name="Застосувати").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("main h1")).to_have_text(TITLE)
    page.screenshot(path=str(screenshots_dir / "library-regulation-page.png"), full_page=True)
    with page.expect_download() as download_info:
        page.locator("main [data-document]").first.click()
    download = download_info.value
    assert re.search(r"\.docx$", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        assert handle.read(2) == b"PK"


def test_director_searches_with_a_filter_and_opens_a_result(browser_page: Page, demo: str, screenshots_dir):
    page = browser_page
    sign_in(page, "demo-school", demo)
    expect(page).to_have_url(DASHBOARD_URL)
    page.click("nav.main-nav [data-nav=search]")
    page.fill("input[name=q]", "повної загальної середньої освіти")  # inflected: the title is in the accusative
    page.select_option("select[name=kind]", value="law")
    page.get_by_role("button", name="Знайти").click()
    results = page.locator("main [data-result]")
    expect(results.first).to_be_visible()
    expect(page.locator("main [data-result] mark").first).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "search-results.png"), full_page=True)
    page.locator("main [data-result] h2").get_by_role(
        "link", name="Про повну загальну середню освіту", exact=True
    ).click()
    expect(page.locator("main h1")).to_have_text("Про повну загальну середню освіту")
