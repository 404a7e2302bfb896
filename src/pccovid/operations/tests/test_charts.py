"""The server-drawn SVG charts: the series is in the drawing, it is named and described, an empty range
draws an empty state."""

import datetime as dt
import xml.etree.ElementTree as ET

from pccovid.operations import charts
from pccovid.operations.selectors import DayTests

SVG = "{http://www.w3.org/2000/svg}"


def _days() -> list[DayTests]:
    return [
        DayTests(dt.date(2021, 12, 18), 4, 1),
        DayTests(dt.date(2021, 12, 19), 0, 0),
        DayTests(dt.date(2021, 12, 20), 2, 2),
    ]


def test_tests_chart_draws_each_day_and_the_positivity_line():
    svg = charts.tests_chart(_days(), chart_id="t", title="Tests <per> day")
    root = ET.fromstring(svg)  # well-formed XML: the title's "<" is escaped
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Tests <per> day"
    assert "6 tests and 3 positive from 18/12 to 20/12" in root.find(f"{SVG}desc").text
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("data-day")]
    assert [(b.get("data-day"), b.get("data-tests")) for b in bars] == [
        ("18/12", "4"),
        ("19/12", "0"),
        ("20/12", "2"),
    ]
    assert bars[0].find(f"{SVG}title").text == "18/12: 4 tests, 1 positive (25%)"
    line = next(root.iter(f"{SVG}polyline"))
    assert len(line.get("points").split()) == 2  # no point on a day without tests


def test_an_empty_range_draws_an_empty_state():
    for days in ([], [DayTests(dt.date(2021, 12, 18), 0, 0)]):
        root = ET.fromstring(charts.tests_chart(days, chart_id="e", title="Tests"))
        assert root.find(f"{SVG}text").get("data-empty") == "true"
        assert root.find(f"{SVG}desc").text == "No test results in this range."
    assert "No units to show." in charts.percent_bars([], chart_id="c", title="Coverage")


def test_percent_bars_are_proportional_and_escape_labels():
    svg = charts.percent_bars(
        [("Phường <A>", 50.0), ("B", None), ("C", 100.0)], chart_id="c", title="Coverage"
    )
    root = ET.fromstring(svg)
    widths = {r.get("data-label"): float(r.get("width")) for r in root.iter(f"{SVG}rect")}
    assert widths["B"] == 0 and widths["C"] == 2 * widths["Phường <A>"] > 0
    assert root.find(f"{SVG}desc").text == "Phường <A>: 50%; B: no data; C: 100%"
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
