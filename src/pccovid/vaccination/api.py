"""Vaccinations over HTTP: the products, a health worker's dose records, sites and lots, a citizen's own
record, and coverage for officials. Errors are the shared 4xx JSON (`pccovid.api`)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import PRINTABLE_PATTERN, AssignmentQuery, IsoDate
from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.vaccination import selectors, services
from pccovid.vaccination.models import Dose

router = Router(tags=["vaccination"])

CODE_PATTERN = r"^[0-9A-Za-z./_-]{1,40}$"


class ProductListOut(Schema):
    code: str
    name: str
    mah: str
    prophylaxis: str
    doses_in_primary_series: int
    min_interval_days: int
    in_dcc_valueset: bool


class DoseRecordIn(Schema):
    person_qid: str = Field(pattern=r"^[0-9A-Za-z]{1,12}$", description="The person's qid (from their QR).")
    product_code: str = Field(pattern=CODE_PATTERN, description="EU DCC product code, e.g. EU/1/20/1528.")
    lot_number: str = Field(min_length=1, max_length=40, pattern=PRINTABLE_PATTERN)
    dose_number: int = Field(ge=1, le=10)
    given_on: IsoDate
    site_code: str = Field(min_length=1, max_length=30, pattern=PRINTABLE_PATTERN)


class DoseOut(Schema):
    id: int
    dose_number: int
    given_on: dt.date
    product_code: str
    product_name: str
    lot_number: str
    site_code: str
    site_name: str
    source: str


class DoseRecordOut(DoseOut):
    person_qid: str
    primary_series_complete: bool


class DoseMineOut(Schema):
    doses: list[DoseOut]
    first_dose_on: dt.date | None
    last_dose_on: dt.date | None
    primary_series_complete: bool


class SiteCreateIn(Schema):
    code: str = Field(min_length=1, max_length=30, pattern=PRINTABLE_PATTERN)
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE_PATTERN)
    unit_code: str = Field(pattern=r"^[0-9A-Za-z.]{1,20}$", description="Commune code (2025 edition).")


class SiteCreateOut(Schema):
    code: str
    name: str
    unit_code: str


class LotCreateIn(Schema):
    product_code: str = Field(pattern=CODE_PATTERN)
    number: str = Field(min_length=1, max_length=40, pattern=PRINTABLE_PATTERN)
    expiry_date: IsoDate


class LotCreateOut(Schema):
    product_code: str
    number: str
    expiry_date: dt.date


class CoverageQuery(AssignmentQuery):
    unit: str | None = Field(
        None, pattern=r"^[0-9A-Za-z.]{1,20}$", description="Unit whose children are shown; yours if omitted."
    )
    on: IsoDate | None = Field(None, description="Count doses given up to this day (default today).")


class CoverageRowOut(Schema):
    unit_code: str
    unit_name: str
    age_band: str
    population: int
    first_dose: int
    full_series: int
    booster: int
    first_dose_percent: float | None
    full_series_percent: float | None
    booster_percent: float | None


def dose_out(dose: Dose) -> dict:
    return {
        "id": dose.pk,
        "dose_number": dose.dose_number,
        "given_on": dose.given_on,
        "product_code": dose.product.code,
        "product_name": dose.product.name,
        "lot_number": dose.lot.number if dose.lot else "",
        "site_code": dose.site.code if dose.site else "",
        "site_name": dose.site.name if dose.site else "",
        "source": dose.source,
    }


@router.get("/products", response=list[ProductListOut], auth=None)
def product_list(request: HttpRequest):
    """The vaccines the platform records, with their EU DCC codes and primary series (public)."""
    return list(selectors.products_list())


@router.post("/doses", response={201: DoseRecordOut})
def dose_record(request: HttpRequest, payload: DoseRecordIn, query: Query[AssignmentQuery]):
    """Health workers (and commune/province health officials): record a dose given at a site in your
    jurisdiction. The person's read is audited; the site's commune gets access to them for 7 days."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    dose = services.dose_record(assignment=assignment, **payload.dict())
    facts = selectors.vaccination_facts(person=dose.person)
    return Status(
        201,
        {
            **dose_out(dose),
            "person_qid": dose.person.qid,
            "primary_series_complete": facts["primary_series_complete"],
        },
    )


@router.get("/me", response=DoseMineOut)
def dose_mine(request: HttpRequest):
    """Citizens: your own vaccination record, updated the moment a dose is recorded."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    facts = selectors.vaccination_facts(person=person)
    return {
        "doses": [dose_out(d) for d in selectors.doses_of(person=person)],
        "first_dose_on": facts["first_dose_on"],
        "last_dose_on": facts["last_dose_on"],
        "primary_series_complete": facts["primary_series_complete"],
    }


@router.get("/coverage", response=list[CoverageRowOut])
def coverage(request: HttpRequest, query: Query[CoverageQuery]):
    """Officials: first dose, full series and booster counts per child unit and age band (aggregates)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    rows = selectors.coverage(assignment=assignment, unit_code=query.unit, on=query.on)
    return [
        {
            **row.__dict__,
            "first_dose_percent": row.first_dose_percent,
            "full_series_percent": row.full_series_percent,
            "booster_percent": row.booster_percent,
        }
        for row in rows
    ]


@router.post("/sites", response={201: SiteCreateOut})
def site_create(request: HttpRequest, payload: SiteCreateIn, query: Query[AssignmentQuery]):
    """Commune and province health officials: add a vaccination site in a commune of your jurisdiction."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    site = services.site_create(assignment=assignment, **payload.dict())
    return Status(201, {"code": site.code, "name": site.name, "unit_code": site.unit.code})


@router.post("/lots", response={201: LotCreateOut})
def lot_create(request: HttpRequest, payload: LotCreateIn, query: Query[AssignmentQuery]):
    """Health workers and health officials: add a vaccine lot with its expiry date."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    lot = services.lot_create(assignment=assignment, **payload.dict())
    return Status(
        201, {"product_code": lot.product.code, "number": lot.number, "expiry_date": lot.expiry_date}
    )
