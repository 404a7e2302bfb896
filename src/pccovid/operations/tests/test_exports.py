"""Exports to the national level: a valid FHIR bundle, the CSV columns, only the people living in the
jurisdiction, one audit row per person exported, and the CLI."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B.bundle import Bundle

from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import Forbidden, NotFound
from pccovid.operations import services
from pccovid.operations.errors import OperationsError


def _text(export: services.Export) -> str:
    return "".join(export.pieces)


@pytest.fixture
def new_reads(city):
    """The audit rows written after the city was built (building it reads people too)."""
    last = PersonalDataRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return lambda: PersonalDataRead.objects.filter(pk__gt=last)


def test_fhir_bundle_validates_and_holds_the_city_residents(city, officials, new_reads):
    user, province = officials["province"]
    export = services.records_export(assignment=province, unit_code=None, fmt="fhir", chunk_size=2)
    assert new_reads().count() == 0  # nothing read before the first byte is asked for
    data = json.loads(_text(export))
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    # An, Em, Bình (dose and tests); Giang and Dũng have neither; Chi lives in Hanoi.
    assert kinds.count("Patient") == 3
    assert kinds.count("Immunization") == 5 and kinds.count("Observation") == 6
    names = {e.resource.name[0].text for e in bundle.entry if e.resource.get_resource_type() == "Patient"}
    assert names == {"Nguyễn Văn An", "Phạm Văn Em", "Trần Thị Bình"}
    patients = {e.fullUrl for e in bundle.entry if e.resource.get_resource_type() == "Patient"}
    for entry in bundle.entry:
        if entry.resource.get_resource_type() == "Immunization":
            assert entry.resource.patient.reference in patients
    reads = new_reads()
    assert reads.count() == 3 and {(r.actor_id, r.purpose) for r in reads} == {
        (user.pk, services.EXPORT_PURPOSE)
    }
    assert {r.person_id for r in reads} == {city["an"].pk, city["em"].pk, city["binh"].pk}


def test_csv_has_one_row_per_dose_and_test(city, officials, new_reads):
    _u, engineer = officials["engineer"]
    rows = list(
        csv.DictReader(
            io.StringIO(_text(services.records_export(assignment=engineer, unit_code="26743", fmt="csv")))
        )
    )
    assert list(rows[0]) == services.CSV_COLUMNS
    assert {r["full_name"] for r in rows} == {"Nguyễn Văn An", "Phạm Văn Em"}  # Bến Thành only
    an = [r for r in rows if r["full_name"] == "Nguyễn Văn An"]
    assert [(r["record"], r["date"]) for r in an] == [
        ("dose", "2021-08-01"), ("dose", "2021-08-22"), ("test", "2021-12-18"), ("test", "2021-12-19"),
    ]  # fmt: skip
    assert an[0]["cccd"] == "079090001234" and an[0]["residence_unit"] == "26743.001"
    assert an[0]["product_code"] == "EU/1/20/1528" and an[0]["lot_number"] == "FF2587"
    assert (
        an[2]["test_kind"] == "rapid_antigen"
        and an[2]["result"] == "negative"
        and an[2]["site_code"] == "BT01"
    )
    assert new_reads().count() == 2


def _patients(data: dict) -> list[str]:
    return [
        e["resource"]["name"][0]["text"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient"
    ]


def test_each_province_exports_its_own_and_a_group_its_residents(city, officials):
    _u, hanoi = officials["hanoi"]
    assert _patients(
        json.loads(_text(services.records_export(assignment=hanoi, unit_code=None, fmt="fhir")))
    ) == ["Lê Minh Chi"]
    _u, province = officials["province"]
    group = json.loads(_text(services.records_export(assignment=province, unit_code="26743.001", fmt="fhir")))
    Bundle.model_validate(group)
    assert _patients(group) == ["Nguyễn Văn An"]


def test_exports_are_refused_before_anything_is_read(city, officials, new_reads):
    _u, commune = officials["ben_thanh"]
    _u, province = officials["province"]
    _u, tracer = officials["tracer"]
    with pytest.raises(Forbidden):
        services.records_export(assignment=commune, unit_code=None, fmt="csv")
    with pytest.raises(NotFound):
        services.records_export(assignment=tracer, unit_code=None, fmt="csv")
    with pytest.raises(NotFound):
        services.records_export(assignment=province, unit_code="00070", fmt="csv")
    with pytest.raises(OperationsError):
        services.records_export(assignment=province, unit_code=None, fmt="xml")
    assert new_reads().count() == 0


def test_the_cli_writes_the_file_and_audits(city, officials, tmp_path, new_reads):
    out = tmp_path / "hcmc.json"
    stdout = io.StringIO()
    call_command(
        "operations_export",
        "--unit",
        "79",
        "--format",
        "fhir",
        "--out",
        str(out),
        "--as",
        "province_official-hcmc",
        stdout=stdout,
    )
    assert "3 people" in stdout.getvalue()
    Bundle.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert new_reads().count() == 3
    with pytest.raises(CommandError, match="may look at the dashboard but not export"):
        call_command(
            "operations_export",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "x.csv"),
            "--as",
            "commune_official-ben_thanh",
        )
    with pytest.raises(CommandError, match="No user"):
        call_command("operations_export", "--out", str(tmp_path / "x.csv"), "--as", "nobody")
