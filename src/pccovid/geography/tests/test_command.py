"""`pccovid geo load-units`: counts printed, re-runs safe, a bad edition is one clear error."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pccovid.cli import _expand_subcommands


def _run(*args: str) -> str:
    out = StringIO()
    call_command("geo_load_units", *args, stdout=out)
    return out.getvalue()


def test_the_spoken_form_maps_to_the_command():
    assert _expand_subcommands(["pccovid", "geo", "load-units", "--edition", "2021"])[1] == "geo_load_units"


def test_load_both_with_successions_then_rerun(db):
    first = _run("--edition", "both", "--succession")
    assert "Edition 2021: 10810 new units, 10810 in all." in first
    assert "Edition 2025: 3355 new units, 3355 in all." in first
    assert "3310 same_code" in first and "unmapped" in first
    assert "Edition 2025: 0 new units, 3355 in all." in _run("--edition", "2025")


def test_bad_edition_is_a_command_error(db):
    with pytest.raises(CommandError, match=r"^Unknown edition '1999': use 2021, 2025 or both\.$"):
        _run("--edition", "1999")


def test_succession_without_the_2021_tree_is_a_command_error(db):
    with pytest.raises(CommandError, match="Load both editions first"):
        _run("--edition", "2025", "--succession")
