"""The citizen's QR pages: masked by default, unmask, full screen, downloads, the printable card."""

import datetime as dt
from pathlib import Path

from pccovid.accounts import services as account_services
from pccovid.identity import services as identity_services
from pccovid.qr import scan, services


def test_pages_need_a_signed_in_citizen(client, db):
    for path in ("/qr/", "/qr/full/", "/qr/card/", "/qr/code.png", "/qr/code.svg"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/login/", path


def test_my_qr_is_masked_by_default_and_can_be_unmasked(citizen_client):
    page = citizen_client.get("/qr/").content.decode()
    assert "******001234" in page and "**/**/1990" in page
    assert "079090001234" not in page and "17/05/1990" not in page
    assert 'lang="vi"' in page and "<svg" in page and 'viewBox="0 0' in page
    page = citizen_client.get("/qr/?unmask=1").content.decode()
    assert "079090001234" in page and "17/05/1990" in page and 'data-testid="mask"' in page


def test_full_screen_high_contrast(citizen_client):
    page = citizen_client.get("/qr/full/").content.decode()
    assert 'data-testid="qr-full"' in page and "<svg" in page and "NGUYEN VAN AN" in page


def test_downloads_carry_a_valid_code(citizen_client):
    png = citizen_client.get("/qr/code.png")
    assert png["Content-Type"] == "image/png" and "attachment" in png["Content-Disposition"]
    assert services.qr_verify(text=scan.scanned_text(image=png.content)).signature == "valid"
    svg = citizen_client.get("/qr/code.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")


def test_printable_card_is_sized_in_millimetres(citizen_client):
    page = citizen_client.get("/qr/card/").content.decode()
    assert 'data-testid="qr-card"' in page and "qr/qr.css" in page and "******001234" in page
    assert "<svg" in page


def test_card_css_prints_a_code_of_at_least_5_cm():
    css = (Path(services.__file__).parent / "static" / "qr" / "qr.css").read_text()
    assert "@page" in css and ".qr-card .qr-code svg { width: 60mm; height: 60mm;" in css


def test_an_account_not_linked_to_a_person_is_sent_to_link(client, tree, sms_outbox):
    account_services.otp_request(phone="0911222333")
    user = account_services.otp_verify(phone="0911222333", code=sms_outbox.last_code("+84911222333"))
    client.force_login(user)
    assert client.get("/qr/").url == "/me/link/"


def test_a_person_without_an_id_document_is_told_why_there_is_no_code(client, tree, sms_outbox):
    identity_services.person_create(
        full_name="Bé Na",
        birth_date=dt.date(2020, 1, 1),
        sex="F",
        residence_unit=tree["sai_gon"],
        identifiers=[identity_services.IdentifierIn("phone", "0911222444", source="test")],
    )
    account_services.otp_request(phone="0911222444")
    client.force_login(
        account_services.otp_verify(phone="0911222444", code=sms_outbox.last_code("+84911222444"))
    )
    response = client.get("/qr/")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert "<svg" not in response.content.decode()
