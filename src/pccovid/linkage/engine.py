"""Probabilistic record linkage of two CSV files (or deduplication of one) with Splink on DuckDB or Spark.

The model is Fellegi-Sunter: u probabilities from random pairs, m probabilities by expectation
maximisation, both saved with the run as Splink's model JSON. Comparisons and blocking rules only use
the fields both sides actually carry, so a file without phones still links on the rest. The same
settings and training run on either backend; only the database differs (`spark.py`).
"""

import csv
import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
import splink.internals.expectation_maximisation as splink_em
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_level import M_U_CLAMP_MIN
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.database_api import DatabaseAPI

from pccovid.linkage.config import LinkageConfig, LinkageError
from pccovid.linkage.records import records_read

_populate_m_u = splink_em.populate_m_u_from_lookup


def _populate_m_u_floored(training_fixed_probabilities, comparison_level, output_column_name, lookup):
    """Splink 5 refuses an m or u below 1e-300, which EM reaches when a level never occurs among the
    matches of a small, clean file (such an m shrinks by orders of magnitude every iteration): the run
    would fail. Floor the estimate at that minimum instead; the level stays as good as impossible."""
    for record in lookup.get(output_column_name, {}).values():
        for key in ("m_probability", "u_probability"):
            if isinstance(record.get(key), float) and record[key] < M_U_CLAMP_MIN:
                record[key] = M_U_CLAMP_MIN
    return _populate_m_u(training_fixed_probabilities, comparison_level, output_column_name, lookup)


splink_em.populate_m_u_from_lookup = _populate_m_u_floored

PHASES = ("read", "estimate u", "estimate m (EM)", "predict", "write")
OUTPUT_COLUMNS = ("left_id", "right_id", "match_weight", "match_probability", "decision", "explanation")
BACKENDS = ("duckdb", "spark")
DUCKDB_MEMORY = "4GB"  # DuckDB's own ceiling; the budget for the whole linkage step is 6 GB


@dataclass(frozen=True)
class Level:
    label: str  # how the level reads in the explanation column: "name:jw>0.92"
    creator: ComparisonLevelCreator


@dataclass(frozen=True)
class ComparisonSpec:
    name: str
    null_column: str  # the comparison is "missing" when this column is null on either side
    levels: tuple[Level, ...]  # most specific first; "different" and "missing" are added
    null_sql: str = ""  # instead of `null_column`'s test, when "missing" needs more than one column


def _comparison_specs() -> tuple[ComparisonSpec, ...]:
    """Names compare folded (diacritics are the most common fault of old sources), dates allow a swap."""
    # Written in DuckDB's SQL; Splink translates it for Spark (where "dob_l" would be a string).
    swapped = cll.CustomLevel(
        '"dob_l" = "dob_swapped_r" OR "dob_swapped_l" = "dob_r"', base_dialect_str="duckdb"
    )
    # One name part written in the other's place (family name first on one side, last on the other).
    crossed = cll.CustomLevel('"given_l" = "surname_r" OR "surname_l" = "given_r"', base_dialect_str="duckdb")
    return (
        ComparisonSpec(
            "name",
            "name_fold",
            (
                Level("exact", cll.ExactMatchLevel("name")),
                Level("folded", cll.ExactMatchLevel("name_fold")),
                Level("reordered", cll.ExactMatchLevel("name_sorted")),
                # One keystroke: Jaro-Winkler alone rewards the shared start of Vietnamese names ("Nguyễn
                # Văn ..."), which makes jw>0.92 common between different people (u about 2%).
                Level("typo", _typo_level("name_fold")),
                Level("jw>0.92", cll.JaroWinklerLevel("name_fold", 0.92)),
                Level("jw>0.85", cll.JaroWinklerLevel("name_fold", 0.85)),
                Level("given", cll.ExactMatchLevel("given")),
                Level("given:jw>0.92", cll.JaroWinklerLevel("given", 0.92)),
                Level("crossed", crossed),
                Level("surname", cll.ExactMatchLevel("surname")),
            ),
        ),
        ComparisonSpec(
            "dob",
            "dob_year",
            (
                Level("exact", cll.ExactMatchLevel("dob")),
                Level("swapped", swapped),
                Level("typo", _typo_level("dob")),
                Level("year", cll.ExactMatchLevel("dob_year")),
            ),
        ),
        ComparisonSpec("phone", "phone", _identifier_levels("phone")),
        ComparisonSpec("id_number", "id_number", _identifier_levels("id_number")),
        ComparisonSpec(
            "address",
            "address",
            (
                Level("exact", cll.ExactMatchLevel("address")),
                Level("jw>0.92", cll.JaroWinklerLevel("address", 0.92)),
            ),
        ),
        ComparisonSpec("sex", "sex", (Level("exact", cll.ExactMatchLevel("sex")),)),
        ComparisonSpec(
            "unit",
            "unit",
            (
                Level("exact", cll.ExactMatchLevel("unit")),
                Level("typo", _typo_level("unit")),
            ),
        ),
    )


