"""The checkpoint: scan a code, see its verdict, the person and their card; every card read is audited."""

import datetime as dt

import pytest

from pccovid.accounts.models import AccessGrant
from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import Forbidden
from pccovid.declarations import services as declaration_services
from pccovid.qr import render
from pccovid.qr import services as qr_services
from pccovid.status import services
from pccovid.status.card import Colour

NOW = dt.datetime(2021, 10, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def checkpoint(official):
    """A checkpoint officer in Hanoi: An lives in HCMC, so only the code An shows brings An into reach."""
    return official("checkpoint_officer", "hoan_kiem")[1]


def test_a_signed_personal_code_shows_the_person_and_card_and_is_audited(people, checkpoint):
    result = services.checkpoint_scan(
        assignment=checkpoint, text=qr_services.personal_qr_text(person=people["an"])
    )
    assert (result.scan.kind, result.scan.signature) == ("personal", "valid")
    assert result.person == people["an"] and result.card.colour == Colour.GREY
    read = PersonalDataRead.objects.get()
    assert read.fields == services.CHECKPOINT_FIELDS and read.person == people["an"]
    assert "checkpoint" in read.reason
    grant = AccessGrant.objects.get()
    assert grant.unit == checkpoint.unit and grant.expires_at == NOW + dt.timedelta(hours=12)


def test_a_tampered_code_is_refused_and_nobody_is_looked_up(people, checkpoint):
    text = qr_services.personal_qr_text(person=people["an"]).replace("NGUYEN VAN AN", "NGUYEN VAN AM")
    result = services.checkpoint_scan(assignment=checkpoint, text=text)
    assert (result.scan.signature, result.scan.reason) == ("invalid", "bad_signature")
    assert result.person is None and result.card is None
    assert not PersonalDataRead.objects.exists() and not AccessGrant.objects.exists()


def test_an_unsigned_national_code_from_another_app_still_finds_the_person(people, checkpoint):
    text = f"079090001234|NGUYEN VAN AN|1990-05-17|0|{people['an'].qid}|"
    result = services.checkpoint_scan(assignment=checkpoint, text=text)
    assert result.scan.signature == "unsigned" and result.person == people["an"]


def test_the_chip_id_card_code_finds_the_person_by_cccd(people, checkpoint):
    text = "079090001234|025123456|Nguyễn Văn An|17051990|Nam|12 Lê Lợi, Bến Thành|01052021"
    result = services.checkpoint_scan(assignment=checkpoint, text=text)
    assert result.scan.kind == "cccd_card" and result.person == people["an"]


def test_a_venue_code_or_garbage_names_nobody(people, checkpoint):
    for text in ("PCV|VENUE|ABC12345|" + "t" * 22, "hello"):
        result = services.checkpoint_scan(assignment=checkpoint, text=text)
        assert result.person is None and result.note
    assert not PersonalDataRead.objects.exists()


def test_an_unknown_person_is_said_so(db, checkpoint):
    result = services.checkpoint_scan(
        assignment=checkpoint, text="001301001111|AI DO|2001-01-01|0|NOBODY000000|"
    )
    assert result.person is None and "No person" in result.note


def test_a_role_without_card_reading_is_refused(people, official):
    data_engineer = official("data_engineer", "hcmc")[1]
    with pytest.raises(Forbidden):
        services.checkpoint_scan(
            assignment=data_engineer, text=qr_services.personal_qr_text(person=people["an"])
        )


def test_declared_symptoms_turn_the_card_red_until_followed_up(people, official):
    an = people["an"]
    declaration = declaration_services.declaration_submit(
        declared_by=an,
        person=an,
        data={
            "kind": "domestic",
            "stay_unit": "26743",
            "stay_address": "12 Lê Lợi",
            "travel_from": "01",
            "travel_to": "79",
            "transport": "coach",
            "vehicle_number": "51B-123.45",
            "travel_date": dt.date(2021, 10, 14),
            "fever": True,
        },
    )
    card = services.card_for(person=an)
    assert card.colour == Colour.RED and "15/10/2021" in card.reasons[0]
    _user, commune = official("commune_official", "ben_thanh")
    declaration_services.declaration_follow_up(
        assignment=commune, declaration_id=declaration.pk, note="No fever."
    )
    assert services.card_for(person=an).colour == Colour.GREY


def test_checkpoint_page_reads_an_uploaded_photo_of_the_code(client, people, official):
    user, _assignment = official("checkpoint_officer", "hoan_kiem")
    client.force_login(user)
    png = render.qr_png(qr_services.personal_qr_text(person=people["an"]))
    page = client.post("/status/checkpoint/", {"image": _upload(png)}).content.decode()
    assert 'data-signature="valid"' in page and "Nguyễn Văn An" in page and 'data-colour="grey"' in page


def test_checkpoint_page_explains_a_photo_without_a_code(client, people, official):
    user, _assignment = official("checkpoint_officer", "hoan_kiem")
    client.force_login(user)
    response = client.post("/status/checkpoint/", {"image": _upload(render.qr_png("x")[:200])})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_checkpoint_api(client, people, official):
    user, _assignment = official("checkpoint_officer", "hoan_kiem")
    client.force_login(user)
    body = client.post(
        "/api/v1/status/checkpoint",
        {"text": qr_services.personal_qr_text(person=people["an"])},
        content_type="application/json",
    ).json()
    assert body["person"]["qid"] == people["an"].qid and body["card"]["colour"] == "grey"
    assert body["scan"]["signature"] == "valid"


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("code.png", data, content_type="image/png")


def test_an_unsigned_code_with_an_unknown_qid_is_matched_by_its_id_number(people, checkpoint):
    text = "079090001234|NGUYEN VAN AN|1990-05-17|0|FROMOTHERAPP|"
    assert services.checkpoint_scan(assignment=checkpoint, text=text).person == people["an"]


def test_a_health_insurance_card_code_finds_the_person_by_card_number(people, checkpoint):
    from pccovid.identity import services as identity_services
    from pccovid.identity.models import IdentifierKind
    from pccovid.qr import formats

    identity_services.identifier_add(
        person=people["an"],
        identifier=identity_services.IdentifierIn(
            IdentifierKind.HEALTH_INSURANCE, "HS4790123456789", source="test"
        ),
    )
    scan = formats.ScannedCode(
        "health_insurance", {"card_number": "HS4790123456789"}, "not_applicable", None, ""
    )
    from pccovid.qr import services as qr

    assert qr.person_for_code(scan=scan) == people["an"]


def test_the_card_reads_doses_and_negative_tests(people, official):
    from pccovid.testing import services as testing_services
    from pccovid.vaccination import services as vaccination_services

    an = people["an"]
    _user, worker = official("health_worker", "ben_thanh")
    _user, commune = official("commune_official", "ben_thanh")
    vaccination_services.site_create(
        assignment=commune, code="VS-1", name="Trạm y tế Bến Thành", unit_code="26743"
    )
    vaccination_services.lot_create(
        assignment=commune, product_code="EU/1/20/1528", number="FF1", expiry_date=dt.date(2022, 6, 30)
    )
    for number, day in ((1, dt.date(2021, 8, 1)), (2, dt.date(2021, 8, 29))):
        with clock.frozen(dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)):
            vaccination_services.dose_record(
                assignment=worker,
                person_qid=an.qid,
                product_code="EU/1/20/1528",
                lot_number="FF1",
                dose_number=number,
                given_on=day,
                site_code="VS-1",
            )
    card = services.card_for(person=an)
    assert card.colour == Colour.GREEN and "29/08/2021" in card.reasons[0]

    binh = people["binh"]
    testing_services.test_site_register(
        assignment=official("commune_official", "sai_gon")[1],
        code="TS-1",
        name="Điểm xét nghiệm Sài Gòn",
        unit_code="26740",
    )
    _user2, tester = official("health_worker", "sai_gon", username="tester")
    testing_services.result_record(
        assignment=tester,
        person_qid=binh.qid,
        kind="rapid_antigen",
        sample_taken_at=NOW - dt.timedelta(hours=5),
        result="negative",
        site_code="TS-1",
    )
    assert services.card_for(person=binh).colour == Colour.YELLOW
