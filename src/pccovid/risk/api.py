"""Epidemic levels over HTTP. Officials: the levels of the units below theirs on a day, one unit's level
with its figures and "why", its history, the households at risk of a commune or group (audited), capacity
entries, the province's adjustments, care needs. Everyone: the public levels of a unit's children, counts
under 5 suppressed."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.api_fields import PRINTABLE_PATTERN, AssignmentQuery, IsoDate
from pccovid.risk import selectors, services
from pccovid.risk.models import CareNeedKind

router = Router(tags=["Risk levels"])

UNIT_CODE = r"^[0-9A-Za-z.]{1,20}$"
QID = r"^[0-9A-Z]{6,32}$"
PURPOSE = Purpose.EPIDEMIC_CONTROL


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


class UnitLevelOut(Schema):
    unit_code: str
    unit_name: str
    unit_level: str = Field(description="province, district, commune or group")
    on: dt.date
    level: int = Field(description="1 green, 2 yellow, 3 orange, 4 red; 0 not computed for this day")
    level_name: str
    colour: str
    figures: dict[str, Any] = Field(description="What the level was decided from (see docs/risk.md)")
    reason: str
    rules_version: str


class LevelsQuery(AssignmentQuery):
    unit: str | None = Field(None, pattern=UNIT_CODE, description="A unit inside yours; yours if omitted.")
    on: IsoDate | None = Field(None, description="The local day (YYYY-MM-DD); today if omitted.")


class DayQuery(AssignmentQuery):
    on: IsoDate | None = Field(None, description="The local day (YYYY-MM-DD); today if omitted.")


class HistoryQuery(AssignmentQuery):
    end: IsoDate | None = Field(None, description="The last day; today if omitted.")
    days: int = Field(14, ge=1, le=90)


class PublicQuery(Schema):
    unit: str = Field(pattern=UNIT_CODE, description="A unit of the current (2025) map.")
    on: IsoDate | None = None


class CapacityIn(Schema):
    unit: str | None = Field(None, pattern=UNIT_CODE, description="A unit inside yours; yours if omitted.")
    beds: int = Field(ge=0, le=1_000_000)
    icu_beds: int = Field(ge=0, le=1_000_000)
    home_care_teams: int = Field(ge=0, le=1_000_000)
    enough: bool = Field(description="Enough for the unit's cases at its level (criterion 3).")
    note: str = Field("", max_length=200, pattern=PRINTABLE_PATTERN)


class CapacityOut(Schema):
    unit_code: str
    beds: int
    icu_beds: int
    home_care_teams: int
    enough: bool
    note: str
    entered_at: dt.datetime


class AdjustmentIn(Schema):
    values: dict[str, Any] = Field(
        description="Only what changes: case_bands [3 numbers], coverage {older_age, older_threshold, "
        "adult_age, adult_threshold}, matrix {band: {high, low}}, green_zone_days."
    )
    reason: str = Field(min_length=1, max_length=1000, pattern=PRINTABLE_PATTERN)
    effective_from: IsoDate


class AdjustmentOut(Schema):
    id: int
    province_code: str
    values: dict[str, Any]
    reason: str
    effective_from: dt.date
    set_by: str
    set_at: dt.datetime


class HouseholdsQuery(AssignmentQuery):
    unit: str = Field(pattern=UNIT_CODE, description="A residential group or commune inside yours.")


class MemberOut(Schema):
    qid: str
    full_name: str
    age: int
    flags: list[str]


class HouseholdOut(Schema):
    household_code: str
    address_line: str
    unit_code: str
    unit_name: str
    risk_class: str
    class_label: str
    reasons: list[str]
    members: list[MemberOut]


class CareNeedIn(Schema):
    person_qid: str = Field(pattern=QID)
    kind: CareNeedKind
    note: str = Field("", max_length=200, pattern=PRINTABLE_PATTERN)


class CareNeedOut(Schema):
    person_qid: str
    kind: str
    noted_at: dt.datetime


@router.get("/levels", response=list[UnitLevelOut])
def levels(request: HttpRequest, query: Query[LevelsQuery]):
    """Officials ("risk.view"): the units directly below yours (or below `unit`) with their level on the
    day, figures and why. Aggregates: nothing is audited."""
    return selectors.unit_levels(
        assignment=_assignment(request, query.assignment), unit_code=query.unit, on=query.on or clock.today()
    )


@router.get("/levels/{code}", response=UnitLevelOut)
def level(request: HttpRequest, code: str, query: Query[DayQuery]):
    """Officials: one unit inside yours, its level on the day and why (404 outside your reach)."""
    return selectors.unit_level(
        assignment=_assignment(request, query.assignment), unit_code=code, on=query.on or clock.today()
    )


@router.get("/levels/{code}/history", response=list[UnitLevelOut])
def history(request: HttpRequest, code: str, query: Query[HistoryQuery]):
    """Officials: the unit's level on each day up to `end`, oldest first (level 0: not computed)."""
    return selectors.unit_history(
        assignment=_assignment(request, query.assignment),
        unit_code=code,
        end=query.end or clock.today(),
        days=query.days,
    )


