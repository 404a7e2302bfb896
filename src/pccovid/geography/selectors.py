"""Reads of the administrative tree.

Units and their (synthetic or aggregate) population figures are public reference data, not personal
data: these reads need no jurisdiction filter and write no audit row.
"""

import re

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from pccovid.core.errors import NotFound
from pccovid.core.text import fold
from pccovid.geography.models import AdminUnit, Edition, Level

_UNIT_CODE = re.compile(r"[0-9A-Za-z.]{1,20}")


def _units() -> QuerySet[AdminUnit]:
    """Every unit carries `parent_code` (None for a province), so listing them needs no join per row."""
    return AdminUnit.objects.annotate(parent_code=F("parent__code"))


def unit_get(*, edition: str, code: str) -> AdminUnit:
    try:
        return _units().get(edition=edition, code=code)
    except AdminUnit.DoesNotExist:
        raise NotFound(
            _("No administrative unit with code %(code)s in the %(edition)s edition.")
            % {"code": code, "edition": edition}
        ) from None


def current_commune(*, code: str) -> AdminUnit | None:
    """The commune or ward with this code on the current (2025) map, or None (unknown, or not a commune).
    Text that cannot be a unit code is not sent to the database (PostgreSQL refuses some, e.g. NUL)."""
    code = (code or "").strip()
    if not _UNIT_CODE.fullmatch(code):
        return None
    return AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.COMMUNE, code=code).first()


def units_list(
    *, edition: str, level: str | None = None, parent_code: str | None = None, query: str | None = None
) -> QuerySet[AdminUnit]:
    """Units of one edition, in tree order. `query` matches the exact code, or part of the name with or
    without diacritics ('ben thanh' finds 'Phường Bến Thành'); the plain name match also finds units
    created without a folded name (by hand, by test fixtures)."""
    units = _units().filter(edition=edition)
    if level:
        units = units.filter(level=level)
    if parent_code:
        units = units.filter(parent__code=parent_code)
    if query:
        units = units.filter(
            Q(code=query.strip()) | Q(name__icontains=query) | Q(name_folded__contains=fold(query))
        )
    return units.order_by("path")


def unit_descendants(unit: AdminUnit) -> QuerySet[AdminUnit]:
    """Every unit below `unit` (not itself), at any depth."""
    return AdminUnit.objects.filter(edition=unit.edition, path__startswith=unit.path).exclude(pk=unit.pk)


def unit_children(unit: AdminUnit) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(parent=unit).order_by("path")


def counts_by_child(
    *, unit: AdminUnit, counts_by_unit: dict[int, dict[str, int]]
) -> dict[int, dict[str, int]]:
    """Roll counts kept per unit id (any depth inside `unit`) up to `unit`'s direct children, keyed by
    child id; counts on `unit` itself stay under its own id. Two small queries, however many units:
    callers count with one grouped query on their own table and hand the result here."""
    paths = dict(AdminUnit.objects.filter(pk__in=list(counts_by_unit)).values_list("pk", "path"))
    child_by_path = dict(unit_children(unit).values_list("path", "pk"))
    rolled: dict[int, dict[str, int]] = {}
    for unit_id, counts in counts_by_unit.items():
        path = paths.get(unit_id, "")
        if not path.startswith(unit.path):
            continue
        head = path[len(unit.path) :].split("/", 1)[0]
        target = child_by_path.get(f"{unit.path}{head}/", unit.pk) if head else unit.pk
        bucket = rolled.setdefault(target, {})
        for name, value in counts.items():
            bucket[name] = bucket.get(name, 0) + value
    return rolled


def unit_ancestors(unit: AdminUnit) -> QuerySet[AdminUnit]:
    """The chain above `unit`, province first: the units whose paths are prefixes of its path."""
    parts = unit.path.split("/")[:-2]
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return AdminUnit.objects.filter(edition=unit.edition, path__in=prefixes).order_by("path")
