"""Linkage of staged legacy records to persons, step 2: probabilistic (issue 7, item 5).

What the deterministic step left (no usable identifier) is compared with the population register, the
persons, by a Fellegi-Sunter model (`pccovid.linkage.engine`, Splink on DuckDB): name (exact, folded,
reordered, one keystroke, Jaro-Winkler), birth date (allowing the day/month swap cleaning flagged), phone
(also the household's), sex, and the 2025 commune with the house and street. The m probabilities are
counted on records the identifier step linked, u on random pairs; the model is saved with the run
(`LinkRun`).

Each record keeps its best candidate. At or above the `linkage` rule set's link probability, and with no
second candidate at review level, it is linked; otherwise, from the review probability, it waits for a
data engineer; below, nothing is written and the record stays unlinked.

Records that carry only a phone (Bluezone) are left out: a phone alone cannot reach the link probability
(one in twenty named a family member's phone) and a reviewer would see no more than the model. They go to
the citizen who proves the phone at sign-in (`claims.py`).
"""

import functools
import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, router, transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from pccovid.core import bulk, clock
from pccovid.geography.models import Level
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier
from pccovid.linkage.config import LinkageConfig, LinkageError, Thresholds
from pccovid.linkage.engine import explanation, pairs_predict
from pccovid.linkage.records import COLUMNS
from pccovid.migration import claims, selectors
from pccovid.migration.cleaning import street_key
from pccovid.migration.models import LinkRun, RecordLink, StagedRecord
from pccovid.rules.services import current

Phase = Callable[[str], None]
SAMPLE_SEED = 2021
CANDIDATE_PROBABILITY = 0.001  # pairs Splink scores below this never become a record's candidate
TRAINING_LINKS = 20_000  # identifier-linked records that teach the model how sources garble a person
_STAGED = ("pk", "full_name", "name_key", "name_sorted_key", "birth_date", "birth_alternative",
           "birth_year", "sex", "phone", "unit_2025__code", "street_key")  # fmt: skip
# The engine's standard columns, in this order, the house and street, the known person, the name without
# its surname (for the register's blocking rules, see `engine._blocking_rules`) and the household's phone.
_COLUMNS = (*COLUMNS, "address", "label", "forename", "phone_household")
_DATES = ("birth_date", "birth_alternative")
_PERSON = ("pk", "full_name", "name_key", "birth_date", "sex", "household_id", "residence_unit__code",
           "residence_unit__level", "residence_unit__parent__code", "address_line")  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    person_id: int
    probability: float
    weight: float
    explanation: str


def link_probabilistic(
    *, source: str | None = None, on_phase: Phase = lambda phase: None, trained: Path | None = None
) -> LinkRun:
    """Score every record without a link against the persons; write links and review pairs, one run.
    `trained`: score with this saved model (an earlier run's, see `engine.model_read`) instead of training
    one on this database's identifier links: one model for every city of a national migration."""
    rules = current("linkage")
    thresholds = Thresholds(link=rules.values["link_probability"], review=rules.values["review_probability"])
    run = LinkRun.objects.create(
        started_at=clock.now(), source=source or "", rules_version=rules.version,
        link_threshold=thresholds.link, review_threshold=thresholds.review,
    )  # fmt: skip
    with bulk.gc_paused():
        best = _scored(run, source, thresholds, rules.values["match_share"], on_phase, trained)
        on_phase("write")
        _decisions_write(run, best, thresholds)
    run.finished_at = clock.now()
    run.save()
    return run


def _scored(
    run: LinkRun,
    source: str | None,
    thresholds: Thresholds,
    match_share: float,
    on_phase: Phase,
    trained: Path | None = None,
) -> dict[int, tuple[Candidate, Candidate | None]]:
    """The best candidates of every record without a link (see `_best_candidates`); nothing, with the
    reason in the run's note, when there is too little to score."""
    on_phase("read")
    unlinked = selectors.staged_records(source=source).filter(link__isnull=True).exclude(claims.PHONE_ONLY)
    staged = list(_dates_as_text(unlinked, _STAGED))
    run.considered = len(staged)
    if not staged:
        return {}
    config = LinkageConfig(left={}, right={}, thresholds=thresholds)
    known = [] if trained else _linked_sample(TRAINING_LINKS)
    if trained:
        run.note = f"Scored with the saved model {trained.name}."[:300]
    try:
        return _best_candidates(staged, known, config, run, on_phase, match_share, trained)
    except LinkageError as error:  # too little to compare, e.g. only Bluezone's phones are left
        run.note = f"Nothing scored: {error}."[:300]
    except ValueError as error:  # Splink's EM found no likely match to learn from (a log of 0)
        run.note = f"Nothing scored: too few records like the register's to train on ({error})."[:300]
    return {}


