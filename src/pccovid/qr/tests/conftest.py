"""Fixtures of the qr tests: a signed-in citizen (An, from the shared `people`), An's signed code, and a
PNG with no QR code in it."""

import io

import pytest
from PIL import Image

from pccovid.accounts import services as account_services
from pccovid.qr import services

AN_PHONE = "+84903123456"


@pytest.fixture
def citizen(people, sms_outbox):
    """An's citizen account, signed in through the one-time code as in production."""
    account_services.otp_request(phone=AN_PHONE)
    return account_services.otp_verify(phone=AN_PHONE, code=sms_outbox.last_code(AN_PHONE))


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def an_code(people) -> str:
    return services.personal_qr_text(person=people["an"])


@pytest.fixture
def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, format="PNG")
    return buffer.getvalue()
