from pathlib import Path

import pytest

MAP = """
[columns]
id = "ma"
full_name = "ho_ten"
birth_date = "ngay_sinh"
sex = "gioi_tinh"
phone = "dien_thoai"
address_unit = "ma_xa"
{right}
[thresholds]
link = 0.95
review = 0.5

[training]
max_pairs = 20000
seed = 1
"""

RIGHT = """
[right_columns]
id = "record"
full_name = "full_name"
birth_date = "birth"
sex = "sex"
address_unit = "commune"
"""


@pytest.fixture
def link_config(tmp_path: Path) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(MAP.format(right=RIGHT), encoding="utf-8")
    return path


@pytest.fixture
def dedupe_config(tmp_path: Path) -> Path:
    path = tmp_path / "dedupe.toml"
    path.write_text(MAP.format(right=""), encoding="utf-8")
    return path
