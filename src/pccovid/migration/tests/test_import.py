"""Import runs: adapters (good and bad rows), idempotency, deltas, rejects, refusals, resume after a kill."""

import csv
import importlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from pccovid.geography.models import Edition, Level, UnitSuccession
from pccovid.migration import adapters, formats, services
from pccovid.migration.formats import FileKind
from pccovid.migration.models import ImportRun, StagedRecord
from pccovid.testkit import make_unit

PCCOVID = Path(sys.executable).with_name("pccovid")


def write_extract(path: Path, extract: formats.ExtractFormat, rows: list[dict[str, str]]) -> Path:
    """Write rows (missing fields empty) in the source's file type, as the generator would."""
    full = [{name: row.get(name, "") for name in extract.fields} for row in rows]
    if extract.kind is FileKind.CSV:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=extract.fields)
            writer.writeheader()
            writer.writerows(full)
    elif extract.kind is FileKind.JSONL:
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in full), encoding="utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = extract.sheet
        sheet.append(list(extract.fields))
        for row in full:
            sheet.append([row[name] for name in extract.fields])
        book.save(path)
    return path


def extract_file(tmp_path: Path, source: str, rows: list[dict[str, str]], name: str = "") -> Path:
    extract = formats.SOURCES[source]
    return write_extract(tmp_path / (name or extract.file_name), extract, rows)


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


PERSON = {"full_name": "Nguyễn Văn An", "birth_date": "15/03/1985", "sex": "M", "phone": "0903123456"}
WARD = {"Họ và tên": "Trần Thị Bích", "Giới tính": "Nữ", "Số điện thoại": "0903 123 456", "Địa chỉ": ""}

# source -> (a good row, a bad row, the bad row's (field, reason))
CASES = {
    "bluezone": (
        {"record_id": "BLU1", "bluezone_id": "0123456789abcdef", "phone": "01683123456",
         "registered_at": "2020-08-01T09:00:00+07:00"},
        {"record_id": "BLU2", "bluezone_id": "0123456789abcdef", "phone": "",
         "registered_at": "2020-08-01T09:00:00+07:00"},
        ("phone", "empty"),
    ),
    "ncovi": (
        {"record_id": "NCO1", "declaration_type": "domestic", "declared_at": "2021-07-01T08:00:00+07:00",
         **PERSON, "full_name": "Nguyeenx Vawn An", "id_number": "079085001234"},
        {"record_id": "NCO2", "declaration_type": "domestic", "declared_at": "01/07/2021", **PERSON},
        ("declared_at", "unreadable_datetime"),
    ),
    "vneid": (
        {"record_id": "VNE1", "cccd": "079085001234", **PERSON, "birth_date": "1985-03-15",
         "declared_at": "2021-07-01T08:00:00+07:00", "health": "bình thường"},
        {"record_id": "VNE2", "cccd": "123456789", **PERSON, "declared_at": "2021-07-01T08:00:00+07:00"},
        ("cccd", "not_a_cccd"),
    ),
    "vaccination": (
        {"record_id": "VAC1", "id_type": "CCCD", "id_number": "0903123456", **PERSON, "phone": "",
         "address": "Phường Tân Định, Quận 1, TP.HCM", "dose_number": "1", "vaccine": "AstraZeneca",
         "lot": "A12345", "vaccinated_on": "20/07/2021", "site": "Trạm Y tế Phường Tân Định"},
        {"record_id": "VAC2", "id_type": "CCCD", "id_number": "", **PERSON, "phone": "", "dose_number": "1",
         "vaccine": "AstraZeneca", "vaccinated_on": "20/07/2021"},
        ("id_number", "no_identifier"),
    ),
    "ward_tests": (
        {"STT": "1", **WARD, "Năm sinh": "1990", "Số CMND/CCCD": "23456789", "Ngày lấy mẫu": "02/08/2021",
         "Loại xét nghiệm": "PCR", "Kết quả": "Âm tính"},
        {"STT": "2", **WARD, "Năm sinh": "1990", "Ngày lấy mẫu": "2/8", "Kết quả": "Âm tính"},
        ("Ngày lấy mẫu", "unreadable_date"),
    ),
    "ward_vaccinations": (
        {"STT": "1", **WARD, "Ngày sinh": "05/06/1990", "Mũi": "2", "Loại vắc xin": "Pfizer",
         "Ngày tiêm": "10/09/2021"},
        {"STT": "2", **WARD, "Họ và tên": "", "Ngày sinh": "05/06/1990", "Mũi": "2",
         "Ngày tiêm": "10/09/2021"},
        ("Họ và tên", "empty"),
    ),
    "social_insurance": (
        {"record_id": "SOC1", "card_number": "DN4791234567890", "social_insurance_number": "7912345678",
         **PERSON, "sex": "Nam", "cccd": "", "valid_from": "01/01/2021", "valid_to": "31/12/2021"},
        {"record_id": "SOC2", "card_number": "DN479123", **PERSON, "sex": "Nam",
         "valid_from": "01/01/2021", "valid_to": "31/12/2021"},
        ("card_number", "not_a_card_number"),
    ),
}  # fmt: skip


