"""Loading the two administrative trees, and linking each 2021 unit to the 2025 unit that took it over.

Sources (see `data/README.md`): edition 2025 from the installed `vietnam-provinces==2025.10.1`, edition
2021 from `data/divisions-2021.csv`, derived from `vietnam-provinces==0.6.0`. Neither publishes population
figures, so every loaded unit carries a synthetic one, flagged `population_synthetic`.
"""

import csv
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rich.progress import Progress
from vietnam_provinces import Province, Ward

from pccovid.core.errors import ApplicationError
from pccovid.core.text import fold
from pccovid.geography import selectors
from pccovid.geography.models import AdminUnit, Edition, Level, UnitSuccession

DIVISIONS_2021_CSV = Path(__file__).resolve().parent / "data" / "divisions-2021.csv"
LEVELS_TOP_DOWN = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
COMMUNE_POPULATION = (3_000, 60_000, 8_000)  # low, high, mode of the synthetic figures
BATCH_SIZE = 2_000
# Type words that start a commune name; 2025 often changed them ('Thị trấn X' became 'Xã X').
_TYPE_PREFIX = re.compile(r"^(phuong|xa|thi tran|dac khu) ")


@dataclass(frozen=True)
class UnitRow:
    """One unit as a source describes it; `parent_code` is '' for a province."""

    code: str
    name: str
    level: str
    parent_code: str


def _rows_2021() -> list[UnitRow]:
    with DIVISIONS_2021_CSV.open(encoding="utf-8", newline="") as handle:
        return [UnitRow(**row) for row in csv.DictReader(handle)]


def _rows_2025() -> list[UnitRow]:
    provinces = [UnitRow(f"{p.code.value:02d}", p.name, Level.PROVINCE, "") for p in Province.iter_all()]
    wards = [
        UnitRow(f"{w.code.value:05d}", w.name, Level.COMMUNE, f"{w.province_code.value:02d}")
        for w in Ward.iter_all()
    ]
    return provinces + wards


_SOURCES = {Edition.PRE_2025: _rows_2021, Edition.CURRENT: _rows_2025}


def _source_rows(edition: str) -> list[UnitRow]:
    if edition not in _SOURCES:
        raise ApplicationError(
            _("Unknown edition %(edition)s: use 2021 or 2025.") % {"edition": edition},
            code="unknown_edition",
            field="edition",
        )
    return _SOURCES[edition]()


def _synthetic_population(code: str) -> int:
    """Seeded by the code alone, so a figure is the same on every run and in both editions."""
    low, high, mode = COMMUNE_POPULATION
    return round(random.Random(code).triangular(low, high, mode))


def _populations(rows: list[UnitRow]) -> dict[str, int]:
    """A synthetic figure for each unit without children, the sum of its children for every other one.

    Five 2021 island districts have no communes in the source: they get a figure of their own, so a
    province is always the sum of its children and of its childless descendants.
    """
    children: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        children[row.parent_code].append(row.code)
    population: dict[str, int] = {}
    for level in reversed(LEVELS_TOP_DOWN):
        for row in (r for r in rows if r.level == level):
            kids = children.get(row.code)
            population[row.code] = (
                sum(population[k] for k in kids) if kids else _synthetic_population(row.code)
            )
    return population


def _known_units(edition: str) -> dict[str, tuple[int, str]]:
    """code -> (id, path) of the units of `edition` already stored."""
    units = AdminUnit.objects.filter(edition=edition).values_list("code", "id", "path")
    return {code: (pk, path) for code, pk, path in units}


def _unit_build(*, edition: str, row: UnitRow, parent: tuple[int, str] | None, population: int) -> AdminUnit:
    parent_id, parent_path = parent or (None, "")
    return AdminUnit(
        edition=edition,
        code=row.code,
        name=row.name,
        name_folded=fold(row.name),
        level=row.level,
        parent_id=parent_id,
        path=f"{parent_path}{row.code}/",
        population=population,
        population_synthetic=True,
    )


@transaction.atomic
def units_load(*, edition: str, progress: bool = False) -> int:
    """Create the units of `edition` that are not stored yet, top level first; returns how many.

    Units already stored (matched on code) are left as they are, so a re-run creates nothing.
    """
    rows = _source_rows(edition)
    population = _populations(rows)
    known = _known_units(edition)
    created = 0
    with Progress(disable=not progress) as bar:
        for level in LEVELS_TOP_DOWN:
            missing = [row for row in rows if row.level == level and row.code not in known]
            if not missing:
                continue
            task = bar.add_task(f"{edition} {level}", total=len(missing))
            for start in range(0, len(missing), BATCH_SIZE):
                batch = missing[start : start + BATCH_SIZE]
                AdminUnit.objects.bulk_create(
                    _unit_build(
                        edition=edition,
                        row=row,
                        parent=known.get(row.parent_code),
                        population=population[row.code],
                    )
                    for row in batch
                )
                bar.advance(task, len(batch))
            created += len(missing)
            known = _known_units(edition)  # the parents of the next level, with their new ids
    return created


def _province_code(unit: AdminUnit) -> str:
    return unit.path.split("/", 1)[0]


def _bare_name(name: str) -> str:
    return _TYPE_PREFIX.sub("", fold(name))


