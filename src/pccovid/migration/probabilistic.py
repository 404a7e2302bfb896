"""Linkage of staged legacy records to persons, step 2: probabilistic (issue 7, item 5).

What the deterministic step left (no usable identifier) is compared with the population register, the
persons, by a Fellegi-Sunter model (`pccovid.linkage.engine`, Splink on DuckDB): name (exact, folded,
reordered, Jaro-Winkler), birth date (allowing the day/month swap cleaning flagged), phone, sex and the
2025 commune. Parameters are estimated by EM on these very records and saved with the run (`LinkRun`).

Each record keeps its best candidate. At or above the `linkage` rule set's link probability, and with no
second candidate at review level, it is linked; otherwise, from the review probability, it waits for a
data engineer; below, nothing is written and the record stays unlinked.
"""

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from pccovid.core import clock
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier
from pccovid.linkage.config import LinkageConfig, LinkageError, Thresholds
from pccovid.linkage.engine import explanation, pairs_predict
from pccovid.linkage.records import COLUMNS
from pccovid.migration import selectors
from pccovid.migration.models import LinkRun, RecordLink
from pccovid.rules.services import current

Phase = Callable[[str], None]
_STAGED = ("pk", "full_name", "name_key", "name_sorted_key", "birth_date", "birth_alternative",
           "birth_year", "sex", "phone", "unit_2025__code")  # fmt: skip
_PERSON = ("pk", "full_name", "name_key", "birth_date", "sex", "residence_unit__code")


@dataclass(frozen=True)
class Candidate:
    person_id: int
    probability: float
    weight: float
    explanation: str


def link_probabilistic(*, source: str | None = None, on_phase: Phase = lambda phase: None) -> LinkRun:
    """Score every record without a link against the persons; write links and review pairs, one run."""
    rules = current("linkage")
    thresholds = Thresholds(link=rules.values["link_probability"], review=rules.values["review_probability"])
    run = LinkRun.objects.create(
        started_at=clock.now(), source=source or "", rules_version=rules.version,
        link_threshold=thresholds.link, review_threshold=thresholds.review,
    )  # fmt: skip
    on_phase("read")
    staged = list(selectors.staged_records(source=source).filter(link__isnull=True).values_list(*_STAGED))
    run.considered = len(staged)
    config = LinkageConfig(left={}, right={}, thresholds=thresholds)
    try:
        best = _best_candidates(staged, config, run, on_phase) if staged else {}
    except LinkageError as error:  # too little to compare, e.g. only Bluezone's phones are left
        run.note = f"Nothing scored: {error}."[:300]
        best = {}
    except ValueError as error:  # Splink's EM found no likely match to learn from (a log of 0)
        run.note = f"Nothing scored: too few records like the register's to train on ({error})."[:300]
        best = {}
    on_phase("write")
    _decisions_write(run, best, thresholds)
    run.finished_at = clock.now()
    run.save()
    return run


def _best_candidates(
    staged: list[tuple], config: LinkageConfig, run: LinkRun, on_phase: Phase
) -> dict[int, tuple[Candidate, Candidate | None]]:
    """Staged record pk -> (best candidate, second best or None)."""
    tables = [_table(_staged_records(staged)), _table(_person_records())]
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.json"
        prediction = pairs_predict(tables, config, model=model, on_phase=on_phase)
        run.model = _model_json(model)
    ranked: dict[int, list[Candidate]] = {}
    for row in prediction.rows:
        left, right = _sides(row)
        candidate = Candidate(
            person_id=int(right[1:]),
            probability=row["match_probability"],
            weight=row["match_weight"],
            explanation=explanation(row, prediction.specs),
        )
        ranked.setdefault(int(left[1:]), []).append(candidate)
    result = {}
    for pk, candidates in ranked.items():
        candidates.sort(key=lambda c: (-c.probability, c.person_id))
        result[pk] = (candidates[0], candidates[1] if len(candidates) > 1 else None)
    return result


def _model_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sides(row: dict) -> tuple[str, str]:
    """(staged id "s…", person id "p…") whichever side Splink put them on."""
    first, second = str(row["unique_id_l"]), str(row["unique_id_r"])
    return (first, second) if first.startswith("s") else (second, first)


def _staged_records(rows: list[tuple]) -> list[dict]:
    return [
        {
            "unique_id": f"s{pk}",
            "name": full_name or None,
            "key": name_key,
            "sorted": sorted_key or None,
            "dob": birth_date.isoformat() if birth_date else None,
            "dob_swapped": alternative.isoformat() if alternative else None,
            "dob_year": year,
            "sex": sex or None,
            "phone": phone or None,
            "unit": unit or None,
        }
        for pk, full_name, name_key, sorted_key, birth_date, alternative, year, sex, phone, unit in rows
    ]


def _person_records() -> list[dict]:
    phones = dict(
        PersonIdentifier.objects.filter(kind=IdentifierKind.PHONE)
        .order_by("person_id", "pk")
        .values_list("person_id", "value")
    )
    return [
        {
            "unique_id": f"p{pk}",
            "name": full_name,
            "key": name_key,
            "sorted": " ".join(sorted(name_key.split())),
            "dob": birth_date.isoformat(),
            "dob_swapped": None,
            "dob_year": birth_date.year,
            "sex": sex,
            "phone": phones.get(pk),
            "unit": unit,
        }
        for pk, full_name, name_key, birth_date, sex, unit in Person.objects.values_list(*_PERSON).iterator(
            chunk_size=20_000
        )
    ]


def _table(records: list[dict]) -> dict[str, list]:
    """Records -> the engine's standard columns (see `pccovid.linkage.records.COLUMNS`)."""
    table: dict[str, list] = {name: [] for name in COLUMNS}
    for record in records:
        words = (record["key"] or "").split()
        values = {
            "unique_id": record["unique_id"],
            "name": record["name"],
            "name_fold": record["key"] or None,
            "name_sorted": record["sorted"],
            "surname": words[0] if words else None,
            "given": words[-1] if len(words) > 1 else None,
            "dob": record["dob"],
            "dob_swapped": record["dob_swapped"],
            "dob_year": record["dob_year"],
            "sex": record["sex"],
            "phone": record["phone"],
            "unit": record["unit"],
        }
        for name in COLUMNS:
            table[name].append(values[name])
    return table


def _decisions_write(
    run: LinkRun, best: dict[int, tuple[Candidate, Candidate | None]], thresholds: Thresholds
) -> None:
    now = clock.now()
    links = []
    for pk, (first, second) in best.items():
        contested = second is not None and second.probability >= thresholds.review
        linked = first.probability >= thresholds.link and not contested
        note = (
            f";second candidate p={second.probability:.4f} (person {second.person_id})" if contested else ""
        )
        links.append(
            RecordLink(
                staged_record_id=pk,
                person_id=first.person_id,
                method=RecordLink.Method.PROBABILISTIC,
                weight=first.weight,
                probability=first.probability,
                explanation=first.explanation + note,
                status=RecordLink.Status.LINKED if linked else RecordLink.Status.REVIEW,
                run=run,
                created_at=now,
            )
        )
    with transaction.atomic():
        RecordLink.objects.bulk_create(links, batch_size=2000)
    run.linked = sum(link.status == RecordLink.Status.LINKED for link in links)
    run.review = len(links) - run.linked