@pytest.fixture
def quan_1(db):
    """Phường Tân Định of the 2021 Quận 1, taken over in 2025 by Phường Tân Định."""
    old_hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE, edition=Edition.PRE_2025)
    district = make_unit("760", "Quận 1", Level.DISTRICT, old_hcmc, edition=Edition.PRE_2025)
    old = make_unit("26734", "Phường Tân Định", Level.COMMUNE, district, edition=Edition.PRE_2025)
    new = make_unit("26734", "Phường Tân Định", Level.COMMUNE, make_unit("79", "TP HCM", Level.PROVINCE))
    UnitSuccession.objects.create(old_unit=old, new_unit=new, method="official")
    return old, new


@pytest.mark.parametrize("source", list(CASES))
def test_adapter_stages_good_row_and_rejects_bad_one(quan_1, tmp_path, source):
    good, bad, (field, reason) = CASES[source]
    result = services.legacy_import(source=source, path=extract_file(tmp_path, source, [good, bad]))
    run = result.run
    assert (run.status, run.rows_read, run.staged, run.rejected) == ("done", 2, 1, 1)
    reject = run.rejects.get()
    second_row = 2 if formats.SOURCES[source].kind is FileKind.JSONL else 3  # after a header row, or not
    assert (reject.row, reject.field, reject.reason) == (second_row, field, reason)
    record = StagedRecord.objects.get(source=source)
    assert record.record_id == good[formats.SOURCES[source].record_id]
    assert record.run == run
    assert record.raw == {name: good.get(name, "") for name in formats.SOURCES[source].fields}


def staged(source: str) -> StagedRecord:
    return StagedRecord.objects.get(source=source)


def test_adapters_clean_every_field(quan_1, tmp_path):
    for source in ("bluezone", "ncovi", "vaccination", "ward_tests", "social_insurance"):
        services.legacy_import(source=source, path=extract_file(tmp_path, source, [CASES[source][0]]))
    assert staged("bluezone").phone == "+84383123456"
    assert "phone:renumbered_2018" in staged("bluezone").flags
    assert staged("bluezone").payload["registered_at"] == "2020-08-01T09:00:00+07:00"
    ncovi = staged("ncovi")
    assert (ncovi.full_name, ncovi.name_key, ncovi.cccd) == ("Nguyễn Văn An", "nguyen van an", "079085001234")
    assert (ncovi.birth_date.isoformat(), ncovi.birth_precision, ncovi.sex) == ("1985-03-15", "day", "M")
    assert "name:telex_repaired" in ncovi.flags
    vaccination = staged("vaccination")
    assert (vaccination.phone, vaccination.cccd) == ("+84903123456", "")
    assert "id:phone_in_id" in vaccination.flags
    assert (vaccination.unit_2021, vaccination.unit_2025) == quan_1
    assert vaccination.payload["vaccinated_on"] == "2021-07-20"
    ward = staged("ward_tests")
    assert (ward.cmnd, ward.birth_year, ward.birth_precision, ward.sex) == ("023456789", 1990, "year", "F")
    assert "id:leading_zero_restored" in ward.flags
    insurance = staged("social_insurance")
    assert (insurance.health_insurance, insurance.sex) == ("DN4791234567890", "M")
    assert "card_number:social_insurance_number_mismatch" in insurance.flags


