"""The shared API field types."""

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from pccovid.core.api_fields import IsoDate

DATES = TypeAdapter(IsoDate)


def test_a_date_is_written_yyyy_mm_dd():
    assert DATES.validate_python("2021-10-15") == dt.date(2021, 10, 15)
    for written in ("15/10/2021", "1634256000", 0):
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            DATES.validate_python(written)


@pytest.mark.parametrize("written", ["0001-01-01", "1799-12-31", "3000-01-01", "9999-12-31"])
def test_dates_whose_day_falls_off_the_calendar_are_refused(written):
    """Year 1 in Asia/Ho_Chi_Minh starts in year 0 UTC; 9999-12-31 has no next day: both were 500s."""
    with pytest.raises(ValidationError, match="a date between 1800-01-01 and 2999-12-31"):
        DATES.validate_python(written)
