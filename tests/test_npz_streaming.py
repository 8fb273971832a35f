"""A `.npz` archive above the streaming size is trained from the file, a slice of rows at a time, as from memory."""

import json

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset
from netbuilder.training.datasets.npz_stream import STREAM_ENV, StreamedNpz
from memory_limit import peak_bytes, train_limited
from test_csv_streaming import MARGIN


def _archive(path, rows, *, nan_row=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    if nan_row is not None:
        x[nan_row, 1] = np.nan
    np.savez(path, x=x, y=rng.integers(0, 3, size=rows))


def _load(path, streamed, monkeypatch, **options):
    monkeypatch.setenv(STREAM_ENV, "0" if streamed else "1000")
    spec = DatasetSpec.from_section({"source": str(path), **options.pop("spec", {})})
    return load_dataset(spec, None, input_names=["x"], output_names=["out"], seed=5, **options)


def _all(data, which):
    x, y = zip(*[(a.numpy(), b.numpy()) for a, b in data.tf_dataset(which, 64, shuffle=False)])
    return np.concatenate(x), np.concatenate(y)


def test_streaming_gives_the_rows_the_in_memory_path_gives(tmp_path, monkeypatch):
    _archive(tmp_path / "train.npz", 300)
    _archive(tmp_path / "check.npz", 70)
    options = {"spec": {"validation_file": str(tmp_path / "check.npz")}, "validation_split": 0}
    streamed = _load(tmp_path / "train.npz", True, monkeypatch, **options)
    memory = _load(tmp_path / "train.npz", False, monkeypatch, **options)
    assert isinstance(streamed, StreamedNpz) and not isinstance(memory, StreamedNpz)
    for which, split in (("train", memory.train), ("validation", memory.validation)):
        x, y = _all(streamed, which)
        assert x.dtype == np.float32 and y.dtype == split.targets["out"].dtype
        np.testing.assert_array_equal(x, split.features["x"])
        np.testing.assert_array_equal(y, split.targets["out"])
    assert streamed.n_rows("train") == 300 and streamed.n_rows("validation") == 70
    assert streamed.class_names == memory.class_names and streamed.task == memory.task == "classification"
    assert streamed.input_shapes() == memory.input_shapes() == {"x": (3,)}
    np.testing.assert_array_equal(streamed.train.features["x"], memory.train.features["x"])  # the sample


def test_the_split_is_the_same_for_the_same_seed_and_every_row_is_in_one_side(tmp_path, monkeypatch):
    _archive(tmp_path / "data.npz", 1000)
    first = _load(tmp_path / "data.npz", True, monkeypatch, validation_split=0.25)
    again = _load(tmp_path / "data.npz", True, monkeypatch, validation_split=0.25)
    np.testing.assert_array_equal(_all(first, "validation")[0], _all(again, "validation")[0])
    train, held = _all(first, "train")[0], _all(first, "validation")[0]
    assert len(train) + len(held) == 1000 and 150 < len(held) < 350
    assert first.n_rows("validation") == len(held)
    everything = np.load(tmp_path / "data.npz")["x"].astype(np.float32)
    together = np.concatenate([train, held])
    assert sorted(map(tuple, together)) == sorted(map(tuple, everything))


def test_shuffled_batches_hold_every_row_once(tmp_path, monkeypatch):
    _archive(tmp_path / "data.npz", 500)
    data = _load(tmp_path / "data.npz", True, monkeypatch, validation_split=0)
    x = np.concatenate([a.numpy() for a, _ in data.tf_dataset("train", 32, shuffle=True, seed=1)])
    ordered = _all(data, "train")[0]
    assert not np.array_equal(x, ordered) and sorted(map(tuple, x)) == sorted(map(tuple, ordered))


@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "in memory"])
def test_a_nan_far_down_is_named_by_row_on_both_paths(tmp_path, monkeypatch, streamed):
    _archive(tmp_path / "data.npz", 400_000, nan_row=399_990)  # beyond the first slice
    with pytest.raises(DatasetError, match="data.npz: array 'x' holds NaN or infinity in row 399990"):
        _load(tmp_path / "data.npz", streamed, monkeypatch, validation_split=0.2)


@pytest.mark.slow
def test_an_archive_bigger_than_memory_allows_trains_streamed(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "big.npz"
    np.savez(data, x=rng.normal(size=(1_250_000, 20)), y=rng.normal(size=1_250_000))  # 200 MB of float64
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "big",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [20]}},
                            {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "x", "target": "y"}]},
    }))

    def train(stream_mb, limit, run):
        args = ["train", str(project), "--data", str(data), "--batch-size", "32", "--loss", "mean_squared_error",
                "--train-examples", "640", "--evaluations", "1", "--validation-split", "0", "--out", str(tmp_path / run)]
        return train_limited(args, limit, {STREAM_ENV: str(stream_mb)})

    free = train(0, 0, "free")
    assert free.returncode == 0, free.stderr[-2000:]
    limit = peak_bytes(free) + MARGIN
    streamed = train(0, limit, "streamed")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    whole = train(100_000, limit, "whole")
    assert whole.returncode != 0 and "memory" in whole.stderr.lower(), whole.stderr[-2000:]
