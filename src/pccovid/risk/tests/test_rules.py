"""The level matrix, cell by cell, and the pure rules beside it (no database)."""

import pytest

from pccovid.risk import rules

VALUES = rules.LEVEL_RULES.values

# (band, coverage high, capacity met) -> level: Decision 4800 §3 as rules.py reads it.
MATRIX = {
    (1, True, True): 1, (1, False, True): 2, (1, True, False): 2, (1, False, False): 3,
    (2, True, True): 2, (2, False, True): 3, (2, True, False): 3, (2, False, False): 4,
    (3, True, True): 3, (3, False, True): 4, (3, True, False): 4, (3, False, False): 4,
    (4, True, True): 4, (4, False, True): 4, (4, True, False): 4, (4, False, False): 4,
}  # fmt: skip


@pytest.mark.parametrize(("band", "high", "met"), list(MATRIX))
def test_every_cell_of_the_matrix(band, high, met):
    level, cell = rules.level_decide(values=VALUES, band=band, high=high, capacity_met=met, community_week=3)
    assert level == MATRIX[(band, high, met)]
    assert cell.startswith(f"band {band}, coverage {'high' if high else 'low'}")
    assert cell.endswith("capacity met" if met else "capacity not met")


@pytest.mark.parametrize(
    ("per_100k", "band"),
    [(0, 1), (19.9, 1), (20, 2), (49.9, 2), (50, 3), (149.9, 3), (150, 4), (10_000, 4)],
)
def test_case_bands_at_their_edges(per_100k, band):
    assert rules.case_band(per_100k, VALUES["case_bands"]) == band


def test_low_coverage_does_not_raise_a_unit_without_cases():
    assert rules.level_decide(values=VALUES, band=1, high=False, capacity_met=True, community_week=0)[0] == 1
    strict = {**VALUES, "no_case_not_raised": False}
    assert rules.level_decide(values=strict, band=1, high=False, capacity_met=True, community_week=0)[0] == 2


@pytest.mark.parametrize(
    ("older", "adult", "high"),
    [(80.0, 70.0, True), (79.9, 90.0, False), (95.0, 69.9, False), (None, 90.0, False), (80.0, None, False)],
)
def test_coverage_high_needs_both_criteria(older, adult, high):
    assert rules.coverage_high({"older_coverage": older, "adult_coverage": adult}, VALUES) is high


def test_coverage_without_the_adult_criterion():
    values = rules.merged_values(VALUES, {"coverage": {"adult_threshold": None}})
    assert rules.coverage_high({"older_coverage": 85.0, "adult_coverage": 10.0}, values)
    assert values["coverage"]["older_age"] == 50  # the keys not adjusted are kept


@pytest.mark.parametrize(
    ("community_14d", "f1", "matrix", "expected"),
    [
        (0, 0, (3, "band 3..."), 1),  # green zone
        (0, 2, (1, "band 1..."), 2),  # green zone with active F1 contacts
        (1, 0, (1, "band 1..."), 2),  # a community case in the window: at least yellow
        (4, 0, (4, "band 4..."), 4),  # the matrix on the group's own figures
    ],
)
def test_group_levels(community_14d, f1, matrix, expected):
    level, cell = rules.group_level_decide(
        values=VALUES, matrix=matrix, community_14d=community_14d, f1_active=f1
    )
    assert level == expected and cell.startswith("group: ")


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"f0", "f1", "priority_care"}, "f0"),
        ({"f1", "priority_care"}, "f1"),
        ({"priority_care"}, "priority_care"),
        (set(), "none"),
    ],
)
def test_household_class_is_the_highest(flags, expected):
    assert rules.household_class(flags) == expected


def test_every_matrix_cell_is_declared():
    assert {band for band in VALUES["matrix"]} == {"1", "2", "3", "4"}
    assert all(set(row) == {"high", "low"} for row in VALUES["matrix"].values())
