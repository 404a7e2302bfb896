"""The card's colour for every rule, at the edges of each window."""

import datetime as dt

import pytest

from pccovid.status.card import Colour, HealthFacts, card_from_facts
from pccovid.status.rules import CARD_RULES

AT = dt.datetime(2021, 11, 15, 9, 0, tzinfo=dt.UTC)
TODAY = AT.date()


def colour(**facts) -> Colour:
    return card_from_facts(HealthFacts(**facts), values=CARD_RULES.values, rule_version="t", at=AT).colour


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_no_record_is_grey():
    assert colour() == Colour.GREY


@pytest.mark.parametrize(
    ("since", "expected"),
    [(13, Colour.YELLOW), (14, Colour.GREEN), (365, Colour.GREEN), (366, Colour.YELLOW)],
)
def test_full_series_is_green_from_day_14_to_12_months(since, expected):
    assert (
        colour(
            first_dose_on=days_ago(since + 28),
            last_dose_on=days_ago(since),
            doses=2,
            primary_series_complete=True,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("since", "expected"), [(13, Colour.GREY), (14, Colour.YELLOW), (200, Colour.YELLOW)]
)
def test_one_dose_is_yellow_from_day_14(since, expected):
    assert colour(first_dose_on=days_ago(since), last_dose_on=days_ago(since), doses=1) == expected


@pytest.mark.parametrize(("since", "expected"), [(0, Colour.GREEN), (180, Colour.GREEN), (181, Colour.GREY)])
def test_recovered_is_green_for_180_days(since, expected):
    assert colour(recovered_on=days_ago(since)) == expected


@pytest.mark.parametrize(
    ("hours", "expected"), [(0, Colour.YELLOW), (71.99, Colour.YELLOW), (72, Colour.GREY), (-1, Colour.GREY)]
)
def test_negative_test_is_yellow_for_72_hours(hours, expected):
    assert colour(last_negative_test_at=AT - dt.timedelta(hours=hours)) == expected


@pytest.mark.parametrize(
    "red_fact",
    [{"active_case": True}, {"in_quarantine": True}, {"exposed_on": TODAY}, {"symptoms_declared_on": TODAY}],
)
def test_red_beats_everything(red_fact):
    assert (
        colour(
            first_dose_on=days_ago(60),
            last_dose_on=days_ago(30),
            doses=2,
            primary_series_complete=True,
            **red_fact,
        )
        == Colour.RED
    )


def test_card_says_why_and_which_rules():
    card = card_from_facts(
        HealthFacts(active_case=True, symptoms_declared_on=TODAY),
        values=CARD_RULES.values,
        rule_version="status.card 2021.10",
        at=AT,
    )
    assert len(card.reasons) == 2 and card.rule_version == "status.card 2021.10"
    green = card_from_facts(
        HealthFacts(recovered_on=days_ago(10)), values=CARD_RULES.values, rule_version="v", at=AT
    )
    assert green.valid_until.date() == days_ago(10) + dt.timedelta(days=180)
