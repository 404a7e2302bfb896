"""Issuing a person's code, the round trip through a PNG, verification against the keystore, rotation."""

import datetime as dt

import pytest

from pccovid.core import clock, keys
from pccovid.identity import services as identity_services
from pccovid.qr import render, scan, selectors, services


def test_code_of_a_person_from_their_record(people, an_code):
    an = people["an"]
    code = services.qr_verify(text=an_code)
    assert (code.kind, code.signature, code.reason) == ("personal", "valid", None)
    assert code.fields["document_number"] == "079090001234"
    assert code.fields["full_name"] == "NGUYEN VAN AN"
    assert code.fields["birth_date"] == "1990-05-17"
    assert code.fields["qid"] == an.qid and code.fields["proxy_qid"] is None
    assert code.fields["sex"] == "1" and code.fields["phone"] == "+84903123456"
    expires = dt.datetime.fromisoformat(code.fields["expires_at"])
    assert dt.timedelta(days=29, hours=23) < expires - clock.now() <= dt.timedelta(days=30)


def test_round_trip_issue_render_png_decode_verify(an_code):
    png = render.qr_png(an_code)
    assert scan.scanned_text(image=png) == an_code
    assert services.qr_verify(text=scan.scanned_text(image=png)).signature == "valid"


def test_a_png_with_no_qr_code_is_a_scan_error(blank_png):
    with pytest.raises(scan.ScanError) as error:
        scan.scanned_text(image=blank_png)
    assert error.value.field == "image"


def test_declared_on_behalf_by_a_household_member(people):
    text = services.personal_qr_text(person=people["an"], declared_by=people["binh"])
    fields = services.qr_verify(text=text).fields
    assert fields["declared_on_behalf"] is True and fields["proxy_qid"] == people["binh"].qid
    assert (
        services.qr_verify(
            text=services.personal_qr_text(person=people["an"], declared_by=people["an"])
        ).fields["declared_on_behalf"]
        is False
    )


def test_id_document_falls_back_to_cmnd_then_passport_and_carries_health_insurance(tree):
    person = identity_services.person_create(
        full_name="Phạm Thị Dung",
        birth_date=dt.date(1960, 1, 2),
        sex="F",
        residence_unit=tree["sai_gon"],
        identifiers=[
            identity_services.IdentifierIn("passport", "C1234567", source="test"),
            identity_services.IdentifierIn("health_insurance", "HT3790987654321", source="test"),
        ],
    )
    fields = services.qr_verify(text=services.personal_qr_text(person=person)).fields
    assert fields["document_number"] == "C1234567" and fields["health_insurance"] == "HT3790987654321"
    assert fields["sex"] == "2" and fields["phone"] is None
    identity_services.identifier_add(
        person=person, identifier=identity_services.IdentifierIn("cmnd", "023456789", source="test")
    )
    person.refresh_from_db()
    assert services.personal_qr_text(person=person).startswith("023456789|PHAM THI DUNG|1960-01-02|0|")


def test_a_person_without_id_document_gets_no_code(tree):
    person = identity_services.person_create(
        full_name="Bé Na",
        birth_date=dt.date(2020, 1, 1),
        sex="F",
        residence_unit=tree["sai_gon"],
        identifiers=[],
    )
    with pytest.raises(services.QrError) as error:
        services.personal_qr_text(person=person)
    assert error.value.code == "no_document"


def test_expiry_follows_the_rule_set(an_code):
    expires = dt.datetime.fromisoformat(services.qr_verify(text=an_code).fields["expires_at"])
    with clock.frozen(expires - dt.timedelta(seconds=1)):
        assert services.qr_verify(text=an_code).reason is None
    with clock.frozen(expires):
        assert services.qr_verify(text=an_code).reason == "expired"


def test_tampered_code_is_a_bad_signature(an_code):
    assert (
        services.qr_verify(text=an_code.replace("NGUYEN VAN AN", "NGUYEN VAN BA")).reason == "bad_signature"
    )


def test_old_code_verifies_with_the_retired_key_during_grace_only(an_code):
    keys.key_rotate(selectors.KEY_PURPOSE, grace_days=30)
    assert services.qr_verify(text=an_code).signature == "valid"
    with clock.frozen(clock.now() + dt.timedelta(days=30, seconds=1)):
        assert services.qr_verify(text=an_code).reason == "unknown_key"


def test_key_set_lists_active_and_retired_keys():
    old = keys.signing_key(selectors.KEY_PURPOSE).kid
    new = keys.key_rotate(selectors.KEY_PURPOSE)
    published = {k["kid"]: k for k in selectors.public_key_set()["keys"]}
    assert published[old]["status"] == "retired" and published[new]["status"] == "active"
    assert {published[new][name] for name in ("kty", "crv", "alg")} == {"EC", "P-256", "ES256"}
    assert set(keys.public_keys_from_jwks(selectors.public_key_set(), now=clock.now())) == {old, new}


def test_display_masks_the_first_6_characters_of_the_id_and_the_day_and_month_of_birth(an_code):
    masked = selectors.personal_qr_display(text=an_code)
    assert masked["document_number"] == "******001234"
    assert masked["birth_date"] == "**/**/1990"
    assert masked["full_name"] == "NGUYEN VAN AN"
    shown = selectors.personal_qr_display(text=an_code, masked=False)
    assert shown["document_number"] == "079090001234" and shown["birth_date"] == "17/05/1990"
