"""TFRecord datasets: `tf.train.Example` records stream into training as the same arrays an `.npz` file gives.

Files are written here with TensorFlow's own writer (and, for damage, byte by
byte); each test checks what a user would see: the arrays that reach the
model, the Data tab's preview, the sentence that refuses a bad file, a run
that trains from a file bigger than the memory it may use.
"""

import json
import runpy
import struct

import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset, preview_dataset
from netbuilder.training.datasets.tfrecord_format import masked_crc32c

from memory_limit import peak_bytes, train_limited


def example(**features) -> bytes:
    def one(values):
        values = np.atleast_1d(values)
        if values.dtype.kind in "SO":
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=list(values)))
        if values.dtype.kind == "f":
            return tf.train.Feature(float_list=tf.train.FloatList(value=values.tolist()))
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values.tolist()))

    return tf.train.Example(features=tf.train.Features(feature={k: one(v) for k, v in features.items()})) \
        .SerializeToString()


def write(path, records) -> None:
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)


def framed(data: bytes) -> bytes:
    """One record as TFRecord frames it, written by hand (for files no writer would make)."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


def _load(path, split=0.0, **spec):
    return load_dataset(DatasetSpec(source=str(path), **spec), None, input_names=["x"], output_names=["y"],
                        validation_split=split, seed=5)


def _streamed(data, which="train"):
    xs, ys = [], []
    for x, y in data.tf_dataset(which, 7, shuffle=False):
        xs.append(x.numpy())
        ys.append(y.numpy())
    return np.concatenate(xs), np.concatenate(ys)


@pytest.fixture
def pair(tmp_path):
    """The same 60 rows as a TFRecord file and as an .npz archive (x: 4 floats, y: labels 3, 5 or 7)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = rng.choice([3, 5, 7], size=60)
    write(tmp_path / "d.tfrecord", [example(x=a, y=b, note=np.array([b"n"])) for a, b in zip(x, y)])
    np.savez(tmp_path / "d.npz", x=x, y=y)
    return tmp_path


def test_a_tfrecord_file_gives_the_arrays_of_the_same_npz(pair):
    records, arrays = _load(pair / "d.tfrecord"), _load(pair / "d.npz")
    assert records.task == arrays.task == "classification"
    assert records.class_names == arrays.class_names == ["3", "5", "7"]
    assert records.n_rows("train") == 60
    np.testing.assert_array_equal(records.train.features["x"], arrays.train.features["x"])
    np.testing.assert_array_equal(records.train.targets["y"], arrays.train.targets["y"])
    x, y = _streamed(records)  # what training is fed, through tf.data
    np.testing.assert_array_equal(x, arrays.train.features["x"])
    np.testing.assert_array_equal(y, arrays.train.targets["y"])


def test_a_float_target_is_regressed_like_the_npz(tmp_path):
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    t = np.linspace(0, 1, 6).astype(np.float32)
    write(tmp_path / "r.tfrecords", [example(a=a, target=b) for a, b in zip(x, t)])
    np.savez(tmp_path / "r.npz", a=x, target=t)
    records = _load(tmp_path / "r.tfrecords", inputs={"x": ["a"]}, target=["target"])
    arrays = _load(tmp_path / "r.npz", inputs={"x": ["a"]}, target=["target"])
    assert records.task == arrays.task == "regression"
    np.testing.assert_array_equal(_streamed(records)[1], arrays.train.targets["y"])


def test_the_validation_split_is_the_same_for_the_same_seed(pair):
    first, again = _load(pair / "d.tfrecord", split=0.25), _load(pair / "d.tfrecord", split=0.25)
    held = first.n_rows("validation")
    assert 0 < held < 60 and first.n_rows("train") + held == 60
    for which in ("train", "validation"):
        x, _ = _streamed(first, which)
        assert len(x) == first.n_rows(which)
        np.testing.assert_array_equal(x, _streamed(again, which)[0])
        np.testing.assert_array_equal(x, (first.train if which == "train" else first.validation).features["x"])


