"""Linkage of staged legacy records to persons, step 1: deterministic (issue 7, item 5).

A record is linked when one of its identifiers names exactly one person, tried in this order:

1. `cccd`: a CCCD that cleaning found consistent (no `id:*_mismatch` flag: a CCCD whose sex, birth year
   or province contradicts the row is as likely a neighbour's number as a typo) and that a person holds;
2. `cmnd_identifier`: a CMND that a person holds as their CMND identifier;
3. `cmnd_register`: a CMND that the population register maps to a CCCD a person holds;
4. `health_insurance`: a health-insurance card number that a person holds;
5. `social_insurance`: a card whose social insurance number (its last 10 digits, the holder's for life)
   a person holds: the same person's card of another year, beneficiary group or province.

Set-based: per batch of records, one query per identifier kind, then one bulk insert. Only records
without a link are read, so a second run adds nothing. What is left goes to the probabilistic step.
"""

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, router, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from pccovid.core import bulk, clock
from pccovid.core.errors import ApplicationError
from pccovid.identity import selectors as identity_selectors
from pccovid.identity import validators
from pccovid.identity.models import IdentifierKind
from pccovid.identity.register import ExtractRegister
from pccovid.linkage.evaluate import Evaluation, evaluation_score
from pccovid.migration import formats, selectors
from pccovid.migration.models import RecordLink

Progress = Callable[[int, int], None]  # (records done, records to do)
Method = RecordLink.Method
DETERMINISTIC = (Method.CCCD, Method.CMND_IDENTIFIER, Method.CMND_REGISTER, Method.HEALTH_INSURANCE,
                 Method.SOCIAL_INSURANCE)  # fmt: skip
_FIELDS = ("pk", "cccd", "cmnd", "health_insurance", "flags_text")
# A flag that says the row contradicts its CCCD ("id:sex_mismatch"), found in the flags' JSON text: at a
# million records, decoding every record's flags was a sixth of this step.
_ID_MISMATCH = re.compile(r'"id:[^"]*_mismatch"')


class LinkingError(ApplicationError):
    code = "legacy_link"


@dataclass
class LinkReport:
    considered: int = 0  # records without a link when the run started
    linked: Counter = field(default_factory=Counter)  # per method
    left: int = 0  # still without a link: for the probabilistic step

    @property
    def total_linked(self) -> int:
        return sum(self.linked.values())

    def as_json(self) -> dict:
        return {
            "considered": self.considered,
            "linked": {method.value: self.linked[method.value] for method in DETERMINISTIC},
            "left": self.left,
        }


@dataclass(frozen=True)
class _Match:
    person_id: int
    method: str
    explanation: str


def link_deterministic(
    *, source: str | None = None, batch: int = 5000, progress: Progress | None = None
) -> LinkReport:
    """Link every unlinked staged record (of `source`, or all) whose identifier names a person."""
    if source is not None and source not in formats.SOURCES:
        raise LinkingError(f"Unknown source '{source}': one of {', '.join(formats.SOURCES)}.")
    if batch < 1:
        raise LinkingError(f"The batch size must be at least 1, not {batch}.")
    unlinked = selectors.staged_records(source=source).filter(link__isnull=True)
    report = LinkReport(considered=unlinked.count())
    unlinked = unlinked.annotate(flags_text=Cast("flags", TextField()))
    done, after = 0, 0
    with bulk.sqlite_tuned(connections[router.db_for_write(RecordLink)]):
        while rows := list(unlinked.filter(pk__gt=after).order_by("pk").values(*_FIELDS)[:batch]):
            matches = _batch_match(rows)
            _links_write(matches)
            report.linked.update(match.method for match in matches.values())
            done, after = done + len(rows), rows[-1]["pk"]
            if progress:
                progress(done, report.considered)
    report.left = report.considered - report.total_linked
    return report


def cccd_usable(row: dict) -> bool:
    """A CCCD to link on: present and not contradicted by the row (see the module docstring)."""
    return bool(row["cccd"]) and not _ID_MISMATCH.search(row["flags_text"] or "")


def _batch_match(rows: list[dict]) -> dict[int, _Match]:
    """Staged record pk -> its match, each method tried on the records the earlier ones left."""
    matches: dict[int, _Match] = {}
    steps = (
        (Method.CCCD, "cccd", _by_cccd),
        (Method.CMND_IDENTIFIER, "cmnd", _by_cmnd_identifier),
        (Method.CMND_REGISTER, "cmnd", _by_cmnd_register),
        (Method.HEALTH_INSURANCE, "health_insurance", _by_health_insurance),
        (Method.SOCIAL_INSURANCE, "health_insurance", _by_social_insurance),
    )
    for method, column, lookup in steps:
        pending = [r for r in rows if r["pk"] not in matches and r[column]]
        if method == Method.CCCD:
            pending = [r for r in pending if cccd_usable(r)]
        found = lookup({r[column] for r in pending})
        for row in pending:
            if hit := found.get(row[column]):
                matches[row["pk"]] = _Match(hit[0], method, hit[1])
    return matches


