"""`pccovid linkage run` end to end on small synthetic files, and its refusals."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pccovid.linkage.evaluate import evaluation_run
from pccovid.linkage.tests.synthetic import write_dedupe, write_pair


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_links_two_dirty_files_with_high_precision_and_recall(tmp_path, link_config):
    left, right, truth = write_pair(tmp_path)
    out = tmp_path / "matches.csv"
    call_command("linkage_run", left=left, right=right, config=link_config, out=out, no_progress=True)
    result = evaluation_run(matches=out, truth=truth)
    assert result.precision >= 0.99
    assert result.recall >= 0.95
    rows = _rows(out)
    assert list(rows[0]) == [
        "left_id",
        "right_id",
        "match_weight",
        "match_probability",
        "decision",
        "explanation",
    ]
    assert all(row["left_id"].startswith("L") and row["right_id"].startswith("R") for row in rows)
    assert {row["decision"] for row in rows} <= {"link", "review"}
    assert all(float(row["match_probability"]) >= 0.5 for row in rows)
    assert all((float(row["match_probability"]) >= 0.95) == (row["decision"] == "link") for row in rows)


def test_explanations_name_each_comparison_level(tmp_path, link_config):
    left, right, _ = write_pair(tmp_path)
    out = tmp_path / "matches.csv"
    call_command("linkage_run", left=left, right=right, config=link_config, out=out, no_progress=True)
    explanations = [row["explanation"] for row in _rows(out)]
    # The right file has no phone column: phone is not compared at all.
    assert all(e.split(";")[0].startswith("name:") and "phone" not in e for e in explanations)
    assert any("name:folded" in e for e in explanations)  # diacritics lost
    assert any("dob:swapped" in e for e in explanations)  # month written first
    assert any("dob:year" in e for e in explanations)  # year only
    assert "name:exact;dob:exact;sex:exact;unit:exact" in explanations


def test_saves_the_trained_model_beside_the_matches(tmp_path, link_config):
    left, right, _ = write_pair(tmp_path)
    out = tmp_path / "matches.csv"
    call_command("linkage_run", left=left, right=right, config=link_config, out=out, no_progress=True)
    model = json.loads((tmp_path / "matches.model.json").read_text(encoding="utf-8"))
    assert model["link_type"] == "link_only"
    names = [comparison["output_column_name"] for comparison in model["comparisons"]]
    assert names == ["name", "dob", "sex", "unit"]
    levels = model["comparisons"][1]["comparison_levels"]
    assert [level["label_for_charts"] for level in levels] == [
        "missing",
        "exact",
        "swapped",
        "typo",
        "year",
        "different",
    ]
    trained = [level for level in levels[1:] if level["label_for_charts"] != "typo"]  # none in these files
    assert all("m_probability" in level and "u_probability" in level for level in trained)


def test_a_saved_model_scores_the_files_without_training(tmp_path, link_config, monkeypatch):
    left, right, _ = write_pair(tmp_path)
    trained_out = tmp_path / "trained.csv"
    call_command("linkage_run", left=left, right=right, config=link_config, out=trained_out, no_progress=True)
    saved = trained_out.with_suffix(".model.json")

    def no_training(*args, **kwargs):
        raise AssertionError("a run with --model trained")

    monkeypatch.setattr("pccovid.linkage.engine._train", no_training)
    out = tmp_path / "scored.csv"
    call_command(
        "linkage_run", left=left, right=right, config=link_config, out=out, model=saved, no_progress=True
    )
    assert _rows(out) == _rows(trained_out)
    assert (
        json.loads(out.with_suffix(".model.json").read_text())["comparisons"]
        == json.loads(saved.read_text())["comparisons"]
    )


def test_a_saved_model_of_other_fields_is_refused(tmp_path, link_config, dedupe_config):
    left, right, _ = write_pair(tmp_path)
    call_command("linkage_run", left=left, right=right, config=link_config, out=tmp_path / "a.csv",
                 no_progress=True)  # fmt: skip
    saved = tmp_path / "a.model.json"
    # Deduplicating the left file alone also compares its phones: not what the model learnt.
    with pytest.raises(CommandError, match=r"the model compares name, dob, sex, unit, these inputs .*phone"):
        call_command("linkage_run", left=left, config=dedupe_config, out=tmp_path / "b.csv", model=saved,
                     no_progress=True)  # fmt: skip
    saved.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a model JSON file"):
        call_command("linkage_run", left=left, right=right, config=link_config, out=tmp_path / "c.csv",
                     model=saved, no_progress=True)  # fmt: skip
    with pytest.raises(CommandError, match="cannot read the model"):
        call_command("linkage_run", left=left, right=right, config=link_config, out=tmp_path / "d.csv",
                     model=tmp_path / "missing.json", no_progress=True)  # fmt: skip


def test_an_identifier_and_an_address_of_several_columns_are_compared(tmp_path):
    header = "rec,given,family,born,ssn,number,street,postcode"
    rows = [
        "a1,mitchell,green,19560409,1804974,7,wallaby place,2119",
        "a2,mitchell,gren,19560409,1804974,7,wallaby place,2119",
        "b1,harley,mccarthy,19080419,6089216,177,pridham street,3165",
        "b2,harley,mccarthy,19080419,6089261,177,pridham street,3165",
        *(f"x{i},given{i},family{i},{1930 + i}0{1 + i % 9}1{i % 10},{1000000 + 7919 * i},{i},s{i},{2000 + i}"
          for i in range(60)),
    ]  # fmt: skip
    data = tmp_path / "people.csv"
    data.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    config = tmp_path / "map.toml"
    config.write_text(
        '[columns]\nid = "rec"\nfirst_name = "given"\nlast_name = "family"\nbirth_date = "born"\n'
        'id_number = "ssn"\naddress = ["number", "street"]\naddress_unit = "postcode"\n'
        "[thresholds]\nlink = 0.9\nreview = 0.5\n[training]\nmax_pairs = 5000\n",
        encoding="utf-8",
    )
    out = tmp_path / "dupes.csv"
    call_command("linkage_run", left=data, config=config, out=out, no_progress=True)
    explanations = {(row["left_id"], row["right_id"]): row["explanation"] for row in _rows(out)}
    assert "id_number:exact" in explanations[("a1", "a2")]
    assert "address:exact" in explanations[("a1", "a2")]
    assert "id_number:typo" in explanations[("b1", "b2")]  # two neighbouring digits exchanged
    model = json.loads((tmp_path / "dupes.model.json").read_text(encoding="utf-8"))
    assert [c["output_column_name"] for c in model["comparisons"]] == [
        "name",
        "dob",
        "id_number",
        "address",
        "unit",
    ]


def test_deduplicates_one_file_when_right_is_left_out(tmp_path, dedupe_config):
    people, clusters = write_dedupe(tmp_path)
    out = tmp_path / "dupes.csv"
    call_command("linkage_run", left=people, config=dedupe_config, out=out, no_progress=True)
    rows = _rows(out)
    assert all(row["left_id"] < row["right_id"] for row in rows)
    assert all("phone:" in row["explanation"] for row in rows)
    result = evaluation_run(matches=out, truth=clusters)
    assert result.pairs == 50
    assert result.precision >= 0.99
    assert result.recall >= 0.95


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda cfg, left: cfg.write_text("[columns\nid = 1", encoding="utf-8"), "not valid TOML"),
        (lambda cfg, left: cfg.write_text('[columns]\nfull_name = "ho_ten"\n'), "must name the record id"),
        (
            lambda cfg, left: cfg.write_text('[columns]\nid = "ma"\nbirth = "x"\n'),
            "unknown field(s) birth",
        ),
        (
            lambda cfg, left: cfg.write_text('[columns]\nid = "ma"\n[thresholds]\nlink = 0.4\n'),
            "review <= link",
        ),
        (
            lambda cfg, left: cfg.write_text('[columns]\nid = "ma"\nfull_name = "ten"\nsex = "gioi_tinh"\n'),
            "mapped column(s) not in the file: ten",
        ),
        (lambda cfg, left: left.unlink(), "no such file"),
        (lambda cfg, left: cfg.unlink(), "no such config file"),
    ],
)
def test_refusals_are_one_clear_line(tmp_path, dedupe_config, edit, message):
    people, _ = write_dedupe(tmp_path)
    edit(dedupe_config, people)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "linkage_run", left=people, config=dedupe_config, out=tmp_path / "m.csv", no_progress=True
        )
    assert not (tmp_path / "m.csv").exists()


def test_repeated_ids_are_refused(tmp_path, dedupe_config):
    people, _ = write_dedupe(tmp_path)
    lines = people.read_text(encoding="utf-8").splitlines()
    people.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="repeats the id"):
        call_command(
            "linkage_run", left=people, config=dedupe_config, out=tmp_path / "m.csv", no_progress=True
        )


def test_the_console_script_exits_non_zero_with_one_line(tmp_path, dedupe_config):
    script = Path(sys.executable).with_name("pccovid")
    missing = tmp_path / "absent.csv"
    done = subprocess.run(
        [script, "linkage", "run", "--left", missing, "--config", dedupe_config, "--out", tmp_path / "m.csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"CommandError: {missing}: no such file"


def test_spark_without_java_is_one_clear_line(tmp_path, dedupe_config, monkeypatch):
    people, _ = write_dedupe(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(CommandError, match="--backend spark needs"):
        call_command(
            "linkage_run",
            left=people,
            config=dedupe_config,
            out=tmp_path / "m.csv",
            backend="spark",
            no_progress=True,
        )
    assert not (tmp_path / "m.csv").exists()


def test_a_level_no_random_pair_reached_gets_u_from_the_sample_size(tmp_path, link_config):
    """200 random pairs hold no two equal birth dates; Splink's default u (about 1e-3) would undervalue
    them, the bound is one in the 200."""
    link_config.write_text(link_config.read_text().replace("max_pairs = 20000", "max_pairs = 200"))
    left, right, _ = write_pair(tmp_path)
    out = tmp_path / "matches.csv"
    call_command("linkage_run", left=left, right=right, config=link_config, out=out, no_progress=True)
    model = json.loads((tmp_path / "matches.model.json").read_text(encoding="utf-8"))
    exact = model["comparisons"][1]["comparison_levels"][1]
    assert exact["label_for_charts"] == "exact" and exact["m_probability"] > 0.5
    assert exact["u_probability"] == pytest.approx(1 / 200)