def test_ambiguous_birth_date_keeps_both_readings(db, tmp_path):
    row = {**CASES["ncovi"][0], "birth_date": "05/06/1990"}
    services.legacy_import(source="ncovi", path=extract_file(tmp_path, "ncovi", [row]))
    record = staged("ncovi")
    assert (str(record.birth_date), str(record.birth_alternative)) == ("1990-06-05", "1990-05-06")
    assert "birth_date:ambiguous" in record.flags


def test_malformed_rows_are_rejected_not_fatal(db, tmp_path):
    path = tmp_path / "ncovi.jsonl"
    good = json.dumps({name: CASES["ncovi"][0].get(name, "") for name in formats.NCOVI.fields})
    path.write_text(f'{good}\nnot json\n{{"record_id": "NCO9"}}\n', encoding="utf-8")
    run = services.legacy_import(source="ncovi", path=path).run
    assert (run.staged, run.rejected) == (1, 2)
    assert [(r.row, r.reason) for r in run.rejects.all()] == [(2, "unreadable_row"), (3, "unreadable_row")]


def vaccination_rows(count: int, *, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    good = CASES["vaccination"][0]
    return [
        {**good, "record_id": f"VAC{i:06d}", "phone": f"090{rng.randrange(10**7):07d}", "id_number": ""}
        if i % 50
        else {**good, "record_id": f"VAC{i:06d}", "id_number": "", "phone": ""}  # no identifier: reject
        for i in range(count)
    ]


def test_same_file_twice_adds_nothing(db, tmp_path):
    path = extract_file(tmp_path, "vaccination", vaccination_rows(120))
    first = services.legacy_import(source="vaccination", path=path, batch=25)
    assert (first.run.staged, first.run.rejected, first.already_imported) == (117, 3, False)
    again = services.legacy_import(source="vaccination", path=path, batch=25)
    assert again.already_imported and again.run == first.run
    assert StagedRecord.objects.count() == 117
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize("source", ["vaccination", "vneid", "ward_tests"])  # CSV, JSONL, Excel
def test_run_knows_the_rows_of_its_file_from_the_start(db, tmp_path, source):
    good, bad, _ = CASES[source]
    seen = []
    run = services.legacy_import(
        source=source,
        path=extract_file(tmp_path, source, [good, bad, good]),
        progress=lambda done, total: seen.append((done, ImportRun.objects.get().total_rows, total)),
    ).run
    assert run.total_rows == 3 and seen[0] == (0, 3, 3)


def test_records_staged_with_the_old_hash_are_unchanged(db, tmp_path):
    """Records staged before the content hash became the hash of the raw JSON (canonical JSON then)."""
    rows = vaccination_rows(30)
    services.legacy_import(source="vaccination", path=extract_file(tmp_path, "vaccination", rows))
    for record in StagedRecord.objects.all():
        StagedRecord.objects.filter(pk=record.pk).update(content_hash=adapters.content_hash_v1(record.raw))
    delta = [*rows[:10], {**rows[10], "lot": "Z99999"}]
    run = services.legacy_import(
        source="vaccination", path=extract_file(tmp_path, "vaccination", delta, "d.csv")
    ).run
    assert (run.staged, run.unchanged, run.updated, run.rejected) == (0, 9, 1, 1)
    changed = StagedRecord.objects.get(record_id=rows[10]["record_id"])
    as_read = {name: changed.raw[name] for name in formats.VACCINATION.fields}  # jsonb reorders keys
    assert changed.content_hash == adapters.content_hash(as_read)


@pytest.mark.django_db(transaction=True)
def test_big_run_builds_the_secondary_indexes_again(tmp_path, monkeypatch):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("index deferral is SQLite's (PostgreSQL keeps its indexes during an import)")
    monkeypatch.setattr(services, "DEFER_INDEXES_FROM", 1)
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'migration_stagedrecord'"
    with connection.cursor() as cursor:
        before = sorted(cursor.execute(indexes).fetchall())
    run = services.legacy_import(
        source="vaccination", path=extract_file(tmp_path, "vaccination", vaccination_rows(60)), batch=7
    ).run
    assert (run.staged, run.rejected) == (58, 2)
    with connection.cursor() as cursor:
        assert sorted(cursor.execute(indexes).fetchall()) == before and len(before) == 8


def test_same_rows_in_another_file_are_unchanged(db, tmp_path):
    rows = vaccination_rows(60)
    services.legacy_import(source="vaccination", path=extract_file(tmp_path, "vaccination", rows))
    copy = extract_file(tmp_path, "vaccination", list(reversed(rows)), name="copy.csv")
    run = services.legacy_import(source="vaccination", path=copy).run
    assert (run.staged, run.unchanged, run.updated, run.rejected) == (0, 58, 0, 2)
    assert StagedRecord.objects.count() == 58


def test_delta_updates_instead_of_duplicating(db, tmp_path):
    rows = vaccination_rows(10)
    services.legacy_import(source="vaccination", path=extract_file(tmp_path, "vaccination", rows))
    delta = [{**rows[3], "dose_number": "2"}, rows[4], {**rows[5], "record_id": "VAC999999"}]
    run = services.legacy_import(
        source="vaccination", path=extract_file(tmp_path, "vaccination", delta, "d.csv")
    ).run
    assert (run.staged, run.unchanged, run.updated) == (1, 1, 1)
    assert StagedRecord.objects.count() == 10
    updated = StagedRecord.objects.get(record_id=rows[3]["record_id"])
    assert (updated.payload["dose_number"], updated.run) == ("2", run)


def test_repeated_record_id_in_one_file_updates_across_batches(db, tmp_path):
    rows = vaccination_rows(6)
    rows.append({**rows[2], "lot": "Z99999"})
    run = services.legacy_import(
        source="vaccination", path=extract_file(tmp_path, "vaccination", rows), batch=3
    ).run
    assert (run.staged, run.updated) == (5, 1)
    assert StagedRecord.objects.get(record_id=rows[2]["record_id"]).payload["lot"] == "Z99999"


def test_reject_report_lists_row_field_and_reason(db, tmp_path, var_dir):
    rows = [CASES["bluezone"][0], CASES["bluezone"][1], {**CASES["bluezone"][0], "record_id": ""}]
    run = services.legacy_import(source="bluezone", path=extract_file(tmp_path, "bluezone", rows)).run
    report = Path(run.reject_report)
    assert report == var_dir / "imports" / f"{run.pk}-rejects.csv"
    assert report.read_text(encoding="utf-8").splitlines() == [
        "row,record_id,field,reason",
        "3,BLU2,phone,empty",
        "4,,record_id,empty",
    ]


def test_command_prints_summary_and_already_imported(db, tmp_path, capsys):
    path = extract_file(tmp_path, "bluezone", [CASES["bluezone"][0], CASES["bluezone"][1]])
    call_command("legacy_import", "bluezone", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert "2 read, 1 staged, 0 unchanged, 0 updated, 1 rejected." in out
    assert "-rejects.csv" in out
    call_command("legacy_import", "bluezone", str(path), "--no-progress")
    assert "bluezone.csv: already imported" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("source", "name", "content", "message"),
    [
        ("myspace", "x.csv", "a\n", "Unknown source 'myspace'"),
        ("bluezone", "", None, "no such file"),
        ("bluezone", "bluezone.jsonl", "{}\n", "a bluezone extract is a .csv file"),
        ("bluezone", "bluezone.csv", "id,phone\n1,0903123456\n", "missing columns record_id, bluezone_id"),
        ("bluezone", "bluezone.csv", b"record_id,bluezone_id,phone,registered_at\n\xff\xfe\n", "not UTF-8"),
        ("ward_tests", "ward_tests.xlsx", "not a zip", r"not an Excel \(\.xlsx\) file"),
    ],
)
def test_command_refuses_in_one_line(db, tmp_path, source, name, content, message):
    path = tmp_path / (name or "absent.csv")
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message) as error:
        call_command("legacy_import", source, str(path), "--no-progress")
    assert "\n" not in str(error.value)
    assert not ImportRun.objects.exists()