def _place_spec() -> ComparisonSpec:
    """The commune and the house as one comparison: a person who moved changes both at once, and two
    comparisons would count that one fact twice (Fellegi-Sunter takes them as independent)."""
    street_missing = '("address_l" IS NULL OR "address_r" IS NULL)'
    return ComparisonSpec(
        "place",
        "unit",
        (
            Level("house", _duckdb_level('"unit_l" = "unit_r" AND "address_l" = "address_r"')),
            Level("commune", _duckdb_level(f'"unit_l" = "unit_r" AND {street_missing}')),
            Level("commune:other_house", cll.ExactMatchLevel("unit")),
            # The same house in another commune: the 2021 ward was mapped to the wrong 2025 one.
            Level("house:other_commune", cll.ExactMatchLevel("address")),
            Level("typo", _typo_level("unit")),
        ),
    )


def _duckdb_level(condition: str) -> cll.CustomLevel:
    """A level written in DuckDB's SQL (Splink translates it for Spark)."""
    return cll.CustomLevel(condition, base_dialect_str="duckdb")


def _household_phone_spec() -> ComparisonSpec:
    """Phones against a register that knows each household's phone (`phone_household`, the register's
    side only): the old apps took a child's or a grandparent's records under the family phone, which is
    then evidence of the household, not a wrong phone."""
    missing = '("{0}_l" IS NULL AND "{1}_l" IS NULL) OR ("{0}_r" IS NULL AND "{1}_r" IS NULL)'
    household = '"phone_l" = "phone_household_r" OR "phone_household_l" = "phone_r"'
    return ComparisonSpec(
        "phone",
        "phone",
        (
            Level("exact", cll.ExactMatchLevel("phone")),
            Level("household", _duckdb_level(household)),
            Level("typo", _typo_level("phone")),
        ),
        null_sql=missing.format("phone", "phone_household"),
    )


def _specs_active(active: set[str], *, register: bool) -> list[ComparisonSpec]:
    """The comparisons whose columns the inputs carry. Against a register (`register`): the commune and
    the house and street are compared together (`_place_spec`) when both are there, and phones know the
    household's phone when the register gives it (`_household_phone_spec`)."""
    specs = [spec for spec in _comparison_specs() if spec.null_column in active]
    if register and {"unit", "address"} <= active:
        specs = [spec for spec in specs if spec.name not in ("unit", "address")] + [_place_spec()]
    if register and "phone_household" in active:
        specs = [_household_phone_spec() if spec.name == "phone" else spec for spec in specs]
    return specs


# Jaro-Winkler of two strings of five or more characters one keystroke apart (a letter dropped, added,
# replaced, or two neighbours exchanged) is at least 0.86 (replaced: (2 * 4/5 + 1) / 3 = 0.867).
TYPO_JARO_WINKLER_FLOOR = 0.84


def _typo_level(column: str) -> ComparisonLevelCreator:
    """One keystroke apart (Damerau-Levenshtein <= 1), tested only where cheaper distances already say the
    two are close: an AND evaluates each term only on the pairs the earlier ones passed. DuckDB's
    Damerau-Levenshtein costs about forty times its Jaro-Winkler and ten times its Levenshtein, and many
    pairs pass the Jaro-Winkler floor (dates of one year, codes of one district, names sharing "Nguyễn
    Thị"). Levenshtein <= 2 changes nothing (an exchange of two neighbours is Levenshtein 2), it only
    leaves Damerau-Levenshtein the few pairs two edits apart."""
    return cll.And(
        cll.JaroWinklerLevel(column, TYPO_JARO_WINKLER_FLOOR),
        cll.LevenshteinLevel(column, 2),
        cll.DamerauLevenshteinLevel(column, 1),
    )


