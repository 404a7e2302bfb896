"""Loading both trees and deriving the 2021 -> 2025 successions, on the real package data."""

from collections import Counter

import pytest
from django.db.models import Count, F, Q, Sum

from pccovid.core.errors import ApplicationError
from pccovid.geography import services
from pccovid.geography.models import AdminUnit, Edition, Level, UnitSuccession

Method = UnitSuccession.Method


def _level_counts(edition: str) -> Counter:
    return Counter(AdminUnit.objects.filter(edition=edition).values_list("level", flat=True))


def _assert_paths_consistent(edition: str) -> None:
    units = AdminUnit.objects.filter(edition=edition).select_related("parent")
    for unit in units:
        expected = f"{unit.parent.path if unit.parent else ''}{unit.code}/"
        assert unit.path == expected, unit


def _assert_parents_are_sums(edition: str) -> None:
    parents = AdminUnit.objects.filter(edition=edition).annotate(
        children_total=Sum("children__population"), children_count=Count("children")
    )
    wrong = parents.filter(children_count__gt=0).exclude(population=F("children_total"))
    assert not wrong.exists(), list(wrong[:5])


def test_2025_load_gives_34_provinces_and_3321_communes_and_rerun_adds_nothing(units_2025):
    assert units_2025 == 34 + 3_321
    assert _level_counts(Edition.CURRENT) == {Level.PROVINCE: 34, Level.COMMUNE: 3_321}
    assert services.units_load(edition=Edition.CURRENT) == 0
    assert AdminUnit.objects.filter(edition=Edition.CURRENT).count() == 34 + 3_321
    ben_thanh = AdminUnit.objects.get(edition=Edition.CURRENT, code="26743")
    assert (ben_thanh.name, ben_thanh.path, ben_thanh.name_folded) == (
        "Phường Bến Thành",
        "79/26743/",
        "phuong ben thanh",
    )


def test_2021_load_gives_63_provinces_696_districts_10051_wards(units_2021):
    assert units_2021 == 63 + 696 + 10_051
    assert _level_counts(Edition.PRE_2025) == {Level.PROVINCE: 63, Level.DISTRICT: 696, Level.COMMUNE: 10_051}
    assert AdminUnit.objects.get(edition=Edition.PRE_2025, code="26743").path == "79/760/26743/"
    assert services.units_load(edition=Edition.PRE_2025) == 0


def test_paths_are_prefix_consistent_in_both_editions(units_2025, units_2021):
    _assert_paths_consistent(Edition.CURRENT)
    _assert_paths_consistent(Edition.PRE_2025)
    assert AdminUnit.objects.filter(path="79/").count() == 2  # one per edition


def test_populations_are_synthetic_and_parents_are_sums_of_children(units_2025, units_2021):
    assert not AdminUnit.objects.filter(Q(population_synthetic=False) | Q(population__isnull=True)).exists()
    communes = AdminUnit.objects.filter(level=Level.COMMUNE)
    assert not communes.exclude(population__range=(3_000, 60_000)).exists()
    _assert_parents_are_sums(Edition.CURRENT)
    _assert_parents_are_sums(Edition.PRE_2025)
    hcmc = AdminUnit.objects.get(edition=Edition.CURRENT, code="79")
    in_hcmc = AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.COMMUNE, path__startswith="79/")
    assert hcmc.population == in_hcmc.aggregate(total=Sum("population"))["total"]
    # Seeded by the code: the same commune code gets the same figure whichever edition or run loaded it.
    old, new = (AdminUnit.objects.get(edition=e, code="26743") for e in (Edition.PRE_2025, Edition.CURRENT))
    assert old.population == new.population


def test_an_unknown_edition_is_refused(db):
    with pytest.raises(ApplicationError, match="Unknown edition 1999"):
        services.units_load(edition="1999")


def test_succession_needs_both_editions(units_2025):
    with pytest.raises(ApplicationError, match="Load both editions"):
        services.succession_derive()


def _successor(code: str) -> UnitSuccession:
    return UnitSuccession.objects.select_related("new_unit").get(
        old_unit__edition=Edition.PRE_2025, old_unit__code=code
    )


def test_provinces_and_districts_map_to_the_province_that_took_their_wards(successions):
    assert UnitSuccession.objects.filter(old_unit__level=Level.PROVINCE).count() == 63
    assert UnitSuccession.objects.filter(old_unit__level=Level.DISTRICT).count() == 696
    assert successions[Method.PROVINCE_OF_WARDS] == 63 + 696
    hcmc = _successor("79")
    assert (hcmc.new_unit.edition, hcmc.new_unit.code, hcmc.method) == (
        Edition.CURRENT,
        "79",
        Method.PROVINCE_OF_WARDS,
    )
    assert _successor("77").new_unit.code == "79"  # Bà Rịa - Vũng Tàu merged into Hồ Chí Minh City
    assert _successor("755").new_unit.code == "79"  # Côn Đảo: no wards in the source, follows its province


def test_wards_map_by_code_then_by_name_and_the_rest_are_counted(successions):
    ben_thanh = _successor("26743")
    assert (ben_thanh.new_unit.code, ben_thanh.new_unit.edition, ben_thanh.method) == (
        "26743",
        Edition.CURRENT,
        Method.SAME_CODE,
    )
    cau_ong_lanh = _successor("26752")  # the merged ward kept another code but this ward's name
    assert (cau_ong_lanh.new_unit.code, cau_ong_lanh.method) == ("26758", Method.SAME_NAME)
    assert successions[Method.SAME_CODE] == 3_310
    assert successions[Method.SAME_NAME] > 500
    mapped = UnitSuccession.objects.filter(old_unit__level=Level.COMMUNE).count()
    assert mapped + successions["unmapped"] == 10_051


def test_rederiving_keeps_official_rows_and_gives_the_same_counts(successions):
    tan_dinh = AdminUnit.objects.get(edition=Edition.PRE_2025, code="26734")
    assert not UnitSuccession.objects.filter(old_unit=tan_dinh).exists()
    sai_gon = AdminUnit.objects.get(edition=Edition.CURRENT, code="26740")
    UnitSuccession.objects.create(old_unit=tan_dinh, new_unit=sai_gon, method=Method.OFFICIAL)
    again = services.succession_derive()
    assert successions[Method.OFFICIAL] == 0
    assert again == {**successions, Method.OFFICIAL: 1, "unmapped": successions["unmapped"] - 1}
    assert _successor("26734").method == Method.OFFICIAL


def test_current_unit_of_a_2021_unit(successions):
    def current(edition: str, code: str) -> AdminUnit | None:
        return services.unit_succession_current(AdminUnit.objects.get(edition=edition, code=code))

    assert current(Edition.PRE_2025, "26743").path == "79/26743/"
    assert current(Edition.PRE_2025, "26734").path == "79/"  # unmapped ward: its province's successor
    assert current(Edition.CURRENT, "26743").path == "79/26743/"
