"""`pccovid geo load FILE`: a good file, bad geometry, unknown codes, idempotent re-loads, exit codes."""

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from pccovid import cli
from pccovid.maps import services
from pccovid.maps.models import Boundary

SQUARE = [[[106.70, 10.77], [106.71, 10.77], [106.71, 10.78], [106.70, 10.78], [106.70, 10.77]]]


@pytest.fixture
def pccovid(monkeypatch):
    """Run the console script in-process. Django closes every connection after a command run from the
    command line, which would end the test's transaction on PostgreSQL: not here."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    return cli.main


def feature(code, geometry=None, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, **properties},
        "geometry": geometry or {"type": "Polygon", "coordinates": SQUARE},
    }


def write(tmp_path, *features, name="wards.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}), encoding="utf-8")
    return path


def test_a_good_file_loads_one_boundary_per_unit(tree, tmp_path, capsys):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]}
    path = write(tmp_path, feature("26743"), feature("26740", multi), feature(79))
    call_command("geo_load", str(path))
    assert "3 boundaries loaded (0 replaced), 0 features skipped" in capsys.readouterr().out
    shapes = {b.unit.code: b for b in Boundary.objects.select_related("unit")}
    assert set(shapes) == {"26743", "26740", "79"}
    assert shapes["26740"].geometry == multi
    assert shapes["26743"].source == "wards.geojson"
    assert not shapes["26743"].illustrative


def test_reloading_replaces_and_changes_nothing_else(tree, tmp_path):
    path = write(tmp_path, feature("26743"))
    services.boundaries_load(path=path)
    moved = [[[106.8, 10.8], [106.9, 10.8], [106.9, 10.9], [106.8, 10.8]]]
    again = services.boundaries_load(
        path=write(tmp_path, feature("26743", {"type": "Polygon", "coordinates": moved}), name="new.geojson"),
        illustrative=True,
    )
    assert (again.loaded, again.replaced) == (1, 1)
    boundary = Boundary.objects.get()
    assert boundary.geometry["coordinates"] == moved
    assert boundary.illustrative and boundary.source == "new.geojson"


def test_same_file_twice_gives_the_same_rows(tree, tmp_path):
    path = write(tmp_path, feature("26743"), feature("26740"))
    services.boundaries_load(path=path)
    first = list(Boundary.objects.values_list("unit__code", "geometry"))
    services.boundaries_load(path=path)
    assert sorted(Boundary.objects.values_list("unit__code", "geometry")) == sorted(first)


@pytest.mark.parametrize(
    ("geometry", "says"),
    [
        ({"type": "Point", "coordinates": [106.7, 10.77]}, "geometry type Point"),
        (None, "geometry type NoneType"),
        (
            {"type": "Polygon", "coordinates": [[[106.7, 10.77], [106.8, 10.77], [106.7, 10.77]]]},
            "4 positions",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[106.7, 10.7], [106.8, 10.7], [106.8, 10.8], [106.7, 10.8]]],
            },
            "not closed",
        ),
        (
            {"type": "Polygon", "coordinates": [[[10.77, 186.7], [0, 0], [1, 1], [10.77, 186.7]]]},
            "out of range",
        ),
        (
            {"type": "Polygon", "coordinates": [[["a", 1], [0, 0], [1, 1], ["a", 1]]]},
            "not [longitude, latitude]",
        ),
        ({"type": "MultiPolygon", "coordinates": []}, "list of polygons"),
    ],
)
def test_bad_geometry_is_reported_and_skipped(tree, tmp_path, geometry, says):
    bad = feature("26740")
    bad["geometry"] = geometry
    report = services.boundaries_load(path=write(tmp_path, feature("26743"), bad))
    assert report.loaded == 1
    [problem] = report.problems
    assert (problem.feature, problem.code) == (2, "26740")
    assert says in problem.message


def test_unknown_codes_and_duplicates_are_reported_one_line_each(tree, tmp_path, pccovid):
    path = write(
        tmp_path,
        feature("26743"),
        feature("99999"),
        feature("26743"),
        {"type": "Feature", "properties": {}, "geometry": None},
        feature("26740", edition="2021"),
    )
    # 26743 loads: the problems alone do not fail the run.
    assert pccovid(["geo", "load", str(path), "--no-progress"]) == 0
    report = services.boundaries_load(path=path)
    assert [str(p) for p in report.problems] == [
        "feature 3 (26743): the code appears again (first in feature 1); this one is skipped",
        "feature 4 (?): no properties.code (the unit's code)",
        "feature 2 (99999): no unit with this code in the 2025 edition",
        "feature 5 (26740): no unit with this code in the 2021 edition",
    ]


def test_nothing_loaded_exits_non_zero_with_every_problem(tree, tmp_path, capsys, pccovid):
    path = write(tmp_path, feature("99999"), feature("88888"))
    with pytest.raises(SystemExit) as exit_:
        pccovid(["geo", "load", str(path), "--no-progress"])
    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert "feature 1 (99999): no unit with this code in the 2025 edition" in err
    assert "feature 2 (88888)" in err
    assert "0 boundaries loaded" in err
    assert not Boundary.objects.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "is not JSON (line 1, column 2"),
        ('{"type": "Feature"}', "is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection"}', 'has no "features" list'),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_one_clear_error(tree, tmp_path, text, says):
    path = tmp_path / "bad.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(says)):
        call_command("geo_load", str(path))


def test_a_missing_file_and_an_unknown_edition_are_refused(tree, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("geo_load", str(tmp_path / "absent.geojson"))
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("geo_load", str(write(tmp_path, feature("26743"))), "--edition", "1999")


def test_the_edition_option_selects_the_tree(tree, tmp_path):
    from pccovid.testkit import make_unit

    make_unit("26743", "Phường Bến Thành (2021)", "commune", edition="2021")
    call_command("geo_load", str(write(tmp_path, feature("26743"))), "--edition", "2021")
    assert Boundary.objects.get().unit.edition == "2021"
