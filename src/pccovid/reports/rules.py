"""The Ministry of Health's report forms, as data.

Each field names the figure, its section, where it comes from and how it rolls up. A field with a
`selector` is computed by the platform and is never typed in: the selector is a dotted reference to a
function `(unit, start, end) -> {unit_id: {value_key: int}}` (counts per unit at any depth inside `unit`,
not rolled up; `reports.sources` adapts the domain apps' selectors to that shape) and `value` picks the
figure from its result. A field with `entered=True` is what only the unit knows (beds, patients on oxygen,
staff): the unit enters it, and a unit above gets the sum of its children's values. A `rate` field is
derived from two other fields of the same row (never summed: each unit's own rate).

Source and pccovid's reading. The Ministry of Health (MoH) asked provinces for a daily report of the
COVID-19 situation (new cases by where they were found: imported, in quarantine or already isolated, in the
community; tests; doses given; people in quarantine and in treatment; deaths) and, with Decision
4800/QĐ-BYT of 12 October 2021 (interim guidance implementing Resolution 128/NQ-CP), a weekly assessment
built on new community cases per 100,000 people per week, vaccination coverage and treatment capacity
(beds, intensive care, oxygen). Those texts name the figures; they do not fix one printed template, and
the forms below are pccovid's reading of them: the same figures, in the same sections, with the platform's
definitions written beside each field (docs/reports.md). A ministry that publishes a template gets a new
`version` of the form, and every submission keeps the version it was made with.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _

SOURCE = (
    "Bộ Y tế: báo cáo ngày tình hình dịch COVID-19; Quyết định 4800/QĐ-BYT ngày 12/10/2021 "
    "(Nghị quyết 128/NQ-CP ngày 11/10/2021). pccovid's reading: the figures these texts ask for, "
    "one field each, computed from the platform's records (docs/reports.md)."
)
S = "pccovid.reports.sources."


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    section: str
    selector: str | Callable | None = None
    value: str = ""
    rollup: Literal["sum", "own", "rate"] = "sum"  # "own": the unit's own attribute `value`, not summed
    entered: bool = False
    rate_of: tuple[str, str] | None = None  # (numerator field, denominator field), per 100,000
    help: str = ""

    @property
    def summed(self) -> bool:
        return self.rollup == "sum"


@dataclass(frozen=True)
class Form:
    key: str
    label: str
    version: str
    source: str
    days: int  # 1: a day; 7: the ISO week (Monday to Sunday) of the date asked for
    fields: tuple[Field, ...]

    def period(self, on: dt.date) -> tuple[dt.date, dt.date]:
        start = on - dt.timedelta(days=on.weekday()) if self.days == 7 else on
        return start, start + dt.timedelta(days=self.days - 1)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def entered_fields(self) -> list[Field]:
        return [f for f in self.fields if f.entered]

    @property
    def sections(self) -> list[tuple[str, str, list[Field]]]:
        return [(key, SECTIONS[key], [f for f in self.fields if f.section == key]) for key in SECTIONS
                if any(f.section == key for f in self.fields)]  # fmt: skip


SECTIONS = {
    "cases": _("New cases (F0)"),
    "testing": _("Testing"),
    "vaccination": _("Vaccination"),
    "quarantine": _("Quarantine (F1)"),
    "isolation": _("Isolation and treatment (F0)"),
    "deaths": _("Deaths"),
    "levels": _("Epidemic levels"),
    "rates": _("Rates"),
    "capacity": _("Treatment capacity (entered by the unit)"),
}

_PERIOD_FIELDS = (
    Field("cases_imported", _("New cases: imported"), "cases", S + "new_cases", "imported",
          help=_("Declared an entry into Viet Nam in the days before.")),
    Field("cases_in_quarantine", _("New cases: in quarantine or isolation"), "cases", S + "new_cases",
          "in_quarantine", help=_("Under a quarantine or isolation order, or a known contact, when found.")),
    Field("cases_community", _("New cases: in the community"), "cases", S + "new_cases", "community"),
    Field("cases_total", _("New cases: total"), "cases", S + "new_cases", "total",
          help=_("Cases opened in the period, by the unit that manages them.")),
    Field("tests_done", _("Tests done"), "testing", S + "tests", "done",
          help=_("Samples taken in the period, by the unit of the test site.")),
    Field("tests_positive", _("Tests positive"), "testing", S + "tests", "positive"),
    Field("doses_1", _("Doses given: first"), "vaccination", S + "doses", "dose_1",
          help=_("By where the vaccinated person lives.")),
    Field("doses_2", _("Doses given: second"), "vaccination", S + "doses", "dose_2"),
    Field("doses_3plus", _("Doses given: third and later"), "vaccination", S + "doses", "dose_3plus"),
    Field("f1_home", _("In quarantine at home"), "quarantine", S + "care", "f1_home",
          help=_("On the last day of the period.")),
    Field("f1_facility", _("In quarantine at a facility"), "quarantine", S + "care", "f1_facility"),
    Field("f1_hospital", _("In quarantine in hospital"), "quarantine", S + "care", "f1_hospital"),
    Field("f1_total", _("In quarantine: total"), "quarantine", S + "care", "f1_total"),
    Field("f0_home", _("Isolated or treated at home"), "isolation", S + "care", "f0_home",
          help=_("On the last day of the period.")),
    Field("f0_facility", _("Isolated or treated at a facility"), "isolation", S + "care", "f0_facility"),
    Field("f0_hospital", _("Treated in hospital"), "isolation", S + "care", "f0_hospital"),
    Field("f0_total", _("Isolated or treated: total"), "isolation", S + "care", "f0_total"),
    Field("deaths", _("Deaths"), "deaths", S + "deaths", "deaths"),
    Field("levels_raised", _("Communes whose level rose"), "levels", S + "level_changes", "raised",
          help=_("Changes of districts and provinces are listed below the figures.")),
    Field("levels_lowered", _("Communes whose level fell"), "levels", S + "level_changes", "lowered"),
)  # fmt: skip

_ENTERED_FIELDS = (
    Field("beds_total", _("Treatment beds"), "capacity", entered=True),
    Field("beds_in_use", _("Treatment beds in use"), "capacity", entered=True),
    Field("icu_beds_in_use", _("Intensive care beds in use"), "capacity", entered=True),
    Field("patients_on_oxygen", _("Patients on oxygen"), "capacity", entered=True),
    Field("home_care_teams", _("Home-care teams working"), "capacity", entered=True),
    Field("health_staff", _("Health staff on duty"), "capacity", entered=True),
)

_RATE_FIELDS = (
    Field("population", _("Population"), "rates", value="population", rollup="own",
          help=_("The unit's population figure (synthetic where no official one is loaded).")),
    Field("cases_per_100k", _("New cases per 100,000 people in the week"), "rates", rollup="rate",
          rate_of=("cases_total", "population")),
    Field("community_cases_per_100k", _("New community cases per 100,000 people in the week"), "rates",
          rollup="rate", rate_of=("cases_community", "population"),
          help=_("The first criterion of Resolution 128/NQ-CP and Decision 4800/QĐ-BYT.")),
)  # fmt: skip

DAILY = Form(
    key="daily",
    label=_("Daily COVID-19 report"),
    version="2021.1",
    source=SOURCE,
    days=1,
    fields=_PERIOD_FIELDS + _ENTERED_FIELDS,
)
WEEKLY = Form(
    key="weekly",
    label=_("Weekly COVID-19 report"),
    version="2021.1",
    source=SOURCE,
    days=7,
    fields=_PERIOD_FIELDS + _RATE_FIELDS + _ENTERED_FIELDS,
)
FORMS: dict[str, Form] = {form.key: form for form in (DAILY, WEEKLY)}

ENTERED_MAX = 10_000_000  # no unit has more beds, staff or patients than this
