import datetime as dt

import pytest

from pccovid.accounts import services
from pccovid.accounts.models import User
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, TooManyRequests

PHONE = "+84903123456"


def _later(seconds: int):
    return clock.frozen(clock.now() + dt.timedelta(seconds=seconds))


def test_right_code_signs_in_and_links_the_person_with_that_phone(people, sms_outbox):
    assert services.otp_request(phone="0903 123 456") == 300
    user = services.otp_verify(phone="0903123456", code=sms_outbox.last_code(PHONE))
    assert user.username == PHONE
    assert user.person == people["an"]
    assert not user.has_usable_password()


def test_code_is_single_use(people, sms_outbox):
    services.otp_request(phone=PHONE)
    code = sms_outbox.last_code(PHONE)
    services.otp_verify(phone=PHONE, code=code)
    with pytest.raises(ApplicationError) as error:
        services.otp_verify(phone=PHONE, code=code)
    assert error.value.code == "otp_expired"


def test_wrong_code_counts_down_the_tries(people, sms_outbox):
    services.otp_request(phone=PHONE)
    wrong = "000000" if sms_outbox.last_code(PHONE) != "000000" else "111111"
    with pytest.raises(ApplicationError, match="4 tries left") as error:
        services.otp_verify(phone=PHONE, code=wrong)
    assert error.value.code == "otp_wrong"
    assert not User.objects.exists()


def test_expired_code_is_refused(people, sms_outbox):
    services.otp_request(phone=PHONE)
    code = sms_outbox.last_code(PHONE)
    with _later(301), pytest.raises(ApplicationError) as error:
        services.otp_verify(phone=PHONE, code=code)
    assert error.value.code == "otp_expired"


def test_too_many_wrong_tries_lock_the_code_even_for_the_right_one(people, sms_outbox):
    services.otp_request(phone=PHONE)
    code = sms_outbox.last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ApplicationError):
            services.otp_verify(phone=PHONE, code=wrong)
    with pytest.raises(TooManyRequests) as error:
        services.otp_verify(phone=PHONE, code=code)
    assert error.value.code == "otp_locked"


def test_resend_waits_a_minute_and_at_most_five_codes_an_hour(people, sms_outbox):
    services.otp_request(phone=PHONE)
    with pytest.raises(TooManyRequests, match="seconds"):
        services.otp_request(phone=PHONE)
    for minute in range(1, 5):
        with _later(61 * minute):
            services.otp_request(phone=PHONE)
    with _later(61 * 5), pytest.raises(TooManyRequests, match="last hour"):
        services.otp_request(phone=PHONE)


def test_a_new_code_replaces_the_old_one(people, sms_outbox):
    services.otp_request(phone=PHONE)
    with _later(61):
        services.otp_request(phone=PHONE)
        assert services.otp_verify(phone=PHONE, code=sms_outbox.last_code(PHONE)).person == people["an"]


def test_a_landline_cannot_receive_codes(db):
    with pytest.raises(ApplicationError, match="mobile"):
        services.otp_request(phone="028 3829 1234")


def test_shared_family_phone_links_by_id_number(tree, sms_outbox):
    from pccovid.testkit import make_person

    parent = make_person(tree["ben_thanh"])
    child = make_person(
        tree["ben_thanh"], name="Nguyễn Bảo Anh", cccd="079312000777", sex="F", birth=dt.date(2012, 3, 3)
    )
    services.otp_request(phone=PHONE)
    user = services.otp_verify(phone=PHONE, code=sms_outbox.last_code(PHONE))
    assert user.person is None  # two people share the phone: nobody is guessed
    with pytest.raises(ApplicationError):
        services.citizen_link_person(
            user=user, national_id=child.identifiers.get(kind="cccd").value, birth_date=dt.date(2012, 3, 4)
        )
    services.citizen_link_person(user=user, national_id="079090001234", birth_date=parent.birth_date)
    assert User.objects.get(pk=user.pk).person == parent


def test_device_token_authenticates_until_revoked(people):
    user = services.official_create(
        username="hw", password="pw-123456", role="health_worker", unit=people["an"].residence_unit
    )
    key = services.api_token_create(user=user, name="scanner")
    assert services.api_token_authenticate(key=key) == user
    user.api_tokens.update(revoked_at=clock.now())
    assert services.api_token_authenticate(key=key) is None
    assert services.api_token_authenticate(key="pcv_nonsense") is None