def _identifier_levels(column: str) -> tuple[Level, ...]:
    """Exact, or one keystroke off (a digit wrong, missing, added, or two neighbours exchanged)."""
    return (
        Level("exact", cll.ExactMatchLevel(column)),
        Level("typo", _typo_level(column)),
    )


def _comparison(spec: ComparisonSpec) -> cl.CustomComparison:
    levels = [
        _null_level(spec),
        *(level.creator.configure(label_for_charts=level.label) for level in spec.levels),
        cll.ElseLevel().configure(label_for_charts="different"),
    ]
    return cl.CustomComparison(levels, output_column_name=spec.name)


def _null_level(spec: ComparisonSpec) -> ComparisonLevelCreator:
    if spec.null_sql:
        return _duckdb_level(spec.null_sql).configure(is_null_level=True, label_for_charts="missing")
    return cll.NullLevel(spec.null_column).configure(label_for_charts="missing")


BLOCKINGS = ("general", "register")
# Columns only the register's side carries (a record's phone is compared with them): active when any
# input has a value, not every one.
REGISTER_ONLY = ("phone_household",)


def _blocking_rules(active: set[str], blocking: str = "general") -> list[BlockingRuleCreator]:
    """Cheap equalities that each real match is likely to meet at least once.

    Phone catches people whose name and date were mangled; surname + year and given name + year catch
    typos in the other name part; the exact and the swapped date catch wrong names; sorted words + year
    catch names written in Western order.

    "register" is for Vietnamese records against a population register, where a few names cover most
    people: one surname in three is Nguyễn, so surname + year alone pairs every Nguyễn born in a year with
    every other (about 480 million pairs at a million people) and needs the address unit too; given name +
    year and unit + given name become the whole name but the surname ("forename": middle and given
    names), which still meet when the surname is misspelt; the birth date needs the commune too (alone it
    pairs a record with everyone born that day in the city: 28 of 99 million pairs at a million); and a
    record's phone also meets the household's phone (`phone_household`), which family members gave for
    each other.
    """
    surname_rule = ({"surname", "dob_year"}, block_on("surname", "dob_year"))
    given_rules = [
        ({"unit", "given"}, block_on("unit", "given")),
        ({"given", "dob_year"}, block_on("given", "dob_year")),
    ]
    date_rule = ({"dob"}, block_on("dob"))
    if blocking == "register":
        surname_rule = ({"surname", "dob_year", "unit"}, block_on("surname", "dob_year", "unit"))
        given_rules = [
            ({"unit", "forename"}, block_on("unit", "forename")),
            ({"forename", "dob_year"}, block_on("forename", "dob_year")),
        ]
        date_rule = ({"dob", "unit"}, block_on("dob", "unit"))
    candidates: list[tuple[set[str], BlockingRuleCreator]] = [
        ({"phone"}, block_on("phone")),
        ({"id_number"}, block_on("id_number")),
        given_rules[0],
        surname_rule,
        given_rules[1],
        ({"name_sorted", "dob_year"}, block_on("name_sorted", "dob_year")),
        date_rule,
        ({"dob"}, CustomRule('l."dob" = r."dob_swapped"', sql_dialect="duckdb")),
        # In a link of two tables Splink puts the first (the records) on the left, the register right.
        ({"phone", "phone_household"}, CustomRule('l."phone" = r."phone_household"', sql_dialect="duckdb")),
    ]
    return [rule for needs, rule in candidates if needs <= active]


@dataclass(frozen=True)
class RunReport:
    out: Path
    model: Path
    left_rows: int
    right_rows: int | None
    links: int
    reviews: int
    comparisons: tuple[str, ...]


