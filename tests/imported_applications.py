"""Keras models imported with `netbuilder import`, with Keras' own output kept to compare exports against.

`keras.applications` models are slow to build, save and import (tens of
seconds each for the deep ones on a 2-core machine), and test_applications.py
(export to .keras) and test_export_python.py (export as a script) check two
different ways out of the very same imported project. An `ApplicationCache`
(conftest.py's session fixture `applications`) imports each application and
image side once for both; only file paths and one batch of inputs and outputs
stay in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from netbuilder.cli import main


@dataclass(frozen=True)
class ImportedModel:
    """A model saved as `source`, what `netbuilder import` made of it, and Keras' output `want` for `x`."""

    source: Path
    project: Path
    x: np.ndarray
    want: np.ndarray
    params: int


def import_model(model: keras.Model, folder: Path, batch: int = 2) -> ImportedModel:
    """Save `model` in `folder`, import it as a project and record its output for a random batch."""
    folder.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(0).random((batch, *model.inputs[0].shape[1:])).astype("float32")
    source, project = folder / f"{model.name}.keras", folder / f"{model.name}.nbproj"
    model.save(source)
    assert main(["import", str(source), "-o", str(project)]) == 0
    return ImportedModel(source, project, x, np.asarray(model(x)), model.count_params())


# The smallest image side each application accepts; 32 for all the others. Small
# images keep the slow run short without changing a single layer or weight.
SMALLEST_SIDE = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}


class ApplicationCache:
    """`keras.applications.<name>(weights=None)` for square images of a given side, imported once per session."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._imported: dict[tuple[str, int], ImportedModel] = {}

    def get(self, name: str, side: int | None = None) -> ImportedModel:
        """The imported application for images of `side` pixels (by default the smallest it accepts)."""
        side = side or SMALLEST_SIDE.get(name, 32)
        if (name, side) not in self._imported:
            model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3))
            self._imported[name, side] = import_model(model, self._folder / f"{name}_{side}")
        return self._imported[name, side]
