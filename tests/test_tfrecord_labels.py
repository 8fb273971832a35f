"""TFRecord class labels: every label of every record is a class, not only those of the first records read.

TFRecord files are often written sorted by class. A label first met after the
records that the loader samples used to be encoded as its neighbour's class
index (or fall outside the output), silently; here the class list, the
encoded targets and the messages are checked on files whose late records hold
what the first ones do not, and on a label met only in the validation file,
which becomes a class as it does for a CSV file.
"""

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset

from test_tfrecord import example, framed, write

LATE = 1_050  # past the 1,000 records of a split that the loader samples


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _records(labels, **extra):
    return [example(x=np.float32([i % 7, 1]), y=np.int64(label), **extra) for i, label in enumerate(labels)]


def _load(path, validation=None, **kwargs):
    spec = DatasetSpec(source=str(path), validation_file=str(validation) if validation else None)
    return load_dataset(spec, None, input_names=["x"], output_names=["y"], validation_split=0.0, seed=5, **kwargs)


def _labels_fed(data, which="train"):
    """The label each record reaches the model as, turned back into its class name."""
    indices = np.concatenate([y.numpy() for _, y in data.tf_dataset(which, 256, shuffle=False)])
    return [data.class_names[i] for i in indices]


def test_labels_first_seen_late_in_a_sorted_file_are_classes(tmp_path):
    labels = [0] * LATE + [4] * 20 + [2] * 20
    write(tmp_path / "sorted.tfrecord", _records(labels))
    data = _load(tmp_path / "sorted.tfrecord")
    assert data.class_names == ["0", "2", "4"]
    assert _labels_fed(data) == [str(label) for label in labels]


def test_a_label_only_in_the_validation_file_is_a_class_as_in_a_csv_file(tmp_path):
    write(tmp_path / "train.tfrecord", _records([0, 1] * 30))
    held = [0] * LATE + [5]
    write(tmp_path / "valid.tfrecord", _records(held))
    (tmp_path / "train.csv").write_text("x,y\n" + "".join(f"{i % 7},{y}\n" for i, y in enumerate([0, 1] * 30)))
    (tmp_path / "valid.csv").write_text("x,y\n" + "".join(f"{i % 7},{y}\n" for i, y in enumerate(held)))
    records = _load(tmp_path / "train.tfrecord", tmp_path / "valid.tfrecord")
    rows = load_dataset(DatasetSpec(source=str(tmp_path / "train.csv"), validation_file=str(tmp_path / "valid.csv"),
                                    target=["y"]),
                        None, input_names=["x"], output_names=["y"], validation_split=0.0, seed=5,
                        task="classification")
    assert records.class_names == rows.class_names == ["0", "1", "5"]
    assert _labels_fed(records, "validation") == [str(label) for label in held]


def test_the_label_pass_is_cached_and_a_rewritten_file_is_read_again(tmp_path):
    path = tmp_path / "d.tfrecord"
    write(path, _records([0] * LATE + [3]))
    assert _load(path).class_names == ["0", "3"]
    assert len(list((tmp_path / "cache" / "netbuilder" / "tfrecord-labels").glob("*.json"))) == 1
    write(path, _records([0] * LATE + [3, 8]))
    assert _load(path).class_names == ["0", "3", "8"]


def test_a_late_record_without_the_target_is_named(tmp_path):
    records = _records([0, 1] * (LATE // 2))
    records.append(example(x=np.float32([1, 1])))
    write(tmp_path / "d.tfrecord", records)
    with pytest.raises(DatasetError, match=rf"d\.tfrecord: record {LATE} has no feature 'y'"):
        _load(tmp_path / "d.tfrecord")


def test_a_late_fractional_label_of_a_float_target_is_named(tmp_path):
    records = [example(x=np.float32([1, 2]), y=np.float32(i % 2)) for i in range(LATE)]
    records.append(example(x=np.float32([1, 2]), y=np.float32(0.5)))
    write(tmp_path / "d.tfrecord", records)
    with pytest.raises(DatasetError, match=rf"holds 0\.5 in record {LATE}, which is not a whole-number class label"):
        _load(tmp_path / "d.tfrecord", task="classification")


def test_a_damaged_record_past_the_first_ones_is_named_before_training(tmp_path):
    records = [framed(example(x=np.float32([i, 1]), y=np.int64(i % 2))) for i in range(LATE + 10)]
    other = example(x=np.float32([-1, 1]), y=np.int64(0))
    records[LATE] = records[LATE][:12] + other + records[LATE][-4:]  # its data no longer matches its checksum
    (tmp_path / "d.tfrecord").write_bytes(b"".join(records))
    with pytest.raises(DatasetError, match=r"^d\.tfrecord: a record is damaged and cannot be read \(corrupted record "
                                           r"at \d+\); write the file again$"):
        _load(tmp_path / "d.tfrecord")
