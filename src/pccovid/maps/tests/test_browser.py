"""The map in Chromium: an official opens the map, clicks a ward (its Leaflet polygon), reads its level and
why in the side panel and downloads the ward's daily report as Excel; a citizen sees the public map of their
area."""

import os

import pytest
from openpyxl import load_workbook

from pccovid.maps.tests.conftest import DAY
from pccovid.testkit import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browser tests need Chromium at {CHROMIUM}"),
]
pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
# Playwright's sync API runs an event loop in this thread (see tests/browser/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def context(browser, live_server):
    contexts = []

    def _new(width: int = 1280, height: int = 900):
        made = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        made.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        contexts.append(made)
        page = made.new_page()
        page.set_default_timeout(20_000)
        return page

    yield _new
    for made in contexts:
        for page in made.pages:
            page.wait_for_load_state("networkidle")
        made.close()


def test_an_official_clicks_a_ward_and_reads_its_level_and_why(context, city, official, tmp_path):
    official("province_official", "hcmc", username="city-official")
    page = context()
    page.goto("/console/login/")
    page.fill("input[name=username]", "city-official")
    page.fill("input[name=password]", "pw-123456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/console/")
    page.goto(f"/map/?date={DAY.isoformat()}")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.is_visible("[data-testid=illustrative]")
    page.click("path.leaflet-interactive[data-code='26743']")
    panel = page.locator("[data-testid=unit-panel][data-code='26743']")
    panel.wait_for()
    assert page.text_content("[data-testid=unit-level]") == "Red (very high risk)"
    assert "7 community cases in the week" in page.text_content("[data-testid=unit-why]")
    page.click("[data-testid=drill-down]")
    page.wait_for_selector("#map[data-ready=true]")
    assert page.get_attribute("path.leaflet-interactive[data-code='26743.001']", "data-colour") == "red"

    page.goto(f"/reports/daily/?unit=26743&date={DAY.isoformat()}")
    shown = page.text_content("[data-testid=figures] tr[data-field=cases_total] td:last-child")
    with page.expect_download() as download:
        page.click("[data-testid=download-xlsx]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = load_workbook(saved).worksheets[0]
    figures = {row[1]: row[3] for row in sheet.iter_rows(values_only=True) if len(row) > 3 and row[1]}
    assert str(figures["cases_total"]) == shown.strip() and figures["cases_total"] > 0
    header = " ".join(str(value) for row in sheet.iter_rows(max_row=6, values_only=True) for value in row)
    assert "(26743)" in header and f"{DAY:%d/%m/%Y}" in header


def test_a_citizen_sees_the_public_map_of_their_area(context, citizen, sms_outbox):
    page = context(390, 844)  # a phone
    page.goto("/login/")
    page.fill("input[name=phone]", "0903123456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("input[name=code]", sms_outbox.last_code("+84903123456"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    page.goto(f"/map/public/?date={DAY.isoformat()}")
    page.wait_for_selector("#map[data-ready=true]")
    own = page.locator("[data-testid=public-units] li[data-selected=true]")
    assert own.get_attribute("data-code") == "26743" and "Phường Bến Thành" in own.text_content()
    neighbour = page.locator("[data-testid=public-units] li[data-code='26740']")
    assert "under 5" in neighbour.text_content()  # Sài Gòn's 3 cases are not shown
    page.click("path.leaflet-interactive[data-code='26740']")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Phường Sài Gòn" in popup.text_content() and "under 5" in popup.text_content()
    assert page.locator("path.leaflet-interactive[data-code='26743.001']").count() == 0
