"""Field types every API router uses: text without control characters, strict ISO dates, the role
assignment an official acts as."""

import datetime as dt
import re
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

# Text a person could type: no NUL (PostgreSQL cannot store it) and no other control character.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value):
    """Dates as YYYY-MM-DD only: pydantic would otherwise read 0 or "1634256000" as a Unix time."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


EARLIEST_DATE, LATEST_DATE = dt.date(1800, 1, 1), dt.date(2999, 12, 31)


def _plausible(value: dt.date) -> dt.date:
    """Year 1 or 9999 parse as dates but break the day bounds of a time zone (a day before 0001-01-01 in
    UTC, a day after 9999-12-31): no date this platform keeps lies outside these years."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"a date between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only), AfterValidator(_plausible)]


class AssignmentQuery(Schema):
    assignment: int | None = Field(
        None, description="Role assignment to act as (needed when you hold several)."
    )