def linkage_run(
    *,
    left: Path,
    right: Path | None,
    config: LinkageConfig,
    out: Path,
    on_phase: Callable[[str], None] = lambda phase: None,
    backend: str = "duckdb",
    trained: Path | None = None,
) -> RunReport:
    """Link `left` with `right` (or deduplicate `left`), write the matches CSV and the model JSON.
    `trained`: score with this saved model (an earlier run's `.model.json`) instead of training one."""
    on_phase(PHASES[0])
    tables = [records_read(left, config.left)]
    if right is not None:
        tables.append(records_read(right, config.right))
    model = out.with_suffix(".model.json")
    prediction = pairs_predict(
        tables, config, model=model, on_phase=on_phase, backend=backend, trained=trained
    )
    on_phase(PHASES[4])
    counts = _write(out, prediction.rows, prediction.specs, config, dedupe=right is None)
    return RunReport(
        out=out,
        model=model,
        left_rows=len(tables[0]["unique_id"]),
        right_rows=len(tables[1]["unique_id"]) if right is not None else None,
        links=counts["link"],
        reviews=counts["review"],
        comparisons=tuple(spec.name for spec in prediction.specs),
    )


@dataclass(frozen=True)
class Prediction:
    rows: list[dict]  # Splink's scored pairs at or above the review threshold, with gamma_ columns
    specs: list[ComparisonSpec]  # the comparisons the model used, for `explanation`


def pairs_predict(
    tables: list[dict[str, list]],
    config: LinkageConfig,
    *,
    model: Path,
    on_phase: Callable[[str], None] = lambda phase: None,
    backend: str = "duckdb",
    prior: float | None = None,
    blocking: str = "general",
    consume: bool = False,
    trained: Path | None = None,
) -> Prediction:
    """Train on `tables` (standard columns, see `records.COLUMNS`; one table: deduplicate) and score the
    pairs the blocking rules produce; the trained model is saved to `model` as Splink's JSON.

    `backend` is "duckdb" (in-process) or "spark" (see `spark.py`): the same settings on both. Tables
    with a `label` column (the same value on records known to be one entity, else None) train the m
    probabilities on those known pairs instead of by EM; `prior` fixes the probability that two random
    records match instead of estimating it; `blocking` picks the blocking rules (`_blocking_rules`).
    `consume` empties the input dicts once the database holds their data: at a million records their
    Python lists are gigabytes that nothing reads again. `trained`: a model saved by an earlier run on
    data with the same fields (`model_read`); it is used as it is, nothing is trained, and it is saved
    again to `model` as the record of this run.
    """
    active = _active_columns(tables)
    if blocking == "register":
        active |= {name for name in REGISTER_ONLY if _any_value(tables, name)}
    specs = _specs_active(active, register=blocking == "register")
    if len(specs) < 2:
        raise LinkageError("map at least two of name, birth date, phone, sex, address unit on both sides")
    labelled = sum(value is not None for value in tables[0].get("label", ()))
    link_type = "dedupe_only" if len(tables) == 1 else "link_only"
    saved = model_read(trained, specs, link_type) if trained else None
    if saved is not None and prior is not None:  # the prior belongs to these inputs, not the model's
        saved["probability_two_random_records_match"] = prior
    with _database(backend) as db_api:
        linker = _linker(db_api, tables, specs, active, prior, blocking, saved=saved)
        if consume:
            for table in tables:
                table.clear()
        if saved is None:
            _train(linker, active, config, on_phase, fixed_prior=prior is not None, labelled=labelled)
        on_phase(PHASES[3])
        predictions = linker.inference.predict(threshold_match_probability=config.thresholds.review)
        rows = _scored_pairs(predictions, specs)
        linker.misc.save_model_to_json(str(model), overwrite=True)
    return Prediction(rows=rows, specs=specs)


