"""Deterministic linkage of staged records to persons: each method, refusals, idempotency, accuracy."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pccovid.identity import services as identity_services
from pccovid.identity.models import IdentifierKind, RegisterRecord
from pccovid.migration import formats, linking
from pccovid.migration.models import RecordLink, StagedRecord
from pccovid.migration.tests.conftest import stage
from pccovid.testkit import make_person

HI_CARD = "DN4790123456789"


@pytest.fixture
def persons(people, tree):
    """An (CCCD), Bình (+ CMND identifier), Chi (+ health-insurance card), Dũng (CMND in the register)."""
    identity_services.identifier_add(
        person=people["binh"],
        identifier=identity_services.IdentifierIn(IdentifierKind.CMND, "023456789", "t"),
    )
    identity_services.identifier_add(
        person=people["chi"],
        identifier=identity_services.IdentifierIn(IdentifierKind.HEALTH_INSURANCE, HI_CARD, "t"),
    )
    identity_services.identifier_add(
        person=people["chi"],
        identifier=identity_services.IdentifierIn(IdentifierKind.SOCIAL_INSURANCE, HI_CARD[-10:], "t"),
    )
    dung = make_person(tree["sai_gon"], name="Phạm Văn Dũng", cccd="079070005555", birth=dt.date(1970, 1, 2))
    RegisterRecord.objects.create(
        national_id="079070005555", old_cmnd="021111111", full_name=dung.full_name,
        birth_date=dung.birth_date, sex="M", unit_code="26740", extract="register.csv",
    )  # fmt: skip
    return {**people, "dung": dung}


def link_of(record: StagedRecord) -> tuple[str, str] | None:
    link = RecordLink.objects.filter(staged_record=record).select_related("person").first()
    return (link.person.full_name, link.method) if link else None


def test_each_method_links_and_the_rest_is_left(persons):
    records = {
        "cccd": stage("R1", cccd="079090001234"),
        "cmnd_identifier": stage("R2", cmnd="023456789"),
        "cmnd_register": stage("R3", cmnd="021111111"),
        "health_insurance": stage("R4", source="social_insurance", health_insurance=HI_CARD),
        "unknown": stage("R5", cccd="079090009999", cmnd="029999999", health_insurance="DN4790000000000"),
        "no_id": stage("R6", phone="+84903123456"),
        # Chi's card of another beneficiary group and province: the same social insurance number.
        "social_insurance": stage("R7", source="social_insurance", health_insurance="GD4010123456789"),
    }
    report = linking.link_deterministic()
    assert link_of(records["cccd"]) == ("Nguyễn Văn An", "cccd")
    assert link_of(records["cmnd_identifier"]) == ("Trần Thị Bình", "cmnd_identifier")
    assert link_of(records["cmnd_register"]) == ("Phạm Văn Dũng", "cmnd_register")
    assert link_of(records["health_insurance"]) == ("Lê Minh Chi", "health_insurance")
    assert link_of(records["social_insurance"]) == ("Lê Minh Chi", "social_insurance")
    assert link_of(records["unknown"]) is None and link_of(records["no_id"]) is None
    assert report.as_json() == {
        "considered": 7,
        "linked": {"cccd": 1, "cmnd_identifier": 1, "cmnd_register": 1, "health_insurance": 1,
                   "social_insurance": 1},
        "left": 2,
    }  # fmt: skip
    link = RecordLink.objects.get(staged_record=records["social_insurance"])
    assert "social insurance number 0123456789" in link.explanation
    link = RecordLink.objects.get(staged_record=records["cmnd_register"])
    assert "021111111" in link.explanation and "079070005555" in link.explanation
    assert (link.status, link.weight, link.decided_by) == ("linked", None, None)


def test_cccd_contradicted_by_the_row_is_not_linked(persons):
    mismatched = [
        stage(f"M{i}", cccd="079090001234", flags=("name:no_diacritics", f"id:{flag}"))
        for i, flag in enumerate(("sex_mismatch", "birth_year_mismatch", "province_mismatch"))
    ]
    repaired = stage("OK", cccd="079090001234", flags=("id:leading_zero_restored", "id:wrong_column"))
    report = linking.link_deterministic()
    assert all(link_of(record) is None for record in mismatched)
    assert link_of(repaired) == ("Nguyễn Văn An", "cccd")
    assert (report.total_linked, report.left) == (1, 3)


def test_a_mismatched_cccd_still_links_by_another_identifier(persons):
    record = stage("M", cccd="079185004321", cmnd="023456789", flags=("id:sex_mismatch",))
    linking.link_deterministic()
    assert link_of(record) == ("Trần Thị Bình", "cmnd_identifier")


def test_second_run_adds_nothing_and_batches_do_not_skip(persons):
    for i in range(7):
        stage(f"A{i}", cccd="079090001234")
    stage("B", cmnd="021111111")
    first = linking.link_deterministic(batch=3)
    second = linking.link_deterministic(batch=3)
    assert (first.considered, first.total_linked, first.left) == (8, 8, 0)
    assert (second.considered, second.total_linked, second.left) == (0, 0, 0)
    assert RecordLink.objects.count() == 8


def test_source_limits_the_run(persons):
    stage("N", cccd="079090001234")
    vneid = stage("V", source="vneid", cccd="079090001234")
    report = linking.link_deterministic(source="vneid")
    assert report.considered == 1 and RecordLink.objects.get().staged_record == vneid


def test_progress_reports_records_done(persons):
    for i in range(5):
        stage(f"P{i}", cccd="079090001234")
    calls: list[tuple[int, int]] = []
    linking.link_deterministic(batch=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]


# ------------------------------------------------------------------------------ command, on generated data


def run_link(**options) -> str:
    stdout = io.StringIO()
    call_command("legacy_link", stdout=stdout, **options)
    return stdout.getvalue()


def test_generated_links_are_all_right(legacy):
    result = json.loads(run_link(truth=legacy / formats.TRUTH_FILE, as_json=True, step="deterministic"))
    assert result["precision"] == 1.0
    assert result["linked"]["cccd"] > 0 and result["linked"]["cmnd_identifier"] > 0
    assert result["recall"] > 0.5  # records without any ID are the probabilistic step's
    staged = StagedRecord.objects.count()
    assert result["truth"] == staged == result["considered"]
    assert sum(result["linked"].values()) + result["left"] == staged
    assert RecordLink.objects.count() == sum(result["linked"].values())
    again = run_link(truth=legacy / formats.TRUTH_FILE, step="deterministic")
    assert again.startswith(f"{result['left']:,} unlinked records: 0 linked (cccd 0, cmnd_identifier 0")
    assert "precision 1.0000" in again


def test_command_prints_counts_per_method(persons):
    stage("R1", cccd="079090001234")
    stage("R2", phone="+84903123456")
    assert run_link(no_progress=True, step="deterministic") == (
        "2 unlinked records: 1 linked (cccd 1, cmnd_identifier 0, cmnd_register 0, health_insurance 0, "
        "social_insurance 0); "
        "1 left for the probabilistic step.\n"
        "1 linked records merged into their persons.\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"source": "myspace"}, "Unknown source 'myspace'"),
        ({"batch": 0}, "The batch size must be at least 1"),
        ({"truth": Path("/nonexistent/truth.csv")}, "no such truth file"),
    ],
)
def test_command_refusals(db, options, message):
    with pytest.raises(CommandError, match=message):
        run_link(**options)


def test_command_refuses_a_truth_file_of_another_shape(db, tmp_path):
    wrong = tmp_path / "truth.csv"
    wrong.write_text("left_id,right_id\na,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs the header source,record_id,qid"):
        run_link(truth=wrong)
    wrong.write_text("source,record_id,qid\nncovi,N1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2 does not have the 3 fields"):
        run_link(truth=wrong)
