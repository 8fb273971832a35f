"""A folder of images above the streaming size is trained from its files, batch by batch, as from memory.

The streaming size is lowered to nothing here, so the bundled digits (and
small generated folders) take the streaming path and can be compared image
for image with the in-memory path; one test trains a folder under a memory
limit that the in-memory path cannot meet.
"""

import json
import os
import warnings

import numpy as np
import pytest
import tensorflow as tf

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset
from netbuilder.training.datasets import image_stream
from netbuilder.training.datasets.image_stream import StreamedImages

from memory_limit import peak_bytes, train_limited

DIGITS = DatasetSpec("bundled:digits", image_size=(8, 8), color_mode="grayscale")


def _load(spec, *, streamed, monkeypatch, split=0.0, seed=1, base=None):
    monkeypatch.setenv(image_stream.STREAM_ENV, "0" if streamed else str(10**9))
    return load_dataset(spec, base, input_names=["image"], output_names=["digit"], validation_split=split, seed=seed)


def _streamed(data, which="train", shuffle=False, seed=None):
    images, labels = [], []
    for x, y in data.tf_dataset(which, 64, shuffle=shuffle, seed=seed):
        images.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(images), np.concatenate(labels)


def _folder(root, counts, size=(6, 5), channels=3):
    """Class folders of random PNGs: {class name: number of images}."""
    rng = np.random.default_rng(0)
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 256, (*size, channels), dtype=np.uint8)
            (root / name / f"{i:04d}.png").write_bytes(tf.io.encode_png(pixels).numpy())
    return root


def test_streaming_gives_the_images_the_in_memory_path_gives(monkeypatch):
    memory = _load(DIGITS, streamed=False, monkeypatch=monkeypatch)
    streamed = _load(DIGITS, streamed=True, monkeypatch=monkeypatch)
    assert isinstance(streamed, StreamedImages) and not isinstance(memory, StreamedImages)
    images, labels = _streamed(streamed)
    assert images.dtype == np.float32 and labels.dtype == memory.train.targets["digit"].dtype
    np.testing.assert_array_equal(images, memory.train.features["image"])
    np.testing.assert_array_equal(labels, memory.train.targets["digit"])
    assert streamed.n_rows("train") == len(memory.train) == 800
    assert streamed.class_names == memory.class_names == [str(d) for d in range(10)]
    assert streamed.input_shapes() == memory.input_shapes() == {"image": (8, 8, 1)}
    assert streamed.target_shapes() == memory.target_shapes()
    sample = streamed.train.features["image"]  # the first images, kept for previews and the pre-flight check
    assert 0 < len(sample) < 800
    np.testing.assert_array_equal(sample, memory.train.features["image"][:len(sample)])


def test_a_validation_folder_streams_beside_the_training_folder(tmp_path, monkeypatch):
    _folder(tmp_path / "train", {"cat": 3, "dog": 4})
    _folder(tmp_path / "val", {"cat": 2, "dog": 1})
    spec = DatasetSpec("train", validation_file="val", image_size=(4, 4), color_mode="rgb")
    memory = _load(spec, streamed=False, monkeypatch=monkeypatch, base=tmp_path)
    streamed = _load(spec, streamed=True, monkeypatch=monkeypatch, base=tmp_path)
    assert (streamed.n_rows("train"), streamed.n_rows("validation")) == (7, 3)
    for which, split in (("train", memory.train), ("validation", memory.validation)):
        images, labels = _streamed(streamed, which)
        np.testing.assert_array_equal(images, split.features["image"])  # resized as Keras resizes
        np.testing.assert_array_equal(labels, split.targets["digit"])


def test_the_validation_split_is_the_same_for_the_same_seed(monkeypatch):
    def split(seed):
        data = _load(DIGITS, streamed=True, monkeypatch=monkeypatch, split=0.25, seed=seed)
        return data, data.stream.files["train"], data.stream.files["validation"]

    first, train, held = split(7)
    _, again_train, again_held = split(7)
    _, other_train, _ = split(8)
    assert (train, held) == (again_train, again_held) and train != other_train
    assert not set(train) & set(held) and len(train) + len(held) == 800
    assert 120 < len(held) < 280 and first.n_rows("validation") == len(held)
    assert len(first.validation) > 0 and _streamed(first, "validation")[0].shape == (len(held), 8, 8, 1)


