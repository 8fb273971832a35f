"""Helpers shared by the benchmarks: quiet TensorFlow, a model file, timing by median."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def nasnet_file(folder: Path) -> Path:
    """NASNetMobile (771 layers, weights=None) saved as a .keras file in `folder`."""
    import keras

    path = folder / "nasnet_mobile.keras"
    if not path.exists():
        keras.applications.NASNetMobile(weights=None).save(path)
    return path


def median_seconds(fn: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times
