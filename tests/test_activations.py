"""Every layer's output for one sample (training/activations.py): the probe, its pictures, its samples."""

from __future__ import annotations

import numpy as np
import pytest

from netbuilder.graph.project_file import load
from netbuilder.keras_bridge import build_model
from netbuilder.training.activations import ActivationProbe, image_sample, picture, typed_sample
from netbuilder.training.datasets.spec import DatasetError

from helpers import EXAMPLES

DIGITS = EXAMPLES / "digits_cnn.nbproj"


@pytest.fixture(scope="module")
def probe() -> ActivationProbe:
    return ActivationProbe(load(DIGITS))


def a_digit() -> dict[str, np.ndarray]:
    return {"image": np.arange(64, dtype=np.float32).reshape(8, 8, 1) * 4}


def test_one_pass_gives_every_layer_its_output_and_the_last_is_the_models_prediction(probe):
    outputs = probe.outputs(a_digit())
    assert list(outputs) == ["image", "rescale", "conv", "flatten", "digit"]
    assert outputs["conv"].shape == (6, 6, 16) and outputs["flatten"].shape == (576,)
    expected = probe.model.predict(a_digit()["image"][None], verbose=0)[0]
    np.testing.assert_allclose(outputs["digit"], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outputs["rescale"], a_digit()["image"] / 255, rtol=1e-6)


def test_each_output_is_drawn_as_its_rank_calls_for(probe):
    pictures = probe.pictures(a_digit())
    conv = pictures["conv"]
    assert conv.kind == "grid" and conv.tiles == 16 and conv.columns == 4
    assert conv.pixels.shape == (4 * 7 - 1, 4 * 7 - 1)  # 4×4 tiles of 6×6, one pixel apart
    assert pictures["flatten"].kind == "histogram"  # 576 values: a strip would be unreadable
    assert pictures["digit"].kind == "strip" and pictures["digit"].pixels.shape == (1, 10)
    assert pictures["image"].pixels.max() == 255 and pictures["image"].pixels.min() == 0
    assert picture(np.random.rand(40, 12).astype(np.float32)).kind == "heatmap"
    tokens = picture(np.array([4, 17, 0, 0]))
    assert tokens.kind == "text" and tokens.text == "4 17 0 0"
    assert picture(np.array([b"a cat", b"sat"])).text == "a cat sat"


def test_a_big_feature_map_is_subsampled_to_fit_a_card():
    big = picture(np.random.rand(112, 112, 96).astype(np.float32), pixels=96)
    assert big.tiles == 96 and max(big.pixels.shape) <= 96 + 16  # the one-pixel gaps come on top


def test_the_probe_takes_the_weights_of_the_model_being_trained(probe):
    trained = build_model(load(DIGITS)).model
    for variable in trained.weights:
        variable.assign(np.full(variable.shape, 0.01, np.float32))
    assert probe.take_weights(trained)
    expected = trained.predict(a_digit()["image"][None], verbose=0)[0]
    np.testing.assert_allclose(probe.outputs(a_digit())["digit"], expected, rtol=1e-5)


def test_a_model_of_another_graph_gives_its_weights_to_no_probe(probe, tmp_path):
    project = load(DIGITS)
    project.graph.node("conv").config["filters"] = 8
    assert not probe.take_weights(build_model(project).model)


def test_typed_values_and_image_files_become_samples_and_bad_ones_are_named(probe, tmp_path):
    import tensorflow as tf

    typed = typed_sample(probe, ", ".join(["3"] * 64))
    assert typed["image"].shape == (8, 8, 1)
    with pytest.raises(DatasetError, match="has 3 numbers; the input 'image' takes 64"):
        typed_sample(probe, "1 2 3")
    with pytest.raises(DatasetError, match="not a list of numbers"):
        typed_sample(probe, "1 two 3")
    png = tmp_path / "seven.png"
    png.write_bytes(tf.io.encode_png(np.full((32, 20, 3), 200, np.uint8)).numpy())
    image = image_sample(probe, png)["image"]
    assert image.shape == (8, 8, 1) and abs(float(image.mean()) - 200) < 1
    fake = tmp_path / "notes.png"
    fake.write_text("not an image")
    with pytest.raises(DatasetError, match="notes.png: is not a PNG, JPEG, GIF or BMP image"):
        image_sample(probe, fake)
