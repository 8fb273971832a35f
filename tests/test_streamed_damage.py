"""A damaged file that only training reaches (past what a streamed dataset checks first) is named in the run's message."""

import numpy as np
import tensorflow as tf

from netbuilder.graph.project_file import from_dict
from netbuilder.training.datasets import image_stream
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import TrainingSettings
from test_tfrecord import example, framed


def _train(tmp_path, nodes, edges, dataset, **training):
    doc = {"format": "netbuilder", "version": 1, "name": "damage", "graph": {"nodes": nodes, "edges": edges}}
    settings = TrainingSettings.from_section({"epochs": 1, "batch_size": 16, "validation_split": 0,
                                              "loss": "sparse_categorical_crossentropy", **training})
    result = TrainingSession(from_dict(doc, "damage"), DatasetSpec.from_section(dataset), settings, tmp_path,
                             run_dir=tmp_path / "run", queue_events=False).run()
    assert result.status == "failed", result.message
    return result.message


def test_a_damaged_image_beyond_the_streamed_sample_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv(image_stream.STREAM_ENV, "0")
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        (tmp_path / "pics" / name).mkdir(parents=True)
        for i in range(50):  # the sample holds the first 64 of the split: the damage is past it
            png = tf.io.encode_png(rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)).numpy()
            (tmp_path / "pics" / name / f"{i:03d}.png").write_bytes(png)
    good = (tmp_path / "pics" / "b" / "040.png").read_bytes()
    (tmp_path / "pics" / "b" / "040.png").write_bytes(good[:40] + b"\0" * 30)  # starts as a PNG, then garbage
    message = _train(tmp_path, [{"id": "img", "layer": "Input", "config": {"shape": [4, 4, 3]}},
                                {"id": "flat", "layer": "Flatten", "config": {}},
                                {"id": "out", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
                     [{"source": "img", "target": "flat"}, {"source": "flat", "target": "out"}],
                     {"source": str(tmp_path / "pics"), "image_size": [4, 4]})
    assert message.startswith("Training stopped on a damaged file: pics/b/040.png: the image is damaged"), message


def test_a_damaged_record_past_the_first_ones_names_its_file(tmp_path):
    # A regressed target: a class label is read from every record before training (`tfrecord_labels`), which
    # would find the damage first (test_tfrecord_labels); a number is only read by training.
    records = [framed(example(x=np.full(2, i, np.float32), y=np.float32(i % 2))) for i in range(3000)]
    # Far past the records read before training, a record whose data no longer matches its checksum
    # (still a well-formed tf.train.Example: only reading it through TensorFlow finds out).
    other = example(x=np.full(2, -1, np.float32), y=np.float32(0))
    records[2900] = records[2900][:12] + other + records[2900][-4:]
    (tmp_path / "rows.tfrecord").write_bytes(b"".join(records))
    message = _train(tmp_path, [{"id": "x", "layer": "Input", "config": {"shape": [2]}},
                                {"id": "out", "layer": "Dense", "config": {"units": 1}}],
                     [{"source": "x", "target": "out"}], {"source": str(tmp_path / "rows.tfrecord")},
                     loss="mean_squared_error")
    assert message.startswith("Training stopped on a damaged file: rows.tfrecord: a record is damaged"), message
    assert message.endswith("write the file again."), message
