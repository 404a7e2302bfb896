"""The CSV of an officials' declaration list: the same columns from the API and the console."""

import csv
import io

from django.utils import timezone

from pccovid.declarations.models import Declaration

COLUMNS = [
    "id",
    "declared_at",
    "kind",
    "person_qid",
    "full_name",
    "birth_year",
    "residence_unit",
    "stay_unit_code",
    "stay_unit",
    "stay_address",
    "flagged",
    "symptoms",
    "exposures",
    "follow_up",
    "followed_up_at",
]
# What the audit trail records as read for each person in an export (see selectors.EXPORT_FIELDS).
AUDIT_FIELDS = [
    "full_name",
    "birth_date",
    "residence_unit",
    "declaration.kind",
    "declaration.declared_at",
    "declaration.stay_unit",
    "declaration.stay_address",
    "flagged",
    "declaration.symptoms",
    "declaration.exposures",
    "declaration.follow_up",
]


def _cell(value) -> str:
    """Text as written, except that a leading = + - @ is escaped: spreadsheets would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def declarations_csv(declarations: list[Declaration]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in declarations:
        writer.writerow(
            _cell(value)
            for value in [
                d.pk,
                _local(d.declared_at),
                d.kind,
                d.person.qid,
                d.person.full_name,
                d.person.birth_date.year,
                d.person.residence_unit.name,
                d.stay_unit.code,
                d.stay_unit.name,
                d.stay_address,
                "yes" if d.flagged else "no",
                ";".join(d.symptoms),
                ";".join(d.exposures),
                d.follow_up,
                _local(d.followed_up_at),
            ]
        )
    return out.getvalue()
