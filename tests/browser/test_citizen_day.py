"""Issue 3, as people use it: a citizen signs in, declares (with a fever), opens their QR, checks in at a
venue by uploading a photo of its poster, sees the history; a checkpoint officer checks the citizen's QR."""

import pytest

from pccovid.checkins import services as checkin_services
from pccovid.qr import render
from pccovid.qr.formats import venue_qr_text
from pccovid.testkit import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def venue(tree, official):
    operator, _ = official("tracer", "ben_thanh", username="market-keeper")
    return checkin_services.venue_register(
        operator=operator, name="Chợ Bến Thành", category="market", unit_code="26743", address_line="Lê Lợi"
    )


def sign_in(page, sms_outbox):
    page.goto("/login/")
    page.fill("input[name=phone]", "0903123456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("input[name=code]", sms_outbox.last_code("+84903123456"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")


def test_a_citizens_day_and_the_checkpoint(
    page, browser, live_server, tree, official, venue, sms_outbox, tmp_path
):
    make_person(tree["group"])
    sign_in(page, sms_outbox)
    assert page.get_attribute("[data-testid=covid-card]", "data-colour") == "grey"

    page.click("a[href='/declarations/new/']")
    page.check("input[name=kind][value=domestic]")
    page.click("main button[type=submit]")
    page.fill("input[name=stay_address]", "12 Lê Lợi")
    page.check("input[name=fever]")
    page.click("main form button[type=submit]")
    page.goto("/me/")
    assert page.get_attribute("[data-testid=covid-card]", "data-colour") == "red"

    page.goto("/qr/")
    assert page.is_visible("main svg")
    assert "******001234" in page.text_content("main")
    code_png = tmp_path / "my-code.png"
    code_png.write_bytes(page.request.get("/qr/code.png").body())

    poster = tmp_path / "poster.png"
    poster.write_bytes(render.qr_png(venue_qr_text(venue_code=venue.code, token=venue.qr_token)))
    page.goto("/checkins/")
    page.set_input_files("input[name=image]", str(poster))
    page.click("[data-testid=scan-form] button[type=submit]")
    page.click("[data-testid=checkin-button]")
    page.wait_for_selector("[data-testid=checkin-done]")
    page.goto("/checkins/mine/")
    assert "Chợ Bến Thành" in page.text_content("[data-testid=checkins]")

    official("checkpoint_officer", "hoan_kiem", username="gate-officer")
    officer_context = browser.new_context(base_url=live_server.url)
    officer = officer_context.new_page()
    officer.goto("/console/login/")
    officer.fill("input[name=username]", "gate-officer")
    officer.fill("input[name=password]", "pw-123456")
    officer.click("main button[type=submit]")
    officer.goto("/status/checkpoint/")
    officer.set_input_files("input[name=image]", str(code_png))
    officer.click("main form button[type=submit]")
    result = officer.locator("[data-testid=scan-result]")
    assert result.get_attribute("data-signature") == "valid"
    assert officer.text_content("[data-testid=full-name]") == "Nguyễn Văn An"
    assert officer.get_attribute("[data-testid=covid-card]", "data-colour") == "red"
    officer.wait_for_load_state("networkidle")
    officer_context.close()
