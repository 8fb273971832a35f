"""`netbuilder predict` as a user runs it: raw rows in, each row and its prediction out, the weights of the
latest run by default, and one clear line (exit 1, no traceback) for a file it cannot use."""

import csv
import io

import keras
import numpy as np
import pytest
from tips_run import tips_rows, trained_tips, write_rows

from netbuilder.cli import main
from netbuilder.resources import example_path
from netbuilder.training.datasets import DatasetSpec, load_dataset


@pytest.fixture(scope="module")
def tips(tmp_path_factory):
    """(project, run, the loader's encoded matrix of tips.csv): one trained tips run."""
    project, run = trained_tips(tmp_path_factory.mktemp("predict"))
    loaded = load_dataset(DatasetSpec(source="bundled:tips", target=["tip"]), None, input_names=["features"],
                          output_names=["tip"], validation_split=0)
    return project, run, loaded.train.model_x()


def expected_tips(run, matrix):
    return keras.saving.load_model(run / "model.keras")(matrix).numpy().ravel()


def read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_each_row_comes_back_as_written_with_the_tip_the_latest_run_predicts(tips, tmp_path, capsys):
    project, run, matrix = tips
    rows = tips_rows(5, drop=("tip",))
    data = write_rows(tmp_path / "rows.csv", rows)
    assert main(["predict", str(project), "--data", str(data), "-o", str(tmp_path / "out.csv")]) == 0
    assert f"weights: the run {run}" in capsys.readouterr().err
    header, *body = read(tmp_path / "out.csv")
    assert header == [*rows[0], "tip"]
    assert [line[:-1] for line in body] == [list(row.values()) for row in rows]
    np.testing.assert_allclose([float(line[-1]) for line in body], expected_tips(run, matrix[:5]), rtol=1e-5, atol=1e-6)


def test_rows_that_hold_the_target_keep_it_and_the_prediction_goes_to_stdout(tips, tmp_path, capsys):
    project, run, matrix = tips
    data = write_rows(tmp_path / "rows.csv", tips_rows(3))
    assert main(["predict", str(project), "--run", str(run), "--data", str(data)]) == 0
    header, *body = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["total_bill", "tip", "sex", "smoker", "day", "time", "size", "predicted_tip"]
    assert [line[1] for line in body] == ["1.01", "1.66", "3.5"]
    np.testing.assert_allclose([float(line[-1]) for line in body], expected_tips(run, matrix[:3]), rtol=1e-5, atol=1e-6)


def test_a_day_never_seen_in_training_is_none_of_the_known_days_and_is_noted(tips, tmp_path, capsys):
    project, run, matrix = tips
    rows = tips_rows(2, drop=("tip",))
    rows[1]["day"] = "Mon"
    data = write_rows(tmp_path / "rows.csv", rows)
    assert main(["predict", str(project), "--data", str(data), "-o", str(tmp_path / "out.csv")]) == 0
    assert "note: rows.csv: column 'day' holds 'Mon' in row 3, not one of the values seen in training" \
        in capsys.readouterr().err
    unseen = matrix[:2].copy()
    unseen[1, 5:9] = 0  # the loader's columns: total_bill, sex=Female, sex=Male, smoker=No, smoker=Yes, day=…
    got = [float(line[-1]) for line in read(tmp_path / "out.csv")[1:]]
    np.testing.assert_allclose(got, expected_tips(run, unseen), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("change, message", [
    (lambda rows: [{k: v for k, v in r.items() if k != "sex"} for r in rows],
     "rows.csv: no column 'sex', which the model takes (it takes total_bill, sex, smoker, day, time, size); "
     "the columns of rows.csv: total_bill, smoker, day, time, size"),
    (lambda rows: [{**r, "total_bill": "abc"} if i == 1 else r for i, r in enumerate(rows)],
     "rows.csv: row 3, column 'total_bill': 'abc' is not a number, and the model takes numbers there"),
    (lambda rows: [{**r, "size": ""} if i == 2 else r for i, r in enumerate(rows)],
     "rows.csv: column 'size' has no value (empty or NaN) in row 4; fill in the cell or leave the row out"),
])
def test_a_row_it_cannot_use_is_one_line_naming_file_row_and_column(tips, tmp_path, capsys, change, message):
    project, _, _ = tips
    data = write_rows(tmp_path / "rows.csv", change(tips_rows(3, drop=("tip",))))
    assert main(["predict", str(project), "--data", str(data), "-o", str(tmp_path / "out.csv")]) == 1
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if not line.startswith("weights:")] == [message]
    assert not (tmp_path / "out.csv").exists()


def test_a_model_not_trained_on_a_csv_file_is_refused_in_one_line(tmp_path, capsys):
    data = write_rows(tmp_path / "rows.csv", tips_rows(2))
    project = example_path("wide_and_deep")
    assert main(["predict", str(project), "--data", str(data)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"{project}: predict takes raw CSV rows, but the model was not trained on a CSV file; " \
                      "export it (netbuilder export) and feed it arrays instead"
    assert "Traceback" not in "".join(err)
