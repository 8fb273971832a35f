"""The bundled examples build exactly what hand-written Keras code builds."""

import keras
import numpy as np
import pytest

from helpers import EXAMPLES
from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.keras_bridge import build_model, check_project

# Parameter counts worked out by hand from the layer sizes.
EXPECTED_PARAMS = {
    "logistic_regression": 784 * 10 + 10,
    "mlp_128_10": (784 * 128 + 128) + (128 * 10 + 10),
    "mlp_128_128_10": (784 * 128 + 128) + (128 * 128 + 128) + (128 * 10 + 10),
    "stack_2_3_4": (4 * 2 + 2) + (2 * 3 + 3) + (3 * 4 + 4),
    "autoencoder": (16 + 16) + (160 + 10) + (50 + 5) + (15 + 3) + (15 + 5) + (50 + 10) + (160 + 16) + (16 + 1),
    "wide_and_deep": (8 * 32 + 32) + (42 * 1 + 1),
    "tips_regression": (12 * 16 + 16) + (16 + 1),
    "iris_classifier": (4 * 16 + 16) + (16 * 3 + 3),
    "digits_cnn": (3 * 3 * 16 + 16) + (6 * 6 * 16 * 10 + 10),
    "co2_forecast": (4 * 16 + 16) + (12 * 16 + 1),  # Conv1D(16, 4, strides 2): 26 steps → 12; Rescaling has none
    "language_id": 4000 * 16 + (16 * 5 + 5),  # TextVectorization's vocabulary is no weight
}


def test_every_bundled_example_is_listed():
    assert sorted(p.stem for p in EXAMPLES.glob("*.nbproj")) == sorted(EXPECTED_PARAMS)


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMS))
def test_example_is_valid_with_expected_parameter_count(name):
    report = check_project(project_file.load(EXAMPLES / f"{name}.nbproj"))
    assert report.problems == []
    assert report.model.count_params() == EXPECTED_PARAMS[name]


def _copy_weights(src: keras.Model, dst: keras.Model) -> None:
    dst.set_weights(src.get_weights())


def test_wide_and_deep_matches_hand_written_keras():
    built = build_model(project_file.load(EXAMPLES / "wide_and_deep.nbproj")).model
    wide = keras.Input((10,), name="wide")
    deep = keras.Input((8,), name="deep")
    h1 = keras.layers.Dense(32, activation="relu")(deep)
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([wide, h1]))
    reference = keras.Model([wide, deep], out)
    assert [type(layer).__name__ for layer in built.layers] == [type(layer).__name__ for layer in reference.layers]
    assert [t.name for t in built.inputs] == ["wide", "deep"]
    _copy_weights(built, reference)
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(4, 10)).astype("float32"), rng.normal(size=(4, 8)).astype("float32")]
    np.testing.assert_array_equal(built(x), reference(x))


def test_autoencoder_encoder_is_a_nested_model_used_as_a_layer():
    model = build_model(project_file.load(EXAMPLES / "autoencoder.nbproj")).model
    encoder = model.get_layer("encoder")
    assert isinstance(encoder, keras.Model)
    assert [layer.units for layer in encoder.layers[1:]] == [16, 10, 5, 3]
    assert tuple(encoder.output.shape) == (None, 28, 28, 3)
    assert tuple(model.output.shape) == (None, 28, 28, 1)

    image = keras.Input((28, 28, 1))
    x = image
    for units in (16, 10, 5, 3):
        x = keras.layers.Dense(units, activation="relu")(x)
    reference_encoder = keras.Model(image, x)
    code = keras.Input((28, 28, 3))
    y = code
    for units, act in ((5, "relu"), (10, "relu"), (16, "relu"), (1, "sigmoid")):
        y = keras.layers.Dense(units, activation=act)(y)
    reference_decoder = keras.Model(code, y)
    outer_in = keras.Input((28, 28, 1))
    reference = keras.Model(outer_in, reference_decoder(reference_encoder(outer_in)))
    assert reference.count_params() == model.count_params()
    _copy_weights(model, reference)
    x = np.random.default_rng(1).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(model(x), reference(x), rtol=0, atol=0)


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMS))
def test_cli_validate_and_summary_of_each_example(name, capsys):
    path = str(EXAMPLES / f"{name}.nbproj")
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: valid — ") and f"{EXPECTED_PARAMS[name]:,} parameters" in out
    assert main(["summary", path]) == 0
    out = capsys.readouterr().out
    assert f"Total params: {EXPECTED_PARAMS[name]:,}" in out


def test_example_survives_save_and_reload(tmp_path):
    for path in EXAMPLES.glob("*.nbproj"):
        original = project_file.load(path)
        again = project_file.load(project_file.save(original, tmp_path / path.name))
        assert again.to_dict() == original.to_dict(), path.name
        assert check_project(again).model.count_params() == EXPECTED_PARAMS[path.stem]
