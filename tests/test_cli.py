"""The `pccovid` console script: spoken sub-commands map to management commands; errors exit non-zero."""

import pytest

from pccovid import cli


def test_spoken_subcommands_map_to_management_commands():
    assert cli._expand_subcommands(["pccovid", "geo", "load-units", "--edition", "2025"]) == [
        "pccovid", "geo_load_units", "--edition", "2025"]  # fmt: skip
    assert cli._expand_subcommands(["pccovid", "register", "import", "f.csv"]) == [
        "pccovid", "register_import", "f.csv"]  # fmt: skip
    assert cli._expand_subcommands(["pccovid", "verify-qr", "X"]) == ["pccovid", "verify_qr", "X"]
    assert cli._expand_subcommands(["pccovid", "migrate"]) == ["pccovid", "migrate"]


def test_a_bad_argument_prints_one_line_and_exits_non_zero(db, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["geo", "load-units", "--edition", "1999"])
    assert stop.value.code != 0
    assert "1999" in capsys.readouterr().err
