"""The demo's illustrative cells: a cell per commune with people, sub-cells for its groups, via the loader."""

import json

from pccovid.geography.models import Level
from pccovid.maps import demo
from pccovid.maps.models import Boundary
from pccovid.testkit import make_unit


def _bounds(geometry) -> tuple[float, float, float, float]:
    ring = geometry["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def test_cells_cover_communes_with_groups_and_nest_their_groups(tree, tmp_path):
    for n in (2, 3):
        make_unit(f"26743.00{n}", f"Khu phố {n}", Level.RESIDENTIAL_GROUP, tree["ben_thanh"])
    path = tmp_path / "cells.geojson"
    report = demo.demo_cells_build(province=tree["hcmc"], path=path)

    assert (report.loaded, report.problems) == (4, [])
    written = json.loads(path.read_text(encoding="utf-8"))
    assert all(f["properties"]["illustrative"] for f in written["features"])
    shapes = {b.unit.code: b for b in Boundary.objects.select_related("unit")}
    # Phường Sài Gòn has no residential group (no people in the demo): no cell.
    assert set(shapes) == {"26743", "26743.001", "26743.002", "26743.003"}
    assert all(b.illustrative for b in shapes.values())
    west, south, east, north = _bounds(shapes["26743"].geometry)
    assert 10.7 < south < north < 10.85 and 106.6 < west < east < 106.8
    for code in ("26743.001", "26743.002", "26743.003"):
        g_west, g_south, g_east, g_north = _bounds(shapes[code].geometry)
        assert west <= g_west < g_east <= east and south <= g_south < g_north <= north


def test_cells_do_not_overlap_and_rebuilding_replaces_them(tree, tmp_path):
    make_unit("26740.001", "Khu phố 1", Level.RESIDENTIAL_GROUP, tree["sai_gon"])
    demo.demo_cells_build(province=tree["hcmc"], path=tmp_path / "a.geojson")
    again = demo.demo_cells_build(province=tree["hcmc"], path=tmp_path / "b.geojson")
    assert (again.loaded, again.replaced) == (4, 4)
    a, b = (_bounds(Boundary.objects.get(unit__code=code).geometry) for code in ("26743", "26740"))
    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