def test_shuffled_batches_hold_every_image_once(monkeypatch):
    data = _load(DIGITS, streamed=True, monkeypatch=monkeypatch)
    images, labels = _streamed(data, shuffle=True, seed=3)
    in_order, in_order_labels = _streamed(data)
    assert not np.array_equal(labels, in_order_labels)
    key = lambda x, y: sorted(zip(y.tolist(), (row.tobytes() for row in x)))  # noqa: E731
    assert key(images, labels) == key(in_order, in_order_labels)


@pytest.mark.parametrize("content, culprit", [
    (b"", "the image file is empty"),
    (b"hello, not an image", "is not a PNG, JPEG, GIF or BMP image"),
    (b"\x89PNG\r\n\x1a\n damaged after its signature", "the image is damaged"),
])
def test_a_bad_image_is_named_on_both_paths(tmp_path, monkeypatch, content, culprit):
    _folder(tmp_path / "pics", {"a": 2, "b": 2})
    (tmp_path / "pics" / "b" / "0000.png").write_bytes(content)
    messages = []
    for streamed in (False, True):
        with pytest.raises(DatasetError) as refused:
            _load(DatasetSpec("pics", image_size=(4, 4)), streamed=streamed, monkeypatch=monkeypatch, base=tmp_path)
        messages.append(str(refused.value))
    assert all(m.startswith(f"pics{os.sep}b{os.sep}0000.png: ") and culprit in m for m in messages), messages


def test_a_session_trains_a_streamed_folder_with_validation(tmp_path, monkeypatch):
    from netbuilder.graph import project_file
    from netbuilder.resources import example_path
    from netbuilder.training.session import TrainingSession
    from netbuilder.training.settings import TrainingSettings

    monkeypatch.setenv(image_stream.STREAM_ENV, "0")
    project = project_file.load(example_path("digits_cnn"))
    settings = TrainingSettings.from_section({**project.sections["training"], "epochs": 1})
    session = TrainingSession(project, DatasetSpec.from_section(project.sections["dataset"]), settings, tmp_path,
                              run_dir=tmp_path / "run", queue_events=False)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = session.run()
    assert result.status == "completed", result.message
    assert not [w for w in warned if "ran out of data" in str(w.message)]  # Keras knows each epoch's length
    assert isinstance(session.data, StreamedImages)
    assert session.data.n_rows("train") + session.data.n_rows("validation") == 800
    assert result.history["val_accuracy"][-1] > 0.5


MARGIN = 150 << 20  # address space allowed beyond what a streamed run took: far less than the folder decoded


@pytest.mark.slow
def test_a_folder_bigger_than_memory_allows_trains_streamed(tmp_path):
    folder = tmp_path / "big"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    rng = np.random.default_rng(0)
    encoded = [tf.io.encode_png(rng.integers(0, 256, (96, 96, 3), dtype=np.uint8)).numpy() for _ in range(20)]
    for i in range(1_200):  # ~130 MB once decoded as float32, several times that while it is gathered
        (folder / "ab"[i % 2] / f"{i:05d}.png").write_bytes(encoded[i % 20])
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "big",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [96, 96, 3]}},
                            {"id": "p", "layer": "GlobalAveragePooling2D", "config": {}},
                            {"id": "y", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
                  "edges": [{"source": "x", "target": "p"}, {"source": "p", "target": "y"}]},
        "dataset": {"source": "big", "image_size": [96, 96]},
        "training": {"loss": "sparse_categorical_crossentropy", "metrics": []},
    }))

    def train(stream_from, limit, run):
        args = ["train", str(project), "--batch-size", "32", "--train-examples", "320", "--evaluations", "1",
                "--validation-split", "0", "--out", str(tmp_path / run)]
        return train_limited(args, limit, {image_stream.STREAM_ENV: str(stream_from)})

    free = train(0, 0, "free")  # how much address space this machine's TensorFlow takes to stream it
    assert free.returncode == 0, free.stderr[-2000:]
    limit = peak_bytes(free) + MARGIN
    streamed = train(0, limit, "streamed")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    assert (tmp_path / "streamed" / "model.keras").exists()
    whole = train(10**9, limit, "whole")
    assert whole.returncode != 0 and "Out of memory" in whole.stderr, whole.stderr[-3000:]