def test_a_folder_of_tfrecord_files_streams_every_file(pair):
    folder = pair / "parts"
    folder.mkdir()
    rows = [example(x=np.full(2, i, np.float32), label=i % 2) for i in range(10)]
    write(folder / "a.tfrecord", rows[:4])
    write(folder / "b.tfrecord", rows[4:])
    data = _load(folder)
    assert data.n_rows("train") == 10 and data.class_names == ["0", "1"]  # `label` is the default target
    assert sorted(_streamed(data)[0][:, 0]) == list(range(10))


def test_the_preview_shows_each_feature_its_dtype_shape_and_first_values(pair):
    preview = preview_dataset(DatasetSpec(str(pair / "d.tfrecord")), None)
    assert preview.columns == ["feature", "dtype", "shape", "first values"]
    rows = {row[0]: row for row in preview.rows}
    assert rows["x"][1:3] == ["float32", "(4,)"] and rows["y"][1:3] == ["int64", "(1,)"]
    assert rows["note"][1] == "bytes" and "b'n'" in rows["note"][3]
    assert rows["y"][3] in ("3", "5", "7")
    assert preview.n_rows == 60 and "60 records" in preview.note


def test_training_from_a_tfrecord_file(pair, capsys):
    project = pair / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "t",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                            {"id": "y", "layer": "Dense", "config": {"units": 3, "activation": "softmax"}}],
                  "edges": [{"source": "x", "target": "y"}]}}))
    code = main(["train", str(project), "--data", str(pair / "d.tfrecord"), "--epochs", "2", "--batch-size", "8",
                 "--loss", "sparse_categorical_crossentropy", "--metrics", "accuracy", "--out", str(pair / "run")])
    assert code == 0, capsys.readouterr().err
    assert len((pair / "run" / "history.csv").read_text().splitlines()) == 3


BAD = {
    "not_tfrecord": (lambda: b"x,y\n1,2\n3,4\n5,6\n", "corrupt length"),
    "cut": (lambda: framed(example(x=np.ones(2, np.float32), y=1))[:-9], "cut short"),
    "crc": (lambda: framed(example(x=np.ones(2, np.float32), y=1))[:-5] + b"\0\0\0\0\0", "data checksum"),
    "no_example": (lambda: framed(b"\xff\xff\xff"), "record 0 is no tf.train.Example"),
    "shapes": (lambda: framed(example(x=np.ones(2, np.float32), y=1)) + framed(example(x=np.ones(3, np.float32), y=0)),
               "feature 'x' holds 3 float values in record 1 but 2"),
    "missing": (lambda: framed(example(x=np.ones(2, np.float32), y=1)) + framed(example(x=np.ones(2, np.float32))),
                "record 1 has no feature 'y'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_with_a_sentence_naming_it(tmp_path, case):
    content, words = BAD[case]
    path = tmp_path / f"{case}.tfrecord"
    path.write_bytes(content())
    with pytest.raises(DatasetError) as caught:
        _load(path)
    assert path.name in str(caught.value) and words in str(caught.value), str(caught.value)


def test_a_feature_that_is_not_there_or_holds_bytes_is_named(pair):
    with pytest.raises(DatasetError, match="d.tfrecord: has no feature 'price'; its features are: note, x, y"):
        _load(pair / "d.tfrecord", target=["price"])
    with pytest.raises(DatasetError, match="feature 'note' holds bytes"):
        _load(pair / "d.tfrecord", inputs={"x": ["note"]})
    write(pair / "no_target.tfrecord", [example(a=np.ones(2, np.float32))])
    with pytest.raises(DatasetError, match="no target chosen; pick what to predict from the features of "
                                           "no_target.tfrecord: a"):
        _load(pair / "no_target.tfrecord")


MARGIN = 150 << 20  # address space allowed beyond what training a tiny file took


@pytest.mark.slow
def test_a_file_bigger_than_memory_allows_trains_streamed(tmp_path):
    rng = np.random.default_rng(0)
    records = [framed(example(x=rng.normal(size=1024).astype(np.float32), y=np.float32(i))) for i in range(64)]
    (tmp_path / "tiny.tfrecord").write_bytes(b"".join(records))
    with (tmp_path / "big.tfrecord").open("wb") as fh:
        for _ in range(1_250):  # 80,000 records of about 4 KB: more than 2 × MARGIN
            fh.write(b"".join(records))
    assert (tmp_path / "big.tfrecord").stat().st_size > 2 * MARGIN
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "big",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [1024]}},
                            {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "x", "target": "y"}]}}))

    def train(data, limit, run):
        args = ["train", str(project), "--data", str(tmp_path / data), "--batch-size", "1024", "--epochs", "1",
                "--validation-split", "0.1", "--out", str(tmp_path / run)]
        return train_limited(args, limit)

    free = train("tiny.tfrecord", 0, "tiny")
    assert free.returncode == 0, free.stderr[-2000:]
    limit = peak_bytes(free) + MARGIN
    streamed = train("big.tfrecord", limit, "big")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    assert "epoch 1/1" in streamed.stdout and (tmp_path / "big" / "model.keras").exists()


