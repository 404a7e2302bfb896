"""Reads of the map: the units below one unit with their boundaries and levels of a day.

Officials (`official_map`, `official_unit`) see units inside their role's unit, with every figure the risk
app computed; a unit outside it is a 404, as if absent. Citizens and anonymous visitors (`public_map`) see
provinces, districts and communes only (never residential groups or households), levels and counts, with
counts under 5 suppressed. Levels come from `risk.selectors`; boundaries are this app's own table.
Households at risk are personal data: they are read through `risk.selectors.households_at_risk`, which
checks `risk.households` and writes the audit rows.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pccovid.core.errors import NotFound
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import AdminUnit, Edition, Level
from pccovid.maps.models import Boundary
from pccovid.risk import selectors as risk_selectors

NOT_COMPUTED = "grey"
COLOURS = ("green", "yellow", "orange", "red")
SUPPRESS_BELOW = 5  # counts under this are not shown outside the officials' console
# What the public map shows of a unit's figures (`risk.selectors.unit_figures` names them): no capacity,
# no contact counts, and the rate goes with the count it is made from.
PUBLIC_COUNTS = ("community_cases_week", "cases_week", "community_cases_green_window")
PUBLIC_FIGURES = (
    "population",
    *PUBLIC_COUNTS,
    "community_per_100k",
    "green_zone",
    "older_coverage",
    "adult_coverage",
)


@dataclass(frozen=True)
class MapUnit:
    """One unit as the map draws it; `level` is None (grey) when no level was computed for the day."""

    code: str
    name: str
    unit_level: str
    level: int | None
    level_name: str
    colour: str
    figures: dict
    reason: str
    rules_version: str
    geometry: dict | None
    illustrative: bool
    has_children: bool
    suppressed: tuple[str, ...] = ()
    selected: bool = False


@dataclass(frozen=True)
class MapView:
    """The units directly below `unit` (or, on the public map, a commune and its neighbours) on `on`."""

    unit: AdminUnit
    on: dt.date
    units: list[MapUnit]
    trail: list[AdminUnit] = field(default_factory=list)  # from the top of the reader's reach to `unit`

    @property
    def illustrative(self) -> bool:
        return any(u.illustrative for u in self.units if u.geometry)

    @property
    def without_boundary(self) -> int:
        return sum(1 for u in self.units if u.geometry is None)

    @property
    def feature_collection(self) -> dict:
        return {"type": "FeatureCollection", "features": [unit_feature(u) for u in self.units]}


def unit_feature(unit: MapUnit) -> dict:
    """A GeoJSON Feature of the unit (geometry null when no boundary was loaded)."""
    properties = {name: getattr(unit, name) for name in MapUnit.__dataclass_fields__ if name != "geometry"}
    properties["suppressed"] = list(unit.suppressed)
    return {"type": "Feature", "id": unit.code, "geometry": unit.geometry, "properties": properties}


# Officials ---------------------------------------------------------------------------------------------


def unit_in_reach(*, assignment, unit_code: str | None) -> AdminUnit:
    """The role's own unit (no code) or a unit inside it (the risk app's rule: a role without `risk.view`,
    or a unit outside the role's unit, is NotFound as if absent)."""
    return risk_selectors.unit_in_reach(assignment=assignment, unit_code=unit_code)


def official_map(*, assignment, unit_code: str | None, on: dt.date) -> MapView:
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    children = list(geography_selectors.unit_children(unit))
    levels = _levels(children, on)
    return MapView(
        unit=unit,
        on=on,
        units=_map_units(children, levels),
        trail=_trail(unit, top=assignment.unit),
    )


def official_unit(*, assignment, unit_code: str, on: dt.date) -> MapUnit:
    """One unit in reach with its level, figures and why (the side panel)."""
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    return _map_units([unit], _levels([unit], on))[0]


def households_at_risk(*, assignment, unit_code: str, purpose: str) -> list:
    """A residential group's households at risk (the risk app checks `risk.households` and audits)."""
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    return risk_selectors.households_at_risk(assignment=assignment, unit_code=unit.code, purpose=purpose)


# Citizens and anonymous visitors -----------------------------------------------------------------------


def public_unit(*, code: str, edition: str = Edition.CURRENT) -> AdminUnit:
    """A province, district or commune by code; a residential group (or anything else) is NotFound."""
    unit = geography_selectors.units_list(edition=edition).filter(code=code).first()
    if unit is None or unit.level == Level.RESIDENTIAL_GROUP:
        raise NotFound(_("No province, district or commune with code %(code)s.") % {"code": code})
    return unit


def public_map(*, unit_code: str, on: dt.date, edition: str = Edition.CURRENT) -> MapView:
    """A province's or district's units below it; for a commune, that commune and its neighbours (the
    communes of its district or province whose cells touch it; all of them when it has no boundary)."""
    unit = public_unit(code=unit_code, edition=edition)
    selected = unit if unit.level == Level.COMMUNE else None
    parent = unit.parent if selected else unit
    children = [u for u in geography_selectors.unit_children(parent) if u.level != Level.RESIDENTIAL_GROUP]
    boundaries = _boundaries(children)
    if selected:
        children = _neighbours(selected, children, boundaries)
    levels = {
        v.unit_code: v
        for v in risk_selectors.public_unit_levels(unit_code=parent.code, on=on, edition=parent.edition)
    }
    units = [
        _public(map_unit, selected=bool(selected and map_unit.code == selected.code))
        for map_unit in _map_units(children, _by_id(children, levels), boundaries=boundaries)
    ]
    units.sort(key=lambda u: not u.selected)
    trail = [*geography_selectors.unit_ancestors(parent), parent]
    return MapView(unit=parent, on=on, units=units, trail=trail)


