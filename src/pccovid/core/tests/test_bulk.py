"""Rows written by `core.bulk.rows_insert` read back, and compare, exactly like rows the ORM wrote."""

import datetime as dt
import gc

from pccovid.accounts.models import AccessGrant
from pccovid.core import bulk

AT = dt.datetime(2021, 10, 15, 3, 30, 15, 250000, tzinfo=dt.UTC)


def test_rows_insert_stores_datetimes_as_the_orm_does(people, tree):
    columns = ["person_id", "unit_id", "reason", "source_type", "source_id", "granted_at", "expires_at"]
    rows = [(people[name].pk, tree["hcmc"].pk, "contact", "test", "1", AT, AT) for name in ("an", "binh")]
    assert bulk.rows_insert(AccessGrant, columns, iter(rows), batch=1) == 2
    AccessGrant.objects.create(
        person=people["chi"],
        unit=tree["hcmc"],
        reason="orm",
        source_type="test",
        source_id="2",
        expires_at=AT,
    )
    assert AccessGrant.objects.filter(expires_at=AT).count() == 3
    assert AccessGrant.objects.filter(expires_at__gt=AT - dt.timedelta(microseconds=1)).count() == 3
    assert AccessGrant.objects.filter(expires_at__gt=AT).count() == 0
    assert {g.expires_at for g in AccessGrant.objects.all()} == {AT}


def test_rows_insert_adapts_each_moment_of_a_column_afresh(people, tree):
    later = AT + dt.timedelta(days=1)
    columns = ["person_id", "unit_id", "reason", "source_type", "source_id", "granted_at", "expires_at"]
    moments = {"an": AT, "binh": later, "chi": AT}
    rows = [(people[n].pk, tree["hcmc"].pk, "contact", "test", n, AT, at) for n, at in moments.items()]
    bulk.rows_insert(AccessGrant, columns, rows)
    assert {g.source_id: g.expires_at for g in AccessGrant.objects.all()} == moments


def test_gc_paused_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with bulk.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
