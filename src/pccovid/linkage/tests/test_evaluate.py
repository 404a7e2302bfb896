"""`pccovid linkage evaluate`: exact arithmetic on a hand-made example, both truth formats, --json."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

MATCHES = """left_id,right_id,match_weight,match_probability,decision,explanation
a1,b1,12.0,0.999,link,name:exact
a2,b2,11.0,0.998,link,name:exact
a3,b9,10.0,0.997,link,name:folded
a4,b4,2.0,0.8,review,name:jw>0.85
a5,b5,1.0,0.7,review,name:jw>0.85
"""
# 4 true pairs: a1-b1 and a2-b2 found, a4-b4 only in review, a6-b6 missed; a3-b9 is a false link.
TRUTH = "left_id,right_id\na1,b1\na2,b2\na4,b4\na6,b6\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_counts_only_links_as_predicted_and_review_apart(tmp_path, capsys):
    matches, truth = _write(tmp_path, "m.csv", MATCHES), _write(tmp_path, "t.csv", TRUTH)
    call_command("linkage_evaluate", matches=matches, truth=truth, as_json=True)
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["precision", "recall", "f1", "review", "pairs"]
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 4)
    assert result["f1"] == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    assert (result["review"], result["pairs"]) == (2, 4)


def test_text_output(tmp_path, capsys):
    matches, truth = _write(tmp_path, "m.csv", MATCHES), _write(tmp_path, "t.csv", TRUTH)
    call_command("linkage_evaluate", matches=matches, truth=truth, as_json=False)
    assert capsys.readouterr().out.strip() == (
        "precision 0.6667  recall 0.5000  f1 0.5714  review 2  (true pairs 4)"
    )


def test_cluster_truth_is_compared_unordered(tmp_path, capsys):
    matches = _write(
        tmp_path,
        "m.csv",
        "left_id,right_id,decision\nx2,x1,link\nx3,x4,link\ny1,y2,review\n",
    )
    # Clusters {x1, x2, x5} (3 pairs) and {x3}, {x4}: one of the two links is right.
    truth = _write(tmp_path, "c.csv", "record_id,cluster_id\nx1,A\nx2,A\nx5,A\nx3,B\nx4,C\n")
    call_command("linkage_evaluate", matches=matches, truth=truth, as_json=True)
    result = json.loads(capsys.readouterr().out)
    assert result == {
        "precision": 0.5,
        "recall": pytest.approx(1 / 3),
        "f1": pytest.approx(0.4),
        "review": 1,
        "pairs": 3,
    }


def test_nothing_predicted_scores_zero(tmp_path, capsys):
    matches = _write(tmp_path, "m.csv", "left_id,right_id,decision\n")
    call_command("linkage_evaluate", matches=matches, truth=_write(tmp_path, "t.csv", TRUTH), as_json=True)
    assert json.loads(capsys.readouterr().out) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "review": 0,
        "pairs": 4,
    }


@pytest.mark.parametrize(
    ("matches_text", "truth_text", "message"),
    [
        (MATCHES, "a,b\n1,2\n", "needs the columns left_id,right_id or record_id,cluster_id"),
        ("left_id,right_id\n", TRUTH, "needs the columns left_id,right_id,decision"),
    ],
)
def test_refuses_files_of_the_wrong_shape(tmp_path, matches_text, truth_text, message):
    matches, truth = _write(tmp_path, "m.csv", matches_text), _write(tmp_path, "t.csv", truth_text)
    with pytest.raises(CommandError, match=message):
        call_command("linkage_evaluate", matches=matches, truth=truth, as_json=False)


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"t\.csv: no such truth file"):
        call_command("linkage_evaluate", matches=tmp_path / "x.csv", truth=tmp_path / "t.csv", as_json=False)