def model_read(path: Path, specs: list[ComparisonSpec], link_type: str) -> dict:
    """A saved model (Splink's JSON, as `pairs_predict` writes it) to score with, checked against the
    comparisons these inputs give: the same comparisons with the same levels, in the same order, or the
    explanations would name the wrong levels. Its blocking rules and prior are kept; only the link type
    follows the inputs (a model trained deduplicating one file may link two)."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LinkageError(f"{path}: cannot read the model ({error.strerror or error})") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise LinkageError(f"{path}: not a model JSON file ({error})") from error
    comparisons = model.get("comparisons") if isinstance(model, dict) else None
    if not isinstance(comparisons, list) or not all(isinstance(c, dict) for c in comparisons):
        raise LinkageError(f"{path}: not a linkage model (no list of comparisons)")
    found = [(c.get("output_column_name"), len(c.get("comparison_levels") or ())) for c in comparisons]
    expected = [(spec.name, len(spec.levels) + 2) for spec in specs]  # + missing and different
    if found != expected:
        raise LinkageError(
            f"{path}: the model compares {', '.join(str(n) for n, _ in found) or 'nothing'}, these inputs "
            f"{', '.join(n for n, _ in expected)}: map the same fields as the run that trained it"
        )
    return {**model, "link_type": link_type}


def _scored_pairs(predictions, specs: list[ComparisonSpec]) -> list[dict]:
    """The pairs with only what callers read (ids, weight, probability, each comparison's level): Splink's
    full rows carry both sides' columns too, gigabytes at a million records."""
    columns = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    columns += [f"gamma_{spec.name}" for spec in specs]
    if any(column.unquote().name == "source_dataset_l" for column in predictions.columns):
        columns.append("source_dataset_l")  # which input each side came from, in a link of two tables
    return predictions.query_sql(f"SELECT {', '.join(columns)} FROM {{this}}").as_record_list()


@contextmanager
def _database(backend: str) -> Iterator[DatabaseAPI]:
    if backend == "duckdb":
        with _duckdb_bounded() as connection:
            yield DuckDBAPI(connection=connection)
    elif backend == "spark":
        with _spark_module().spark_api() as db_api:
            yield db_api
    else:
        raise LinkageError(f"unknown backend {backend!r}: use {' or '.join(BACKENDS)}")


@contextmanager
def _duckdb_bounded() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that spills to a temporary folder of its own beyond `DUCKDB_MEMORY` (by default
    it takes 80% of the machine's memory and spills into the working directory)."""
    with tempfile.TemporaryDirectory(prefix="pccovid-duckdb-") as spill:
        connection = duckdb.connect()
        try:
            connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
            connection.execute(f"SET temp_directory = '{spill}'")
            connection.execute("SET preserve_insertion_order = false")
            yield connection
        finally:
            connection.close()


def _spark_module() -> ModuleType:
    """pccovid.linkage.spark, imported only for a Spark run (pyspark is heavy and may be absent)."""
    try:
        from pccovid.linkage import spark
    except ImportError as error:
        raise LinkageError(f"--backend spark needs pyspark ({error})") from error
    return spark


def _any_value(tables: list[dict[str, list]], name: str) -> bool:
    return any(value is not None for table in tables for value in table.get(name, ()))


def _active_columns(tables: list[dict[str, list]]) -> set[str]:
    """Columns with at least one value in every input: comparing an always-empty column teaches nothing."""
    return {
        name
        for name in tables[0]
        if all(name in t and any(value is not None for value in t[name]) for t in tables)
    }


def _linker(
    db_api: DatabaseAPI,
    tables: list[dict[str, list]],
    specs: list[ComparisonSpec],
    active: set[str],
    prior: float | None = None,
    blocking: str = "general",
    saved: dict | None = None,
) -> Linker:
    settings = saved or SettingsCreator(
        link_type="dedupe_only" if len(tables) == 1 else "link_only",
        probability_two_random_records_match=prior or 0.0001,  # Splink's default when estimated
        comparisons=[_comparison(spec) for spec in specs],
        blocking_rules_to_generate_predictions=_blocking_rules(active, blocking),
        retain_matching_columns=True,  # keeps the gamma_ columns the explanation reads
        retain_intermediate_calculation_columns=False,
    )
    shared = [name for name in tables[0] if all(name in table for table in tables)]
    frames = [
        db_api.register(_frame(db_api, table, shared), table_name=f"input_{side}", dataset_display_name=side)
        for side, table in zip(("left", "right"), tables, strict=False)
    ]
    return Linker(frames if len(frames) > 1 else frames[0], settings, log_level=logging.ERROR)


def _frame(db_api: DatabaseAPI, table: dict[str, list], columns: list[str]):
    """The columns as DuckDB reads them: an Arrow table (DuckDB scans it in place, so the Python lists can
    go); Spark takes the plain dict."""
    data = {name: table[name] for name in columns}
    return pa.table(data) if isinstance(db_api, DuckDBAPI) else data


def _train(
    linker: Linker,
    active: set[str],
    config: LinkageConfig,
    on_phase: Callable[[str], None],
    *,
    fixed_prior: bool = False,
    labelled: int = 0,
) -> None:
    """u by random sampling; m from the known pairs of a `label` column when there are some (`labelled`
    records of the first table carry one), else by EM on two blockings, so every comparison is trained at
    least once."""
    training = linker.training
    deterministic = [block_on(*c) for c in (("name_fold", "dob"), ("id_number",)) if set(c) <= active]
    if not fixed_prior and deterministic:
        training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    on_phase(PHASES[1])
    training.estimate_u_using_random_sampling(max_pairs=config.training.max_pairs, seed=config.training.seed)
    on_phase(PHASES[2])
    if "label" in active:
        training.estimate_m_from_label_column("label")
    else:
        for columns in [c for c in (("surname", "given"), ("dob",), ("phone",)) if set(c) <= active][:2]:
            training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
    known_pairs = labelled if "label" in active else 0
    _unobserved_bounds(linker, sampled_pairs=config.training.max_pairs, known_pairs=known_pairs)


def _unobserved_bounds(linker: Linker, *, sampled_pairs: int, known_pairs: int) -> None:
    """Bounds for the levels one side of the training never saw, instead of Splink's defaults.

    u: a level that true matches reach but none of the random pairs did (two exact phones among a million
    people) has u below one in the sample; Splink's default (about one in a thousand) would take ten bits
    from the strongest evidence there is, so it gets 1 / `sampled_pairs`. m, when it was counted on
    `known_pairs` (0: estimated by EM, which floors its own): a level random pairs reach but none of the
    known matches did (a different name among 20,000 records linked by their ID card) gets 1 /
    `known_pairs`, not Splink's default (about one in sixty). A level seen in neither keeps the defaults
    (nothing says it is rare among either)."""
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            m_seen, u_seen = level._has_estimated_m_values, level._has_estimated_u_values
            if m_seen and not u_seen:
                level.u_probability = 1 / sampled_pairs
            elif u_seen and not m_seen and known_pairs:
                level.m_probability = 1 / known_pairs


def _write(
    out: Path, rows: list[dict], specs: list[ComparisonSpec], config: LinkageConfig, *, dedupe: bool
) -> dict[str, int]:
    counts = {"link": 0, "review": 0}
    rows.sort(key=lambda row: (-row["match_probability"], str(row["unique_id_l"]), str(row["unique_id_r"])))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for row in rows:
            decision = "link" if row["match_probability"] >= config.thresholds.link else "review"
            counts[decision] += 1
            left_id, right_id = _pair(row, dedupe=dedupe)
            writer.writerow(
                (
                    left_id,
                    right_id,
                    f"{row['match_weight']:.4f}",
                    f"{row['match_probability']:.6f}",
                    decision,
                    explanation(row, specs),
                )
            )
    return counts


def _pair(row: dict, *, dedupe: bool) -> tuple[str, str]:
    """(left id, right id); in a deduplication the smaller id comes first."""
    first, second = str(row["unique_id_l"]), str(row["unique_id_r"])
    if dedupe:
        return (first, second) if first <= second else (second, first)
    return (first, second) if row["source_dataset_l"] == "left" else (second, first)


def explanation(row: dict, specs: list[ComparisonSpec]) -> str:
    """'name:jw>0.92;dob:swapped;phone:exact', from the comparison vector (gamma) Splink computed.

    Splink numbers the levels of a comparison from the bottom: -1 missing, 0 different, and the most
    specific level highest.
    """
    parts = []
    for spec in specs:
        gamma = row[f"gamma_{spec.name}"]
        labels = ("different", *reversed([level.label for level in spec.levels]))
        parts.append(f"{spec.name}:{'missing' if gamma < 0 else labels[gamma]}")
    return ";".join(parts)
