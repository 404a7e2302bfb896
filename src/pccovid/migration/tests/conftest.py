"""A generated legacy city, shared by the linkage, merge and review tests."""

import datetime as dt
from pathlib import Path

import pytest

from pccovid.core import clock
from pccovid.demo import services as demo_services
from pccovid.demo.generator import CommuneSpec
from pccovid.geography.models import Level
from pccovid.migration import formats, generator, services
from pccovid.migration.models import ImportRun, StagedRecord
from pccovid.rules.models import RuleSet
from pccovid.testkit import make_unit

PEOPLE = 120
COMMUNES = [CommuneSpec("26740", "Phường Sài Gòn"), CommuneSpec("26743", "Phường Bến Thành")]


@pytest.fixture
def legacy(db, tmp_path, settings) -> Path:
    """A demo city of 120 people, all their legacy extracts generated and imported."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path / "var"
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    communes = [make_unit(c.code, c.name, Level.COMMUNE, hcmc) for c in COMMUNES]
    demo_services.demo_city_seed(
        province=hcmc, communes=communes, people=PEOPLE, seed=3, extract_path=tmp_path / "register.csv"
    )
    out = tmp_path / "legacy"
    generator.legacy_extracts_write(people=PEOPLE, seed=2021, out=out)
    for source, extract in formats.SOURCES.items():
        services.legacy_import(source=source, path=out / extract.file_name)
    return out


def cautious_linkage_rules() -> None:
    """A rule set that links only near-certain pairs, so that a small city surely leaves pairs for a
    person to settle in review."""
    RuleSet.objects.create(
        domain="linkage", version="cautious", effective_from=dt.date(2021, 10, 1), source="test",
        values={"link_probability": 0.999999, "review_probability": 0.5, "match_share": 0.9},
    )  # fmt: skip


def stage(
    record_id: str, source: str = "ncovi", payload: dict | None = None, flags: tuple[str, ...] = (), **fields
) -> StagedRecord:
    """A staged record as an import would leave it (in one shared run per source), with `fields` set."""
    now = clock.now()
    run, _ = ImportRun.objects.get_or_create(
        source=source, file_name="x", file_hash=source, defaults={"started_at": now}
    )
    return StagedRecord.objects.create(
        source=source, record_id=record_id, raw={}, run=run, payload=payload or {}, flags=list(flags),
        content_hash=record_id, created_at=now, updated_at=now, **fields,
    )  # fmt: skip
