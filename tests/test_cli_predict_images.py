"""`netbuilder predict` on a model trained on an image folder: image files or a folder of them in, one CSV row per
image out (its path, one probability per class, the predicted class), through the exported raw-image function."""

import csv
import io
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.resources import DATASETS, example_path

DIGITS = DATASETS / "digits"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(project, run, Keras model) of the digits example trained for one epoch."""
    folder = tmp_path_factory.mktemp("digits")
    project = folder / "digits.nbproj"
    shutil.copy(example_path("digits_cnn"), project)
    run = folder / "run"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    return project, run, keras.saving.load_model(run / "model.keras")


def keras_answer(model, pixels):
    return np.asarray(model(tf.image.resize(tf.constant(np.asarray(pixels, np.float32)), (8, 8))))


def decoded(data):
    return tf.io.decode_png(data, channels=1).numpy().astype(np.float32)


def test_a_folder_of_images_gets_one_row_per_image_with_class_probabilities(trained, tmp_path):
    project, run, model = trained
    out = tmp_path / "predicted.csv"
    assert main(["predict", str(project), "--run", str(run), "--data", str(DIGITS / "3"), "-o", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = sorted((DIGITS / "3").iterdir())
    assert list(rows[0]) == ["path"] + [f"digit={d}" for d in range(10)] + ["digit"]
    assert [row["path"] for row in rows] == [str(f) for f in files]
    probabilities = np.array([[float(row[f"digit={d}"]) for d in range(10)] for row in rows])
    expected = keras_answer(model, [decoded(f.read_bytes()) for f in files])
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    assert [row["digit"] for row in rows] == [str(d) for d in expected.argmax(axis=1)]


def test_one_image_of_another_size_is_resized_and_answered(trained, tmp_path, capsys):
    project, run, model = trained
    big = tf.image.resize(decoded((DIGITS / "7" / "0007.png").read_bytes()), (20, 12), method="nearest")
    photo = tmp_path / "photo.png"
    photo.write_bytes(tf.io.encode_png(tf.cast(big, tf.uint8)).numpy())
    capsys.readouterr()
    assert main(["predict", str(project), "--run", str(run), "--data", str(photo)]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["path"] == str(photo)
    expected = keras_answer(model, [big.numpy()])[0]
    np.testing.assert_allclose([float(row[f"digit={d}"]) for d in range(10)], expected, atol=1e-5)


@pytest.mark.parametrize("content, culprit", [
    (b"not an image at all", "is not a PNG, JPEG, GIF or BMP image"),
    (b"\x89PNG\r\n\x1a\n damaged after its signature", "the image is damaged and cannot be decoded"),
])
def test_a_bad_image_is_named_by_its_path(trained, tmp_path, capsys, content, culprit):
    project, run, _ = trained
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(DIGITS / "1" / "0001.png", folder / "a.png")
    (folder / "b.png").write_bytes(content)
    assert main(["predict", str(project), "--run", str(run), "--data", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "mine/b.png: " in err and culprit in err and "Traceback" not in err, err