def test_command_refuses_a_batch_below_one(db, tmp_path):
    path = extract_file(tmp_path, "bluezone", [CASES["bluezone"][0]])
    with pytest.raises(CommandError, match="--batch must be at least 1"):
        call_command("legacy_import", "bluezone", str(path), "--batch", "0")


def test_excel_sheet_must_be_the_sources(db, tmp_path):
    path = extract_file(tmp_path, "ward_tests", [CASES["ward_tests"][0]])
    with pytest.raises(CommandError, match="no sheet 'Danh sach tiem'"):
        call_command("legacy_import", "ward_vaccinations", str(path.rename(tmp_path / "w.xlsx")))


# ------------------------------------------------------------------------- resume after a real kill

COMPARED = (
    "source, record_id, raw, full_name, name_key, birth_date, phone, cccd, cmnd, payload, flags, content_hash"
)


def cli(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([str(PCCOVID), *args], env=env, stdout=subprocess.PIPE, text=True, **kwargs)


def database_env(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "PCCOVID_VAR_DIR": str(directory),
    }


def table(directory: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(directory / "db.sqlite3") as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """An empty, migrated SQLite database file, copied by each run."""
    directory = tmp_path_factory.mktemp("migrated")
    assert cli(database_env(directory), "migrate", "-v0").wait(timeout=300) == 0
    return directory / "db.sqlite3"


def test_killed_import_resumes_to_the_uninterrupted_result(migrated, tmp_path):
    rows = vaccination_rows(8000, seed=2)
    rows += [{**row, "lot": "B00001"} for row in rows[1:41]]  # repeated ids at the end: updates
    path = extract_file(tmp_path, "vaccination", rows)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    for directory in (killed, whole):
        directory.mkdir()
        shutil.copy(migrated, directory / "db.sqlite3")

    process = cli(  # worker processes clean and write the batches in turns
        database_env(killed), "legacy", "import", "vaccination", str(path), "--batch", "20", "--no-progress"
    )
    checkpoint = _wait_for_checkpoint(killed, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert table(killed, "SELECT status FROM migration_importrun") == [("running",)]
    assert 0 < checkpoint < len(rows)

    resumed = cli(
        database_env(killed), "legacy", "import", "vaccination", str(path), "--batch", "20", "--no-progress"
    )
    assert resumed.wait(timeout=300) == 0
    assert "Resumed run 1 at row" in resumed.stdout.read()
    alone = ("--batch", "1000", "--workers", "0", "--no-progress")  # no worker processes
    assert cli(database_env(whole), "legacy", "import", "vaccination", str(path), *alone).wait(300) == 0

    query = f"SELECT {COMPARED} FROM migration_stagedrecord ORDER BY source, record_id"
    assert table(killed, query) == table(whole, query)
    counters = (
        "SELECT status, rows_read, staged, unchanged, updated, rejected, last_committed_row, total_rows"
        " FROM migration_importrun"
    )
    assert table(killed, counters) == table(whole, counters) == [("done", 8040, 7840, 0, 40, 160, 8040, 8040)]
    rejects = "SELECT row, record_id, field, reason FROM migration_importreject ORDER BY row"
    assert table(killed, rejects) == table(whole, rejects)


def test_a_batch_a_worker_cannot_write_fails_the_run_which_resumes_once_it_can(migrated, tmp_path):
    """A worker process's write refused in its turn (here by a trigger on one record): the run fails with
    the reason, keeps the batches before it, and the next import goes on from there to the same result."""
    rows = vaccination_rows(3000, seed=3)
    path = extract_file(tmp_path, "vaccination", rows)
    failing, whole = tmp_path / "failing", tmp_path / "whole"
    for directory in (failing, whole):
        directory.mkdir()
        shutil.copy(migrated, directory / "db.sqlite3")
    table(
        failing,
        "CREATE TRIGGER refuse BEFORE INSERT ON migration_stagedrecord WHEN NEW.record_id = 'VAC001501'"
        " BEGIN SELECT RAISE(ABORT, 'record VAC001501 refused'); END",
    )
    command = ("legacy", "import", "vaccination", str(path))
    args = (*command, "--batch", "100", "--no-progress")

    refused = cli(database_env(failing), *args, stderr=subprocess.PIPE)
    assert refused.wait(timeout=300) == 1
    reason = "An import worker process failed: IntegrityError: record VAC001501 refused"
    assert reason in refused.stderr.read()
    assert table(failing, "SELECT status, last_committed_row FROM migration_importrun") == [("failed", 1500)]

    table(failing, "DROP TRIGGER refuse")
    resumed = cli(database_env(failing), *args)
    assert resumed.wait(timeout=300) == 0
    assert "Resumed run 1 at row 1,500" in resumed.stdout.read()
    assert cli(database_env(whole), *command, "--workers", "0", "--no-progress").wait(300) == 0
    query = f"SELECT {COMPARED} FROM migration_stagedrecord ORDER BY source, record_id"
    assert table(failing, query) == table(whole, query)
    counters = "SELECT status, rows_read, staged, rejected, last_committed_row FROM migration_importrun"
    assert table(failing, counters) == table(whole, counters) == [("done", 3000, 2940, 60, 3000)]


def _wait_for_checkpoint(directory: Path, process: subprocess.Popen) -> int:
    """Poll the run's checkpoint until a batch is committed (the run must still be going)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be killed"
        try:
            found = table(directory, "SELECT last_committed_row FROM migration_importrun")
        except sqlite3.OperationalError:  # locked by the writer: try again
            found = []
        if found and found[0][0] > 0:
            return found[0][0]
        time.sleep(0.005)
    raise AssertionError("no checkpoint within 120 s")


def test_the_house_and_street_are_staged_as_a_key_beside_the_units(quan_1, tmp_path):
    rows = [
        {**CASES["vaccination"][0], "address": "Số 12/4 Đường Hai Bà Trưng, Phường Tân Định, Quận 1, TP.HCM"}
    ]
    services.legacy_import(source="vaccination", path=extract_file(tmp_path, "vaccination", rows))
    vaccination = staged("vaccination")
    assert (vaccination.street_key, vaccination.unit_2025) == ("12/4 hai ba trung", quan_1[1])


def test_records_staged_before_the_street_key_get_it_from_their_raw_address(quan_1, tmp_path):
    rows = [{**CASES["vaccination"][0], "address": "45 Pasteur, Phường Tân Định, Quận 1, TP.HCM"}]
    services.legacy_import(source="vaccination", path=extract_file(tmp_path, "vaccination", rows))
    StagedRecord.objects.update(street_key="")
    backfill = importlib.import_module("pccovid.migration.migrations.0006_staged_record_street_key")
    backfill.street_keys_fill(django_apps, None)
    assert staged("vaccination").street_key == "45 pasteur"
