"""A small synthetic pair of CSV files with the faults of 2021's sources, and the truth about them."""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from pccovid.core.text import fold

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLES = "Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Thu Hoài Gia Xuân".split()
GIVENS = (
    "An Bình Châu Dũng Giang Hải Hạnh Hiếu Hoa Hùng Khánh Lan Linh Long Mai Nam Phúc Quân Sơn Tâm Thảo"
    " Trang Tuấn Uyên Việt Yến"
).split()
UNITS = ["26734", "26737", "26740", "26743", "26746", "27001"]


def people(count: int, rng: random.Random) -> list[dict]:
    born = date(1950, 1, 1)
    return [
        {
            "name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}",
            "dob": born + timedelta(days=rng.randrange(365 * 55)),
            "sex": rng.choice("MF"),
            "phone": f"09{rng.randrange(10**8):08d}",
            "unit": rng.choice(UNITS),
        }
        for _ in range(count)
    ]


def _typo(name: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(name) - 1)
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def _dirty_name(name: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return fold(name).upper()
    if roll < 0.5:
        return _typo(name, rng)
    return name


def _dirty_dob(dob: date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12 and dob.day <= 12:
        return f"{dob.month:02d}/{dob.day:02d}/{dob.year}"
    if roll < 0.18:
        return str(dob.year)
    return f"{dob.day:02d}/{dob.month:02d}/{dob.year}"


def write_pair(directory: Path, *, count: int = 200, seed: int = 3) -> tuple[Path, Path, Path]:
    """left.csv (clean, with phones), right.csv (dirty, other column names, no phones), truth.csv."""
    rng = random.Random(seed)
    population = people(count, rng)
    in_left = population[: int(count * 0.9)]
    in_right = population[int(count * 0.1) :]
    left, right, truth = directory / "left.csv", directory / "right.csv", directory / "truth.csv"
    with left.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma", "ho_ten", "ngay_sinh", "gioi_tinh", "dien_thoai", "ma_xa"])
        for index, person in enumerate(in_left):
            writer.writerow(
                [
                    f"L{index}",
                    person["name"],
                    person["dob"].isoformat(),
                    person["sex"],
                    person["phone"],
                    person["unit"],
                ]
            )
    ids = {id(person): f"R{index}" for index, person in enumerate(rng.sample(in_right, len(in_right)))}
    with right.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record", "full_name", "birth", "sex", "commune"])
        for person in in_right:
            writer.writerow(
                [
                    ids[id(person)],
                    _dirty_name(person["name"], rng),
                    _dirty_dob(person["dob"], rng),
                    "Nam" if person["sex"] == "M" else "Nữ",
                    person["unit"],
                ]
            )
    with truth.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id"])
        for index, person in enumerate(in_left):
            if id(person) in ids:
                writer.writerow([f"L{index}", ids[id(person)]])
    return left, right, truth


def write_dedupe(directory: Path, *, count: int = 150, seed: int = 5) -> tuple[Path, Path]:
    """people.csv: every third person entered twice (the copy dirty), and truth.csv as clusters."""
    rng = random.Random(seed)
    rows, truth = [], []
    for index, person in enumerate(people(count, rng)):
        entries = [
            (person["name"], f"{person['dob'].day:02d}/{person['dob'].month:02d}/{person['dob'].year}")
        ]
        if index % 3 == 0:
            entries.append((_dirty_name(person["name"], rng), _dirty_dob(person["dob"], rng)))
        for copy, (name, dob) in enumerate(entries):
            record = f"P{index}-{copy}"
            rows.append([record, name, dob, person["sex"], person["phone"], person["unit"]])
            truth.append([record, f"C{index}"])
    rng.shuffle(rows)
    source, answers = directory / "people.csv", directory / "clusters.csv"
    for path, header, body in (
        (source, ["ma", "ho_ten", "ngay_sinh", "gioi_tinh", "dien_thoai", "ma_xa"], rows),
        (answers, ["record_id", "cluster_id"], truth),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
    return source, answers
