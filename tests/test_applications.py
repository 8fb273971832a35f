"""Real architectures nobody here wrote: keras.applications models round-trip exactly.

Each is built with weights=None, saved as .keras, imported with `netbuilder
import`, summarised (Keras' exact parameter count), exported to .keras and
compared output for output with the original on the same input.
"""

import re

import keras
import numpy as np
import pytest

from netbuilder.cli import main

FAST = [("MobileNetV2", (96, 96, 3))]
SLOW = [
    ("DenseNet121", (96, 96, 3)),
    ("NASNetMobile", (224, 224, 3)),
    ("EfficientNetB0", (96, 96, 3)),
    ("ResNet50", (96, 96, 3)),
    ("InceptionV3", (96, 96, 3)),
]


def _round_trip(name, shape, tmp_path, capsys):
    original = getattr(keras.applications, name)(weights=None, input_shape=shape)
    source = tmp_path / f"{name}.keras"
    original.save(source)
    project = tmp_path / f"{name}.nbproj"
    assert main(["import", str(source), "-o", str(project)]) == 0
    capsys.readouterr()
    assert main(["summary", str(project)]) == 0
    summary = capsys.readouterr().out
    total = int(re.search(r"Total params: ([\d,]+)", summary).group(1).replace(",", ""))
    assert total == original.count_params()
    exported = tmp_path / "exported.keras"
    assert main(["export", str(project), "--format", "keras", "-o", str(exported)]) == 0
    again = keras.saving.load_model(exported)
    x = np.random.default_rng(0).random((2, *shape)).astype("float32")
    np.testing.assert_array_equal(np.asarray(original(x)), np.asarray(again(x)))


@pytest.mark.parametrize("name, shape", FAST)
def test_application_round_trip(name, shape, tmp_path, capsys):
    _round_trip(name, shape, tmp_path, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("name, shape", SLOW)
def test_big_application_round_trip(name, shape, tmp_path, capsys):
    _round_trip(name, shape, tmp_path, capsys)
