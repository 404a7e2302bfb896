"""The one source of "now": tests freeze it with `frozen(...)`, code never calls datetime.now()."""

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def localdate(moment: dt.datetime) -> dt.date:
    """The calendar date of `moment` in Vietnam (Asia/Ho_Chi_Minh), as people read it."""
    return timezone.localdate(moment)


def local_midnight(day: dt.date) -> dt.datetime:
    """The moment a calendar day begins in Vietnam."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar day in Vietnam: what "on that day" means for counts per day."""
    return local_midnight(day), local_midnight(day + dt.timedelta(days=1))


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