def _by_cccd(numbers: set[str]) -> dict[str, tuple[int, str]]:
    refs = identity_selectors.person_refs_by_identifiers(kind=IdentifierKind.CCCD, values=numbers)
    return {n: (pk, f"CCCD {n} is an identifier of person {qid}.") for n, (pk, qid) in refs.items()}


def _by_cmnd_identifier(numbers: set[str]) -> dict[str, tuple[int, str]]:
    refs = identity_selectors.person_refs_by_identifiers(kind=IdentifierKind.CMND, values=numbers)
    return {n: (pk, f"CMND {n} is an identifier of person {qid}.") for n, (pk, qid) in refs.items()}


def _by_cmnd_register(numbers: set[str]) -> dict[str, tuple[int, str]]:
    return _by_key_held(
        ExtractRegister().cccd_by_cmnds(numbers),
        IdentifierKind.CCCD,
        lambda cmnd, cccd, qid: f"The population register maps CMND {cmnd} to CCCD {cccd}, of person {qid}.",
    )


def _by_health_insurance(numbers: set[str]) -> dict[str, tuple[int, str]]:
    refs = identity_selectors.person_refs_by_identifiers(kind=IdentifierKind.HEALTH_INSURANCE, values=numbers)
    return {
        value: (pk, f"Health-insurance card {value} is an identifier of person {qid}.")
        for value, (pk, qid) in refs.items()
    }


def _by_social_insurance(cards: set[str]) -> dict[str, tuple[int, str]]:
    return _by_key_held(
        {card: number for card in cards if (number := validators.social_insurance_of_card(card))},
        IdentifierKind.SOCIAL_INSURANCE,
        lambda card, number, qid: f"Card {card} carries social insurance number {number}, of person {qid}.",
    )


def _by_key_held(
    keys: dict[str, str], kind: str, explain: Callable[[str, str, str], str]
) -> dict[str, tuple[int, str]]:
    """Value -> (person pk, explanation) for each value whose key (a CMND's CCCD in the register, a card's
    social insurance number) a person holds as an identifier of `kind`."""
    refs = identity_selectors.person_refs_by_identifiers(kind=kind, values=set(keys.values()))
    return {
        value: (refs[key][0], explain(value, key, refs[key][1])) for value, key in keys.items() if key in refs
    }


def _links_write(matches: dict[int, _Match]) -> None:
    now = clock.now()
    rows = ((pk, m.person_id, m.method, m.explanation, RecordLink.Status.LINKED, False, "", now)
            for pk, m in matches.items())  # fmt: skip
    with transaction.atomic():
        bulk.rows_insert(RecordLink, LINK_COLUMNS, rows)


# What `bulk.rows_insert` writes of a new link (the others are null): a plain INSERT, since the ORM's
# `bulk_create` spent most of the identifier step preparing a million objects' values.
LINK_COLUMNS = ["staged_record", "person", "method", "explanation", "status", "merged", "decision_note",
                "created_at"]  # fmt: skip


def links_evaluate(*, truth: Path, source: str | None = None) -> Evaluation:
    """Precision and recall of the links of the staged records in scope, against the generator's truth.

    A link is right when its person's qid is the truth's qid for that record; recall counts the staged
    records in scope that the truth knows (a row rejected at import cannot be linked, so it is left out).
    Pairs waiting for review are counted apart, as neither right nor wrong yet.
    """
    expected = truth_read(truth)
    staged = selectors.staged_records(source=source).values_list("source", "record_id")
    true_pairs = {(f"{s}:{r}", expected[(s, r)]) for s, r in staged if (s, r) in expected}
    links = RecordLink.objects.filter(staged_record__in=selectors.staged_records(source=source))
    made = links.filter(status=RecordLink.Status.LINKED).values_list(
        "staged_record__source", "staged_record__record_id", "person__qid"
    )
    review = links.filter(status=RecordLink.Status.REVIEW).count()
    return evaluation_score(links={(f"{s}:{r}", qid) for s, r, qid in made}, truth=true_pairs, review=review)


def truth_read(path: Path) -> dict[tuple[str, str], str]:
    """(source, record_id) -> qid, from a truth file with the header `source,record_id,qid`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = tuple(next(reader, ()))
            if header != formats.TRUTH_FIELDS:
                raise LinkingError(f"{path}: a truth file needs the header {','.join(formats.TRUTH_FIELDS)}.")
            rows = list(reader)
    except OSError as error:
        raise LinkingError(f"Cannot read {path}: {error.strerror or error}.") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise LinkingError(f"{path} is not a readable UTF-8 CSV file: {error}.") from error
    if bad := next((number for number, row in enumerate(rows, start=2) if len(row) != 3), None):
        raise LinkingError(f"{path}: row {bad} does not have the 3 fields source,record_id,qid.")
    return {(source, record_id): qid for source, record_id, qid in rows}
