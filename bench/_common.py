"""Helpers shared by the benchmarks: quiet TensorFlow, a model file, timing by median."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Callable

from netbuilder.keras_bridge.quiet_import import import_keras_quietly

import_keras_quietly()


# The application a benchmark measures, and the one its `--quick` smoke run builds instead:
# NASNetMobile takes a busy 2-core machine tens of seconds to build, save and load, MobileNetV2 a few.
APPLICATION, QUICK_APPLICATION = "NASNetMobile", "MobileNetV2"


def application_name(quick: bool) -> str:
    """The `keras.applications` model a benchmark measures, or its smoke run's smaller one."""
    return QUICK_APPLICATION if quick else APPLICATION


def application_file(folder: Path, name: str = APPLICATION) -> Path:
    """`keras.applications.<name>` (weights=None; NASNetMobile has 771 layers) saved as a .keras file in `folder`."""
    import keras

    path = folder / f"{name.lower()}.keras"
    if not path.exists():
        getattr(keras.applications, name)(weights=None).save(path)
    return path


def source_model(name: str):  # -> keras.Model
    """`keras.applications.<name>(weights=None)`, or for "tiny" (what a smoke run exports) a 3-layer MLP."""
    import keras

    if name != "tiny":
        return getattr(keras.applications, name)(weights=None)
    inputs = keras.Input((8,), name="x")
    return keras.Model(inputs, keras.layers.Dense(2, name="y")(keras.layers.Dense(16)(inputs)), name="tiny")


def built_back(source):  # (keras.Model) -> keras.Model
    """`source` turned into a netbuilder project and built back by netbuilder, fresh weights: the very model
    an export of that project writes, so an export and Keras' own can be timed on the same `keras.Model`."""
    from netbuilder.keras_bridge import build_model
    from netbuilder.keras_bridge.importer import model_to_project

    project, _ = model_to_project(source)
    return build_model(project, with_weights=False).model


def alternate(first: Callable[[], object], second: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median seconds of each, timed turn about so that machine noise hits both alike."""
    a, b = [], []
    for _ in range(repeats):
        for fn, times in ((first, a), (second, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def editor_app(folder: Path):  # -> tuple[QApplication, KerasLoader]
    """A headless QApplication with TensorFlow loaded, autosaves kept in `folder`."""
    import os
    import sys

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NETBUILDER_RECOVERY_DIR"] = str(folder / "recovery")
    from PySide6.QtWidgets import QApplication

    from netbuilder.ui.keras_loader import KerasLoader

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loader = KerasLoader()
    loader.wait()
    while not loader.loaded:  # `ready` arrives through the event loop
        app.processEvents()
    return app, loader
