"""Venues and check-ins over HTTP: operators manage venues, citizens check in, scanner devices send
batches. Errors are the shared `{"error", "message", "field"}` body (`pccovid.api`)."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pccovid.checkins import selectors, services
from pccovid.checkins.models import Venue, VenueCategory
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import formats as qr_formats

router = Router(tags=["checkins"])

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
VENUE_CODE = r"^[A-Z0-9]{8}$"
QID = r"^[0-9A-Z]{6,32}$"


class VenueRegisterIn(Schema):
    name: str = Field(min_length=1, max_length=120, pattern=PRINTABLE, examples=["Tạp hóa Cô Ba"])
    category: VenueCategory
    unit_code: str = Field(
        pattern=r"^[0-9A-Za-z.]{1,20}$", description="Commune/ward code, 2025 map", examples=["26743"]
    )
    address_line: str = Field("", max_length=200, pattern=PRINTABLE)


class VenueOut(Schema):
    """A venue as its operator sees it, with the text of its current poster QR."""

    code: str
    name: str
    category: VenueCategory
    unit_code: str
    unit_name: str
    address_line: str
    active: bool
    qr_text: str
    qr_issued_at: dt.datetime

    @staticmethod
    def resolve_unit_code(venue: Venue) -> str:
        return venue.unit.code

    @staticmethod
    def resolve_unit_name(venue: Venue) -> str:
        return venue.unit.name

    @staticmethod
    def resolve_qr_text(venue: Venue) -> str:
        return qr_formats.venue_qr_text(venue_code=venue.code, token=venue.qr_token)


class VenueCountsQuery(Schema):
    days: int = Field(14, ge=1, le=60)


class DayCountOut(Schema):
    day: dt.date
    count: int | None = Field(description="null: 1-4 check-ins (small counts are not shown)")


class VenueCountsOut(Schema):
    code: str
    name: str
    days: list[DayCountOut]


class CheckInCreateIn(Schema):
    venue_text: str = Field(min_length=1, max_length=300, description="Text of the venue's poster QR")
    members: list[str] = Field(
        [], max_length=30, description="QIDs of household members checking in with you"
    )


class CheckInVenueOut(Schema):
    code: str
    name: str
    category: VenueCategory
    unit_name: str
    address_line: str

    @staticmethod
    def resolve_unit_name(venue: Venue) -> str:
        return venue.unit.name


class CheckInPersonOut(Schema):
    qid: str
    full_name: str


class CheckInCreateOut(Schema):
    venue: CheckInVenueOut
    at: dt.datetime
    people: list[CheckInPersonOut]


class CheckInMineOut(Schema):
    at: dt.datetime
    how: str
    venue: CheckInVenueOut


class CheckInEventIn(Schema):
    client_event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    qr_text: str = Field(max_length=1000, description="Text of the citizen's personal QR")
    at: dt.datetime = Field(description="When it was scanned; without an offset, Vietnam time")


class CheckInBulkIn(Schema):
    venue_code: str = Field(pattern=VENUE_CODE)
    events: list[CheckInEventIn] = Field(max_length=services.MAX_BATCH)


class CheckInEventOut(Schema):
    client_event_id: str
    result: str = Field(description="stored, duplicate or rejected")
    reason: str
    message: str


class CheckInBulkOut(Schema):
    stored: int
    duplicates: int
    rejected: int
    results: list[CheckInEventOut]


@router.post("/venues", response={201: VenueOut})
def venue_register(request: HttpRequest, payload: VenueRegisterIn):
    """Register a venue you run; its poster QR comes with it."""
    venue = services.venue_register(operator=request.user, **payload.dict())
    return Status(201, venue)


@router.get("/venues", response=list[VenueOut])
@paginate(LimitOffset, max_limit=200)
def venue_list(request: HttpRequest):
    """The venues you run."""
    return selectors.my_venues(operator=request.user)


@router.post("/venues/{code}/reissue", response=VenueOut)
def venue_reissue(request: HttpRequest, code: str = Path(..., pattern=VENUE_CODE)):
    """A new poster QR: every poster printed before is refused from now on."""
    return services.venue_qr_reissue(operator=request.user, venue_code=code)


@router.post("/venues/{code}/deactivate", response=VenueOut)
def venue_deactivate(request: HttpRequest, code: str = Path(..., pattern=VENUE_CODE)):
    """Close the venue for check-in."""
    return services.venue_deactivate(operator=request.user, venue_code=code)


@router.get("/venues/{code}/counts", response=VenueCountsOut)
def venue_counts(
    request: HttpRequest, query: Query[VenueCountsQuery], code: str = Path(..., pattern=VENUE_CODE)
):
    """Check-ins per day at your venue (counts only; 1-4 are shown as null)."""
    venue = selectors.venue_of_operator(operator=request.user, venue_code=code)
    counts = selectors.venue_counts(operator=request.user, venue_code=code, days=query.days)
    return {"code": venue.code, "name": venue.name, "days": counts}


@router.post("/checkin", response={201: CheckInCreateOut})
def checkin_create(request: HttpRequest, payload: CheckInCreateIn):
    """Check in at the venue whose poster you scanned, for yourself and household members with you."""
    checkins = services.checkin_by_citizen(
        user=request.user, venue_text=payload.venue_text, members=payload.members
    )
    return Status(
        201,
        {
            "venue": checkins[0].venue,
            "at": checkins[0].at,
            "people": [{"qid": c.person.qid, "full_name": c.person.full_name} for c in checkins],
        },
    )


@router.get("/mine", response=list[CheckInMineOut])
@paginate(LimitOffset, max_limit=200)
def checkin_mine(request: HttpRequest):
    """Your check-ins, newest first (they are deleted after the retention period)."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound(_("Your account is not linked to a person yet: link it with your ID number."))
    return selectors.my_checkins(person=person)


@router.post("/bulk", response=CheckInBulkOut)
def checkin_bulk(request: HttpRequest, payload: CheckInBulkIn):
    """A venue scanner's batch (at most 1,000 events, each with its own id: resending changes nothing)."""
    report = services.checkins_bulk_ingest(
        recorded_by=request.user,
        venue_code=payload.venue_code,
        events=[event.dict() for event in payload.events],
    )
    return {
        "stored": report.stored,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "results": report.results,
    }