def test_the_exported_script_trains_on_the_tfrecord_file(pair):
    from netbuilder.graph.project_file import from_dict
    from netbuilder.export.python_code import python_code

    project = from_dict({
        "format": "netbuilder", "version": 1, "name": "t",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                            {"id": "y", "layer": "Dense", "config": {"units": 3, "activation": "softmax"}}],
                  "edges": [{"source": "x", "target": "y"}]},
        "dataset": {"source": str(pair / "d.tfrecord")},
        "training": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "batch_size": 8}}, "t")
    script = pair / "t.py"
    script.write_text(python_code(project), encoding="utf-8")
    namespace = runpy.run_path(str(script))  # our own output: running it is fine
    x, y = namespace["load_data"](str(pair / "d.tfrecord"))
    arrays = _load(pair / "d.npz")
    np.testing.assert_array_equal(x, arrays.train.features["x"])
    np.testing.assert_array_equal(y, arrays.train.targets["y"])
    history = namespace["train"](epochs=1)
    assert "val_accuracy" in history.history


def test_encoded_images_feed_an_image_input(tmp_path):
    from data_files import png_bytes

    from netbuilder.training.datasets.image_decode import decode_image

    rng = np.random.default_rng(2)
    pictures = [rng.integers(0, 255, size=(6, 5, 3), dtype=np.uint8) for _ in range(8)]
    write(tmp_path / "pics.tfrecord", [example(image=np.array([png_bytes(p)], dtype=object), label=i % 2)
                                       for i, p in enumerate(pictures)])
    preview = preview_dataset(DatasetSpec(str(tmp_path / "pics.tfrecord")), None)
    assert ["image", "encoded image", "(1,)"] == preview.rows[0][:3]
    data = _load(tmp_path / "pics.tfrecord", image_size=(4, 4))
    expected = np.stack([decode_image(png_bytes(p), (4, 4), 3).numpy() for p in pictures])
    assert data.input_shapes() == {"x": (4, 4, 3)} and data.class_names == ["0", "1"]
    np.testing.assert_array_equal(data.train.features["x"], expected)
    np.testing.assert_array_equal(_streamed(data)[0], expected)
    broken = example(image=np.array([b"\x89PNG\r\n\x1a\n" + b"\0" * 30], dtype=object), label=0)
    write(tmp_path / "broken.tfrecord", [example(image=np.array([png_bytes(pictures[0])], dtype=object), label=1),
                                         broken])
    with pytest.raises(DatasetError, match="broken.tfrecord: feature 'image' holds a damaged image in record 1"):
        _load(tmp_path / "broken.tfrecord")


def test_the_evaluation_reads_every_record_of_the_split(tmp_path):
    import keras

    from netbuilder.training.evaluate import evaluate

    rng = np.random.default_rng(4)
    x = rng.normal(size=(2_400, 2)).astype(np.float32)
    (tmp_path / "many.tfrecord").write_bytes(b"".join(framed(example(x=a, y=int(a[0] > 0))) for a in x))
    data = _load(tmp_path / "many.tfrecord", split=0.5)
    assert len(data.validation) < data.n_rows("validation")  # more records than the sample holds
    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="y")(inputs))
    report = evaluate(model, data)
    xs, ys = _streamed(data, "validation")
    guess = np.asarray(model(xs)).argmax(axis=1)
    assert report.rows == data.n_rows("validation") == len(ys)
    assert report.accuracy == pytest.approx(float(np.mean(guess == ys)))
