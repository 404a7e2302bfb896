"""Writes of test results: one by one (`result_record`), a lab's batch by CSV (`results_import_csv`) or by
API (`results_import_rows`), a pool's result (`pool_record_result`), and test sites (`test_site_register`).

Every row, whatever the channel, goes through one check (`_row_check`), so the form, the CSV and the API
refuse the same things with the same reason. A batch is validated row by row: bad rows are reported with
their reason and skipped; the good rows are stored together in ONE transaction (a file half bad stores its
good half: the lab fixes and re-sends the bad rows, and a re-sent good row changes nothing). A row is
recognised by its site and the lab's sample id (`external_id`): the same values again are "unchanged",
different values for a stored sample are refused (a correction is not a re-send).

Recording reads the person for the official (the name is shown back), so the person is put in reach of
the site's commune by an access grant when they live elsewhere (they presented themself, or the lab
reports their sample), re-read through `restrict_to` inside the transaction, and audited. Each stored
result emits `testing.result_recorded` in the same transaction; handlers run after commit.

A result from a 2021 app (`result_import_legacy`, called by the legacy merge) is history: no site, no
event, no grant, no audit (see its docstring).
"""

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pccovid.accounts import services as account_services
from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.provenance import LEGACY_PREFIX
from pccovid.core.querysets import units_within
from pccovid.core.text import fold
from pccovid.events import services as event_services
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import services as qr_services
from pccovid.testing import rules, selectors
from pccovid.testing.errors import ImportTooLarge, ImportUnreadable, TestingError
from pccovid.testing.models import (
    Pool,
    PoolMember,
    Result,
    SiteKind,
    TestKind,
    TestResult,
    TestSite,
)

EVENT_NAME = "testing.result_recorded"
AUDIT_FIELDS = ["full_name", "birth_date", "test_result"]
CSV_COLUMNS = ["external_id", "id_number", "qid", "full_name", "birth_date", "kind", "sample_taken_at",
               "result", "ct_value", "pool_code", "technician"]  # fmt: skip
CSV_REQUIRED = {"external_id", "kind", "sample_taken_at", "result"}
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 500
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9._:/-]{1,64}")
_POOL_CODE = re.compile(r"[A-Za-z0-9._:/-]{1,40}")
_SITE_CODE = re.compile(r"[A-Za-z0-9._-]{2,20}")
_QID = re.compile(r"[0-9A-Z]{6,32}")
_ID_NUMBER = re.compile(r"\d{9}|\d{12}")
KIND_ALIASES = {
    "rt_pcr": TestKind.RT_PCR, "rt-pcr": TestKind.RT_PCR, "pcr": TestKind.RT_PCR,
    "rapid_antigen": TestKind.RAPID_ANTIGEN, "rapid": TestKind.RAPID_ANTIGEN,
    "test nhanh": TestKind.RAPID_ANTIGEN, "pooled_rt_pcr": TestKind.POOLED_RT_PCR,
    "test nhanh khang nguyen": TestKind.RAPID_ANTIGEN, "pooled": TestKind.POOLED_RT_PCR,
    "gop mau": TestKind.POOLED_RT_PCR,
}  # fmt: skip
RESULT_ALIASES = {
    "positive": Result.POSITIVE, "duong tinh": Result.POSITIVE, "+": Result.POSITIVE,
    "negative": Result.NEGATIVE, "am tinh": Result.NEGATIVE, "-": Result.NEGATIVE,
    "invalid": Result.INVALID, "khong xac dinh": Result.INVALID,
}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """`row`: the line of the file as a spreadsheet shows it (header = 1), or the 1-based item of a batch."""

    row: int
    field: str
    reason: str
    external_id: str = ""


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.rejected})


@dataclass
class _Row:
    row: int
    person: Any
    kind: str
    sample_taken_at: dt.datetime
    result: str  # "" for a pooled sample whose pool has no result yet
    ct_value: Decimal | None
    external_id: str | None
    pool_code: str
    technician_name: str


