"""Precision, recall and F1 of a matches CSV against a truth file.

Only rows whose decision is "link" count as predicted links: a "review" pair is not linked until a person
accepts it, so it is reported on its own (`review`) and never lifts precision or recall.

The truth is either pairs (header `left_id,right_id`: a link of two files, compared as ordered pairs,
left file first) or clusters (header `record_id,cluster_id`: a deduplication; every two records of one
cluster are a true pair, compared unordered).
"""

import csv
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

from pccovid.linkage.config import LinkageError

Pair = tuple[str, str]


@dataclass(frozen=True)
class Evaluation:
    precision: float
    recall: float
    f1: float
    review: int  # pairs sent to clerical review (not counted as links)
    pairs: int  # true pairs in the truth file

    def as_json(self) -> dict[str, float | int]:
        return asdict(self)


def evaluation_run(*, matches: Path, truth: Path) -> Evaluation:
    truth_pairs, unordered = truth_read(truth)
    links, review = matches_read(matches, unordered=unordered)
    return evaluation_score(links=links, truth=truth_pairs, review=review)


def evaluation_score(*, links: set[Pair], truth: set[Pair], review: int) -> Evaluation:
    """The arithmetic; an empty denominator scores 0 (nothing predicted is not a precision of 1)."""
    hits = len(links & truth)
    precision = hits / len(links) if links else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Evaluation(precision=precision, recall=recall, f1=f1, review=review, pairs=len(truth))


def truth_read(path: Path) -> tuple[set[Pair], bool]:
    """(true pairs, whether they are unordered); see the module docstring for the two formats."""
    rows, header = _read(path, "truth")
    if {"left_id", "right_id"} <= header:
        return {(row["left_id"], row["right_id"]) for row in rows}, False
    if {"record_id", "cluster_id"} <= header:
        clusters: dict[str, list[str]] = {}
        for row in rows:
            clusters.setdefault(row["cluster_id"], []).append(row["record_id"])
        return {_sorted(pair) for ids in clusters.values() for pair in combinations(ids, 2)}, True
    raise LinkageError(f"{path}: a truth file needs the columns left_id,right_id or record_id,cluster_id")


def matches_read(path: Path, *, unordered: bool) -> tuple[set[Pair], int]:
    """(pairs decided "link", number of "review" rows) of a `pccovid linkage run` output."""
    rows, header = _read(path, "matches")
    if not {"left_id", "right_id", "decision"} <= header:
        raise LinkageError(f"{path}: a matches file needs the columns left_id,right_id,decision")
    links = {(row["left_id"], row["right_id"]) for row in rows if row["decision"] == "link"}
    review = sum(1 for row in rows if row["decision"] == "review")
    return ({_sorted(pair) for pair in links} if unordered else links), review


def _sorted(pair: tuple[str, ...]) -> Pair:
    first, second = sorted(pair)
    return first, second


def _read(path: Path, what: str) -> tuple[list[dict[str, str]], set[str]]:
    if not path.is_file():
        raise LinkageError(f"{path}: no such {what} file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    return rows, set(reader.fieldnames or ())
