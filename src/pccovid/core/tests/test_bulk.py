"""Rows written by `core.bulk.rows_insert` read back, and compare, exactly like rows the ORM wrote."""

import datetime as dt

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
