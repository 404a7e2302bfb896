"""The one source of "now": tests freeze it with `frozen(...)`, code never calls datetime.now()."""

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def localdate(moment: dt.datetime) -> dt.date:
    """The calendar date of `moment` in Vietnam (Asia/Ho_Chi_Minh), as people read it."""
    return timezone.localdate(moment)


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