def _province_successors(old_wards: list[AdminUnit], new_wards: dict[str, AdminUnit]) -> dict[str, int]:
    """2021 province code -> id of the 2025 province that received most of its wards that kept their code."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for ward in old_wards:
        if ward.code in new_wards:
            votes[_province_code(ward)][new_wards[ward.code].parent_id] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _name_links(
    old_wards: list[AdminUnit], new_wards: list[AdminUnit], successors: dict[str, int]
) -> dict[int, int]:
    """2021 ward id -> 2025 ward id, on the same name (without diacritics or type word) in the successor
    province, only where exactly one old and one new ward carry that name there: a namesake elsewhere in a
    merged province is not the same place."""
    new_by_key: dict[tuple, list[int]] = defaultdict(list)
    for ward in new_wards:
        new_by_key[(ward.parent_id, _bare_name(ward.name))].append(ward.id)
    old_by_key: dict[tuple, list[int]] = defaultdict(list)
    for ward in old_wards:
        if _province_code(ward) in successors:
            old_by_key[(successors[_province_code(ward)], _bare_name(ward.name))].append(ward.id)
    return {
        olds[0]: new_by_key[key][0]
        for key, olds in old_by_key.items()
        if len(olds) == 1 and len(new_by_key.get(key, ())) == 1
    }


def _links_derive(old: list[AdminUnit], new: list[AdminUnit]) -> dict[int, tuple[int, str]]:
    """2021 unit id -> (2025 unit id, method), for every 2021 unit a rule can place."""
    old_wards = [u for u in old if u.level == Level.COMMUNE]
    new_wards = {u.code: u for u in new if u.level == Level.COMMUNE}
    successors = _province_successors(old_wards, new_wards)
    links = {
        old_id: (new_id, UnitSuccession.Method.SAME_NAME)
        for old_id, new_id in _name_links(old_wards, list(new_wards.values()), successors).items()
    }
    for ward in old_wards:
        if ward.code in new_wards:
            links[ward.id] = (new_wards[ward.code].id, UnitSuccession.Method.SAME_CODE)
    # Whole provinces merged in 2025 and districts were abolished: a district follows its province.
    for unit in old:
        if unit.level in (Level.PROVINCE, Level.DISTRICT) and _province_code(unit) in successors:
            links[unit.id] = (successors[_province_code(unit)], UnitSuccession.Method.PROVINCE_OF_WARDS)
    return links


@transaction.atomic
def succession_derive() -> dict[str, int]:
    """(Re)derive the successions of the 2021 units; official mappings are kept as they are.

    A ward keeps the 2025 ward with its code (`same_code`), else the one of the same name in the successor
    province (`same_name`); a province goes to the 2025 province that took most of its wards, a district to
    its province's successor (`wards_majority`). Returns the count per method (`official`: rows kept), and
    `unmapped`: 2021 wards left without a successor (merged under a new name).
    """
    old = list(AdminUnit.objects.filter(edition=Edition.PRE_2025, level__in=LEVELS_TOP_DOWN))
    new = list(AdminUnit.objects.filter(edition=Edition.CURRENT, level__in=LEVELS_TOP_DOWN))
    if not old or not new:
        raise ApplicationError(
            _("Load both editions first (pccovid geo load-units --edition both)."), code="editions_missing"
        )
    UnitSuccession.objects.filter(old_unit__edition=Edition.PRE_2025).exclude(
        method=UnitSuccession.Method.OFFICIAL
    ).delete()
    official = set(UnitSuccession.objects.values_list("old_unit_id", flat=True))
    links = {old_id: link for old_id, link in _links_derive(old, new).items() if old_id not in official}
    UnitSuccession.objects.bulk_create(
        (
            UnitSuccession(old_unit_id=old_id, new_unit_id=new_id, method=method)
            for old_id, (new_id, method) in links.items()
        ),
        batch_size=BATCH_SIZE,
    )
    counts = Counter(method for _new_id, method in links.values())
    counts[UnitSuccession.Method.OFFICIAL] = len(official)
    wards = {u.id for u in old if u.level == Level.COMMUNE}
    return {
        **{str(method): counts[method] for method in UnitSuccession.Method},
        "unmapped": len(wards - links.keys() - official),
    }


def unit_succession_current(
    unit: AdminUnit, *, successions: dict[str, AdminUnit] | None = None
) -> AdminUnit | None:
    """The 2025 unit that covers `unit` now, as precisely as known.

    A 2025 unit is its own. A 2021 unit has its successor, or else (a ward merged under a new name) the
    successor of its nearest mapped ancestor, a province: coarser, but a legacy record still lands
    somewhere right. None only when nothing above it is mapped either. `successions`: those of the whole
    edition (`successions_of`), for a caller asking about many units; else the unit's chain is read.
    """
    if unit.edition == Edition.CURRENT:
        return unit
    if successions is None:
        ancestors = selectors.unit_ancestors(unit)
        successions = _successions_by_path(
            UnitSuccession.objects.filter(Q(old_unit=unit) | Q(old_unit__in=ancestors))
        )
    parts = unit.path.rstrip("/").split("/")
    prefixes = ("/".join(parts[:size]) + "/" for size in range(len(parts), 0, -1))  # the unit first
    return next((successions[prefix] for prefix in prefixes if prefix in successions), None)


def successions_of(edition: str) -> dict[str, AdminUnit]:
    """{old unit's path: the 2025 unit that took it over} of every mapped unit of `edition`: one query."""
    return _successions_by_path(UnitSuccession.objects.filter(old_unit__edition=edition))


def _successions_by_path(links) -> dict[str, AdminUnit]:
    return {link.old_unit.path: link.new_unit for link in links.select_related("old_unit", "new_unit")}