@dataclass(frozen=True)
class PoolOutcome:
    pool: Pool
    members: int
    flagged: int
    cleared: int
    changed: int


class _RowRefused(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _kind(value: Any) -> str:
    text = fold(_text(value))
    kind = KIND_ALIASES.get(text) or KIND_ALIASES.get(text.replace("-", "_"))
    if kind is None:
        raise _RowRefused("kind", _("Kind must be one of: %s.") % ", ".join(TestKind.values))
    return kind


def _result(value: Any, *, kind: str, pooled: bool) -> str:
    text = fold(_text(value))
    if not text and kind == TestKind.POOLED_RT_PCR and pooled:
        return ""  # swabbed into a pool whose result is not known yet
    result = RESULT_ALIASES.get(text)
    if result is None:
        raise _RowRefused("result", _("Result must be one of: %s.") % ", ".join(Result.values))
    return result


def _moment(value: Any, *, values: dict) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = _text(value)
        if not text:
            raise _RowRefused("sample_taken_at", _("Sample taken at is required."))
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise _RowRefused(
                "sample_taken_at",
                _("Sample taken at: write the date and time as 2021-10-15 08:30 (Vietnam time) or ISO 8601."),
            ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL)
    now = clock.now()
    if moment > now + dt.timedelta(minutes=values["clock_skew_minutes"]):
        raise _RowRefused("sample_taken_at", _("Sample taken at cannot be in the future."))
    if moment < now - dt.timedelta(days=values["sample_max_age_days"]):
        raise _RowRefused(
            "sample_taken_at",
            _("Sample taken at is more than %(days)d days ago.") % {"days": values["sample_max_age_days"]},
        )
    return moment.astimezone(dt.UTC)


def _ct(value: Any, *, kind: str, values: dict) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind not in rules.PCR_KINDS:
        raise _RowRefused(
            "ct_value", _("A Ct value belongs only to a PCR test, not to a rapid antigen test.")
        )
    try:
        ct = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _RowRefused("ct_value", _("Ct value must be a number, e.g. 27.5.")) from None
    if not ct.is_finite() or not values["ct_min"] <= ct <= values["ct_max"]:
        raise _RowRefused(
            "ct_value",
            _("Ct value must lie between %(min)d and %(max)d.")
            % {"min": values["ct_min"], "max": values["ct_max"]},
        )
    return ct.quantize(Decimal("0.1"))


def _external_id(value: Any, *, required: bool) -> str | None:
    text = _text(value)
    if not text:
        if required:
            raise _RowRefused("external_id", _("Sample id (external_id) is required."))
        return None
    if not _EXTERNAL_ID.fullmatch(text):
        raise _RowRefused(
            "external_id", _("Sample id has 1-64 letters, digits or . _ : / - (the lab's own id).")
        )
    return text


class _People:
    """Resolves the person a row names (qid, or CCCD/CMND number), with a cache per batch."""

    def __init__(self):
        self.cache: dict[tuple[str, str], Any] = {}

    def prefetch(self, raws: list[tuple[int, dict]]) -> None:
        """One query for every person a batch names, instead of one per row (unknown ones stay None)."""
        qids = {_text(raw.get("qid")).upper() for _n, raw in raws} - {""}
        numbers = {re.sub(r"\D", "", _text(raw.get("id_number"))) for _n, raw in raws} - {""}
        by_qid = identity_selectors.persons_by_qids(qids=qids)
        by_number = identity_selectors.persons_by_national_ids(numbers=numbers)
        self.cache.update({("qid", q): by_qid.get(q) for q in qids})
        self.cache.update({("id", n): by_number.get(n) for n in numbers})

    def find(self, *, qid: Any, id_number: Any):
        qid_text, number = _text(qid).upper(), re.sub(r"\D", "", _text(id_number))
        if qid_text:
            if not _QID.fullmatch(qid_text):
                raise _RowRefused("qid", _("This is not a pccovid person id (qid)."))
            key = ("qid", qid_text)
            if key not in self.cache:
                self.cache[key] = identity_selectors.person_by_qid(qid=qid_text)
        elif number:
            if not _ID_NUMBER.fullmatch(number):
                raise _RowRefused("id_number", _("ID number has 12 digits (CCCD) or 9 digits (CMND)."))
            key = ("id", number)
            if key not in self.cache:
                self.cache[key] = identity_selectors.person_by_national_id(national_id=number)
        else:
            raise _RowRefused("id_number", _("Give the person's ID number (CCCD/CMND) or qid."))
        person = self.cache[key]
        if person is None:
            raise _RowRefused(key[0] if key[0] == "qid" else "id_number", _("No person has this number."))
        return person


def _identity_check(person, *, full_name: Any, birth_date: Any) -> None:
    """A lab file may carry the name and birth date: they must agree with the person the number names."""
    born = _text(birth_date)
    if born:
        try:
            day = dt.date.fromisoformat(born)
        except ValueError:
            raise _RowRefused("birth_date", _("Birth date: write it as 1990-05-17.")) from None
        if day != person.birth_date:
            raise _RowRefused("birth_date", _("Birth date does not match the person with this number."))
    name = _text(full_name)
    if name and fold(name) != person.name_key:
        raise _RowRefused("full_name", _("Full name does not match the person with this number."))


def _row_check(raw: dict, *, row: int, people: _People, values: dict, external_required: bool) -> _Row:
    external_id = _external_id(raw.get("external_id"), required=external_required)
    kind = _kind(raw.get("kind"))
    pool_code = _text(raw.get("pool_code"))
    if kind == TestKind.POOLED_RT_PCR and not pool_code:
        raise _RowRefused("pool_code", _("A pooled RT-PCR sample names its pool (pool_code)."))
    if pool_code and kind != TestKind.POOLED_RT_PCR:
        raise _RowRefused("pool_code", _("Only a pooled RT-PCR sample has a pool."))
    if pool_code and not _POOL_CODE.fullmatch(pool_code):
        raise _RowRefused("pool_code", _("Pool code has 1-40 letters, digits or . _ : / -."))
    result = _result(raw.get("result"), kind=kind, pooled=bool(pool_code))
    moment = _moment(raw.get("sample_taken_at"), values=values)
    ct = _ct(raw.get("ct_value"), kind=kind, values=values)
    person = people.find(qid=raw.get("qid"), id_number=raw.get("id_number"))
    _identity_check(person, full_name=raw.get("full_name"), birth_date=raw.get("birth_date"))
    return _Row(
        row, person, kind, moment, result, ct, external_id, pool_code, _text(raw.get("technician"))[:120]
    )


def _same(stored: TestResult, row: _Row, pool_codes: dict[int, str]) -> bool:
    return (
        stored.person_id == row.person.pk
        and stored.kind == row.kind
        and stored.sample_taken_at == row.sample_taken_at
        and stored.result == row.result
        and stored.ct_value == row.ct_value
        and pool_codes.get(stored.pool_id or 0, "") == row.pool_code
    )


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grant_and_audit(*, assignment, site: TestSite, results: list[TestResult], values: dict) -> None:
    """Put people living outside the site's commune in its reach (they were tested there), re-read the
    results through the assignment's restriction (inside the transaction: nothing is stored out of reach)
    and audit each person once."""
    inside = set(units_within(site.unit).values_list("pk", flat=True))
    expires = clock.now() + dt.timedelta(days=values["read_grant_days"])
    granted: set[int] = set()
    for result in results:
        person = result.person
        if person.residence_unit_id not in inside and person.pk not in granted:
            granted.add(person.pk)
            account_services.access_grant_create(
                person=person,
                unit=site.unit,
                reason=f"tested at {site.name}",
                source_type="testing.result",
                source_id=str(result.pk),
                expires_at=expires,
            )
    persons: dict[int, Any] = {}
    for chunk in _chunks([r.pk for r in results]):
        for found in selectors.results_in_reach(assignment=assignment).filter(pk__in=chunk):
            persons[found.person_id] = found.person
    if len(persons) != len({r.person_id for r in results}):
        raise NotFound()  # the transaction rolls back: nothing is stored out of the caller's reach
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=persons.values(), fields=AUDIT_FIELDS, purpose=Purpose.EPIDEMIC_CONTROL
    )


