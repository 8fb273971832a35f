"""The preprocessing block: the tips example rewritten to take raw columns (one Input per column, the
encoding as layers of a `preprocessing` sub-model), in one undo step; and the loader feeding such Inputs the
raw cells, alike in memory and streamed."""

import numpy as np
import pytest
from helpers import push_and_check_undo

from netbuilder.graph import UndoStack, project_file
from netbuilder.graph.preprocessing_block import RawColumn, add_preprocessing_command, remove_preprocessing_command
from netbuilder.resources import example_path
from netbuilder.training.datasets import DatasetError, DatasetSpec, csv_stream, load_dataset
from netbuilder.training.datasets.raw_columns import raw_columns

TEXT = ["sex", "smoker", "day", "time"]
COLUMNS = ["total_bill", "sex", "smoker", "day", "time", "size"]


def tips():
    return project_file.load(example_path("tips_regression"))


def test_the_tips_columns_come_from_the_loaders_plan():
    columns = raw_columns(tips())
    assert [c.name for c in columns] == COLUMNS
    assert [c.kind for c in columns] == ["numeric", *["categorical"] * 4, "numeric"]
    assert columns[3].categories == ("Fri", "Sat", "Sun", "Thur")
    assert sum(c.width for c in columns) == 12  # the example's matrix Input


def test_adding_the_block_takes_one_input_per_raw_column_and_undo_restores_the_document():
    project = tips()
    after = push_and_check_undo(project, add_preprocessing_command(project, raw_columns(project)))
    nodes = {n["id"]: n for n in after["graph"]["nodes"]}
    assert "features" not in nodes
    assert {c: nodes[c]["config"]["dtype"] for c in COLUMNS} == {
        "total_bill": "float32", "size": "float32", **{c: "string" for c in TEXT}}
    assert all(nodes[c]["config"]["shape"] == [1] for c in COLUMNS)
    assert nodes["preprocessing"] == {"id": "preprocessing", "layer": "Submodel",
                                      "config": {"submodel": "preprocessing"}, "position": [0, 0]}
    assert {"source": "preprocessing", "target": "hidden"} in after["graph"]["edges"]
    block = {n["id"]: n for n in after["submodels"]["preprocessing"]["nodes"]}
    assert block["total_bill_normalized"]["layer"] == "Normalization"
    assert block["day_lookup"]["config"] == {"output_mode": "one_hot", "vocabulary": ["Fri", "Sat", "Sun", "Thur"]}
    assert after["submodels"]["preprocessing"]["outputs"] == ["columns"]
    assert after["dataset"]["inputs"] == {c: [c] for c in COLUMNS}


def test_removing_the_block_gives_back_a_matrix_input_in_one_undo_step():
    project = tips()
    stack = UndoStack()
    stack.push(add_preprocessing_command(project, raw_columns(project)))
    after = push_and_check_undo(project, remove_preprocessing_command(project, raw_columns(project)))
    assert [n["id"] for n in after["graph"]["nodes"]] == ["features", "hidden", "tip"]
    assert after["graph"]["nodes"][0]["config"] == {"shape": [12], "name": "features"}
    assert "submodels" not in after or not after["submodels"]
    assert after["dataset"]["inputs"] == {"features": COLUMNS}


def test_a_project_that_has_the_block_or_a_wrong_width_is_refused_with_a_sentence():
    project = tips()
    with pytest.raises(ValueError, match="takes \\[12\\], not the 3 values"):
        add_preprocessing_command(project, [RawColumn("a", "numeric"), RawColumn("b", "categorical", ("x", "y"))])
    UndoStack().push(add_preprocessing_command(project, raw_columns(project)))
    with pytest.raises(ValueError, match="already has a 'preprocessing' block"):
        add_preprocessing_command(project, raw_columns(project))


def _raw(streamed: bool, monkeypatch) -> tuple[dict, dict]:
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0 if streamed else 1 << 40)
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    spec = DatasetSpec(source="bundled:tips", target=["tip"], inputs={c: [c] for c in COLUMNS})
    data = load_dataset(spec, None, input_names=COLUMNS, output_names=["tip"], validation_split=0.0,
                        text_inputs=TEXT)
    batches = list(data.tf_dataset("train", 64, shuffle=False))
    return ({c: np.concatenate([x[c].numpy() for x, _ in batches]) for c in COLUMNS},
            {c: data.input_shapes()[c] for c in COLUMNS})


def test_string_inputs_get_the_raw_cells_alike_in_memory_and_streamed(monkeypatch):
    memory, memory_shapes = _raw(False, monkeypatch)
    streamed, streamed_shapes = _raw(True, monkeypatch)
    assert memory_shapes == streamed_shapes == {c: (1,) for c in COLUMNS}
    assert memory["day"][:3].ravel().tolist() == [b"Sun", b"Sun", b"Sun"]
    assert memory["total_bill"].dtype == np.float32 and memory["total_bill"][0, 0] == np.float32(16.99)
    for c in COLUMNS:
        np.testing.assert_array_equal(memory[c], streamed[c])


def test_a_number_column_mapped_to_a_string_input_is_refused_naming_both():
    spec = DatasetSpec(source="bundled:tips", target=["tip"], inputs={"size": ["size"]})
    with pytest.raises(DatasetError, match="column 'size' holds numbers, but input 'size' takes text"):
        load_dataset(spec, None, input_names=["size"], output_names=["tip"], text_inputs=["size"])


def test_column_names_become_layer_names_that_clash_with_nothing():
    """`total bill` cannot name a layer, and `hidden`/`preprocessing` are taken: each Input gets a fresh safe name,
    and the dataset maps it to the column by the column's own name."""
    import json

    project = project_file.loads(json.dumps({
        "format": "netbuilder", "version": 1, "name": "odd",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                            {"id": "hidden", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "x", "target": "hidden"}]},
        "dataset": {"source": "odd.csv", "target": ["y"]}}))
    columns = [RawColumn("total bill", "numeric"), RawColumn("hidden", "numeric"),
               RawColumn("preprocessing", "categorical", ("a", "b"))]
    after = push_and_check_undo(project, add_preprocessing_command(project, columns))
    inputs = [n["config"]["name"] for n in after["graph"]["nodes"] if n["layer"] == "Input"]
    assert inputs == ["total_bill", "hidden_1", "preprocessing_1"]
    assert after["dataset"]["inputs"] == {"total_bill": ["total bill"], "hidden_1": ["hidden"],
                                          "preprocessing_1": ["preprocessing"]}
    assert [n["id"] for n in after["graph"]["nodes"] if n["layer"] == "Submodel"] == ["preprocessing"]
