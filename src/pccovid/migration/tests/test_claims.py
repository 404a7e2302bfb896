"""Phone-only records (Bluezone) follow the citizen who proves the phone at sign-in."""

import datetime as dt

from pccovid.accounts import services as account_services
from pccovid.core import clock
from pccovid.migration.models import RecordLink
from pccovid.testkit import make_person

from .conftest import stage

PHONE = "+84903123456"


def _sign_in(sms_outbox, captured) -> None:
    account_services.otp_request(phone=PHONE)
    with captured(execute=True):
        account_services.otp_verify(phone=PHONE, code=sms_outbox.last_code(PHONE))


def test_signing_in_links_the_phones_registrations(tree, sms_outbox, django_capture_on_commit_callbacks):
    person = make_person(tree["ben_thanh"], phone="0903123456")
    other = make_person(tree["ben_thanh"], name="Trần Thị Bình", cccd="079090009999", phone=None)
    waiting = stage("BZ2", source="bluezone", phone=PHONE, payload={"app_id": "b"})
    RecordLink.objects.create(
        staged_record=waiting, person=other, method=RecordLink.Method.PROBABILISTIC, probability=0.88,
        status=RecordLink.Status.REVIEW, created_at=waiting.created_at,
    )  # fmt: skip
    fresh = stage("BZ1", source="bluezone", phone=PHONE, payload={"app_id": "a"})
    named = stage("N1", source="ncovi", phone=PHONE, name_key="nguyen van an", full_name="Nguyễn Văn An")
    elsewhere = stage("BZ3", source="bluezone", phone="+84903000000")

    _sign_in(sms_outbox, django_capture_on_commit_callbacks)

    claimed = RecordLink.objects.filter(method=RecordLink.Method.PHONE_CLAIM)
    assert {link.staged_record_id for link in claimed} == {fresh.pk, waiting.pk}
    assert all(link.person_id == person.pk and link.status == "linked" and link.merged for link in claimed)
    assert not RecordLink.objects.filter(staged_record__in=[named, elsewhere]).exists()


def test_a_decided_record_is_not_claimed_again(tree, sms_outbox, django_capture_on_commit_callbacks):
    make_person(tree["ben_thanh"], phone="0903123456")
    other = make_person(tree["ben_thanh"], name="Trần Thị Bình", cccd="079090009999", phone=None)
    rejected = stage("BZ1", source="bluezone", phone=PHONE)
    RecordLink.objects.create(
        staged_record=rejected, person=other, method=RecordLink.Method.PROBABILISTIC,
        status=RecordLink.Status.REJECTED, created_at=rejected.created_at,
    )  # fmt: skip

    _sign_in(sms_outbox, django_capture_on_commit_callbacks)
    with clock.frozen(clock.now() + dt.timedelta(minutes=2)):  # signs in again later: still not claimed
        _sign_in(sms_outbox, django_capture_on_commit_callbacks)

    assert RecordLink.objects.get(staged_record=rejected).status == RecordLink.Status.REJECTED
    assert not RecordLink.objects.filter(method=RecordLink.Method.PHONE_CLAIM).exists()