def _linked_sample(size: int) -> list[tuple]:
    """Up to `size` records linked by an identifier, drawn evenly (seeded) from all sources, each with its
    person: their faults are those of the records left, so they train the m probabilities directly."""
    linked = RecordLink.objects.filter(status=RecordLink.Status.LINKED).exclude(
        method=RecordLink.Method.PROBABILISTIC
    )
    ids = list(linked.values_list("staged_record_id", flat=True))
    chosen = sorted(random.Random(SAMPLE_SEED).sample(ids, min(size, len(ids))))
    rows: list[tuple] = []
    for start in range(0, len(chosen), 5_000):
        batch = StagedRecord.objects.filter(pk__in=chosen[start : start + 5_000])
        rows.extend(_dates_as_text(batch, (*_STAGED, "link__person_id")))
    return rows


def _best_candidates(
    staged: list[tuple],
    known: list[tuple],
    config: LinkageConfig,
    run: LinkRun,
    on_phase: Phase,
    match_share: float,
    trained: Path | None = None,
) -> dict[int, tuple[Candidate, Candidate | None]]:
    """Staged record pk -> (best candidate, second best or None), scored record by record.

    Splink scores each pair alone. But a legacy record is one person at most, and most records are of
    someone in the register (`match_share`): so the probability that the record is candidate i is its
    odds against all of the record's candidates and the chance that it is nobody's,
    P(i) = odds_i / ((1 - share) + sum_j odds_j), odds = 2 ** match_weight (the prior, share / persons,
    included).
    A lone strong candidate gains; two that fit share the probability.
    """
    records = _tables_joined(_staged_table(staged), _staged_table(known, labelled=True))
    persons = _persons_table()
    scoring = LinkageConfig(
        left={},
        right={},
        thresholds=Thresholds(link=config.thresholds.link, review=CANDIDATE_PROBABILITY),
        training=config.training,
    )
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.json"
        prior = match_share / max(1, len(persons["unique_id"]))  # a record is one person at most
        prediction = pairs_predict(
            [records, persons], scoring, model=model, on_phase=on_phase, prior=prior, blocking="register",
            consume=True, trained=trained,
        )  # fmt: skip
        run.model = _model_json(model)
    pairs: dict[int, list[tuple[int, dict]]] = {}
    training = {row[0] for row in known}
    for row in prediction.rows:
        left, right = _sides(row)
        if int(left[1:]) not in training:
            pairs.setdefault(int(left[1:]), []).append((int(right[1:]), row))
    nobody = 1 - match_share
    result = {}
    for pk, candidates in pairs.items():
        total = nobody + sum(2.0 ** row["match_weight"] for _person, row in candidates)
        # Best first; only the best two become Candidates (an explanation costs a few microseconds).
        ranked = sorted(candidates, key=lambda c: (-c[1]["match_weight"], c[0]))[:2]
        first, *second = (_candidate(person, row, total, prediction.specs) for person, row in ranked)
        result[pk] = (first, second[0] if second else None)
    return result


def _candidate(person: int, row: dict, total: float, specs) -> Candidate:
    return Candidate(
        person_id=person,
        probability=2.0 ** row["match_weight"] / total,
        weight=row["match_weight"],
        explanation=explanation(row, specs),
    )


def _model_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sides(row: dict) -> tuple[str, str]:
    """(staged id "s…", person id "p…") whichever side Splink put them on."""
    first, second = str(row["unique_id_l"]), str(row["unique_id_r"])
    return (first, second) if first.startswith("s") else (second, first)


def _table(uid, name, key, sorted_key, born, alternative, year, sex, phone, unit, street, label,
           household_phone=None) -> dict[str, list]:  # fmt: skip
    """The engine's standard table (see `pccovid.linkage.records.COLUMNS`) with "address", "label",
    "forename" and "phone_household", from equal-length sequences, one per input. Built column by column
    with comprehensions: a million records as dicts, or a function call and sixteen appends per record,
    cost gigabytes or seconds before DuckDB sees them."""
    words = [(k or "").split() for k in key]
    table = {
        "unique_id": list(uid),
        "name": _or_none(name),
        "name_fold": _or_none(key),
        "name_sorted": _or_none(sorted_key),
        "surname": [w[0] if w else None for w in words],
        "given": [w[-1] if len(w) > 1 else None for w in words],
        "dob": _or_none(born),
        "dob_swapped": _or_none(alternative),
        "dob_year": list(year),
        "sex": _or_none(sex),
        "phone": _or_none(phone),
        "unit": _or_none(unit),
        "address": _or_none(street),
        "label": list(label),
        "forename": [" ".join(w[1:]) or None for w in words],
        "phone_household": list(household_phone) if household_phone is not None else [None] * len(words),
    }
    assert tuple(table) == _COLUMNS
    return table