def _emit(results: list[TestResult]) -> None:
    for result in results:
        event_services.event_record(
            name=EVENT_NAME,
            payload={
                "result_id": result.pk,
                "person_qid": result.person.qid,
                "result": result.result,
                "kind": result.kind,
                "sample_taken_at": result.sample_taken_at.isoformat(),
                "positive": result.positive,
            },
        )


def _clear_retests(results: list[TestResult]) -> None:
    """An individual result of a person flagged by a pooled positive is the retest: the flag clears."""
    individual = {r.person_id: r.sample_taken_at for r in results if r.kind != TestKind.POOLED_RT_PCR}
    for chunk in _chunks(list(individual)):
        due = TestResult.objects.filter(person_id__in=chunk, needs_retest=True)
        for person_id, taken in due.values_list("person_id", "sample_taken_at"):
            if taken <= individual[person_id]:
                TestResult.objects.filter(
                    person_id=person_id, needs_retest=True, sample_taken_at__lte=individual[person_id]
                ).update(needs_retest=False)


def _store(
    rows: list[_Row], *, assignment, site: TestSite, source: str, report: ImportReport, technician=None
):
    """Store the checked rows in the caller's transaction; rows that conflict are added to the report."""
    ruleset = selectors.policy()
    values, version = ruleset.values, f"testing {ruleset.version}"
    now = clock.now()
    ids = [r.external_id for r in rows if r.external_id]
    existing: dict[str, TestResult] = {}
    for chunk in _chunks(ids):
        existing.update(
            {t.external_id: t for t in TestResult.objects.filter(site=site, external_id__in=chunk)}
        )
    pool_codes = sorted({r.pool_code for r in rows if r.pool_code})
    pools = {p.code: p for p in Pool.objects.filter(site=site, code__in=pool_codes)}
    codes_by_pk = {p.pk: p.code for p in pools.values()}
    members: dict[str, set[int]] = {code: set() for code in pool_codes}
    for membership in PoolMember.objects.filter(pool__in=pools.values()).values_list(
        "pool__code", "person_id"
    ):
        members[membership[0]].add(membership[1])
    new: list[TestResult] = []
    new_members: list[tuple[str, Any]] = []
    pool_result: dict[str, str] = {code: pool.result for code, pool in pools.items()}
    pooled_done = set(
        TestResult.objects.filter(pool__in=pools.values()).values_list("pool__code", "person_id")
    )

    def refuse(row: _Row, field_name: str, reason: str) -> None:
        report.rejected.append(RowError(row.row, field_name, reason, row.external_id or ""))

    for row in rows:
        if row.external_id and row.external_id in existing:
            if _same(existing[row.external_id], row, codes_by_pk):
                report.unchanged += 1
            else:
                refuse(
                    row,
                    "external_id",
                    _("This sample id is already recorded at this site with other values."),
                )
            continue
        if row.pool_code:
            code = row.pool_code
            known = members[code]
            if row.person.pk not in known and len(known) >= values["pool_max_samples"]:
                refuse(
                    row,
                    "pool_code",
                    _("Pool %(code)s already holds %(n)d samples.")
                    % {"code": code, "n": values["pool_max_samples"]},
                )
                continue
            if row.result and pool_result.get(code) and pool_result[code] != row.result:
                refuse(
                    row,
                    "result",
                    _("Pool %(code)s was reported %(result)s.")
                    % {"code": code, "result": Result(pool_result[code]).label},
                )
                continue
            if row.person.pk not in known:
                known.add(row.person.pk)
                new_members.append((code, row.person))
            elif not row.result:
                report.unchanged += 1
                continue
            if row.result:
                if (code, row.person.pk) in pooled_done:
                    refuse(
                        row,
                        "pool_code",
                        _("This person already has a result in pool %(code)s.") % {"code": code},
                    )
                    continue
                pooled_done.add((code, row.person.pk))
                pool_result[code] = row.result
            else:
                report.stored += 1  # a pool membership: the result comes with the pool's
                continue
        new.append(
            TestResult(
                person=row.person,
                kind=row.kind,
                sample_taken_at=row.sample_taken_at,
                result=row.result,
                ct_value=row.ct_value,
                site=site,
                technician=technician,
                technician_name=row.technician_name,
                recorded_by_id=assignment.user_id,
                source=source[:140],
                external_id=row.external_id,
                needs_retest=bool(row.pool_code) and row.result == Result.POSITIVE,
                rules_version=version,
                created_at=now,
            )
        )
        if row.external_id:
            existing[row.external_id] = new[-1]  # a second row with the same id in one batch
    # Pools: create the new ones, attach members, set results given by rows.
    first_sample = {}
    for row in rows:
        first_sample.setdefault(row.pool_code, row.sample_taken_at)
    for code in pool_codes:
        if code not in pools:
            pools[code] = Pool.objects.create(site=site, code=code, sample_taken_at=first_sample[code])
        pool = pools[code]
        if pool_result.get(code) and pool.result != pool_result[code]:
            pool.result, pool.result_at = pool_result[code], now
            pool.save(update_fields=["result", "result_at"])
    PoolMember.objects.bulk_create([PoolMember(pool=pools[c], person=p) for c, p in new_members])
    row_pool = {r.external_id: r.pool_code for r in rows if r.external_id and r.pool_code}
    for result in new:
        code = row_pool.get(result.external_id or "")
        if code:
            result.pool = pools[code]
    TestResult.objects.bulk_create(new, batch_size=CHUNK)
    if not any(r.pk for r in new) and new:
        raise RuntimeError("bulk_create did not return primary keys")
    report.stored += len(new)
    if new:
        _clear_retests(new)
        _grant_and_audit(assignment=assignment, site=site, results=new, values=values)
        _emit(new)
    return new


