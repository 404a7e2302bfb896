from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors, services
from pccovid.core.errors import Unauthenticated

router = Router(tags=["accounts"])


class OtpRequestIn(Schema):
    phone: str = Field(max_length=32, examples=["0903123456"])


# No control characters: PostgreSQL refuses a NUL byte in a query parameter (that was a 500).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class OtpRequestOut(Schema):
    sent: bool
    expires_in: int


class OtpVerifyIn(Schema):
    phone: str = Field(max_length=32)
    code: str = Field(max_length=12)
    device_name: str = Field("phone app", max_length=100, pattern=PRINTABLE)


class TokenOut(Schema):
    token: str


class OfficialTokenIn(Schema):
    username: str = Field(max_length=150, pattern=PRINTABLE)
    password: str = Field(max_length=128)
    device_name: str = Field(max_length=100, pattern=PRINTABLE)


class AssignmentOut(Schema):
    id: int
    role: str
    unit_code: str
    unit_name: str
    unit_edition: str


class MeOut(Schema):
    username: str
    is_citizen: bool
    person_qid: str | None
    assignments: list[AssignmentOut]


@router.post("/otp/request", response={202: OtpRequestOut}, auth=None)
def otp_request(request: HttpRequest, payload: OtpRequestIn):
    """Send a one-time sign-in code by SMS to a Vietnamese mobile number."""
    return Status(202, {"sent": True, "expires_in": services.otp_request(phone=payload.phone)})


@router.post("/otp/verify", response=TokenOut, auth=None)
def otp_verify(request: HttpRequest, payload: OtpVerifyIn):
    """Exchange a valid code for a device token (the phone app keeps it)."""
    user = services.otp_verify(phone=payload.phone, code=payload.code)
    return {"token": services.api_token_create(user=user, name=payload.device_name)}


@router.post("/token", response=TokenOut, auth=None)
def official_token(request: HttpRequest, payload: OfficialTokenIn):
    """An official's device token (scanner, lab system) from username and password."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise Unauthenticated(_("Wrong username or password."), code="wrong_credentials")
    return {"token": services.api_token_create(user=user, name=payload.device_name)}


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    """Who the caller is: citizen link and official role assignments."""
    user = request.user
    return {
        "username": user.username,
        "is_citizen": user.is_citizen,
        "person_qid": user.person.qid if user.person_id else None,
        "assignments": [
            {
                "id": a.pk,
                "role": a.role,
                "unit_code": a.unit.code,
                "unit_name": a.unit.name,
                "unit_edition": a.unit.edition,
            }
            for a in selectors.assignments_of(user=user)
        ],
    }
