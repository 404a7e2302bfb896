"""Feedback fixtures: a fixed clock (15 Oct 2021, 10:00 in Ho Chi Minh City), photos kept in a temporary
MEDIA_ROOT, citizens with accounts, officials of Bến Thành, Hoàn Kiếm and HCMC, and photo makers."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from pccovid.core import clock
from pccovid.feedback import services

NOW = dt.datetime(2021, 10, 15, 3, 0, tzinfo=dt.UTC)
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_with_gps(size=(2400, 1200)) -> bytes:
    """A JPEG carrying EXIF with a camera make and a GPS position (Bến Thành market)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (10.0, 46.0, 20.0), 3: "E", 4: (106.0, 41.0, 53.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 0, 255)).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_2021.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def account(django_user_model):
    """Factory: a citizen account (phone sign-in) linked to `person`."""

    def _make(person, phone: str):
        user = django_user_model.objects.create(username=phone, phone=phone, person=person)
        user.set_unusable_password()
        user.save()
        return user

    return _make


@pytest.fixture
def citizen(people, account):
    """An (Bến Thành) with an account."""
    return account(people["an"], "+84903123456")


@pytest.fixture
def other_citizen(people, account):
    """Bình (Sài Gòn, HCMC) with an account."""
    return account(people["binh"], "+84912000111")


@pytest.fixture
def commune_official(official):
    return official("commune_official", "ben_thanh")


@pytest.fixture
def elsewhere_official(official):
    return official("commune_official", "hoan_kiem")


@pytest.fixture
def province_official(official):
    return official("province_official", "hcmc")


@pytest.fixture
def login():
    """Factory: a fresh test client signed in as `user`, reading pages in English."""

    def _make(user=None) -> Client:
        client = Client()
        client.cookies["django_language"] = "en"
        if user is not None:
            client.force_login(user)
        return client

    return _make


@pytest.fixture
def report(people):
    """Factory: a report by An (or `reporter`) about a commune of the tree."""

    def _make(unit="26743", reporter=None, kind="crowded", photo=None, description="Chợ rất đông."):
        return services.citizen_report_submit(
            reporter=reporter or people["an"],
            kind=kind,
            edition="2025",
            unit_code=unit,
            place="Chợ Bến Thành",
            description=description,
            photo=photo,
        )

    return _make
