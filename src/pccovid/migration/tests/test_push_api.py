"""POST /api/v1/legacy/<source>/records: deltas pushed by a source update the records they name."""

import pytest

from pccovid.accounts import services as account_services
from pccovid.migration.models import ImportRun, StagedRecord

URL = "/api/v1/legacy/ncovi/records"


def ncovi_row(record_id: str = "NCO1", **changes) -> dict:
    row = {
        "record_id": record_id, "declaration_type": "domestic", "declared_at": "2021-08-12T09:00:00+07:00",
        "phone": "0903123456", "full_name": "Nguyễn Văn An", "birth_date": "17/05/1990", "sex": "Nam",
        "id_number": "079090001234", "address": "Phường Bến Thành, TP.HCM", "symptoms": "không",
        "exposure": "không", "entry_gate": "", "flight": "",
    }  # fmt: skip
    return row | changes


@pytest.fixture
def engineer(official):
    user, _ = official("data_engineer", "hcmc", username="data")
    return {"Authorization": f"Bearer {account_services.api_token_create(user=user, name='tool')}"}


def push(client, headers, rows, url=URL):
    return client.post(url, rows, content_type="application/json", headers=headers)


def test_new_updated_unchanged_and_rejected_rows(client, engineer):
    first = push(client, engineer, [ncovi_row("NCO1"), ncovi_row("NCO2", phone="0912000111")])
    assert first.status_code == 200, first.content
    assert [r["status"] for r in first.json()["results"]] == ["staged", "staged"]

    rows = [
        ncovi_row("NCO1"),  # the same row again
        ncovi_row("NCO2", phone="0912000222"),  # a delta: the phone changed
        ncovi_row("NCO3", declaration_type="holiday"),  # bad
        ncovi_row("NCO4"),
    ]
    body = push(client, engineer, rows).json()
    assert [(r["record_id"], r["status"]) for r in body["results"]] == [
        ("NCO1", "unchanged"), ("NCO2", "updated"), ("NCO3", "rejected"), ("NCO4", "staged"),
    ]  # fmt: skip
    assert body["results"][2] | {"row": 3} == {
        "row": 3, "record_id": "NCO3", "status": "rejected", "field": "declaration_type", "reason": "unknown",
    }  # fmt: skip
    assert (body["staged"], body["updated"], body["unchanged"], body["rejected"]) == (1, 1, 1, 1)
    assert StagedRecord.objects.get(source="ncovi", record_id="NCO2").phone == "+84912000222"
    assert StagedRecord.objects.filter(source="ncovi").count() == 3
    assert ImportRun.objects.get(pk=body["run_id"]).status == ImportRun.Status.DONE


def test_a_repeated_record_in_one_push_updates_what_the_push_staged(client, engineer):
    body = push(
        client, engineer, [ncovi_row("NCO1"), ncovi_row("NCO1", sex="Nữ"), ncovi_row("NCO1", sex="Nữ")]
    ).json()
    assert [r["status"] for r in body["results"]] == ["staged", "updated", "unchanged"]
    assert StagedRecord.objects.get(record_id="NCO1").sex == "F"


def test_sources_with_their_own_field_names(client, engineer):
    row = {
        "STT": "7", "Họ và tên": "Trần Thị Bình", "Năm sinh": "1985", "Giới tính": "Nữ", "Số CMND/CCCD": "",
        "Số điện thoại": "0912000111", "Địa chỉ": "P. Sài Gòn", "Phường/Xã": "Phường Sài Gòn",
        "Ngày lấy mẫu": "18/09/2021", "Loại xét nghiệm": "PCR", "Kết quả": "Âm tính",
    }  # fmt: skip
    response = push(client, engineer, [row], url="/api/v1/legacy/ward_tests/records")
    assert response.json()["results"][0]["status"] == "staged", response.content


@pytest.mark.parametrize(
    "rows, field",
    [
        ([ncovi_row(f"N{i}") for i in range(1001)], None),
        ([], None),
        ([{k: v for k, v in ncovi_row().items() if k != "flight"}], "flight"),
        ([ncovi_row(extra="x")], "extra"),
        ([ncovi_row(full_name="An\x00")], "full_name"),
        ([ncovi_row(record_id="N" * 65)], "record_id"),
    ],
)
def test_malformed_bodies_are_refused_whole(client, engineer, rows, field):
    response = push(client, engineer, rows)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    if field:
        assert field in response.json()["field"]
    assert not StagedRecord.objects.exists()


def test_only_data_engineers_push(client, official):
    assert push(client, {}, [ncovi_row()]).status_code == 401
    user, _ = official("commune_official", "ben_thanh")
    token = account_services.api_token_create(user=user, name="t")
    response = push(client, {"Authorization": f"Bearer {token}"}, [ncovi_row()])
    assert response.status_code == 403
    assert response.json()["error"] == "not_a_data_engineer"
    assert not StagedRecord.objects.exists()


def test_runs_lists_pushes(client, engineer):
    push(client, engineer, [ncovi_row()])
    runs = client.get("/api/v1/legacy/runs", headers=engineer).json()
    assert runs[0]["source"] == "ncovi" and runs[0]["staged"] == 1 and runs[0]["status"] == "done"
    assert runs[0]["file_name"] == "api push by data"
