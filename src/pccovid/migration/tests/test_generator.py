import csv
import json
import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from pccovid.core.text import fold
from pccovid.demo import services as demo_services
from pccovid.demo.generator import CommuneSpec
from pccovid.geography.models import Edition, Level, UnitSuccession
from pccovid.identity.models import Person
from pccovid.identity.validators import normalise_phone
from pccovid.migration import formats, generator
from pccovid.migration.formats import FileKind
from pccovid.testkit import make_unit

PEOPLE = 400
COMMUNES = [
    CommuneSpec("26740", "Phường Sài Gòn"),
    CommuneSpec("26743", "Phường Bến Thành"),
    CommuneSpec("27619", "Xã Bình Hưng"),
]


@pytest.fixture
def city(db, tmp_path, settings):
    """A seeded demo city of 400 people; Phường Sài Gòn took over two 2021 wards of Quận 1."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    communes = [make_unit(c.code, c.name, Level.COMMUNE, hcmc) for c in COMMUNES]
    old_hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE, edition=Edition.PRE_2025)
    district = make_unit("760", "Quận 1", Level.DISTRICT, old_hcmc, edition=Edition.PRE_2025)
    for code, name in (("26734", "Phường Tân Định"), ("26737", "Phường Đa Kao")):
        old = make_unit(code, name, Level.COMMUNE, district, edition=Edition.PRE_2025)
        UnitSuccession.objects.create(old_unit=old, new_unit=communes[0], method="official")
    demo_services.demo_city_seed(
        province=hcmc, communes=communes, people=PEOPLE, seed=7, extract_path=tmp_path / "register.csv"
    )


@pytest.fixture
def generated(city, tmp_path) -> tuple[Path, generator.GenerationReport]:
    out = tmp_path / "legacy"
    return out, generator.legacy_extracts_write(people=PEOPLE, seed=2021, out=out)


def read_extract(out: Path, extract: formats.ExtractFormat) -> list[dict[str, str]]:
    """Rows of an extract as dicts, checking the header is exactly the declared field list."""
    path = out / extract.file_name
    if extract.kind is FileKind.CSV:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            assert tuple(reader.fieldnames) == extract.fields
        return rows
    if extract.kind is FileKind.JSONL:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert all(tuple(row) == extract.fields for row in rows)
        return rows
    sheet = load_workbook(path, read_only=True)[extract.sheet]
    header, *values = [tuple(cell or "" for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert header == extract.fields
    return [dict(zip(header, row, strict=True)) for row in values]


def all_rows(out: Path) -> dict[str, list[dict[str, str]]]:
    return {source: read_extract(out, extract) for source, extract in formats.SOURCES.items()}


def truth(out: Path) -> dict[tuple[str, str], str]:
    with (out / formats.TRUTH_FILE).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == formats.TRUTH_FIELDS
        return {(source, record_id): qid for source, record_id, qid in reader}


def people_by_qid() -> dict[str, Person]:
    return {person.qid: person for person in Person.objects.prefetch_related("identifiers")}


def ids_of(person: Person) -> dict[str, str]:
    return {identifier.kind: identifier.value for identifier in person.identifiers.all()}


def test_the_same_seed_gives_byte_identical_files_and_another_seed_others(generated, tmp_path):
    out, _report = generated
    again = tmp_path / "again"
    generator.legacy_extracts_write(people=PEOPLE, seed=2021, out=again)
    other = tmp_path / "other"
    generator.legacy_extracts_write(people=PEOPLE, seed=2022, out=other)
    names = [extract.file_name for extract in formats.SOURCES.values()] + [formats.TRUTH_FILE]
    for name in names:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    assert (out / "ncovi.jsonl").read_bytes() != (other / "ncovi.jsonl").read_bytes()


def test_excel_extracts_carry_no_time_of_writing(generated):
    """Two runs a second apart must still match: every timestamp inside the workbook is fixed."""
    out, _report = generated
    with zipfile.ZipFile(out / formats.WARD_TESTS.file_name) as workbook:
        assert {info.date_time for info in workbook.infolist()} == {(2021, 10, 1, 0, 0, 0)}
        core = workbook.read("docProps/core.xml").decode()
    assert re.findall(r"\d{4}-\d\d-\d\dT[\d:]+Z", core) == ["2021-10-01T00:00:00Z"] * 2


def test_every_source_is_written_with_its_declared_fields_and_the_truth_covers_every_record(generated):
    out, report = generated
    rows = all_rows(out)
    known = truth(out)
    qids = set(Person.objects.values_list("qid", flat=True))
    for source, extract in formats.SOURCES.items():
        assert rows[source], source
        assert len(rows[source]) == report.records[source]
        record_ids = [str(row[extract.record_id]) for row in rows[source]]
        assert len(set(record_ids)) == len(record_ids), f"{source}: record ids repeat"
        assert {(source, r) for r in record_ids} == {key for key in known if key[0] == source}
    assert set(known.values()) <= qids
    assert len(known) == sum(report.records.values())


def test_names_carry_each_fault_at_its_rate(generated):
    out, report = generated
    people, known = people_by_qid(), truth(out)
    observed: Counter = Counter()
    for source, extract in formats.SOURCES.items():
        column = "Họ và tên" if extract.kind is FileKind.XLSX else "full_name"
        for row in read_extract(out, extract) if column in extract.fields else []:
            true_name = people[known[(source, str(row[extract.record_id]))]].full_name
            observed.update(name_faults(row[column], true_name))
    total = report.faults["name.eligible"]
    assert total > 500
    for fault, rate in (
        ("name_nfd", generator.NAME_NFD),
        ("name_no_diacritics", generator.NAME_NO_DIACRITICS),
        ("name_swapped", generator.NAME_SWAPPED),
    ):
        assert report.faults[fault] == pytest.approx(rate * total, rel=0.3, abs=8), fault
        # A name stripped of its marks has nothing left to decompose: NFD is then invisible.
        assert 0.8 * report.faults[fault] <= observed[fault] <= report.faults[fault], fault
    assert observed["telex"] >= 1
    assert observed["name_changed"] >= report.faults["name_typo"] + report.faults["name_wrong_diacritics"]


def name_faults(written: str, true_name: str) -> set[str]:
    faults = set()
    if not unicodedata.is_normalized("NFC", written):
        faults.add("name_nfd")
    written = unicodedata.normalize("NFC", written)
    if written == generator._strip_marks(true_name) and written != true_name:
        faults.add("name_no_diacritics")
    words = true_name.split(" ")
    if written != true_name and written == " ".join([words[-1], *words[:-1]]):
        faults.add("name_swapped")
    if (
        re.search(r"(aa|ee|oo|aw|ow|uw|dd)\w*[sfrxj]\b", written, flags=re.IGNORECASE)
        and written != true_name
    ):
        faults.add("telex")
    if written != true_name:
        faults.add("name_changed")
    return faults


def test_birth_dates_are_sometimes_year_only_or_day_month_swapped(generated):
    out, report = generated
    people, known = people_by_qid(), truth(out)
    swapped = year_only = eligible = 0
    for row in read_extract(out, formats.NCOVI):
        born = people[known[("ncovi", row["record_id"])]].birth_date
        eligible += born.day <= 12 and born.day != born.month
        swapped += row["birth_date"] == born.strftime("%m/%d/%Y") and born.day != born.month
        year_only += row["birth_date"] == str(born.year)
    assert swapped >= 1 and year_only >= 1
    assert swapped == pytest.approx(generator.DATE_DAY_MONTH_SWAPPED * eligible, rel=0.6, abs=6)
    assert report.faults["date_year_only"] == pytest.approx(
        generator.DATE_YEAR_ONLY * report.faults["date_year_only.eligible"], rel=0.4, abs=8
    )


def test_phones_come_in_every_form_normalise_back_and_are_shared_in_families(generated):
    out, report = generated
    people, known = people_by_qid(), truth(out)
    written = [
        (row["phone"], people[known[("ncovi", row["record_id"])]]) for row in read_extract(out, formats.NCOVI)
    ]
    forms = Counter(phone_form(phone) for phone, _person in written if phone)
    assert set(forms) == {"national", "e164", "spaced_84", "spaced", "dotted", "old_11_digit"}
    for phone, person in written:
        if phone:
            assert normalise_phone(phone) in set(phone_numbers_of_household(person)), phone
    children = [person for phone, person in written if phone and "phone" not in ids_of(person)]
    assert children, "a person without a phone declared with the family's"
    assert report.faults["phone_family_shared"] >= 1


def phone_form(phone: str) -> str:
    if phone.startswith("+84"):
        return "e164"
    if phone.startswith("84 "):
        return "spaced_84"
    if "." in phone:
        return "dotted"
    if " " in phone:
        return "spaced"
    return "old_11_digit" if len(phone) == 11 else "national"


def phone_numbers_of_household(person: Person) -> list[str]:
    members = Person.objects.filter(household=person.household) if person.household else [person]
    return [ids_of(member).get("phone", "") for member in members]


def test_cmnd_holders_give_the_cmnd_in_one_source_and_the_cccd_in_another(generated):
    out, report = generated
    people, known = people_by_qid(), truth(out)
    ncovi_cmnd = {
        known[("ncovi", row["record_id"])]
        for row in read_extract(out, formats.NCOVI)
        if len(row["id_number"]) == 9
    }
    assert ncovi_cmnd, "some NCOVI declarations carry only the old CMND"
    for qid in ncovi_cmnd:
        assert ids_of(people[qid])["cmnd"] in {row["id_number"] for row in read_extract(out, formats.NCOVI)}
    vneid = read_extract(out, formats.VNEID)
    assert all(row["cccd"] == ids_of(people[known[("vneid", row["record_id"])]])["cccd"] for row in vneid)
    missing = sum(1 for row in read_extract(out, formats.NCOVI) if not row["id_number"])
    assert missing == pytest.approx(generator.ID_MISSING["ncovi"] * report.records["ncovi"], rel=0.4, abs=8)
    wrong = [row for row in read_extract(out, formats.VACCINATION) if wrong_id_type(row)]
    assert len(wrong) == report.faults["id_wrong_type"] >= 1


def wrong_id_type(row: dict[str, str]) -> bool:
    expected = {9: "CMND", 12: "CCCD"}.get(len(row["id_number"]), "")
    return bool(row["id_number"]) and row["id_type"] != expected


def test_sources_repeat_records_and_addresses_name_the_2021_units(generated):
    out, report = generated
    known = truth(out)
    per_source = Counter((source, qid) for (source, _record), qid in known.items())
    assert sum(report.faults[f"duplicate_{s}"] for s in formats.SOURCES) >= 5
    assert any(count > 1 for (source, _qid), count in per_source.items() if source == "ncovi")
    addresses = [row["address"] for row in read_extract(out, formats.NCOVI)]
    assert any("Quận 1" in a or "Q.1" in a for a in addresses)
    assert any("Tân Định" in fold(a).title() or "Tan Dinh" in fold(a).title() for a in addresses)
    assert any("TP.HCM" in a for a in addresses)
    assert report.faults["moved"] >= 1
    ward = read_extract(out, formats.WARD_TESTS)
    assert {row["Phường/Xã"] for row in ward} >= {"Phường Bến Thành", "Xã Bình Hưng"}


def test_health_insurance_cards_have_the_national_layout(generated):
    out, _report = generated
    for row in read_extract(out, formats.SOCIAL_INSURANCE):
        assert re.fullmatch(r"[A-Z]{2}[1-5]79\d{10}", row["card_number"]), row["card_number"]
        assert row["card_number"].endswith(row["social_insurance_number"])


def test_the_command_writes_the_extracts_and_refuses_bad_arguments(city, tmp_path):
    out = tmp_path / "cli"
    stdout = __import__("io").StringIO()
    call_command("legacy_generate", people=50, seed=1, out=out, stdout=stdout)
    assert "ncovi.jsonl" in stdout.getvalue()
    assert (out / formats.TRUTH_FILE).exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("legacy_generate", people=0, out=out)
    with pytest.raises(CommandError, match="fewer than the 401 asked for"):
        call_command("legacy_generate", people=PEOPLE + 1, out=out)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(CommandError, match="is a file"):
        call_command("legacy_generate", people=5, out=a_file)
    with pytest.raises(CommandError, match="Cannot create"):
        call_command("legacy_generate", people=5, out=a_file / "below")


def test_an_empty_database_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="holds 0 people"):
        call_command("legacy_generate", people=1, out=tmp_path / "x")


def test_telex_and_vni_spell_out_the_keys():
    assert generator._spell("Nguyễn", generator._TELEX_LETTERS, generator._TONES) == "Nguyeenx"
    assert generator._spell("Đặng", generator._TELEX_LETTERS, generator._TONES) == "Ddawngj"
    assert generator._spell("Nguyễn", generator._VNI_LETTERS, generator._VNI_TONES) == "Nguye6n4"