def public_commune_of(*, unit: AdminUnit | None) -> AdminUnit | None:
    """The commune a residence unit (a commune or a residential group) belongs to."""
    while unit is not None and unit.level == Level.RESIDENTIAL_GROUP:
        unit = unit.parent
    return unit if unit is not None and unit.level == Level.COMMUNE else None


def provinces(*, edition: str = Edition.CURRENT):
    return geography_selectors.units_list(edition=edition, level=Level.PROVINCE)


def communes_of(*, province: AdminUnit):
    return geography_selectors.unit_descendants(province).filter(level=Level.COMMUNE).order_by("name")


def public_figures(figures: dict) -> tuple[dict, tuple[str, ...]]:
    """The figures citizens see (levels and counts only: `PUBLIC_FIGURES`), from the copy the risk app
    already suppressed, suppressed once more here so that no count under 5 can slip through; returns them
    and the names of those not shown."""
    shown = {name: figures[name] for name in PUBLIC_FIGURES if name in figures}
    for name in PUBLIC_COUNTS:
        value = shown.get(name)
        if isinstance(value, int) and value < SUPPRESS_BELOW:
            shown[name] = None
    if shown.get("community_cases_week") is None and "community_per_100k" in shown:
        shown["community_per_100k"] = None
    return shown, tuple(name for name, value in shown.items() if value is None)


# Helpers -------------------------------------------------------------------------------------------------


def _levels(units: list[AdminUnit], on: dt.date) -> dict[int, object]:
    return risk_selectors.levels_by_unit_id(unit_ids=[u.pk for u in units], on=on)


def _by_id(units: list[AdminUnit], by_code: dict[str, object]) -> dict[int, object]:
    return {u.pk: by_code[u.code] for u in units if u.code in by_code}


def _boundaries(units: list[AdminUnit]) -> dict[int, Boundary]:
    return {b.unit_id: b for b in Boundary.objects.filter(unit_id__in=[u.pk for u in units])}


def _with_children(units: list[AdminUnit]) -> set[int]:
    if not units:
        return set()
    below = geography_selectors.units_list(edition=units[0].edition).filter(
        parent_id__in=[u.pk for u in units]
    )
    return set(below.values_list("parent_id", flat=True).distinct())


def _map_units(
    units: list[AdminUnit], levels: dict[int, object], *, boundaries: dict[int, Boundary] | None = None
) -> list[MapUnit]:
    boundaries = _boundaries(units) if boundaries is None else boundaries
    parents = _with_children(units)
    return [
        _map_unit(unit, levels.get(unit.pk), boundaries.get(unit.pk), unit.pk in parents) for unit in units
    ]


def _map_unit(unit: AdminUnit, view, boundary: Boundary | None, has_children: bool) -> MapUnit:
    return MapUnit(
        code=unit.code,
        name=unit.name,
        unit_level=unit.level,
        level=view.level or None if view else None,  # the risk app's 0 is "not computed"
        level_name=view.level_name if view else _("Not computed"),
        colour=view.colour if view else NOT_COMPUTED,
        figures=dict(view.figures) if view else {},
        reason=view.reason if view else "",
        rules_version=view.rules_version if view else "",
        geometry=boundary.geometry if boundary else None,
        illustrative=boundary.illustrative if boundary else False,
        has_children=has_children,
    )


def _public(unit: MapUnit, *, selected: bool) -> MapUnit:
    """The citizens' copy: public figures only, no "why" sentence (it quotes the officials' figures)."""
    figures, suppressed = public_figures(unit.figures)
    changes = {"figures": figures, "suppressed": suppressed, "selected": selected, "reason": ""}
    return MapUnit(**{**unit.__dict__, **changes, "has_children": False})


def _trail(unit: AdminUnit, *, top: AdminUnit) -> list[AdminUnit]:
    """The units from `top` (the official's own) down to `unit`, for the breadcrumb."""
    return [u for u in geography_selectors.unit_ancestors(unit) if u.path.startswith(top.path)] + [unit]


def _bbox(geometry: dict) -> tuple[float, float, float, float]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _neighbours(
    selected: AdminUnit, units: list[AdminUnit], boundaries: dict[int, Boundary]
) -> list[AdminUnit]:
    """`selected` and the units whose boxes meet its box widened by half its size on each side."""
    if selected.pk not in boundaries:
        return units
    west, south, east, north = _bbox(boundaries[selected.pk].geometry)
    dx, dy = (east - west) / 2, (north - south) / 2
    west, south, east, north = west - dx, south - dy, east + dx, north + dy

    def near(unit: AdminUnit) -> bool:
        if unit.pk not in boundaries:
            return False
        w, s, e, n = _bbox(boundaries[unit.pk].geometry)
        return w <= east and e >= west and s <= north and n >= south

    return [u for u in units if u.pk == selected.pk or near(u)]
