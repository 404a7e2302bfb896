"""Test-result fixtures: a fixed clock, a sampling site in Bến Thành and one in Hoàn Kiếm, a technician
bound to Bến Thành, and a CSV builder."""

import csv
import datetime as dt
import io

import pytest

from pccovid.core import clock
from pccovid.testing.models import TestSite

NOW = dt.datetime(2021, 10, 15, 3, 0, tzinfo=dt.UTC)  # 10:00 in Ho Chi Minh City
HEADER = ["external_id", "id_number", "qid", "full_name", "birth_date", "kind", "sample_taken_at", "result",
          "ct_value", "pool_code", "technician"]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def sites(tree):
    return {
        "bt": TestSite.objects.create(code="BT01", name="Trạm Y tế Bến Thành", unit=tree["ben_thanh"]),
        "hk": TestSite.objects.create(code="HK01", name="Trạm Y tế Hoàn Kiếm", unit=tree["hoan_kiem"]),
    }


@pytest.fixture
def technician(official, sites):
    """A health worker of Bến Thành (user, assignment)."""
    return official("health_worker", "ben_thanh")


def csv_file(rows: list[dict], name: str = "lab.csv") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HEADER)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    data = io.BytesIO(text.getvalue().encode("utf-8"))
    data.name = name
    return data


@pytest.fixture
def row():
    """A valid CSV row for An (CCCD 079090001234): a negative rapid test this morning."""

    def _make(**overrides):
        data = {
            "external_id": "S-0001",
            "id_number": "079090001234",
            "full_name": "Nguyễn Văn An",
            "birth_date": "1990-05-17",
            "kind": "rapid_antigen",
            "sample_taken_at": "2021-10-15 08:30",
            "result": "negative",
        }
        return {**data, **overrides}

    return _make
