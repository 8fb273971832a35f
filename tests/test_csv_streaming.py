"""A CSV file above the streaming size is trained from the file, batch by batch, as it would be from memory.

The streaming size is lowered to nothing here, so small files take the
streaming path and can be compared row for row with the in-memory path; one
test trains a file under a memory limit that the in-memory path cannot meet.
"""

import json
import os
import textwrap
import warnings

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset, preview_dataset
from netbuilder.training.datasets import csv_scan, csv_stream
from netbuilder.training.datasets.csv_stream import StreamedData

from memory_limit import peak_bytes, train_limited


@pytest.fixture
def streaming(monkeypatch):
    """Every CSV file streams, as a file above 64 MB would."""
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    csv_scan._scans.clear()


def _load(path, *, streamed, monkeypatch, split=0.0, seed=1, **spec):
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0 if streamed else 1 << 40)
    spec = DatasetSpec(source=str(path), **spec)
    return load_dataset(spec, None, input_names=spec.inputs and list(spec.inputs) or ["x"],
                        output_names=list(spec.outputs) or ["y"], validation_split=split, seed=seed)


def _streamed_rows(data, which="train"):
    features, targets = [], []
    for x, y in data.tf_dataset(which, 7, shuffle=False):
        features.append(x.numpy())
        targets.append(y.numpy())
    return np.concatenate(features), np.concatenate(targets)


MIXED = textwrap.dedent("""\
    size,day,"note, quoted",tip,kind
    1.5,Sun,"a, b",0.25,big

    2,  Mon ,c,1e-3,small\r
    -3.25,Sun,"d",7,big
    4e2,Tue,e,0,small
    """)


@pytest.mark.parametrize("target, extra", [("tip", {}), ("kind", {})])
def test_streaming_gives_the_rows_the_in_memory_path_gives(tmp_path, monkeypatch, target, extra):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED.encode() + MIXED.encode().split(b"\n", 1)[1] * 39)
    spec = {"target": [target], "inputs": {"x": ["size", "day", "note, quoted"]}}
    memory = _load(path, streamed=False, monkeypatch=monkeypatch, **spec)
    streamed = _load(path, streamed=True, monkeypatch=monkeypatch, **spec)
    assert isinstance(streamed, StreamedData) and not isinstance(memory, StreamedData)
    x, y = _streamed_rows(streamed)
    assert x.dtype == memory.train.features["x"].dtype and y.dtype == memory.train.targets["y"].dtype
    np.testing.assert_array_equal(x, memory.train.features["x"])
    np.testing.assert_array_equal(y, memory.train.targets["y"])
    assert streamed.n_rows("train") == len(memory.train) == 160
    assert streamed.feature_columns == memory.feature_columns
    assert streamed.class_names == memory.class_names and streamed.task == memory.task
    assert streamed.input_shapes() == memory.input_shapes() and streamed.target_shapes() == memory.target_shapes()
    np.testing.assert_array_equal(streamed.train.features["x"], memory.train.features["x"])  # the sample


@pytest.mark.parametrize("text, spec", [
    ("a,b\n1,2\n3,\n5,6\n", {"target": ["b"]}),                      # an empty number cell, row 3
    ("a,b\n1,2\n3,inf\n", {"target": ["b"]}),
    ("a,b\n1,2\n1e39,4\n", {"target": ["b"]}),
    ("a,b\nx,2\n1,3\n4,5\n", {"target": ["b"]}),                     # text among numbers
    ("a,b\nx,2\ny,3\n,5\n", {"target": ["b"]}),                      # an empty category
    ("a,b\nx,2\ny,3\n", {"target": ["b"], "categorical": "reject"}),
    ("a,b\n1,x\n2,\n", {"target": ["b"]}),                           # a class label missing
    ("a,b\n1,2\n2\n", {"target": ["b"]}),                            # a short row
    ("a,b\n1,2\n", {"target": ["c"]}),
    ("a,b\n", {"target": ["b"]}),
    ("a,b\n1,2\n" + "".join(f"v{i},{i}\n" for i in range(60)), {"target": ["b"]}),  # too many categories
])
def test_a_bad_file_is_refused_with_the_in_memory_message(tmp_path, monkeypatch, text, spec):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    messages = []
    for streamed in (False, True):
        csv_scan._scans.clear()
        with pytest.raises(DatasetError) as refused:
            _load(path, streamed=streamed, monkeypatch=monkeypatch, **spec)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]


def test_labels_beyond_the_first_slice_keep_their_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_scan, "SLICE_BYTES", 64)  # many slices: line numbers must add up
    rows = "".join(f"{i},{i % 3}\n" for i in range(200)) + "7,2.5\n"
    path = tmp_path / "labels.csv"
    path.write_text("a,label\n" + rows)
    from netbuilder.training.datasets.spec import DatasetSpec as Spec

    for streamed in (False, True):
        csv_scan._scans.clear()
        monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0 if streamed else 1 << 40)
        with pytest.raises(DatasetError, match=r"holds 2.5 in row 202, which is not a whole-number class label"):
            load_dataset(Spec(source=str(path), target=["label"]), None, input_names=["x"], output_names=["y"],
                         validation_split=0, task="classification")


