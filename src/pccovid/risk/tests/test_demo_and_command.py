"""demo_risk_seed and `pccovid risk_compute`."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pccovid.risk.demo import demo_risk_seed
from pccovid.risk.models import Capacity, UnitLevel
from pccovid.risk.tests.conftest import TODAY, case

pytestmark = pytest.mark.django_db


DEMO_DAY = TODAY + dt.timedelta(days=5)  # 14 days back stay inside Resolution 128's time (from 11 Oct)


def test_demo_seed_enters_capacity_and_14_days_of_levels(tree, people):
    case(people["an"], day=DEMO_DAY - dt.timedelta(days=3))
    counts = demo_risk_seed(province=tree["hcmc"], today=DEMO_DAY)
    assert counts["capacities"] == 2 and Capacity.objects.count() == 2
    days = set(UnitLevel.objects.values_list("on", flat=True))
    assert len(days) == 14 and max(days) == DEMO_DAY
    # Hanoi is not the demo province: nothing computed there.
    assert not UnitLevel.objects.filter(unit__code="00070").exists()
    # The case three days ago shows in Bến Thành's history from that day on.
    history = dict(
        UnitLevel.objects.filter(unit=tree["ben_thanh"]).values_list("on", "figures__community_cases_week")
    )
    assert history[DEMO_DAY - dt.timedelta(days=4)] == 0 and history[DEMO_DAY] == 1
    again = demo_risk_seed(province=tree["hcmc"], today=DEMO_DAY)
    assert again["capacities"] == 0 and Capacity.objects.count() == 2
    assert UnitLevel.objects.count() == counts["levels"]


def test_command_computes_days_and_refuses_bad_dates(tree, people):
    out = StringIO()
    call_command("risk_compute", "--date", TODAY.isoformat(), "--days", "3", "--no-progress", stdout=out)
    assert "18 levels computed for 3 day(s)" in out.getvalue()
    assert UnitLevel.objects.filter(on=TODAY - dt.timedelta(days=2)).count() == 6
    with pytest.raises(CommandError):
        call_command("risk_compute", "--date", "2021-13-40")
    with pytest.raises(CommandError):
        call_command("risk_compute", "--days", "0")
