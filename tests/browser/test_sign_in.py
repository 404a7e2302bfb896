"""A citizen signs in with the code sent by SMS and sees their profile; an official signs in and searches."""

import pytest

from pccovid.testkit import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_signs_in_with_otp_and_sees_profile(page, tree, sms_outbox):
    make_person(tree["group"])
    page.goto("/")
    page.click("a[href='/login/']")
    page.fill("input[name=phone]", "0903 123 456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("input[name=code]", sms_outbox.last_code("+84903123456"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    assert page.text_content("[data-testid=full-name]") == "Nguyễn Văn An"
    assert "Khu phố 1" in page.text_content("main")
    assert "Hồ sơ của tôi" in page.text_content("main")  # Vietnamese, though the browser asks for English
    page.click("a[href='/me/reads/']")
    assert page.is_visible("[data-testid=no-reads]")


def test_official_signs_in_and_finds_a_person_in_their_ward(page, tree, official):
    make_person(tree["group"])
    official("commune_official", "ben_thanh", username="ward-officer")
    page.goto("/console/login/")
    page.fill("input[name=username]", "ward-officer")
    page.fill("input[name=password]", "pw-123456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/console/")
    assert "Phường Bến Thành" in page.text_content("[data-testid=unit]")
    page.fill("input[name=q]", "nguyen van")
    page.click("[data-testid=search-form] button[type=submit]")
    page.wait_for_selector("[data-testid=results] a")
    page.click("[data-testid=results] a")
    assert page.text_content("[data-testid=full-name]") == "Nguyễn Văn An"
