"""The demo's doses are valid by every rule of dose_record, dated in 2021, and not duplicated on a re-run."""

import datetime as dt

from pccovid.identity.models import Person
from pccovid.testkit import make_person
from pccovid.vaccination import selectors, services
from pccovid.vaccination.demo import demo_vaccinations
from pccovid.vaccination.models import Dose


def test_demo_doses_follow_the_rules(tree, people):
    for n in range(30):
        make_person(tree["group"], name=f"Người {n}", cccd=f"079090{n:06d}", phone=None)
    make_person(tree["group"], name="Bé", cccd="079215000001", birth=dt.date(2015, 1, 1), phone=None)
    result = demo_vaccinations(seed=7, share=0.8)
    assert result["doses"] == Dose.objects.count() > result["people"] > 10
    assert result["sites"] == 3  # Bến Thành, Sài Gòn, Hoàn Kiếm
    assert not Dose.objects.filter(person__birth_date__gt=dt.date(2003, 12, 31)).exists()
    values = selectors.policy().values
    for person in Person.objects.filter(doses__isnull=False).distinct():
        doses = selectors.doses_of(person=person)
        assert [d.dose_number for d in doses] == list(range(1, len(doses) + 1))
        for i, dose in enumerate(doses):
            assert dt.date(2021, 6, 15) <= dose.given_on <= dt.date(2021, 12, 31)
            assert dose.lot.expiry_date >= dose.given_on and dose.site.unit.level == "commune"
            services._check_sequence(
                doses=doses[:i],
                product=dose.product,
                dose_number=dose.dose_number,
                given_on=dose.given_on,
                values=values,
            )
    assert demo_vaccinations(seed=7, share=0.8)["doses"] == 0
