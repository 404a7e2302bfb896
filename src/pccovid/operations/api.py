"""The city operations module over HTTP (thin): the dashboard's panels and the data-quality panel as JSON
(`operations.view`), and the exports of cleaned records, FHIR or CSV, streamed (`operations.export`)."""

import datetime as dt

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import AssignmentQuery, IsoDate
from pccovid.operations import selectors, services
from pccovid.vaccination.api import CoverageRowOut

router = Router(tags=["City operations"])

UNIT_CODE = r"^[0-9A-Za-z.]{1,20}$"


class UnitQuery(AssignmentQuery):
    unit: str | None = Field(
        None, pattern=UNIT_CODE, description="A unit inside yours (default: your own unit)."
    )


class DashboardQuery(UnitQuery):
    start: IsoDate | None = Field(None, description="First day (YYYY-MM-DD); default: `days` before `end`.")
    end: IsoDate | None = Field(None, description="Last day (YYYY-MM-DD); default today.")
    days: int | None = Field(None, ge=1, le=selectors.MAX_RANGE_DAYS, description="Length when no start.")


class UnitOut(Schema):
    code: str
    name: str
    level: str


class CoverageOut(Schema):
    source: str
    on: dt.date
    rows: list[CoverageRowOut]


class DayTestsOut(Schema):
    day: dt.date
    tests: int
    positive: int
    positivity: float | None


class TestsOut(Schema):
    source: str
    start: dt.date
    end: dt.date
    tests: int
    positive: int
    days: list[DayTestsOut]


class CasesRowOut(Schema):
    code: str = Field(description='"" for the total.')
    name: str
    home: int
    facility: int
    hospital: int


class CasesOut(Schema):
    source: str
    on: dt.date
    rows: list[CasesRowOut]


class QuarantineRowOut(Schema):
    code: str = Field(description='"" for the total.')
    name: str
    in_quarantine: int
    in_isolation: int


class FacilityOut(Schema):
    code: str
    name: str
    kind: str
    unit_name: str
    capacity: int
    quarantine: int
    isolation: int
    occupied: int
    percent: float | None


class QuarantineOut(Schema):
    source: str
    on: dt.date
    rows: list[QuarantineRowOut]
    facilities: list[FacilityOut]


class LevelChangeOut(Schema):
    unit_code: str
    unit_name: str
    unit_level: str
    on: dt.date
    old_level: int
    new_level: int


class LevelChangesOut(Schema):
    source: str
    start: dt.date
    end: dt.date
    rows: list[LevelChangeOut]


class DashboardOut(Schema):
    unit: UnitOut
    start: dt.date
    end: dt.date
    coverage: CoverageOut
    tests: TestsOut
    cases: CasesOut
    quarantine: QuarantineOut
    level_changes: LevelChangesOut


class SourceQualityOut(Schema):
    source: str
    name: str
    runs: int
    rows_read: int
    rejected: int
    staged: int
    unlinked: int
    unplaced_unlinked: int
    review: int
    not_mine_open: int


class SiteQualityOut(Schema):
    site_code: str
    site_name: str
    dose_missing_open: int


class QualityOut(Schema):
    unit: UnitOut
    source: str
    unplaced_shown: bool = Field(description="Staged records without a place are counted (provinces).")
    sources: list[SourceQualityOut]
    sites: list[SiteQualityOut]


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


def _unit_out(unit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level}


def _rows(rows: list[selectors.UnitCounts]) -> list[dict]:
    return [{"code": row.code, "name": row.name, **row.counts} for row in rows]


def dashboard_out(board: selectors.Dashboard) -> dict:
    chosen, sources = board.range, selectors.SOURCES
    total = board.tests_total
    return {
        "unit": _unit_out(board.unit),
        "start": chosen.start,
        "end": chosen.end,
        "coverage": {"source": str(sources["coverage"]), "on": chosen.end, "rows": board.coverage},
        "tests": {
            "source": str(sources["tests"]),
            "start": chosen.start,
            "end": chosen.end,
            "tests": total.tests,
            "positive": total.positive,
            "days": board.tests,
        },
        "cases": {"source": str(sources["cases"]), "on": chosen.end, "rows": _rows(board.cases)},
        "quarantine": {
            "source": str(sources["quarantine"]),
            "on": chosen.end,
            "rows": _rows(board.quarantine),
            "facilities": board.facilities,
        },
        "level_changes": {
            "source": str(sources["levels"]),
            "start": chosen.start,
            "end": chosen.end,
            "rows": board.level_changes,
        },
    }


@router.get("/dashboard", response=DashboardOut)
def dashboard(request: HttpRequest, query: Query[DashboardQuery]):
    """Province officials, data engineers, commune officials (their commune): the city dashboard's panels
    for a unit in your jurisdiction over a range of at most 366 days (default: the last 14 days)."""
    assignment = _assignment(request, query.assignment)
    chosen = selectors.date_range(start=query.start, end=query.end, days=query.days)
    return dashboard_out(selectors.dashboard(assignment=assignment, unit_code=query.unit, chosen=chosen))


@router.get("/quality", response=QualityOut)
def quality(request: HttpRequest, query: Query[UnitQuery]):
    """The data-quality panel: per legacy source, rows rejected at import, staged records not linked to
    the register, review pairs waiting, open "not mine" requests; per vaccination site, open "a dose is
    missing" requests. Counts only."""
    found = selectors.quality(assignment=_assignment(request, query.assignment), unit_code=query.unit)
    return {
        "unit": _unit_out(found.unit),
        "source": str(selectors.SOURCES["quality"]),
        "unplaced_shown": found.unplaced_shown,
        "sources": found.sources,
        "sites": [{"site_code": c, "site_name": n, "dose_missing_open": k} for c, n, k in found.sites],
    }


def export_response(export: services.Export) -> StreamingHttpResponse:
    """The export streamed as an attachment (also the web page's answer)."""
    response = StreamingHttpResponse(export.pieces, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _export(request: HttpRequest, query: UnitQuery, fmt: str) -> StreamingHttpResponse:
    assignment = _assignment(request, query.assignment)
    return export_response(services.records_export(assignment=assignment, unit_code=query.unit, fmt=fmt))


@router.get("/export/fhir", response={200: None})
def export_fhir(request: HttpRequest, query: Query[UnitQuery]):
    """Province officials and data engineers: the cleaned records of the people living in a unit of your
    jurisdiction (with a dose or a test), as one FHIR R4 `collection` Bundle (Patient, Immunization,
    Observation), streamed. Every person exported is recorded in their audit trail."""
    return _export(request, query, "fhir")


@router.get("/export/csv", response={200: None})
def export_csv(request: HttpRequest, query: Query[UnitQuery]):
    """As `/export/fhir`, as CSV (UTF-8): one row per dose and per test result, the person's columns
    repeated. Every person exported is recorded in their audit trail."""
    return _export(request, query, "csv")
