"""The COVID card as a pure function of a person's health facts: easy to test, and explainable."""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"
    YELLOW = "yellow"
    GREY = "grey"


@dataclass(frozen=True)
class HealthFacts:
    """What the platform knows about one person at one moment; each app that holds such records fills
    its part (vaccination: doses; testing: negative tests; tracing: case and exposure (`exposed_on`: a
    contact the tracer has notified, not yet under a quarantine order); quarantine: orders; declarations:
    symptoms)."""

    first_dose_on: dt.date | None = None
    last_dose_on: dt.date | None = None
    doses: int = 0
    primary_series_complete: bool = False
    recovered_on: dt.date | None = None
    last_negative_test_at: dt.datetime | None = None
    active_case: bool = False
    in_quarantine: bool = False
    exposed_on: dt.date | None = None
    symptoms_declared_on: dt.date | None = None


@dataclass(frozen=True)
class Card:
    colour: Colour
    reasons: list[str] = field(default_factory=list)
    rule_version: str = ""
    valid_until: dt.datetime | None = None


def card_from_facts(facts: HealthFacts, *, values: dict, rule_version: str, at: dt.datetime) -> Card:
    """Red beats green beats yellow beats grey: the most serious fact decides the colour."""
    today = at.date()
    red = _red_reasons(facts)
    if red:
        return Card(Colour.RED, red, rule_version)
    green = _green(facts, values, today)
    if green:
        return Card(Colour.GREEN, [green[0]], rule_version, green[1])
    yellow = _yellow(facts, values, at)
    if yellow:
        return Card(Colour.YELLOW, [yellow[0]], rule_version, yellow[1])
    return Card(Colour.GREY, [_("No vaccination, test or recovery record yet.")], rule_version)


def _red_reasons(facts: HealthFacts) -> list[str]:
    reasons = []
    if facts.active_case:
        reasons.append(_("Active COVID-19 case (F0)."))
    if facts.in_quarantine:
        reasons.append(_("In quarantine as a close contact (F1)."))
    elif facts.exposed_on:
        reasons.append(
            _("Close contact of a case on %(date)s: stay at home until the health station calls.")
            % {"date": facts.exposed_on.strftime("%d/%m/%Y")}
        )
    if facts.symptoms_declared_on:
        reasons.append(
            _("Symptoms declared on %(date)s, not yet cleared by the health station.")
            % {"date": facts.symptoms_declared_on.strftime("%d/%m/%Y")}
        )
    return reasons


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def _green(facts: HealthFacts, values: dict, today: dt.date) -> tuple[str, dt.datetime] | None:
    if facts.primary_series_complete and facts.last_dose_on:
        since = (today - facts.last_dose_on).days
        if values["full_series_wait_days"] <= since <= values["full_series_valid_days"]:
            until = facts.last_dose_on + dt.timedelta(days=values["full_series_valid_days"])
            return _("Fully vaccinated, last dose on %(date)s.") % {
                "date": f"{facts.last_dose_on:%d/%m/%Y}"
            }, _end_of(until)
    if facts.recovered_on and 0 <= (today - facts.recovered_on).days <= values["recovered_valid_days"]:
        until = facts.recovered_on + dt.timedelta(days=values["recovered_valid_days"])
        return _("Recovered from COVID-19 on %(date)s.") % {
            "date": f"{facts.recovered_on:%d/%m/%Y}"
        }, _end_of(until)
    return None


def _yellow(facts: HealthFacts, values: dict, at: dt.datetime) -> tuple[str, dt.datetime | None] | None:
    test_valid = dt.timedelta(hours=values["negative_test_valid_hours"])
    if (
        facts.last_negative_test_at
        and facts.last_negative_test_at <= at < facts.last_negative_test_at + test_valid
    ):
        return _("Negative test, valid until %(time)s.") % {
            "time": f"{facts.last_negative_test_at + test_valid:%d/%m/%Y %H:%M}"
        }, facts.last_negative_test_at + test_valid
    if facts.first_dose_on and (at.date() - facts.first_dose_on).days >= values["one_dose_wait_days"]:
        return _("Vaccinated, first dose on %(date)s.") % {"date": f"{facts.first_dose_on:%d/%m/%Y}"}, None
    return None
