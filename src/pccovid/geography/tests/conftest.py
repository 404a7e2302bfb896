"""Loaded trees for the geography tests: each load takes well under a second, so tests load what they need."""

import pytest

from pccovid.geography import services
from pccovid.geography.models import Edition


@pytest.fixture
def units_2025(db) -> int:
    return services.units_load(edition=Edition.CURRENT)


@pytest.fixture
def units_2021(db) -> int:
    return services.units_load(edition=Edition.PRE_2025)


@pytest.fixture
def successions(units_2025, units_2021) -> dict[str, int]:
    return services.succession_derive()
