"""Real architectures nobody here wrote: keras.applications models round-trip exactly.

Each is built with weights=None, saved as .keras, imported with `netbuilder
import`, summarised (Keras' exact parameter count), exported to .keras and
compared output for output with the original on the same input. The import is
the one test_export_python.py writes as a script (the `applications` fixture).
"""

import re

import keras
import numpy as np
import pytest

from netbuilder.cli import main

FAST = [("MobileNetV2", 96)]
SLOW = ["DenseNet121", "NASNetMobile", "EfficientNetB0", "ResNet50", "InceptionV3"]  # at their smallest sides


def _round_trip(imported, tmp_path, capsys):
    capsys.readouterr()
    assert main(["summary", str(imported.project)]) == 0
    summary = capsys.readouterr().out
    total = int(re.search(r"Total params: ([\d,]+)", summary).group(1).replace(",", ""))
    assert total == imported.params
    exported = tmp_path / "exported.keras"
    assert main(["export", str(imported.project), "--format", "keras", "-o", str(exported)]) == 0
    again = keras.saving.load_model(exported)
    np.testing.assert_array_equal(imported.want, np.asarray(again(imported.x)))


@pytest.mark.parametrize("name, side", FAST)
def test_application_round_trip(name, side, applications, tmp_path, capsys):
    _round_trip(applications.get(name, side), tmp_path, capsys)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_big_application_round_trip(name, applications, tmp_path, capsys):
    _round_trip(applications.get(name), tmp_path, capsys)
