"""The map over HTTP, as GeoJSON: officials read the units below one unit of their jurisdiction with their
levels and figures; anyone reads the public map (levels and counts only, counts under 5 suppressed)."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core import clock
from pccovid.core.api_fields import AssignmentQuery, IsoDate
from pccovid.maps import selectors

router = Router(tags=["Map"])

UNIT_CODE = r"^[0-9A-Za-z.]{1,20}$"


class MapQuery(AssignmentQuery):
    unit: str | None = Field(
        None, pattern=UNIT_CODE, description="The unit whose children are drawn; your own unit if omitted."
    )
    date: IsoDate | None = Field(None, description="The day (YYYY-MM-DD); today if omitted.")


class PublicMapQuery(Schema):
    unit: str = Field(
        pattern=UNIT_CODE,
        description="A province or district (its units below), or a commune (it and its neighbours).",
    )
    date: IsoDate | None = Field(None, description="The day (YYYY-MM-DD); today if omitted.")


class MapGeometryOut(Schema):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="GeoJSON positions, [longitude, latitude].")


class MapPublicUnitOut(Schema):
    code: str
    name: str
    unit_level: str
    level: int | None = Field(description="1 green, 2 yellow, 3 orange, 4 red; null when not computed.")
    level_name: str
    colour: str = Field(description="green, yellow, orange, red, or grey (not computed).")
    figures: dict[str, Any] = Field(description="Counts and rates; a suppressed count is null.")
    suppressed: list[str] = Field(description="Figures not shown because they were under 5.")
    illustrative: bool = Field(description="The shape is an illustration, not the real boundary.")
    selected: bool = Field(description="The commune asked for (its neighbours are false).")


class MapUnitOut(MapPublicUnitOut):
    reason: str = Field(description="Why the unit has its level: the figures and the rule that applied.")
    rules_version: str
    has_children: bool = Field(description="Units below it can be drawn (drill down with unit=code).")


class MapFeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: MapGeometryOut | None = Field(description="null when no boundary was loaded for the unit.")
    properties: MapUnitOut


class MapPublicFeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: MapGeometryOut | None
    properties: MapPublicUnitOut


class MapOut(Schema):
    type: Literal["FeatureCollection"]
    unit: str = Field(description="The code of the unit whose children these are.")
    unit_name: str
    date: dt.date
    illustrative: bool = Field(description="Some shapes are illustrations, not real boundaries.")
    features: list[MapFeatureOut]


class MapPublicOut(MapOut):
    features: list[MapPublicFeatureOut]


def _collection(view: selectors.MapView) -> dict:
    return {
        **view.feature_collection,
        "unit": view.unit.code,
        "unit_name": view.unit.name,
        "date": view.on,
        "illustrative": view.illustrative,
    }


@router.get("/units", response=MapOut)
def map_units(request: HttpRequest, query: Query[MapQuery]):
    """Officials with `risk.view`: the units directly below `unit` (inside your jurisdiction; 404 outside)
    as a GeoJSON FeatureCollection coloured by their level of the day, with figures and the reason.
    Aggregates only: nothing is audited."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    view = selectors.official_map(assignment=assignment, unit_code=query.unit, on=query.date or clock.today())
    return _collection(view)


@router.get("/public", response=MapPublicOut, auth=None)
def map_public(request: HttpRequest, query: Query[PublicMapQuery]):
    """Anyone: the public map (provinces, districts, communes; never residential groups or households):
    levels and counts only; a count under 5 is null and listed in `suppressed`."""
    return _collection(selectors.public_map(unit_code=query.unit, on=query.date or clock.today()))
