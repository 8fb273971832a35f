"""A big all-numeric CSV file is streamed from the float32 cache its scan writes, with the rows of the in-memory path.

Every file streams here (the streaming size lowered to nothing). The cache
must give exactly the rows the in-memory path and the text-decoding stream
give, split and shuffled alike; it must follow the file when the file
changes, vanish with its scan, and leave the messages about damaged rows as
they were.
"""

import gc
import json
import os

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset
from netbuilder.training.datasets import csv_cache, csv_scan, csv_scan_part, csv_stream
from netbuilder.training.datasets.csv_stream import StreamedData

ROWS = 3_000  # three blocks of the cache, the last one padded


@pytest.fixture
def streaming(monkeypatch):
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    csv_scan._scans.clear()
    yield
    csv_scan._scans.clear()
    gc.collect()


def _write(path, rows=ROWS, scale=1.0):
    rng = np.random.default_rng(int(scale))
    x = rng.normal(size=(rows, 3)) * scale
    label = np.arange(rows) % 4 * 1000 + 7
    path.write_text("a,b,c,label,y\n" + "".join(f"{a:.6f},{b:.6f},{c:.6f},{k},{a - b + 2 * c:.6f}\n"
                                                 for (a, b, c), k in zip(x, label)))


def _load(path, monkeypatch, *, streamed=True, target="y", split=0.0, task=None):
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0 if streamed else 1 << 40)
    spec = DatasetSpec(source=str(path), target=[target], inputs={"x": ["a", "b", "c"]})
    return load_dataset(spec, None, input_names=["x"], output_names=["out"], validation_split=split, seed=4,
                        task=task)


def _rows(data, which="train"):
    parts = [(x.numpy(), y.numpy()) for x, y in data.tf_dataset(which, 100, shuffle=False)]
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def _cache_files():
    return sorted(p for p in csv_cache.Path(csv_cache.tempfile.gettempdir()).glob(
        f"{csv_cache.PREFIX}{os.getpid()}-*.f32"))


@pytest.mark.parametrize("target, task", [("y", None), ("label", "classification")])
def test_the_cache_gives_the_rows_the_in_memory_path_gives(tmp_path, monkeypatch, streaming, target, task):
    path = tmp_path / "rows.csv"
    _write(path)
    memory = _load(path, monkeypatch, streamed=False, target=target, task=task)
    streamed = _load(path, monkeypatch, target=target, task=task)
    assert isinstance(streamed, StreamedData) and streamed.stream.scans[0].cache is not None
    x, y = _rows(streamed)
    assert x.dtype == memory.train.features["x"].dtype and y.dtype == memory.train.targets["out"].dtype
    np.testing.assert_array_equal(x, memory.train.features["x"])
    np.testing.assert_array_equal(y, memory.train.targets["out"])
    np.testing.assert_array_equal(streamed.train.features["x"], memory.train.features["x"][:csv_stream.SAMPLE_ROWS])


