"""Shared test fixtures: a small two-province tree, people in it, officials bound to units; Chromium."""

import datetime as dt
import os
from pathlib import Path

import pytest

from pccovid.accounts import services as account_services
from pccovid.geography.models import AdminUnit, Edition, Level
from pccovid.identity import services as identity_services
from pccovid.identity.models import IdentifierKind

CHROMIUM = Path(os.environ.get("PCCOVID_CHROMIUM", "/usr/bin/chromium"))


def make_unit(
    code: str, name: str, level: str, parent: AdminUnit | None = None, edition: str = Edition.CURRENT
):
    path = f"{parent.path if parent else ''}{code}/"
    return AdminUnit.objects.create(
        edition=edition,
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=path,
        population=10_000,
        population_synthetic=True,
    )


@pytest.fixture
def tree(db):
    """HCMC with two wards (one with a residential group) and Hanoi with one ward."""
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    ben_thanh = make_unit("26743", "Phường Bến Thành", Level.COMMUNE, hcmc)
    group = make_unit("26743.001", "Khu phố 1", Level.RESIDENTIAL_GROUP, ben_thanh)
    sai_gon = make_unit("26740", "Phường Sài Gòn", Level.COMMUNE, hcmc)
    hanoi = make_unit("01", "Thành phố Hà Nội", Level.PROVINCE)
    hoan_kiem = make_unit("00070", "Phường Hoàn Kiếm", Level.COMMUNE, hanoi)
    return {
        "hcmc": hcmc,
        "ben_thanh": ben_thanh,
        "group": group,
        "sai_gon": sai_gon,
        "hanoi": hanoi,
        "hoan_kiem": hoan_kiem,
    }


def make_person(
    unit,
    *,
    name="Nguyễn Văn An",
    cccd="079090001234",
    birth=dt.date(1990, 5, 17),
    sex="M",
    phone: str | None = "0903123456",
    household=None,
):
    identifiers = [identity_services.IdentifierIn(IdentifierKind.CCCD, cccd, source="test")]
    if phone:
        identifiers.append(identity_services.IdentifierIn(IdentifierKind.PHONE, phone, source="test"))
    return identity_services.person_create(
        full_name=name,
        birth_date=birth,
        sex=sex,
        residence_unit=unit,
        identifiers=identifiers,
        household=household,
    )


@pytest.fixture
def people(tree):
    """One person in each ward: An in Bến Thành (HCMC), Bình in Sài Gòn (HCMC), Chi in Hoàn Kiếm (Hanoi)."""
    return {
        "an": make_person(tree["group"]),
        "binh": make_person(
            tree["sai_gon"],
            name="Trần Thị Bình",
            cccd="079185004321",
            birth=dt.date(1985, 2, 1),
            sex="F",
            phone="0912000111",
        ),
        "chi": make_person(
            tree["hoan_kiem"],
            name="Lê Minh Chi",
            cccd="001301009999",
            birth=dt.date(2001, 9, 9),
            sex="F",
            phone="0987000222",
        ),
    }


@pytest.fixture
def official(tree):
    """Factory: an official with one role bound to one unit. Returns (user, assignment)."""

    def _make(role: str = "commune_official", unit_key: str = "ben_thanh", username: str | None = None):
        user = account_services.official_create(
            username=username or f"{role}-{unit_key}", password="pw-123456", role=role, unit=tree[unit_key]
        )
        return user, user.assignments.get()

    return _make


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    """Every test gets its own SMS outbox file; `sms_outbox.last_code(phone)` reads the newest code."""
    settings.PCCOVID_SMS_OUTBOX = tmp_path / "sms-outbox.log"

    class Outbox:
        path = settings.PCCOVID_SMS_OUTBOX

        def last_code(self, phone: str) -> str:
            lines = [line.split("\t") for line in self.path.read_text(encoding="utf-8").splitlines()]
            text = [t for _at, to, t in lines if to == phone][-1]
            return next(word.rstrip(".") for word in text.split() if word.rstrip(".").isdigit())

    return Outbox()


@pytest.fixture(autouse=True)
def english_messages():
    """Service tests read messages in English; pages still follow the request's language (vi default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    """Signing keys of each test live in its own temporary directory."""
    settings.PCCOVID_KEY_DIR = tmp_path / "keys"
    return settings.PCCOVID_KEY_DIR


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless, for every browser test (tests/browser and apps')."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves
    # are plain synchronous code, so Django's async-safety guard is lifted once a browser test runs.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