def test_the_validation_split_is_the_same_for_the_same_seed(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(2000)))

    def split(seed):
        data = _load(path, streamed=True, monkeypatch=monkeypatch, split=0.25, seed=seed, target=["b"])
        return _streamed_rows(data, "train")[0].ravel(), _streamed_rows(data, "validation")[0].ravel(), data

    train, held, data = split(5)
    assert data.n_rows("train") == len(train) and data.n_rows("validation") == len(held)
    assert 400 <= len(held) <= 600
    np.testing.assert_array_equal(np.sort(np.concatenate([train, held])), np.arange(2000))
    _, again_held, _ = split(5)
    np.testing.assert_array_equal(again_held, held)
    assert not np.array_equal(split(6)[1][:50], held[:50])


def test_shuffled_batches_hold_every_row_once(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(500)))
    data = _load(path, streamed=True, monkeypatch=monkeypatch, target=["b"])
    seen = np.concatenate([x.numpy().ravel() for x, _ in data.tf_dataset("train", 32, shuffle=True, seed=3)])
    assert not np.array_equal(seen, np.arange(500))
    np.testing.assert_array_equal(np.sort(seen), np.arange(500))


def test_a_quoted_cell_across_lines_is_read_whole(tmp_path, monkeypatch, streaming):
    path = tmp_path / "notes.csv"
    path.write_text('a,note,b\n1,"two\nlines",2\n3,x,4\n')
    data = _load(path, streamed=True, monkeypatch=monkeypatch, target=["b"], inputs={"x": ["a"]})
    assert not isinstance(data, StreamedData)
    assert data.train.features["x"].ravel().tolist() == [1, 3]


def test_a_scan_is_kept_until_the_file_changes(tmp_path, streaming):
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n")
    first = csv_scan.scan_csv(path)
    assert csv_scan.scan_csv(path) is first
    path.write_text("a,b\n1,2\n3,4\n")
    os.utime(path, ns=(1, 1))
    assert csv_scan.scan_csv(path).rows == 2


def test_the_preview_of_a_big_file_comes_from_the_scan(tmp_path, monkeypatch, streaming):
    path = tmp_path / "mixed.csv"
    path.write_text("a,day,empty\n1,Sun,\n2,Mon,\n" + "3,Tue,\n" * 100)
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 1 << 40)
    whole = preview_dataset(DatasetSpec(source=str(path)), None, rows=5)
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    streamed = preview_dataset(DatasetSpec(source=str(path)), None, rows=5)
    assert (streamed.columns, streamed.rows, streamed.kinds, streamed.n_rows) == (
        whole.columns, whole.rows, whole.kinds, whole.n_rows)
    assert "streamed from the file" in streamed.note


def _big_csv(path, rows):
    """`rows` rows of 20 numbers and a target, written block by block (fast, whatever the size)."""
    rng = np.random.default_rng(0)
    block = rng.normal(size=(5000, 21))
    text = "\n".join(",".join(f"{v:.6f}" for v in row) for row in block) + "\n"
    with path.open("w") as fh:
        fh.write(",".join([f"x{i}" for i in range(20)] + ["y"]) + "\n")
        for _ in range(rows // 5000):
            fh.write(text)


MARGIN = 150 << 20  # address space allowed beyond what a streamed run took: far less than the file read whole


def test_a_file_bigger_than_memory_allows_trains_streamed(tmp_path):
    data = tmp_path / "big.csv"
    _big_csv(data, 250_000)  # ~48 MB of text: ~350 MB more once read whole
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "big",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [20]}},
                            {"id": "h", "layer": "Dense", "config": {"units": 8, "activation": "relu"}},
                            {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "x", "target": "h"}, {"source": "h", "target": "y"}]},
    }))

    def train(stream_mb, limit, run):
        args = ["train", str(project), "--data", str(data), "--target", "y", "--batch-size", "32",
                "--train-examples", "640", "--evaluations", "1", "--validation-split", "0", "--out", str(tmp_path / run)]
        return train_limited(args, limit, {csv_stream.STREAM_ENV: str(stream_mb)})

    free = train(1, 0, "free")  # how much address space this machine's TensorFlow takes to stream it
    assert free.returncode == 0, free.stderr[-2000:]
    limit = peak_bytes(free) + MARGIN
    streamed = train(1, limit, "streamed")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    assert (tmp_path / "streamed" / "model.keras").exists()
    whole = train(100_000, limit, "whole")
    assert whole.returncode != 0 and "Out of memory" in whole.stderr, whole.stderr[-2000:]


def test_a_session_trains_a_streamed_file_with_text_columns_and_validation(tmp_path, streaming):
    from netbuilder.graph.project_file import from_dict
    from netbuilder.training.session import TrainingSession
    from netbuilder.training.settings import TrainingSettings

    from helpers import tips_project

    doc = tips_project((12,), epochs=2, batch_size=16)  # every column but the tip, text ones one-hot
    doc["dataset"].pop("inputs")
    project = from_dict(doc, "tips")
    spec = DatasetSpec.from_section(doc["dataset"])
    session = TrainingSession(project, spec, TrainingSettings.from_section(doc["training"]), tmp_path,
                              run_dir=tmp_path / "run", queue_events=False)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = session.run()
    assert result.status == "completed", result.message
    assert not [w for w in warned if "ran out of data" in str(w.message)]  # Keras knows each epoch's length
    assert isinstance(session.data, StreamedData)
    assert session.data.n_rows("train") + session.data.n_rows("validation") == 244
    assert len(result.history["val_loss"]) == 2