@router.get("/public/levels", response=list[UnitLevelOut], auth=None)
def public_levels(request: HttpRequest, query: Query[PublicQuery]):
    """Everyone: the units below a unit of the current map with their levels; counts under 5 are null."""
    return selectors.public_unit_levels(unit_code=query.unit, on=query.on or clock.today())


@router.get("/households", response=list[HouseholdOut])
def households(request: HttpRequest, query: Query[HouseholdsQuery]):
    """Officials ("risk.households"): the households of a group or commune with a risk class, highest
    first; each member listed is recorded in their audit trail."""
    return selectors.households_at_risk(
        assignment=_assignment(request, query.assignment), unit_code=query.unit, purpose=PURPOSE
    )


@router.post("/capacity", response={201: CapacityOut})
def capacity_enter(request: HttpRequest, payload: CapacityIn, query: Query[AssignmentQuery]):
    """Officials ("risk.capacity"): declare the unit's treatment capacity; today's levels on its path are
    recomputed."""
    data = payload.dict()
    entry = services.capacity_enter(
        assignment=_assignment(request, query.assignment), unit_code=data.pop("unit"), **data
    )
    names = ("beds", "icu_beds", "home_care_teams", "enough", "note", "entered_at")
    return Status(201, {"unit_code": entry.unit.code, **{name: getattr(entry, name) for name in names}})


def adjustment_out(row) -> dict:
    return {
        "id": row.pk,
        "province_code": row.province.code,
        "values": row.values,
        "reason": row.reason,
        "effective_from": row.effective_from,
        "set_by": row.set_by.username,
        "set_at": row.set_at,
    }


@router.get("/adjustments", response=list[AdjustmentOut])
def adjustments(request: HttpRequest, query: Query[AssignmentQuery]):
    """Officials: your province's adjustments of the thresholds, newest first."""
    rows = selectors.adjustments_of(assignment=_assignment(request, query.assignment)).select_related(
        "province"
    )
    return [adjustment_out(row) for row in rows]


@router.post("/adjustments", response={201: AdjustmentOut})
def adjustment_set(request: HttpRequest, payload: AdjustmentIn, query: Query[AssignmentQuery]):
    """Province officials ("risk.adjust"): adjust the thresholds from a day on, with a reason (Resolution
    128/NQ-CP). 400 with the field for a value out of shape; 403 for other roles."""
    row = services.adjustment_set(assignment=_assignment(request, query.assignment), **payload.dict())
    return Status(201, adjustment_out(row))


@router.post("/care-needs", response={201: CareNeedOut})
def care_need_note(request: HttpRequest, payload: CareNeedIn, query: Query[AssignmentQuery]):
    """Commune officials: note that a person in reach needs priority care (audited read of the person)."""
    need = services.care_need_note(assignment=_assignment(request, query.assignment), **payload.dict())
    return Status(201, {"person_qid": payload.person_qid, "kind": need.kind, "noted_at": need.noted_at})
