"""The column map of a linkage run (TOML): which CSV column holds what, thresholds, training sizes."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# The fields a CSV column can be mapped to; every one but `id` may be left out. `id_number` is a personal
# identifier (CCCD/CMND, health-insurance card, social security number): compared apart from the phone.
# `address` is the address line below the unit (house number, street, hamlet); it may name several
# columns, a list read in order and joined with spaces (`address = ["street_number", "street"]`).
FIELDS = (
    "id",
    "full_name",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "id_number",
    "address",
    "address_unit",
)


class LinkageError(ValueError):
    """A linkage run or evaluation that cannot go ahead; the message is one line for the user."""


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: at or above `link` a pair is linked, at or above `review` it is reviewed."""

    link: float = 0.99
    review: float = 0.80


@dataclass(frozen=True)
class Training:
    max_pairs: int = 1_000_000  # random pairs for the u estimates
    seed: int = 7


@dataclass(frozen=True)
class LinkageConfig:
    left: dict[str, str | tuple[str, ...]]  # field -> column(s) of the left (or only) file
    right: dict[str, str | tuple[str, ...]]  # of the right file: [right_columns], else [columns]
    thresholds: Thresholds = field(default_factory=Thresholds)
    training: Training = field(default_factory=Training)


def config_load(path: Path) -> LinkageConfig:
    """Read and check a column map; any fault is one LinkageError naming the file and the key."""
    if not path.is_file():
        raise LinkageError(f"{path}: no such config file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LinkageError(f"{path}: not valid TOML: {error}") from error
    unknown = set(data) - {"columns", "right_columns", "thresholds", "training"}
    if unknown:
        raise LinkageError(f"{path}: unknown section(s): {', '.join(sorted(unknown))}")
    left = _columns(path, data.get("columns", {}), "columns")
    right = _columns(path, data["right_columns"], "right_columns") if "right_columns" in data else left
    for name, columns in (("columns", left), ("right_columns", right)):
        if "id" not in columns:
            raise LinkageError(f'{path}: [{name}] must name the record id column (id = "...")')
    return LinkageConfig(
        left=left,
        right=right,
        thresholds=_thresholds(path, data.get("thresholds", {})),
        training=_training(path, data.get("training", {})),
    )


def _columns(path: Path, section: object, name: str) -> dict[str, str | tuple[str, ...]]:
    if not isinstance(section, dict):
        raise LinkageError(f"{path}: [{name}] must be a table")
    unknown = set(section) - set(FIELDS)
    if unknown:
        raise LinkageError(
            f"{path}: [{name}] unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}"
        )
    out: dict[str, str | tuple[str, ...]] = {}
    for key, value in section.items():
        if (
            key == "address"
            and isinstance(value, list)
            and value
            and all(isinstance(v, str) and v for v in value)
        ):
            out[key] = tuple(value)
        elif isinstance(value, str) and value:
            out[key] = value
        else:
            several = " or a list of them" if key == "address" else ""
            raise LinkageError(f"{path}: [{name}] {key} must be a column name (a non-empty string){several}")
    return out


def _thresholds(path: Path, section: dict) -> Thresholds:
    defaults = Thresholds()
    link = _number(path, section, "link", defaults.link)
    review = _number(path, section, "review", defaults.review)
    if not 0 < review <= link <= 1:
        raise LinkageError(f"{path}: [thresholds] need 0 < review <= link <= 1 (got {review}, {link})")
    return Thresholds(link=link, review=review)


def _training(path: Path, section: dict) -> Training:
    defaults = Training()
    max_pairs = _number(path, section, "max_pairs", defaults.max_pairs)
    seed = _number(path, section, "seed", defaults.seed)
    if max_pairs < 1 or int(max_pairs) != max_pairs or int(seed) != seed:
        raise LinkageError(f"{path}: [training] max_pairs and seed must be whole numbers, max_pairs >= 1")
    return Training(max_pairs=int(max_pairs), seed=int(seed))


def _number(path: Path, section: dict, key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LinkageError(f"{path}: {key} must be a number")
    return value
