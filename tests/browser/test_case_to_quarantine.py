"""Issue 5, as people use it: a technician records a positive result; a tracer opens the case, sees the F1s
found from check-ins and from the household, orders quarantine; an F1, on their phone, sees the exposure
alert and sends their daily health report."""

import datetime as dt

import pytest

from pccovid.checkins.models import CheckIn, CheckInHow, Venue
from pccovid.core import clock
from pccovid.identity.models import Household
from pccovid.testing.models import TestSite
from pccovid.testkit import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_official(browser, live_server, username: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-123456")
    page.click("main button[type=submit]")
    return context, page


def _city(tree, official):
    """An (the future F0) lives with Hoa; Bình (another ward) was at the same market 40 minutes after An."""
    home = Household.objects.create(code="HH-BT-7", unit=tree["group"])
    an = make_person(tree["group"], household=home)
    hoa = make_person(
        tree["group"], name="Nguyễn Thị Hoa", cccd="079190005555", sex="F", phone=None, household=home
    )
    binh = make_person(
        tree["sai_gon"],
        name="Trần Thị Bình",
        cccd="079185004321",
        birth=dt.date(1985, 2, 1),
        sex="F",
        phone="0912000111",
    )
    operator, _assignment = official("commune_official", "ben_thanh", username="market-keeper")
    market = Venue.objects.create(
        name="Chợ Bến Thành",
        category="market",
        unit=tree["ben_thanh"],
        operator=operator,
        qr_issued_at=clock.now(),
    )
    visit = clock.now() - dt.timedelta(hours=5)
    for person, at in ((an, visit), (binh, visit + dt.timedelta(minutes=40))):
        CheckIn.objects.create(
            person=person, venue=market, at=at, how=CheckInHow.CITIZEN_SCAN, recorded_by=operator
        )
    TestSite.objects.create(code="BT01", name="Trạm Y tế Bến Thành", unit=tree["ben_thanh"])
    official("health_worker", "ben_thanh", username="technician")
    official("tracer", "ben_thanh", username="tracer")
    return an, hoa, binh


def test_a_positive_result_becomes_a_traced_case_and_a_quarantined_contact(
    page, browser, live_server, tree, official, sms_outbox
):
    an, hoa, binh = _city(tree, official)

    context, technician = _sign_in_official(browser, live_server, "technician")
    technician.goto("/testing/record/")
    technician.fill("input[name=id_number]", "079090001234")
    technician.select_option("select[name=kind]", "rt_pcr")
    technician.select_option("select[name=result]", "positive")
    technician.click("[data-testid=record-form] button[type=submit]")
    assert technician.text_content("[data-testid=full-name]") == an.full_name
    technician.wait_for_load_state("networkidle")
    context.close()

    context, tracer = _sign_in_official(browser, live_server, "tracer")
    tracer.goto("/tracing/")
    tracer.click("[data-testid=cases] a")
    contacts = tracer.locator("[data-testid=contacts]")
    assert contacts.locator("[data-kind=copresence]").count() == 1
    assert contacts.locator("[data-kind=household]").count() == 1
    assert binh.full_name in contacts.text_content() and hoa.full_name in contacts.text_content()
    for checkbox in contacts.locator("li[data-degree='1'] input[type=checkbox]").all():
        checkbox.check()
    tracer.select_option("select[name=action]", "quarantine_home")
    tracer.click("[data-testid=bulk]")
    tracer.wait_for_selector("li[data-degree='1'][data-status=quarantined]")
    assert tracer.locator("li[data-degree='1'][data-status=quarantined]").count() == 2
    tracer.wait_for_load_state("networkidle")
    context.close()

    page.goto("/login/")
    page.fill("input[name=phone]", "0912000111")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("input[name=code]", sms_outbox.last_code("+84912000111"))
    page.click("main button[type=submit]")
    page.goto("/")
    assert page.locator("[data-testid=home-order]").is_visible()
    page.goto("/tracing/exposures/")
    exposure = page.text_content("[data-testid=exposures]")
    assert "Market" in exposure or "Chợ" in exposure
    assert an.full_name not in exposure and "Bến Thành" not in exposure  # never who, never where exactly
    assert page.locator("[data-testid=order]").is_visible()
    page.goto("/quarantine/mine/")
    page.fill("input[name=temperature]", "38.2")
    page.check("input[name=symptoms][value=cough]")
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_selector("[data-testid=reports]")
    assert "38,2" in page.text_content("[data-testid=reports]")  # Vietnamese decimal comma
