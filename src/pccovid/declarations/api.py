"""Health declarations over HTTP: citizens declare and list their own; officials list, open, follow up and
export the declarations in their reach (every read audited)."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core.api_fields import PRINTABLE_PATTERN, AssignmentQuery, IsoDate
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.declarations import selectors, services
from pccovid.declarations.exports import declarations_csv
from pccovid.declarations.models import Declaration, FollowUp, Kind, TestKind, TestResult, Transport, Vaccine
from pccovid.identity import selectors as identity_selectors

router = Router(tags=["declarations"])

CODE_PATTERN = r"^[0-9A-Za-z.]{1,20}$"


def _text(max_length: int, description: str = "") -> str:
    return Field("", max_length=max_length, pattern=PRINTABLE_PATTERN, description=description)


def _unit_code(description: str) -> str | None:
    return Field(None, pattern=CODE_PATTERN, description=description)


class PersonRefOut(Schema):
    qid: str
    full_name: str


class UnitRefOut(Schema):
    code: str
    name: str
    level: str


class DeclarationCommonIn(Schema):
    person: str | None = Field(
        None, pattern=CODE_PATTERN, description="qid of a household member; yourself when omitted."
    )
    stay_unit: str | None = _unit_code("Commune code (2025 edition); your residence commune when omitted.")
    stay_address: str = Field(max_length=200, pattern=PRINTABLE_PATTERN)
    fever: bool = False
    cough: bool = False
    breathlessness: bool = False
    sore_throat: bool = False
    loss_of_taste_smell: bool = False
    fatigue: bool = False
    contact_with_case: bool = False
    visited_case_place: bool = False
    returned_from_abroad: bool = False


class DeclarationDomesticIn(DeclarationCommonIn):
    travel_from: str | None = _unit_code(
        "Unit code (2025 edition) travelled from; omit all travel fields when you did not travel."
    )
    travel_to: str | None = _unit_code("Unit code (2025 edition) travelled to.")
    transport: Transport | None = None
    vehicle_number: str = _text(20, "Flight number (plane), train number, or licence plate.")
    travel_date: IsoDate | None = None


class DeclarationEntryIn(DeclarationCommonIn):
    passport: str = Field(max_length=20, pattern=PRINTABLE_PATTERN)
    nationality: str = Field(max_length=2, pattern=PRINTABLE_PATTERN, description="ISO 3166 alpha-2.")
    flight_number: str = _text(10, "IATA flight number; or give border_gate.")
    border_gate: str = _text(100)
    arrival_date: IsoDate
    countries_visited: list[str] = Field(
        default_factory=list, max_length=60, description="ISO 3166 alpha-2 codes, last 14 days."
    )
    vaccine_product: Vaccine | None = None
    vaccine_doses: int = Field(0, ge=0, le=5)
    vaccine_last_date: IsoDate | None = None
    test_kind: TestKind | None = None
    test_date: IsoDate | None = None
    test_result: TestResult | None = None


class DeclarationSummaryOut(Schema):
    id: int
    kind: str
    person: PersonRefOut
    declared_at: dt.datetime
    stay_unit: UnitRefOut
    flagged: bool
    follow_up: str


class DeclarationOut(DeclarationSummaryOut):
    declared_by: PersonRefOut
    rules_version: str
    stay_address: str
    travel_from: UnitRefOut | None
    travel_to: UnitRefOut | None
    transport: str
    vehicle_number: str
    travel_date: dt.date | None
    symptoms: list[str]
    exposures: list[str]
    passport: str
    nationality: str
    flight_number: str
    border_gate: str
    arrival_date: dt.date | None
    countries_visited: list[str]
    vaccine_product: str
    vaccine_doses: int
    vaccine_last_date: dt.date | None
    test_kind: str
    test_date: dt.date | None
    test_result: str
    followed_up_at: dt.datetime | None
    follow_up_note: str


class DeclarationListOut(Schema):
    items: list[DeclarationSummaryOut]
    count: int


class DeclarationFollowUpIn(Schema):
    note: str = Field(min_length=1, max_length=2000, pattern=PRINTABLE_PATTERN)


class DeclarationFollowUpOut(Schema):
    id: int
    follow_up: str
    followed_up_at: dt.datetime | None
    followed_up_by: str
    follow_up_note: str


class OfficialQuery(AssignmentQuery):
    purpose: Purpose = Purpose.EPIDEMIC_CONTROL


class DeclarationListQuery(OfficialQuery):
    date_from: IsoDate | None = Field(None, description="First day (local) of declared_at, included.")
    date_to: IsoDate | None = Field(None, description="Last day (local) of declared_at, included.")
    flagged: bool | None = None
    follow_up: FollowUp | None = None
    kind: Kind | None = None
    unit: str | None = _unit_code("Place of stay or residence inside this unit (code).")

    def filters(self) -> dict:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "flagged": self.flagged,
            "follow_up": self.follow_up,
            "kind": self.kind,
            "unit_code": self.unit,
        }


def _own_person(request: HttpRequest):
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    return person


def _declare(request: HttpRequest, payload: DeclarationCommonIn, kind: str) -> Declaration:
    declared_by = _own_person(request)
    person = selectors.declarable_person(declared_by=declared_by, qid=payload.person)
    data = {**payload.dict(exclude={"person"}), "kind": kind}
    return services.declaration_submit(declared_by=declared_by, person=person, data=data)


def declaration_out(declaration: Declaration) -> dict:
    return {name: getattr(declaration, name) for name in DeclarationOut.model_fields}


@router.post("/domestic", response={201: DeclarationOut})
def declaration_domestic_create(request: HttpRequest, payload: DeclarationDomesticIn):
    """Citizens: a domestic health declaration for yourself or a household member (`person`)."""
    return Status(201, declaration_out(_declare(request, payload, Kind.DOMESTIC)))


@router.post("/entry", response={201: DeclarationOut})
def declaration_entry_create(request: HttpRequest, payload: DeclarationEntryIn):
    """Citizens: an entry health declaration for yourself or a household member (`person`)."""
    return Status(201, declaration_out(_declare(request, payload, Kind.ENTRY)))


@router.get("/mine", response=list[DeclarationSummaryOut])
def declaration_mine_list(request: HttpRequest):
    """Citizens: your declarations and those you made for your household, newest first."""
    return selectors.my_declarations(person=_own_person(request))


@router.get("/", response=DeclarationListOut)
def declaration_list(
    request: HttpRequest, query: Query[DeclarationListQuery], page: Query[LimitOffset.Input]
):
    """Officials: declarations in your jurisdiction (residence or place of stay), newest first, at most
    200 per page; each person shown is recorded in their audit trail."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    found = selectors.declarations_list(
        assignment=assignment, purpose=query.purpose, limit=page.limit, offset=page.offset, **query.filters()
    )
    return {"items": found.items, "count": found.count}


