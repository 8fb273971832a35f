"""Text cells with surrounding spaces: one category in training, and the same one for the exported model.

The loader reads a categorical cell without its surrounding spaces (`"Yes "`
is `Yes`), and the preprocessing block's `StringLookup` knows the categories
so read. The tips example with its block is trained here on a copy of the tips
file in which some `smoker` cells are written `"Yes "`: training feeds them as
`Yes`, and the exported SavedModel (loaded with TensorFlow alone) and
`netbuilder predict` answer `"Yes "` as they answer `"Yes"`; the version
folder's `columns.json` lists the categories the model's lookups know.
"""

import csv
import json

import numpy as np
import pytest
import tensorflow as tf
from tips_run import FEATURES, tips_rows, write_rows

from netbuilder.cli import main
from netbuilder.graph import UndoStack, project_file
from netbuilder.graph.preprocessing_block import add_preprocessing_command
from netbuilder.resources import example_path
from netbuilder.training.datasets import DatasetSpec, load_dataset
from netbuilder.training.datasets.raw_columns import raw_columns

TEXT = ("sex", "smoker", "day", "time")


@pytest.fixture(scope="module")
def padded(tmp_path_factory):
    """(folder, project path): the tips example with its block, on a tips file whose every third "Yes" is "Yes "."""
    folder = tmp_path_factory.mktemp("padded")
    rows = tips_rows(244)
    for i, row in enumerate(rows):
        if row["smoker"] == "Yes" and i % 3 == 0:
            row["smoker"] = "Yes "
    write_rows(folder / "tips.csv", rows)
    project = project_file.load(example_path("tips_regression"))
    project.sections["dataset"] = {"source": "tips.csv", "target": ["tip"]}
    project.path = folder / "tips.nbproj"
    UndoStack().push(add_preprocessing_command(project, raw_columns(project)))
    return folder, project_file.save(project, folder / "tips.nbproj")


def test_training_feeds_a_padded_cell_as_its_category(padded):
    folder, _ = padded
    data = load_dataset(DatasetSpec(source=str(folder / "tips.csv"), target=["tip"], inputs={c: [c] for c in FEATURES}),
                        None, input_names=FEATURES, output_names=["tip"], validation_split=0.0, text_inputs=TEXT)
    assert set(data.train.features["smoker"].ravel()) == {"No", "Yes"}


@pytest.mark.slow
def test_the_saved_model_and_predict_answer_a_padded_cell_as_its_category(padded):
    folder, project = padded
    run = folder / "run"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    assert main(["export", str(project), "--run", str(run), "--format", "savedmodel", "-o", str(folder / "out")]) == 0
    (version,) = (folder / "out").iterdir()

    columns = {c["name"]: c for c in json.loads((version / "columns.json").read_text(encoding="utf-8"))["columns"]}
    assert columns["smoker"]["categories"] == ["No", "Yes"]
    assert columns["day"]["categories"] == ["Fri", "Sat", "Sun", "Thur"]
    assert "categories" not in columns["total_bill"]

    row = {c: v for c, v in tips_rows(1, drop=("tip",))[0].items()}
    both = [{**row, "smoker": "Yes"}, {**row, "smoker": "Yes "}, {**row, "smoker": "No"}]
    serve = tf.saved_model.load(str(version)).signatures["serving_default"]
    answer = serve(**{c: tf.constant([r[c] for r in both]) if c in TEXT else tf.constant([float(r[c]) for r in both])
                      for c in FEATURES})
    (served,) = [v.numpy().ravel() for v in answer.values()]
    assert served[1] == pytest.approx(served[0], abs=1e-6) and served[2] != pytest.approx(served[0], abs=1e-6)

    rows = write_rows(folder / "rows.csv", both)
    assert main(["predict", str(project), "--run", str(run), "--data", str(rows), "-o", str(folder / "p.csv")]) == 0
    with (folder / "p.csv").open(newline="", encoding="utf-8") as fh:
        predicted = np.array([float(r["tip"]) for r in csv.DictReader(fh)])
    np.testing.assert_allclose(predicted, served, rtol=1e-5, atol=1e-5)
