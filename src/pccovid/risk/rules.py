"""Epidemic levels: the thresholds, the level matrix and the classes, each beside the text it comes from.

Texts: Resolution 128/NQ-CP of 11 Oct 2021, "Quy định tạm thời 'Thích ứng an toàn, linh hoạt, kiểm soát
hiệu quả dịch COVID-19'" (four levels; a province may adjust the criteria), and the Ministry of Health's
Decision 4800/QĐ-BYT of 12 Oct 2021 (its technical guidance: the three criteria and how they combine).

Criterion 1, `case_bands`: new community cases per 100,000 people per week (Decision 4800 §2.1): band 1
below 20, band 2 from 20 to below 50, band 3 from 50 to below 150, band 4 from 150. "Community" cases are
those not imported and not already under quarantine or isolation, or a known contact, when found (the
tracing app decides: `tracing.selectors.new_case_counts`). The week is the 7 local days ending on the day.

Criterion 2, `coverage`: Decision 4800 §2.2 counts people aged 50 and over (Resolution 128 names 65 and
over) with at least one dose, "high" from 80 %; it adds 70 % of adults (18+) with at least one dose. High
coverage here needs both (`adult_threshold` None drops the second). Denominators are the people the platform
knows living in the unit; the population figure of the unit is used for criterion 1 only.

Criterion 3, `capacity_step`: a unit that declares its treatment capacity (beds, intensive care beds,
home-care teams) not enough for its level goes up one level, at most to 4 (Decision 4800 §3, note under
the table). A unit that has declared nothing is not raised but its "why" says so (pccovid's reading;
`undeclared_capacity_met`). A district or province without its own entry is "not enough" when any unit
below declared not enough; a residential group reads its commune's entry (pccovid).

The matrix, `matrix[band][coverage]` (Decision 4800 §3, "Xác định cấp độ dịch"): the published
guidance sets the level by the case band and raises it by one where coverage is low. Cells
band 1 high = 1, band 2 high = 2, band 3 high = 3, band 4 high = 4 are the bands as the Decision names
them; the low-coverage cells (band 1 low = 2, band 2 low = 3, band 3 low = 4, band 4 low = 4) are pccovid's
reading of "low coverage raises one level, at most 4" (the text of the table could not be checked offline:
a province that reads it otherwise adjusts `matrix` with a reason). The September 2021 draft of the
guidance did not raise a unit without any case: `no_case_not_raised`.

Green zone, `green_zone_days` (HCMC, September 2021, "vùng xanh"): no new community case in the 14 local days
ending on the day (cases on day-13..day). For a commune and above it is a flag shown beside the level.

Residential groups, `group` (pccovid's reading of HCMC's September 2021 map, which went down to "tổ dân
phố / khu phố / ấp"): a group in a green zone is level 1, or level 2 while F1 contacts living there are
still active (a contact may turn positive); any other group takes the matrix on its own figures (its week's
community cases per 100,000 of its own population, its coverage, its commune's capacity), at least 2.

Households, `household_classes` (pccovid, from the issue: "an F0 at home, an F1 in quarantine,
unvaccinated people over 65 or with chronic illness needing priority care"), highest first: "f0" a member
is an open case, "f1" a member is in quarantine or an active F1, "priority_care" an unvaccinated member
aged `priority_age`+ or with a noted care need (chronic illness, pregnancy, disability), else "none".
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

DOMAIN = "risk.levels"
SOURCE_128 = "Resolution 128/NQ-CP (11 Oct 2021)"
SOURCE_4800 = "Decision 4800/QĐ-BYT (12 Oct 2021)"

LEVEL_RULES = RuleDefault(
    domain=DOMAIN,
    version="2021.1",
    effective_from=dt.date(2021, 10, 11),
    source=(
        f"Four levels, provinces may adjust: {SOURCE_128}; case bands 20/50/150 per 100,000 a week, coverage "
        f"50+ one dose >= 80 % and 18+ one dose >= 70 %, capacity not met raises one level: {SOURCE_4800} "
        "§2-3; low coverage raises one level (cells band x low): pccovid's reading of §3; no raise without "
        "a case: draft guidance (Sept 2021); green zone 14 days: HCMC (Sept 2021); groups, households, "
        "undeclared capacity: pccovid policy"
    ),
    values={
        "case_bands": [20, 50, 150],
        "week_days": 7,
        "coverage": {"older_age": 50, "older_threshold": 80, "adult_age": 18, "adult_threshold": 70},
        "matrix": {
            "1": {"high": 1, "low": 2},
            "2": {"high": 2, "low": 3},
            "3": {"high": 3, "low": 4},
            "4": {"high": 4, "low": 4},
        },
        "no_case_not_raised": True,
        "capacity_step": 1,
        "undeclared_capacity_met": True,
        "green_zone_days": 14,
        "group": {"green_zone_level": 1, "active_f1_level": 2, "minimum_with_cases": 2},
        "household_classes": ["f0", "f1", "priority_care", "none"],
        "priority_age": 65,
    },
)

RULESETS = [LEVEL_RULES]

# What a province may change (Resolution 128/NQ-CP, Part III: provinces adjust the criteria to their
# situation), with the shape each value must have.
ADJUSTABLE = ("case_bands", "coverage", "matrix", "green_zone_days")
MAX_LEVEL = 4
COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}


# Applying the table (pure functions: the services, the selectors and the tests share them) ---------------


def merged_values(values: dict, adjustment: dict | None) -> dict:
    """The rule set's values with a province's adjusted keys over them (`coverage` key by key)."""
    if not adjustment:
        return values
    merged = {**values, **{k: v for k, v in adjustment.items() if k != "coverage"}}
    merged["coverage"] = {**values["coverage"], **adjustment.get("coverage", {})}
    return merged


def case_band(per_100k: float, bands: list[float]) -> int:
    """1 below the first threshold, 2 from it to below the second... 4 from the last (Decision 4800)."""
    return 1 + sum(1 for threshold in bands if per_100k >= threshold)


def coverage_high(figures: dict, values: dict) -> bool:
    """High when every criterion of `coverage` is met; a criterion with nobody to count is not met (no
    data is not high coverage)."""
    coverage = values["coverage"]
    checks = [("older_coverage", coverage["older_threshold"])]
    if coverage.get("adult_threshold") is not None:
        checks.append(("adult_coverage", coverage["adult_threshold"]))
    return all(figures.get(name) is not None and figures[name] >= threshold for name, threshold in checks)


def level_decide(*, values: dict, band: int, high: bool, capacity_met: bool, community_week: int) -> tuple:
    """(level, cell) of a commune, district or province: the matrix cell, then one level up (at most 4)
    when capacity is not met. Without any community case in the week, low coverage does not raise
    (`no_case_not_raised`)."""
    row = values["matrix"][str(band)]
    coverage = "high" if high or (community_week == 0 and values["no_case_not_raised"]) else "low"
    level = row[coverage] + (0 if capacity_met else values["capacity_step"])
    capacity = "capacity met" if capacity_met else "capacity not met"
    return min(MAX_LEVEL, level), f"band {band}, coverage {coverage}, {capacity}"


def group_level_decide(*, values: dict, matrix: tuple, community_14d: int, f1_active: int) -> tuple:
    """(level, cell) of a residential group: green zone (no community case in `green_zone_days`) is level 1,
    or 2 while active F1 contacts live there; otherwise the matrix on its own figures, at least 2."""
    group = values["group"]
    if community_14d == 0:
        if f1_active:
            return group["active_f1_level"], "group: green zone, active F1 contacts"
        return group["green_zone_level"], "group: green zone"
    level, cell = matrix
    return max(group["minimum_with_cases"], level), f"group: {cell}"


def household_class(flags: set[str]) -> str:
    """The household's class from its members' flags ("f0", "f1", "priority_care"), highest first."""
    for name in HOUSEHOLD_CLASSES:
        if name in flags:
            return name
    return "none"


HOUSEHOLD_CLASSES = ("f0", "f1", "priority_care")