def _import(raws: Iterable[tuple[int, dict]], *, assignment, site_code: str, source: str) -> ImportReport:
    site = selectors.site_for_recording(assignment=assignment, site_code=site_code)
    values = selectors.policy().values
    report = ImportReport(source=source)
    raws = list(raws)
    people = _People()
    people.prefetch(raws)
    good: list[_Row] = []
    seen: dict[str, int] = {}
    for row_number, raw in raws:
        report.rows += 1
        try:
            row = _row_check(raw, row=row_number, people=people, values=values, external_required=True)
        except _RowRefused as refused:
            report.rejected.append(
                RowError(row_number, refused.field, refused.reason, _text(raw.get("external_id")))
            )
            continue
        if row.external_id in seen:
            report.rejected.append(
                RowError(
                    row_number,
                    "external_id",
                    _("Sample id already used on row %(row)d of this batch.")
                    % {"row": seen[row.external_id]},
                    row.external_id,
                )
            )
            continue
        seen[row.external_id] = row_number
        good.append(row)
    with transaction.atomic():
        _store(good, assignment=assignment, site=site, source=source, report=report)
    report.rejected.sort(key=lambda e: e.row)
    return report


def results_import_rows(*, assignment, site_code: str, rows: list[dict], source: str = "api") -> ImportReport:
    """A lab system's batch (at most MAX_BATCH rows, each a dict of the CSV's columns): the same checks and
    report as the CSV; good rows stored in one transaction; re-sending changes nothing."""
    if len(rows) > rules.MAX_BATCH:
        raise ImportTooLarge(_("At most %(n)d rows per batch.") % {"n": rules.MAX_BATCH}, field="rows")
    return _import(enumerate(rows, start=1), assignment=assignment, site_code=site_code, source=source)


