"""The administrative tree over HTTP: public reference data, readable by any signed-in caller."""

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from pccovid.core.api_fields import PRINTABLE_PATTERN
from pccovid.core.pagination import LimitOffset
from pccovid.geography import selectors, services
from pccovid.geography.models import Edition, Level

router = Router(tags=["geography"])

CODE_PATTERN = r"^[0-9A-Za-z.]{1,20}$"


class UnitRefOut(Schema):
    edition: str
    code: str
    name: str
    level: str


class UnitOut(Schema):
    edition: str
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str
    population: int | None
    population_synthetic: bool


class UnitDetailOut(UnitOut):
    ancestors: list[UnitRefOut] = Field(description="The units above it, province first.")
    child_count: int
    current_unit: UnitRefOut | None = Field(
        description="For a 2021 unit, the 2025 unit that covers it now (its province when its ward was "
        "merged under a new name); null for a 2025 unit or when none is known."
    )


class UnitListQuery(Schema):
    edition: Edition = Edition.CURRENT
    level: Level | None = None
    parent: str | None = Field(None, pattern=CODE_PATTERN, description="Code of the parent unit.")
    q: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=PRINTABLE_PATTERN,
        description="Exact code, or part of the name, with or without diacritics.",
    )


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffset, max_limit=500)
def unit_list(request: HttpRequest, filters: Query[UnitListQuery]):
    """Units of one edition in tree order (province, then what lies inside it); at most 500 per page."""
    return selectors.units_list(
        edition=filters.edition, level=filters.level, parent_code=filters.parent, query=filters.q
    )


@router.get("/units/{edition}/{code}", response=UnitDetailOut)
def unit_detail(request: HttpRequest, edition: Edition, code: str = Path(..., pattern=CODE_PATTERN)):
    """One unit with the chain above it, how many units lie directly below it, and its 2025 successor."""
    unit = selectors.unit_get(edition=edition, code=code)
    current = services.unit_succession_current(unit) if unit.edition == Edition.PRE_2025 else None
    return {
        **UnitOut.from_orm(unit).model_dump(),
        "ancestors": list(selectors.unit_ancestors(unit)),
        "child_count": selectors.unit_children(unit).count(),
        "current_unit": current,
    }
