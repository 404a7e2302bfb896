"""Sign-in (citizens: phone + one-time code; officials: password; devices: tokens) and role assignment."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pccovid.accounts import selectors, sms
from pccovid.accounts.models import AccessGrant, ApiToken, OneTimeCode, RoleAssignment, User
from pccovid.core import bulk, clock
from pccovid.core.errors import ApplicationError, NotFound, TooManyRequests
from pccovid.events import services as event_services
from pccovid.identity import selectors as identity_selectors
from pccovid.identity.validators import normalise_phone

PHONE_VERIFIED = "accounts.phone_verified"  # payload: person_id, phone (E.164); after every OTP sign-in


class SignInError(ApplicationError):
    code = "sign_in_failed"


def otp_request(*, phone: str) -> int:
    """Send a sign-in code to `phone`. Returns the seconds it stays valid."""
    phone = normalise_phone(phone, mobile_only=True)
    policy = selectors.otp_policy()
    now = clock.now()
    recent = OneTimeCode.objects.filter(phone=phone, created_at__gt=now - dt.timedelta(hours=1))
    if recent.count() >= policy["max_codes_per_hour"]:
        raise TooManyRequests(
            _("Too many codes were sent to this number in the last hour. Try again later."),
            code="otp_throttled",
        )
    last = recent.order_by("-created_at").first()
    wait = policy["resend_after_seconds"] - int((now - last.created_at).total_seconds()) if last else 0
    if wait > 0:
        raise TooManyRequests(
            _("A code was just sent. You can ask for a new one in %(s)d seconds.") % {"s": wait},
            code="otp_throttled",
        )
    code = f"{secrets.randbelow(10 ** policy['digits']):0{policy['digits']}d}"
    OneTimeCode.objects.create(
        phone=phone,
        code_hash=OneTimeCode.hash(phone, code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=policy["valid_seconds"]),
    )
    sms.send(phone, _("PC-Covid sign-in code: %(code)s. Do not share it with anyone.") % {"code": code})
    return policy["valid_seconds"]


def otp_verify(*, phone: str, code: str) -> User:
    """Check a code; on success return the citizen's account (created and linked on first sign-in)."""
    phone = normalise_phone(phone, mobile_only=True)
    policy = selectors.otp_policy()
    now = clock.now()
    pending = (
        OneTimeCode.objects.filter(phone=phone, consumed_at__isnull=True).order_by("-created_at").first()
    )
    if pending is None or pending.expires_at <= now:
        raise SignInError(
            _("This code has expired or was never sent. Ask for a new code."),
            code="otp_expired",
            field="code",
        )
    if pending.attempts >= policy["max_attempts"]:
        raise TooManyRequests(_("Too many wrong codes. Ask for a new code."), code="otp_locked", field="code")
    if not secrets.compare_digest(pending.code_hash, OneTimeCode.hash(phone, code.strip())):
        OneTimeCode.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
        left = policy["max_attempts"] - pending.attempts - 1
        raise SignInError(
            _("Wrong code. %(left)d tries left.") % {"left": left}, code="otp_wrong", field="code"
        )
    return _citizen_sign_in(code_id=pending.pk, phone=phone, now=now)


@transaction.atomic
def _citizen_sign_in(*, code_id: int, phone: str, now: dt.datetime) -> User:
    consumed = OneTimeCode.objects.filter(pk=code_id, consumed_at__isnull=True).update(consumed_at=now)
    if not consumed:
        raise SignInError(
            _("This code was already used. Ask for a new code."), code="otp_expired", field="code"
        )
    user, created = User.objects.get_or_create(username=phone, defaults={"phone": phone})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.person_id is None:
        person = identity_selectors.person_unclaimed_for_phone(phone=phone)
        if person is not None:
            user.person = person
            user.save(update_fields=["person"])
    _phone_verified(user)
    return user


def _phone_verified(user: User) -> None:
    """Tell other apps that this person holds this phone (legacy phone-only records follow it)."""
    if user.person_id is not None:
        event_services.event_record(
            name=PHONE_VERIFIED, payload={"person_id": user.person_id, "phone": user.phone}
        )


@transaction.atomic
def citizen_link_person(*, user: User, national_id: str, birth_date: dt.date) -> User:
    """Link a signed-in citizen to their person by ID number and birth date.

    The population data must already tie this phone to that person (a shared family phone is the usual
    case); otherwise anyone knowing a neighbour's ID could claim their record.
    """
    person = identity_selectors.person_by_national_id(national_id=national_id)
    if (
        person is None
        or person.birth_date != birth_date
        or not identity_selectors.person_has_phone(person=person, phone=user.phone)
    ):
        raise NotFound(
            _(
                "No person with this ID number, birth date and your phone number was found. "
                "If your phone number changed, ask the commune police to update the register."
            )
        )
    if User.objects.filter(person=person).exclude(pk=user.pk).exists():
        raise ApplicationError(_("This person is already linked to another account."), code="already_linked")
    user.person = person
    user.save(update_fields=["person"])
    _phone_verified(user)
    return user


@transaction.atomic
def official_create(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    role: str,
    unit,
    is_staff: bool = False,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    role_assign(user=user, role=role, unit=unit)
    return user


def role_assign(*, user: User, role: str, unit) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    return assignment


def api_token_create(*, user: User, name: str) -> str:
    """Create a device token and return it: the only time the plain key exists."""
    key = "pcv_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash(key))
    return key


def api_token_authenticate(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


def access_grant_create(
    *, person, unit, reason: str, source_type: str, source_id: str, expires_at: dt.datetime
) -> AccessGrant:
    """Put `person` inside the reach of `unit`'s officials until `expires_at`, for the recorded reason."""
    return AccessGrant.objects.create(
        person=person,
        unit=unit,
        reason=reason[:200],
        source_type=source_type,
        source_id=source_id,
        expires_at=expires_at,
    )


def access_grants_create(
    *, reasons_by_person_id: dict[int, str], unit, source_type: str, source_id: str, expires_at: dt.datetime
) -> int:
    """`access_grant_create` for many people at once (a case's contacts), in multi-row INSERTs."""
    now = clock.now()
    return bulk.rows_insert(
        AccessGrant,
        ["person_id", "unit_id", "reason", "source_type", "source_id", "granted_at", "expires_at"],
        (
            (person_id, unit.pk, reason[:200], source_type, source_id, now, expires_at)
            for person_id, reason in reasons_by_person_id.items()
        ),
    )
