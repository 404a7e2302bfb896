"""Merge of the old apps' history into its domains: a ward list's test becomes a test result, an NCOVI or
VNEID declaration a declaration, each with its source; repeated, contradicting, odd and undone."""

import datetime as dt

import pytest

from pccovid.core import clock
from pccovid.declarations.models import Declaration
from pccovid.events.models import OutboxEvent
from pccovid.migration import linking, merge
from pccovid.migration.models import FieldValue, LinkEffect, RecordLink
from pccovid.migration.tests.conftest import stage
from pccovid.testing.models import TestResult
from pccovid.tracing import services as tracing_services
from pccovid.tracing.models import Case, Contact

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)
AN = {"cccd": "079090001234"}
WARD_TEST = {"Phường/Xã": "Bến Thành", "Ngày lấy mẫu": "2021-09-01", "Loại xét nghiệm": "PCR",
             "Kết quả": "Âm tính"}  # fmt: skip
NCOVI = {"declaration_type": "domestic", "declared_at": "2021-08-12T09:30:00+07:00", "symptoms": "ho, sốt",
         "exposure": "có", "entry_gate": "", "flight": ""}  # fmt: skip
NCOVI_ENTRY = {**NCOVI, "declaration_type": "entry", "symptoms": "không", "exposure": "không",
               "entry_gate": "Sân bay Tân Sơn Nhất", "flight": "VN0123"}  # fmt: skip
VNEID = {"declared_at": "2021-07-02T08:00:00+07:00", "health": "có triệu chứng"}


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


def merged(*records) -> list[RecordLink]:
    linking.link_deterministic()
    merge.links_merge()
    return [RecordLink.objects.get(staged_record=record) for record in records]


def provenance(field: str) -> list[tuple[str, str, str]]:
    rows = FieldValue.objects.filter(field=field).order_by("pk")
    return list(rows.values_list("source", "value", "role"))


def test_a_ward_test_becomes_the_persons_test_result_with_its_source(people):
    (link,) = merged(stage("T1", "ward_tests", WARD_TEST, **AN))
    result = TestResult.objects.get()
    assert (result.person, result.kind, result.result, result.site, result.source) == (
        people["an"], "rt_pcr", "negative", None, "legacy:ward_tests",
    )  # fmt: skip
    assert clock.localdate(result.sample_taken_at) == dt.date(2021, 9, 1)
    assert provenance("test") == [("ward_tests", "PCR|2021-09-01|Âm tính", "added")]
    assert list(link.effects.values_list("kind", "object_id")) == [("test", result.pk)]


def test_ncovi_and_vneid_declarations_become_the_persons_declarations(people, tree):
    merged(stage("N1", "ncovi", NCOVI, **AN), stage("N2", "ncovi", NCOVI_ENTRY, **AN),
           stage("E1", "vneid", VNEID, unit_2025=tree["sai_gon"], **AN))  # fmt: skip
    domestic, entry, vneid = Declaration.objects.order_by("source", "kind")
    assert (domestic.kind, domestic.source, domestic.declared_at) == (
        "domestic", "legacy:ncovi", dt.datetime(2021, 8, 12, 2, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    assert domestic.symptoms == ["fever", "cough"] and domestic.exposures == ["contact_with_case"]
    assert domestic.stay_unit == tree["ben_thanh"]  # the record names no place: An's residence
    assert (entry.kind, entry.border_gate, entry.flight_number, entry.symptoms) == (
        "entry", "Sân bay Tân Sơn Nhất", "VN0123", [],
    )  # fmt: skip
    # VNEID's "có triệu chứng" names no symptom: it stays in the staged record only.
    assert (vneid.source, vneid.symptoms, vneid.stay_unit) == ("legacy:vneid", [], tree["sai_gon"])
    assert all(d.person == people["an"] and not d.flagged for d in (domestic, entry, vneid))
    assert {role for _source, _value, role in provenance("declaration")} == {"added"}
    assert LinkEffect.objects.filter(kind="declaration").count() == 3


def test_a_second_copy_confirms_and_a_second_merge_changes_nothing(people):
    merged(stage("T1", "ward_tests", WARD_TEST, **AN), stage("T2", "ward_tests", WARD_TEST, **AN),
           stage("N1", "ncovi", NCOVI, **AN), stage("N1b", "ncovi", NCOVI, **AN))  # fmt: skip
    assert TestResult.objects.count() == 1 and Declaration.objects.count() == 1
    assert [role for *_rest, role in provenance("test")] == ["added", "confirms"]
    assert [role for *_rest, role in provenance("declaration")] == ["added", "confirms"]
    assert LinkEffect.objects.count() == 2
    assert merge.links_merge() == 0
    assert TestResult.objects.count() == 1 and Declaration.objects.count() == 1


def test_a_contradicting_result_of_the_same_sample_is_kept_as_an_alternative(people):
    merged(stage("T1", "ward_tests", WARD_TEST, **AN),
           stage("T2", "ward_tests", {**WARD_TEST, "Kết quả": "Dương tính"}, **AN))  # fmt: skip
    assert list(TestResult.objects.values_list("result", flat=True)) == ["negative"]
    kept = FieldValue.objects.get(field="test", role="alternative")
    assert kept.value == (
        "PCR|2021-09-01|Dương tính|The RT-PCR result of 01/09/2021 is already recorded as Negative."
    )
    assert not LinkEffect.objects.filter(link=kept.link).exists()


def test_odd_payloads_are_kept_apart_or_left_in_the_staged_record(people):
    _odd_kind, odd_time = merged(
        stage("N1", "ncovi", {**NCOVI, "declaration_type": "quarantine"}, **AN),
        stage("N2", "ncovi", {**NCOVI, "declared_at": "hôm qua"}, **AN),
    )
    assert not Declaration.objects.exists()
    assert provenance("declaration") == [
        ("ncovi", "quarantine|2021-08-12T09:30:00+07:00|Kind must be domestic or entry.", "alternative")
    ]
    assert odd_time.merged and not odd_time.effects.exists()


def test_a_legacy_positive_opens_no_case_and_alerts_nobody(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merged(stage("T1", "ward_tests", {**WARD_TEST, "Kết quả": "Dương tính"}, **AN))
    assert TestResult.objects.get().positive
    assert not OutboxEvent.objects.exists()  # no testing.result_recorded: tracing, quarantine, risk unmoved
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_undo_removes_the_test_result_and_the_declaration(people, official):
    user, _assignment = official("data_engineer", "hcmc")
    test, declaration = merged(stage("T1", "ward_tests", WARD_TEST, **AN), stage("N1", "ncovi", NCOVI, **AN))
    merge.link_undo(link_id=test.pk, user=user, reason="Another person's ward list row")
    merge.link_undo(link_id=declaration.pk, user=user, reason="A parent's phone")
    assert not TestResult.objects.exists() and not Declaration.objects.exists()
    assert not LinkEffect.objects.exists() and not FieldValue.objects.exists()


def test_undo_is_refused_while_a_case_uses_the_test_result(people, official):
    user, _assignment = official("data_engineer", "hcmc")
    (link,) = merged(stage("T1", "ward_tests", {**WARD_TEST, "Kết quả": "Dương tính"}, **AN))
    result = TestResult.objects.get()
    tracing_services.case_open_from_result(
        result_id=result.pk, person_qid=people["an"].qid, sample_taken_at=result.sample_taken_at
    )
    with pytest.raises(merge.MergeError, match="used by a case"):
        merge.link_undo(link_id=link.pk, user=user, reason="wrong")
    link.refresh_from_db()
    assert link.status == "linked" and TestResult.objects.filter(pk=result.pk).exists()
