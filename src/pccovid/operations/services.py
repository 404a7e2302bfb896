"""Exports of cleaned records to the national level: FHIR R4 bundles and CSV, streamed chunk by chunk.

"Cleaned records" are the platform's own: people from the population register (and legacy records linked
and merged into them), their doses and their test results, each already through its app's rules. Staged
legacy records not linked to a person are not exported. The people exported are those living inside the
unit (residence, not access grants: a grant is a local, temporary reach) who have at least one dose or
test result.

An export is a read of personal data: every person of a chunk gets an audit row (in the chunk's
transaction, before the chunk is handed out), so a read that happened is always audited. People are read
by primary key in chunks (keyset pagination): memory stays flat however large the city.
"""

import csv
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.exchange import fhir
from pccovid.exchange import selectors as exchange_selectors
from pccovid.identity.models import IdentifierKind
from pccovid.operations import selectors
from pccovid.operations.errors import OperationsError
from pccovid.testing import selectors as testing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

FORMATS = ("fhir", "csv")
CHUNK = 500
# No purpose "national reporting" exists in audit.Purpose yet: epidemic control is the closest.
EXPORT_PURPOSE = Purpose.NATIONAL_REPORTING
EXPORT_FIELDS = ["full_name", "birth_date", "sex", "residence_unit", "identifiers", "doses", "test_results"]
IDENTIFIERS = (
    IdentifierKind.CCCD,
    IdentifierKind.CMND,
    IdentifierKind.PASSPORT,
    IdentifierKind.HEALTH_INSURANCE,
)
CSV_COLUMNS = [
    "qid", "full_name", "birth_date", "sex", "residence_unit", "cccd", "cmnd", "passport", "health_insurance",
    "record", "date", "dose_number", "product_code", "product_name", "lot_number", "test_kind", "result",
    "ct_value", "site_code",
]  # fmt: skip
CONTENT_TYPES = {"fhir": "application/fhir+json", "csv": "text/csv; charset=utf-8"}
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Export:
    """A checked export, ready to stream: `pieces` yields the text, reading and auditing as it goes."""

    unit: object
    fmt: str
    pieces: Iterator[str]

    @property
    def file_name(self) -> str:
        extension = "json" if self.fmt == "fhir" else "csv"
        return f"pccovid-{self.unit.code}-{clock.today():%Y%m%d}.{extension}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


def records_export(
    *,
    assignment,
    unit_code: str | None,
    fmt: str,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> Export:
    """Checks an export before any byte is sent (the format; the role: `operations.export`, 403 for a role
    that may only look; the unit: inside the assignment's, else "not found"), then hands out its pieces.
    `progress(people_done)` is called after each chunk."""
    if fmt not in FORMATS:
        raise OperationsError(_("Format must be one of: %s.") % ", ".join(FORMATS), field="format")
    unit = selectors.dashboard_unit(assignment=assignment, unit_code=unit_code, action=selectors.EXPORT)
    chunks = _chunks(assignment=assignment, unit=unit, chunk_size=chunk_size)
    pieces = _fhir_pieces(chunks, progress) if fmt == "fhir" else _csv_pieces(chunks, progress)
    return Export(unit, fmt, pieces)


def _chunks(*, assignment, unit, chunk_size: int) -> Iterator[list[tuple]]:
    """(person, doses, results) in chunks of `chunk_size` people, each chunk read and audited in one
    transaction: five queries a chunk."""
    after = 0
    while True:
        with transaction.atomic():
            persons = selectors.export_persons(unit=unit, after=after, limit=chunk_size)
            if not persons:
                return
            ids = [p.pk for p in persons]
            doses = vaccination_selectors.doses_of_persons(person_ids=ids)
            results = testing_selectors.results_of_persons(person_ids=ids)
            audit_services.personal_data_reads_record(
                assignment=assignment, persons=persons, fields=EXPORT_FIELDS, purpose=EXPORT_PURPOSE
            )
        yield [(p, doses.get(p.pk, []), results.get(p.pk, [])) for p in persons]
        after = ids[-1]


def _identifiers(person) -> dict[str, str]:
    return {i.kind: i.value for i in person.identifiers.all() if i.kind in IDENTIFIERS}


def _fhir_pieces(chunks, progress: Progress | None) -> Iterator[str]:
    """One `collection` Bundle: each person's Patient, Immunizations and Observations, as the exchange
    module builds (and validates) them, written entry by entry."""
    head = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": clock.now().isoformat(),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "entry": ['
    done, first = 0, True
    for chunk in chunks:
        entries = []
        for person, doses, results in chunk:
            records = exchange_selectors.records_of(person=person, doses=doses, results=results)
            entries += fhir.bundle_build(records)["entry"]
        text = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
        yield ("\n" if first else ",\n") + text
        first = False
        done += len(chunk)
        if progress:
            progress(done)
    yield "\n]}\n"


class _Line:
    """A file-like object whose `write` returns the line: csv.writer then yields text, row by row."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(person, doses, results) -> Iterator[list]:
    identifiers = _identifiers(person)
    who = [
        person.qid, person.full_name, person.birth_date.isoformat(), person.sex, person.residence_unit.code,
        *(identifiers.get(kind, "") for kind in IDENTIFIERS),
    ]  # fmt: skip
    for d in doses:
        yield [
            *who, "dose", d.given_on.isoformat(), d.dose_number, d.product.code, d.product.name,
            d.lot.number if d.lot else "", "", "", "", d.site.code if d.site else "",
        ]  # fmt: skip
    for r in results:
        yield [
            *who, "test", clock.localdate(r.sample_taken_at).isoformat(), "", "", "", "", r.kind, r.result,
            "" if r.ct_value is None else str(r.ct_value), r.site.code if r.site else "",
        ]  # fmt: skip


def _csv_pieces(chunks, progress: Progress | None) -> Iterator[str]:
    """One row per dose and per test result, the person's columns repeated; dates as YYYY-MM-DD (a test's
    date is the sample's local day)."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    done = 0
    for chunk in chunks:
        rows = (row for person, doses, results in chunk for row in _csv_rows(person, doses, results))
        yield "".join(writer.writerow(row) for row in rows)
        done += len(chunk)
        if progress:
            progress(done)
