"""Reads of the tree: by code, lists with filters, the units above and below one unit."""

import pytest

from pccovid.core.errors import NotFound
from pccovid.geography import selectors
from pccovid.geography.models import Edition, Level


def test_unit_get_and_a_clear_not_found(units_2025):
    assert selectors.unit_get(edition=Edition.CURRENT, code="01").name == "Thành phố Hà Nội"
    with pytest.raises(NotFound, match="No administrative unit with code 01 in the 2021 edition"):
        selectors.unit_get(edition=Edition.PRE_2025, code="01")


def test_search_by_name_with_or_without_diacritics_or_by_code(units_2025):
    def names(query: str) -> list[str]:
        return [u.name for u in selectors.units_list(edition=Edition.CURRENT, query=query)]

    assert names("hồ chí minh") == names("HO CHI MINH") == ["Thành phố Hồ Chí Minh"]
    assert names("26743") == ["Phường Bến Thành"]


def test_children_descendants_and_ancestors_stay_in_one_edition(units_2025, units_2021):
    hcmc_2021 = selectors.unit_get(edition=Edition.PRE_2025, code="79")
    district_1 = selectors.unit_get(edition=Edition.PRE_2025, code="760")
    assert selectors.unit_children(hcmc_2021).count() == 22
    below = selectors.unit_descendants(hcmc_2021)
    assert set(below.values_list("edition", flat=True)) == {Edition.PRE_2025}
    assert (
        below.count()
        == 22
        + selectors.units_list(edition=Edition.PRE_2025, level=Level.COMMUNE)
        .filter(path__startswith="79/")
        .count()
    )
    assert [u.code for u in selectors.unit_ancestors(selectors.unit_get(edition="2021", code="26743"))] == [
        "79",
        "760",
    ]
    assert list(selectors.unit_ancestors(hcmc_2021)) == []
    assert district_1 in selectors.units_list(edition=Edition.PRE_2025, parent_code="79")


def test_current_commune_finds_only_communes_of_the_current_map(tree):
    assert selectors.current_commune(code=" 26743 ") == tree["ben_thanh"]
    for not_a_commune in ("79", "26743.001", "99999", "", "26\x0043", "x" * 30):
        assert selectors.current_commune(code=not_a_commune) is None


def test_counts_by_child_rolls_units_up_to_direct_children(tree):
    from pccovid.geography.selectors import counts_by_child

    counts = {
        tree["group"].pk: {"cases": 2},
        tree["ben_thanh"].pk: {"cases": 1, "contacts": 4},
        tree["sai_gon"].pk: {"cases": 3},
        tree["hoan_kiem"].pk: {"cases": 9},
        tree["hcmc"].pk: {"cases": 5},
    }
    rolled = counts_by_child(unit=tree["hcmc"], counts_by_unit=counts)
    assert rolled == {
        tree["ben_thanh"].pk: {"cases": 3, "contacts": 4},
        tree["sai_gon"].pk: {"cases": 3},
        tree["hcmc"].pk: {"cases": 5},
    }