@router.get("/export.csv", response={200: None})
def declaration_export(request: HttpRequest, query: Query[DeclarationListQuery]):
    """Officials: the filtered list as CSV (UTF-8); each person in it is recorded in their audit trail."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    found = selectors.declarations_export(assignment=assignment, purpose=query.purpose, **query.filters())
    response = HttpResponse(declarations_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="declarations.csv"'
    return response


@router.get("/{declaration_id}", response=DeclarationOut)
def declaration_detail(request: HttpRequest, declaration_id: int, query: Query[OfficialQuery]):
    """Officials: one declaration (audited). Outside your jurisdiction it does not exist (404)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    return declaration_out(
        selectors.declaration_get(assignment=assignment, declaration_id=declaration_id, purpose=query.purpose)
    )


@router.post("/{declaration_id}/follow-up", response=DeclarationFollowUpOut)
def declaration_follow_up(
    request: HttpRequest, declaration_id: int, payload: DeclarationFollowUpIn, query: Query[AssignmentQuery]
):
    """Commune and province health officials of the place of stay or residence: mark a flagged
    declaration followed up, with a note."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    declaration = services.declaration_follow_up(
        assignment=assignment, declaration_id=declaration_id, note=payload.note
    )
    return {
        "id": declaration.pk,
        "follow_up": declaration.follow_up,
        "followed_up_at": declaration.followed_up_at,
        "followed_up_by": declaration.followed_up_by.username,
        "follow_up_note": declaration.follow_up_note,
    }