def _csv_rows(reader: csv.DictReader) -> Iterable[tuple[int, dict]]:
    for row_number, raw in enumerate(reader, start=2):
        if row_number - 1 > rules.MAX_CSV_ROWS:
            raise ImportTooLarge(_("At most %(n)d rows per file.") % {"n": rules.MAX_CSV_ROWS}, field="file")
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue
        yield row_number, raw


def results_import_csv(*, assignment, site_code: str, file) -> ImportReport:
    """A lab's CSV (columns in docs/data-formats.md, "Test result CSV"). `file` is an open binary file or
    an uploaded file with a `name`. Bad rows are reported with their reason; good rows are stored in one
    transaction; a re-upload of the same file stores nothing (site + sample id)."""
    name = str(getattr(file, "name", "") or "upload.csv").rsplit("/", 1)[-1]
    data = file.read(rules.MAX_CSV_BYTES + 1)
    if len(data) > rules.MAX_CSV_BYTES:
        raise ImportTooLarge(_("The file is larger than 20 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportUnreadable(
            _("The file is not UTF-8 text (byte %(at)d).") % {"at": error.start}, field="file"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {(h or "").strip() for h in reader.fieldnames or []}
    missing = sorted(CSV_REQUIRED - header)
    if missing or not header & {"id_number", "qid"}:
        raise ImportUnreadable(
            _("The header must name the columns %(columns)s, and id_number or qid; missing: %(missing)s.")
            % {"columns": ", ".join(sorted(CSV_REQUIRED)), "missing": ", ".join(missing) or "id_number/qid"},
            field="file",
        )
    reader.fieldnames = [(h or "").strip() for h in reader.fieldnames or []]
    try:
        return _import(_csv_rows(reader), assignment=assignment, site_code=site_code, source=f"csv:{name}")
    except csv.Error as error:
        raise ImportUnreadable(
            _("The file is not a readable CSV file: %(reason)s.") % {"reason": error}, field="file"
        ) from None


@transaction.atomic
def result_record(
    *,
    assignment,
    person_qid: str,
    kind: str,
    sample_taken_at: dt.datetime,
    result: str,
    ct_value: Decimal | float | None = None,
    site_code: str,
    external_id: str | None = None,
) -> TestResult:
    """One result, the person presenting themself at the site. A repeated sample id with the same values
    returns the stored result; with other values it is refused."""
    site = selectors.site_for_recording(assignment=assignment, site_code=site_code)
    values = selectors.policy().values
    raw = {"qid": person_qid, "kind": kind, "sample_taken_at": sample_taken_at, "result": result,
           "ct_value": ct_value, "external_id": external_id}  # fmt: skip
    if _text(kind) == TestKind.POOLED_RT_PCR:
        raise TestingError(_("Pooled samples come with their pool: upload the lab's file."), field="kind")
    try:
        row = _row_check(raw, row=1, people=_People(), values=values, external_required=False)
    except _RowRefused as refused:
        if refused.field == "qid" and refused.reason == _("No person has this number."):
            raise NotFound(field="person_qid") from None
        raise TestingError(refused.reason, field=refused.field) from None
    report = ImportReport(source="recorded")
    stored = _store([row], assignment=assignment, site=site, source="recorded", report=report,
                    technician=assignment.user)  # fmt: skip
    if report.rejected:
        raise TestingError(report.rejected[0].reason, field=report.rejected[0].field)
    if stored:
        return stored[0]
    return TestResult.objects.select_related("person", "site").get(site=site, external_id=row.external_id)


def _legacy_reading(kind: str, result: str) -> tuple[str, str]:
    """The kind and result a 2021 list wrote ("PCR", "Test nhanh kháng nguyên"; "Dương tính", "Âm tính"),
    read with the aliases every channel uses. A pooled sample without its pool cannot be stored."""
    try:
        kind_code = _kind(kind)
        if kind_code == TestKind.POOLED_RT_PCR:
            raise _RowRefused("kind", _("Pooled samples come with their pool: upload the lab's file."))
        return kind_code, _result(result, kind=kind_code, pooled=False)
    except _RowRefused as refused:
        raise TestingError(refused.reason, field=refused.field) from None


@transaction.atomic
def result_import_legacy(
    *, person, kind: str, sampled_on: dt.date, result: str, source: str
) -> TestResult | None:
    """A test result from a 2021 app's record (issue 7): history, stored as it was, not a new result.

    The old ward lists named a ward, not a site the platform knows, nor a sample id or a time: the result
    has no site and its sample is taken at the day's local midnight. The sample-age window of live results
    does not apply (it is history); a day in the future or before the person's birth is refused.

    No `testing.result_recorded` event, no access grant, no audit: that event is how a new result reaches
    tracing (a positive opens a case, finds contacts and alerts them), quarantine (a scheduled test is done)
    and risk (today's levels are recomputed). A positive of 2021 must do none of these today; with no site
    it is not counted in the report and dashboard counts either (they count by the site's unit).

    `source` is "legacy:<source>" ("legacy:ward_tests"). Returns None when the person already has the same
    kind and result sampled that day (the ward list and a lab both held one test); another result that day
    is a `TestingError`, for the caller to keep as an alternative value rather than overwrite.
    """
    if not source.startswith(LEGACY_PREFIX):
        raise ValueError(f"A legacy result's source starts with {LEGACY_PREFIX!r}: {source!r}")
    kind_code, result_code = _legacy_reading(kind, result)
    if sampled_on > clock.today() or sampled_on < person.birth_date:
        raise TestingError(
            _("Sample date %(date)s is in the future or before the person's birth.")
            % {"date": f"{sampled_on:%d/%m/%Y}"},
            field="sample_taken_at",
        )
    same_day = selectors.results_sampled_on(person=person, kind=kind_code, day=sampled_on)
    if any(found.result == result_code for found in same_day):
        return None
    if same_day:
        raise TestingError(
            _("The %(kind)s result of %(date)s is already recorded as %(result)s.")
            % {"kind": TestKind(kind_code).label, "date": f"{sampled_on:%d/%m/%Y}",
               "result": Result(same_day[0].result).label},
            field="result",
        )  # fmt: skip
    return TestResult.objects.create(
        person=person, kind=kind_code, sample_taken_at=clock.local_midnight(sampled_on), result=result_code,
        site=None, source=source[:140],
        rules_version=f"testing {selectors.policy(at=sampled_on).version}", created_at=clock.now(),
    )  # fmt: skip


@transaction.atomic
def pool_record_result(*, assignment, site_code: str, pool_code: str, result: str) -> PoolOutcome:
    """The lab's result for a whole pool. Positive: every member gets a pooled result flagged for an
    individual retest. Negative (or invalid): the members' pooled results follow, and the flags clear."""
    site = selectors.site_for_recording(assignment=assignment, site_code=site_code)
    if result not in Result.values:
        raise TestingError(_("Result must be one of: %s.") % ", ".join(Result.values), field="result")
    pool = Pool.objects.select_for_update().filter(site=site, code=(pool_code or "").strip()).first()
    if pool is None:
        raise NotFound(_("No pool with this code at this site."), field="pool_code")
    values = selectors.policy().values
    now = clock.now()
    member_ids = list(PoolMember.objects.filter(pool=pool).values_list("person_id", flat=True))
    stored = {r.person_id: r for r in TestResult.objects.filter(pool=pool).select_related("person")}
    positive = result == Result.POSITIVE
    changed: list[TestResult] = []
    flagged = cleared = 0
    for existing in stored.values():
        if existing.result != result or existing.needs_retest != positive:
            cleared += existing.needs_retest and not positive
            flagged += positive and not existing.needs_retest
            existing.result, existing.needs_retest = result, positive
            existing.save(update_fields=["result", "needs_retest"])
            changed.append(existing)
    missing = [pid for pid in member_ids if pid not in stored]
    created = [
        TestResult(
            person_id=pid,
            kind=TestKind.POOLED_RT_PCR,
            sample_taken_at=pool.sample_taken_at,
            result=result,
            site=site,
            recorded_by_id=assignment.user_id,
            pool=pool,
            source="pool",
            needs_retest=positive,
            rules_version=f"testing {selectors.policy().version}",
            created_at=now,
        )
        for pid in missing
    ]
    TestResult.objects.bulk_create(created)
    flagged += len(created) if positive else 0
    if pool.result != result:
        pool.result, pool.result_at = result, now
        pool.save(update_fields=["result", "result_at"])
    touched = changed + created
    if touched:
        touched = list(
            TestResult.objects.filter(pk__in=[r.pk for r in touched]).select_related("person__residence_unit")
        )
        _grant_and_audit(assignment=assignment, site=site, results=touched, values=values)
        _emit(touched)
    return PoolOutcome(pool, len(member_ids), flagged, cleared, len(touched))


def _site_unit(unit_code: str):
    unit = geography_selectors.current_commune(code=unit_code)
    if unit is None:
        raise TestingError(
            _("No commune or ward has the code %(code)s on the current (2025) map.")
            % {"code": (unit_code or "").strip()[:20]},
            field="unit_code",
        )
    return unit


@transaction.atomic
def test_site_register(
    *, assignment, code: str, name: str, unit_code: str, kind: str = SiteKind.SAMPLING
) -> TestSite:
    """A sampling site or lab in a commune inside the official's jurisdiction."""
    if assignment.role not in {"commune_official", "province_official"}:
        raise Forbidden(
            _("Only commune or province health officials register test sites."), code="no_permission"
        )
    unit = _site_unit(unit_code)
    if not (unit.edition == assignment.unit.edition and unit.path.startswith(assignment.unit.path)):
        raise NotFound(field="unit_code")
    code = (code or "").strip().upper()
    if not _SITE_CODE.fullmatch(code):
        raise TestingError(
            _("Site code has 2-20 letters, digits, dots, dashes or underscores."), field="code"
        )
    if kind not in SiteKind.values:
        raise TestingError(_("Kind must be one of: %s.") % ", ".join(SiteKind.values), field="kind")
    name = _text(name)[:120]
    if not name:
        raise TestingError(_("Name is required."), field="name")
    if TestSite.objects.filter(code=code).exists():
        raise TestingError(_("A test site already has this code."), field="code", code="site_code_taken")
    return TestSite.objects.create(code=code, name=name, unit=unit, kind=kind)


test_site_register.__test__ = False  # type: ignore[attr-defined]


def result_person_qid(*, scanned_text: str = "", id_number: str = "") -> str:
    """The qid of the person a technician picks: by the QR code they show (our signed personal code, a
    chip ID card or an insurance card) or by their ID number. A forged code is never looked up.
    Internal matching only: `result_record` then restricts and audits."""
    if scanned_text:
        scan = qr_services.qr_verify(text=scanned_text)
        if scan.kind in ("venue", "unknown") or scan.signature == "invalid":
            raise TestingError(scan.message or _("This code does not name a person."), field="text")
        person = qr_services.person_for_code(scan=scan)
    elif id_number:
        number = re.sub(r"\D", "", id_number)
        if not _ID_NUMBER.fullmatch(number):
            raise TestingError(_("ID number has 12 digits (CCCD) or 9 digits (CMND)."), field="id_number")
        person = identity_selectors.person_by_national_id(national_id=number)
    else:
        raise TestingError(_("Scan the person's QR code or type their ID number."), field="id_number")
    if person is None:
        raise TestingError(
            _("No person in the platform matches."), field="id_number" if id_number else "text"
        )
    return person.qid