def test_the_split_and_rows_match_the_text_stream(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    _write(path)
    cached = _load(path, monkeypatch, split=0.3)
    from_cache = [_rows(cached, which) for which in ("train", "validation")]
    monkeypatch.setattr(csv_stream.CsvStream, "_cached_encoder", lambda self, scan: None)
    text = _load(path, monkeypatch, split=0.3)
    from_text = [_rows(text, which) for which in ("train", "validation")]
    for which in ("train", "validation"):  # the samples kept in memory too
        np.testing.assert_array_equal(getattr(cached, which).features["x"], getattr(text, which).features["x"])
        np.testing.assert_array_equal(getattr(cached, which).targets["out"], getattr(text, which).targets["out"])
    for (x, y), (tx, ty) in zip(from_cache, from_text):
        np.testing.assert_array_equal(x, tx)
        np.testing.assert_array_equal(y, ty)
    assert len(from_cache[1][0]) == cached.n_rows("validation") and 700 <= cached.n_rows("validation") <= 1100


def test_a_shuffled_epoch_holds_every_row_once_in_a_new_order(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    _write(path)
    data = _load(path, monkeypatch)
    ordered = _rows(data)[0][:, 0]
    shuffled = data.tf_dataset("train", 100, shuffle=True, seed=2)
    epochs = [np.concatenate([x.numpy()[:, 0] for x, _ in shuffled]) for _ in range(2)]  # as `fit` iterates it
    for seen in epochs:
        np.testing.assert_array_equal(np.sort(seen), np.sort(ordered))
        assert not np.array_equal(seen, ordered)
    # the second block's rows are not left together, and each epoch has its own order
    assert not np.array_equal(epochs[0], epochs[1])
    assert np.isin(epochs[0][:1024], ordered[1024:2048]).sum() < 1000


def test_a_changed_file_is_not_served_from_the_old_cache(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    _write(path, scale=1.0)
    first = _rows(_load(path, monkeypatch))[0]
    old = _cache_files()
    _write(path, scale=3.0)
    os.utime(path, ns=(1, 1))
    x = _rows(_load(path, monkeypatch))[0]
    np.testing.assert_array_equal(x, _load(path, monkeypatch, streamed=False).train.features["x"])
    assert not np.array_equal(x, first)
    csv_scan._scans.clear()
    gc.collect()
    assert not set(old) & set(_cache_files())  # a dropped scan takes its cache with it


def test_a_damaged_row_is_named_and_leaves_no_cache(tmp_path, monkeypatch, streaming):
    monkeypatch.setattr(csv_scan, "SLICE_BYTES", 4096)  # the bad row lies many slices in
    path = tmp_path / "rows.csv"
    _write(path)
    lines = path.read_text().splitlines(keepends=True)
    lines[2500] = "1.0,,3.0,7,2.0\n"
    path.write_text("".join(lines))
    with pytest.raises(DatasetError, match=r"rows\.csv: column 'b' has no value \(empty or NaN\) in row 2501"):
        _load(path, monkeypatch)
    lines[2500] = "1.0,2.0,3.0,7\n"
    path.write_text("".join(lines))
    os.utime(path, ns=(2, 2))
    with pytest.raises(DatasetError, match=r"rows\.csv: row 2501 has 4 fields, but the header names 5 columns"):
        _load(path, monkeypatch)
    gc.collect()
    kept = [path for scan in csv_scan._scans.values() if scan and scan.cache for path, _ in scan.cache.parts]
    assert _cache_files() == kept and len(kept) == 1  # the first version's, kept with its scan


def test_a_text_column_streams_without_a_cache(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    path.write_text("a,b,c,kind,y\n" + "".join(f"{i},{i % 5},{-i},{'xyz'[i % 3]},{i / 2}\n" for i in range(2000)))
    data = _load(path, monkeypatch)
    assert data.stream.scans[0].cache is None
    np.testing.assert_array_equal(_rows(data)[0], _load(path, monkeypatch, streamed=False).train.features["x"])


def _scan(path, monkeypatch, *, in_two):
    monkeypatch.setattr(csv_scan, "PARALLEL_BYTES", 0 if in_two else 1 << 40)
    monkeypatch.setattr(csv_scan_part, "spare_core", lambda: True)  # whatever else this machine runs
    csv_scan._scans.clear()
    return csv_scan.scan_csv(path)


def _facts(scan):
    """Everything the scan found, comparable (NaN included) and in one order."""
    return json.dumps(csv_scan_part._scan_to(scan), sort_keys=True)


def test_a_file_scanned_in_two_processes_gives_the_scan_of_one_pass(tmp_path, monkeypatch, streaming):
    path = tmp_path / "mixed.csv"
    rows = [f"{i % 7},{'abc'[i % 3]},{i * 0.5},{'' if i == 2600 else i}\n" for i in range(3000)]
    rows[2200] = "1e39,zzz,3.25,7\n"  # a number too big for float32, a new category: both in the second half
    path.write_text("label,kind,x,gappy\n" + "".join(rows))
    one, two = _scan(path, monkeypatch, in_two=False), _scan(path, monkeypatch, in_two=True)
    assert _facts(two) == _facts(one) and one.rows == 3000
    assert one.cache is None and two.cache is None  # text: nothing cached, by either process
    assert _cache_files() == []


def test_a_refusal_in_the_second_half_names_the_row_of_the_whole_file(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    _write(path)
    lines = path.read_text().splitlines(keepends=True)
    lines[2900] = "1,2\n"
    path.write_text("".join(lines))
    with pytest.raises(DatasetError, match=r"rows\.csv: row 2901 has 2 fields, but the header names 5 columns"):
        _scan(path, monkeypatch, in_two=True)
    gc.collect()
    assert _cache_files() == []


def test_the_two_halves_cache_the_rows_and_split_of_one_pass(tmp_path, monkeypatch, streaming):
    path = tmp_path / "rows.csv"
    _write(path, rows=5_000)
    _scan(path, monkeypatch, in_two=True)
    halves = _load(path, monkeypatch, split=0.3)
    assert len(halves.stream.scans[0].cache.parts) == 2
    split = [_rows(halves, which) for which in ("train", "validation")]
    _scan(path, monkeypatch, in_two=False)
    one = _load(path, monkeypatch, split=0.3)
    assert len(one.stream.scans[0].cache.parts) == 1
    for (x, y), which in zip(split, ("train", "validation")):
        ox, oy = _rows(one, which)
        np.testing.assert_array_equal(x, ox)
        np.testing.assert_array_equal(y, oy)