def _dates_as_text(queryset: QuerySet, fields: tuple[str, ...]) -> QuerySet:
    """`values_list(*fields)` with the dates as ISO text, the form the engine compares: read as dates,
    every row went through Django's converters (a fifth of reading the register) only to be written back."""
    texts = {f"{name}_text": Cast(name, CharField()) for name in fields if name in _DATES}
    return queryset.annotate(**texts).values_list(*(f"{n}_text" if n in _DATES else n for n in fields))


def _or_none(values) -> list:
    return [value or None for value in values]


def _tables_joined(first: dict[str, list], second: dict[str, list]) -> dict[str, list]:
    return {name: first[name] + second[name] for name in _COLUMNS}


def _staged_table(rows: list[tuple], *, labelled: bool = False) -> dict[str, list]:
    """Rows of `_STAGED` (and, `labelled`, the linked person's pk last) as a table."""
    columns = list(zip(*rows, strict=True)) or [()] * (len(_STAGED) + labelled)
    pk, name, key, sorted_key, born, alternative, year, sex, phone, unit, street = columns[: len(_STAGED)]
    label = columns[-1] if labelled else [None] * len(pk)
    return _table([f"s{p}" for p in pk], name, key, sorted_key, born, alternative, year, sex, phone, unit,
                  street, label)  # fmt: skip


def _persons_table() -> dict[str, list]:
    """The register's side. A person's unit is their commune (legacy addresses name communes, never
    residential groups). Each person carries their own phone and their household's, since the old apps
    took a child's or a grandparent's records under the family phone. The house and street
    (`cleaning.street_key` of the address line) tell apart namesakes born in one year in one commune."""
    own_phones = _own_phones()
    rows = list(_dates_as_text(Person.objects.order_by("pk"), _PERSON).iterator(chunk_size=20_000))
    pk, full_name, name_key, birth_date, sex, household, unit, level, parent, address = list(
        zip(*rows, strict=True)
    ) or [()] * len(_PERSON)
    del rows
    household_phones = _household_phones(pk, household, own_phones)
    streets = functools.lru_cache(maxsize=1 << 16)(street_key)  # one line per household
    group = Level.RESIDENTIAL_GROUP
    return _table(
        [f"p{p}" for p in pk], full_name, name_key, [" ".join(sorted(k.split())) for k in name_key],
        birth_date, [None] * len(pk), [int(d[:4]) for d in birth_date], sex, [own_phones.get(p) for p in pk],
        [up if lv == group else u for u, lv, up in zip(unit, level, parent, strict=True)],
        [streets(a) for a in address], pk, [household_phones.get(h) for h in household],
    )  # fmt: skip


def _own_phones() -> dict[int, str]:
    """Each person's first phone. In identifier order, which SQLite reads straight from the kind index
    (ordered by person, it sorted three quarters of a million rows at a million people)."""
    own: dict[int, str] = {}
    rows = PersonIdentifier.objects.filter(kind=IdentifierKind.PHONE).order_by("pk")
    for person, phone in rows.values_list("person_id", "value").iterator(chunk_size=20_000):
        own.setdefault(person, phone)
    return own


def _household_phones(persons: tuple[int, ...], households: tuple[int | None, ...], own: dict[int, str]):
    """Each household's first phone: the first phone of its first member (in person order) who has one."""
    phones: dict[int, str] = {}
    for person, household in zip(persons, households, strict=True):
        if household is not None and household not in phones and person in own:
            phones[household] = own[person]
    return phones


def _decisions_write(
    run: LinkRun, best: dict[int, tuple[Candidate, Candidate | None]], thresholds: Thresholds
) -> None:
    """One link per record that reached review level (`bulk.rows_insert`: at a million records the ORM's
    `bulk_create` spent most of this step preparing values)."""
    now = clock.now()
    rows = []
    for pk, (first, second) in best.items():
        either = first.probability + (second.probability if second else 0.0)
        if first.probability < thresholds.review and either < thresholds.review:
            continue
        linked = first.probability >= thresholds.link
        rival = not linked and second is not None  # the reviewer sees the runner-up too
        note = f";second candidate p={second.probability:.4f} (person {second.person_id})" if rival else ""
        status = RecordLink.Status.LINKED if linked else RecordLink.Status.REVIEW
        rows.append((pk, first.person_id, RecordLink.Method.PROBABILISTIC, first.weight, first.probability,
                     first.explanation + note, status, run.pk, False, "", now))  # fmt: skip
    with bulk.sqlite_tuned(connections[router.db_for_write(RecordLink)]), transaction.atomic():
        bulk.rows_insert(RecordLink, _LINK_COLUMNS, rows)
    run.linked = sum(row[6] == RecordLink.Status.LINKED for row in rows)
    run.review = len(rows) - run.linked


_LINK_COLUMNS = ["staged_record", "person", "method", "weight", "probability", "explanation", "status", "run",
                 "merged", "decision_note", "created_at"]  # fmt: skip
