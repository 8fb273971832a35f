"""Peak memory and time of `netbuilder train` on a CSV time series, against a plain Keras script.

Goal: a series of any length trains in flat memory, no slower than Keras' own
way. netbuilder streams the windows from the file (`timeseries_windows`);
the plain script reads the file with `np.loadtxt` and cuts the windows with
`keras.utils.timeseries_dataset_from_array`, the utility Keras offers for
exactly this. Memory must not grow with the series — netbuilder's peak resident
size on the longest series within 1.15× of that on the shortest
(`rss_growth`) and within 1.2× of the plain script's (`rss_ratio`) — and the
whole process, the scanning pass included, within 1.1× of the plain script's
(`time_ratio`). Each size gets one CSV of 4 columns (random walks, the last one
the target); both sides train one epoch of a Conv1D-Flatten-Dense model on
windows of 64 rows forecasting the next row (Adam, MSE, batch 128, shuffled
with seed 1, no validation) in fresh processes; a process's peak RSS is what
the kernel reports for it (`os.wait4`).

    python bench/bench_timeseries.py [--sizes 100000,400000] [--quick] [--goal rss_growth=1.15]
                                     [--goal rss_ratio=1.2] [--goal time_ratio=1.1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402
from versus_plain import QUIET, best_runs, report, report_growth  # noqa: E402

BATCH, WINDOW, COLUMNS = 128, 64, 4

PLAIN_KERAS = """\
import sys, time
import numpy as np
import keras

path, window, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keras.utils.set_random_seed(1)
series = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
data = keras.utils.timeseries_dataset_from_array(series[:-1], series[window:, -1:], window, batch_size=batch,
                                                 shuffle=True, seed=1)
inputs = keras.Input(shape=(window, series.shape[1]), name="x")
h = keras.layers.Conv1D(16, 8, strides=4, activation="relu")(inputs)
model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(h)))
model.compile(optimizer="adam", loss="mean_squared_error")
start = time.perf_counter()
model.fit(data, epochs=1, verbose=0)
print(f"fit_seconds {time.perf_counter() - start:.4f}")
"""


def write_series(path: Path, rows: int) -> None:
    """`rows` steps of COLUMNS random walks, the last column the target."""
    import numpy as np

    values = np.cumsum(np.random.default_rng(0).normal(size=(rows, COLUMNS)), axis=0)
    np.savetxt(path, values, delimiter=",", fmt="%.4f", header=",".join(f"c{i}" for i in range(COLUMNS)),
               comments="")


def write_project(path: Path, data: Path) -> None:
    layers = [{"id": "conv", "layer": "Conv1D", "config": {"filters": 16, "kernel_size": 8, "strides": 4,
                                                           "activation": "relu"}},
              {"id": "flat", "layer": "Flatten", "config": {}},
              {"id": "y", "layer": "Dense", "config": {"units": 1}}]
    path.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "series",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [WINDOW, COLUMNS]}}, *layers],
                  "edges": [{"source": a, "target": b} for a, b in (("x", "conv"), ("conv", "flat"), ("flat", "y"))]},
        "dataset": {"source": str(data), "kind": "timeseries", "target": f"c{COLUMNS - 1}", "window": WINDOW},
        "training": {"epochs": 1, "batch_size": BATCH, "validation_split": 0, "loss": "mean_squared_error",
                     "metrics": [], "seed": 1},
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,400000", help="rows of each series, comma-separated")
    verdicts.add_arguments(parser, "one series of 2 000 rows")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    sizes = [2_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, **QUIET}
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-series-") as folder:
        root = Path(folder)
        script = root / "plain_keras.py"
        script.write_text(PLAIN_KERAS)
        for rows in sizes:
            data, project = root / f"series_{rows}.csv", root / f"series_{rows}.nbproj"
            write_series(data, rows)
            write_project(project, data)
            mb = data.stat().st_size / 2**20
            ours, plain = best_runs([sys.executable, "-m", "netbuilder", "train", str(project)],
                                    [sys.executable, str(script), str(data), str(WINDOW), str(BATCH)],
                                    root / f"runs_{rows}", env, 1)
            peaks.append(ours.mb)
            report(judge, f"{rows:>9,} rows ({mb:,.1f} MB)", ours, "plain Keras timeseries_dataset_from_array", plain,
                   "plain Keras")
            data.unlink()
    report_growth(judge, peaks, "longest / shortest series")
    judge.finish()


if __name__ == "__main__":
    main()
