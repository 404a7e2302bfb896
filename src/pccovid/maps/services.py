"""Loading unit boundaries from a GeoJSON file (`pccovid geo load FILE`; the format is in `docs/map.md`).

Each feature of a FeatureCollection carries `properties.code` (the unit's code) and optionally
`properties.edition` ("2021" or "2025"; the command's `--edition` otherwise) and a Polygon or MultiPolygon
geometry in WGS 84 longitude/latitude. A feature that cannot be used (no code, unknown code, bad geometry,
a code seen twice) is reported with its number and skipped; the others load in one transaction, replacing
the unit's earlier boundary, so loading the same file twice changes nothing.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition
from pccovid.maps.models import Boundary

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
EDITIONS = tuple(Edition.values)
BATCH_SIZE = 500


class BoundaryFileError(ApplicationError):
    """The file as a whole cannot be read as a GeoJSON FeatureCollection."""

    code = "boundary_file_invalid"


class GeometryError(ValueError):
    """One feature's geometry is not a valid Polygon or MultiPolygon."""


@dataclass(frozen=True)
class Problem:
    feature: int  # 1-based position in the file's `features`
    code: str
    message: str

    def __str__(self) -> str:
        where = _("feature %(n)d") % {"n": self.feature}
        return f"{where} ({self.code or '?'}): {self.message}"


@dataclass
class LoadReport:
    source: str
    loaded: int = 0
    replaced: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Shape:
    number: int
    code: str
    edition: str
    geometry: dict


@transaction.atomic
def boundaries_load(
    *, path: Path, edition: str = Edition.CURRENT, illustrative: bool = False, progress: bool = False
) -> LoadReport:
    """Load every usable feature of the file at `path`; see the module's docstring for the rules."""
    if edition not in EDITIONS:
        raise BoundaryFileError(
            _("Unknown edition %(edition)s: use 2021 or 2025.") % {"edition": edition}, field="edition"
        )
    features = _features(path)
    report = LoadReport(source=Path(path).name)
    shapes = _shapes(features, edition, report, progress)
    units = _units_by_key(shapes)
    found = []
    for shape in shapes:
        unit = units.get((shape.edition, shape.code))
        if unit is None:
            message = _("no unit with this code in the %(edition)s edition") % {"edition": shape.edition}
            report.problems.append(Problem(shape.number, shape.code, message))
        else:
            found.append((unit, shape))
    _write(found, report, illustrative=illustrative, progress=progress)
    return report


def _features(path: Path) -> list:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BoundaryFileError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BoundaryFileError(
            _("%(path)s is not JSON (line %(line)d, column %(column)d: %(reason)s).")
            % {"path": path, "line": error.lineno, "column": error.colno, "reason": error.msg}
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryFileError(
            _('%(path)s is not a GeoJSON FeatureCollection (its "type" must be "FeatureCollection").')
            % {"path": path}
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise BoundaryFileError(_('%(path)s has no "features" list.') % {"path": path})
    return features


def _shapes(features: list, edition: str, report: LoadReport, progress: bool) -> list[_Shape]:
    """The features that pass every check, first of each code; the others become problems."""
    shapes: dict[tuple[str, str], _Shape] = {}
    with Progress(disable=not progress) as bar:
        task = bar.add_task(_("Checking shapes"), total=len(features))
        for number, feature in enumerate(features, start=1):
            bar.advance(task)
            try:
                shape = _shape(number, feature, edition)
            except GeometryError as error:
                report.problems.append(Problem(number, _code_of(feature), str(error)))
                continue
            key = (shape.edition, shape.code)
            if key in shapes:
                message = _("the code appears again (first in feature %(n)d); this one is skipped") % {
                    "n": shapes[key].number
                }
                report.problems.append(Problem(number, shape.code, message))
                continue
            shapes[key] = shape
    return list(shapes.values())


def _code_of(feature) -> str:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get("code") if isinstance(properties, dict) else None
    return str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else ""


def _shape(number: int, feature, default_edition: str) -> _Shape:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GeometryError(_('not a GeoJSON Feature (its "type" must be "Feature")'))
    code = _code_of(feature)
    if not code:
        raise GeometryError(_("no properties.code (the unit's code)"))
    edition = str(feature["properties"].get("edition") or default_edition)
    if edition not in EDITIONS:
        raise GeometryError(_("edition %(edition)s is neither 2021 nor 2025") % {"edition": edition})
    return _Shape(number=number, code=code, edition=edition, geometry=geometry_clean(feature.get("geometry")))


def geometry_clean(geometry) -> dict:
    """The geometry reduced to its type and coordinates, or GeometryError saying what is wrong with it."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise GeometryError(
            _("geometry type %(kind)s: only Polygon and MultiPolygon are accepted") % {"kind": kind}
        )
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError(_("a MultiPolygon needs a list of polygons"))
    for polygon in polygons:
        _check_polygon(polygon)
    return {"type": geometry["type"], "coordinates": coordinates}


def _check_polygon(polygon) -> None:
    if not isinstance(polygon, list) or not polygon:
        raise GeometryError(_("a polygon needs a list of rings (the outline first, then any holes)"))
    for ring in polygon:
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeometryError(_("a ring needs at least 4 positions (the first repeated at the end)"))
        for position in ring:
            _check_position(position)
        if ring[0] != ring[-1]:
            raise GeometryError(_("a ring is not closed: its last position must repeat its first"))


def _check_position(position) -> None:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position)
        or not all(math.isfinite(n) for n in position)
    ):
        raise GeometryError(
            _("position %(position)s is not [longitude, latitude]") % {"position": json.dumps(position)[:60]}
        )
    longitude, latitude = position[0], position[1]
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise GeometryError(
            _("position [%(lon)s, %(lat)s] is out of range (longitude -180..180, latitude -90..90)")
            % {"lon": longitude, "lat": latitude}
        )


def _units_by_key(shapes: list[_Shape]) -> dict[tuple[str, str], object]:
    units = {}
    for edition in {shape.edition for shape in shapes}:
        codes = [shape.code for shape in shapes if shape.edition == edition]
        for unit in geography_selectors.units_list(edition=edition).filter(code__in=codes):
            units[(edition, unit.code)] = unit
    return units


def _write(found: list, report: LoadReport, *, illustrative: bool, progress: bool) -> None:
    """Replace the boundaries of the units found, all or nothing."""
    unit_ids = [unit.pk for unit, _shape in found]
    existing = Boundary.objects.filter(unit_id__in=unit_ids)
    report.replaced = existing.count()
    existing.delete()
    now = clock.now()
    rows = [
        Boundary(
            unit=unit, geometry=shape.geometry, source=report.source, illustrative=illustrative, loaded_at=now
        )
        for unit, shape in found
    ]
    with Progress(disable=not progress) as bar:
        task = bar.add_task(_("Saving boundaries"), total=len(rows))
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            Boundary.objects.bulk_create(batch)
            bar.advance(task, len(batch))
    report.loaded = len(rows)
