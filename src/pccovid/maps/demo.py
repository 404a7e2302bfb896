"""Illustrative cells for the demo city: a grid of rectangles around Ho Chi Minh City's centre, one per
commune with people (those the demo gave residential groups), each split into sub-cells for its groups.

They are NOT real boundaries, and the map says so ("Illustrative cells, not real boundaries"). They are
written as a GeoJSON file and loaded through the same loader as a ministry's file (`geo load`), so the
demo exercises it.
"""

import json
import math
from pathlib import Path

from django.conf import settings

from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Level
from pccovid.maps import services

CENTRE = (10.77, 106.70)  # latitude, longitude of the city centre (District 1)
CELL = 0.012  # degrees of a commune's cell (about 1.3 km)
GAP = 0.001  # degrees left between two communes' cells, so each outline shows


def demo_cells_build(*, province, path: Path | None = None) -> services.LoadReport:
    """Write the cells of `province`'s communes with people and their residential groups to `path`
    (`VAR_DIR/demo/cells-<code>.geojson` by default) and load them as illustrative boundaries."""
    groups_by_commune: dict[int, list] = {}
    groups = geography_selectors.unit_descendants(province).filter(level=Level.RESIDENTIAL_GROUP)
    for group in groups.order_by("path"):
        groups_by_commune.setdefault(group.parent_id, []).append(group)
    communes = [
        commune
        for commune in geography_selectors.unit_descendants(province).filter(level=Level.COMMUNE)
        if commune.pk in groups_by_commune
    ]
    features = []
    for index, commune in enumerate(communes):
        south, west = _cell_corner(index, len(communes))
        features.append(_feature(commune, south, west, CELL - GAP, CELL - GAP))
        features.extend(_group_features(groups_by_commune[commune.pk], south, west))
    path = Path(path or settings.VAR_DIR / "demo" / f"cells-{province.code}.geojson")
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return services.boundaries_load(path=path, edition=province.edition, illustrative=True)


def _cell_corner(index: int, count: int) -> tuple[float, float]:
    """South-west corner of cell `index` in a square grid centred on the city, filled row by row from
    the north-west."""
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    row, column = divmod(index, columns)
    north = CENTRE[0] + rows * CELL / 2
    west = CENTRE[1] - columns * CELL / 2
    return north - (row + 1) * CELL, west + column * CELL


def _group_features(groups: list, south: float, west: float) -> list[dict]:
    """The commune's cell cut into a square grid, one sub-cell per residential group."""
    side = math.ceil(math.sqrt(len(groups)))
    step = (CELL - GAP) / side
    top = south + CELL - GAP
    features = []
    for index, group in enumerate(groups):
        row, column = divmod(index, side)
        features.append(_feature(group, top - (row + 1) * step, west + column * step, step, step))
    return features


def _feature(unit, south: float, west: float, height: float, width: float) -> dict:
    north, east = south + height, west + width
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"code": unit.code, "name": unit.name, "edition": unit.edition, "illustrative": True},
        "geometry": {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]},
    }
