"""Issue 4, as people use it: a health worker records a dose from a photo of the citizen's QR; the citizen,
in a second browser, sees it at once and opens their EU-format vaccination certificate."""

import datetime as dt

import pytest

from pccovid.core import clock
from pccovid.qr import render
from pccovid.qr import services as qr_services
from pccovid.testkit import make_person
from pccovid.vaccination import services as vaccination_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dose_recorded_is_seen_by_the_citizen_with_a_certificate(
    page, browser, live_server, tree, official, sms_outbox, tmp_path
):
    an = make_person(tree["group"])
    _user, commune = official("commune_official", "ben_thanh")
    vaccination_services.site_create(
        assignment=commune, code="VS-1", name="Trạm y tế Bến Thành", unit_code="26743"
    )
    vaccination_services.lot_create(
        assignment=commune,
        product_code="EU/1/20/1528",
        number="FF1",
        expiry_date=clock.today() + dt.timedelta(days=365),
    )
    official("health_worker", "ben_thanh", username="nurse")
    code_png = tmp_path / "an.png"
    code_png.write_bytes(render.qr_png(qr_services.personal_qr_text(person=an)))

    worker_context = browser.new_context(base_url=live_server.url)
    worker = worker_context.new_page()
    worker.goto("/console/login/")
    worker.fill("input[name=username]", "nurse")
    worker.fill("input[name=password]", "pw-123456")
    worker.click("main button[type=submit]")
    worker.goto("/vaccination/doses/new/")
    worker.set_input_files("input[name=image]", str(code_png))
    worker.select_option("select[name=product_code]", "EU/1/20/1528")
    worker.fill("input[name=lot_number]", "FF1")
    worker.fill("input[name=dose_number]", "1")
    worker.click("[data-testid=dose-form] button[type=submit]")
    assert worker.text_content("[data-testid=full-name]") == "Nguyễn Văn An"
    worker.wait_for_load_state("networkidle")
    worker_context.close()

    page.goto("/login/")
    page.fill("input[name=phone]", "0903123456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("input[name=code]", sms_outbox.last_code("+84903123456"))
    page.click("main button[type=submit]")
    page.goto("/vaccination/")
    assert "Comirnaty" in page.text_content("main")
    page.goto("/certificates/")
    page.click("[data-testid=issue-vaccination]")
    page.wait_for_selector("[data-testid=certificate-qr] svg")
    facts = page.text_content("[data-testid=certificate-facts]")
    assert "Comirnaty" in facts and "1/2" in facts
