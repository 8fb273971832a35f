"""Peak memory and time of `netbuilder train` streaming a big CSV, against plain Keras scripts.

Goal: a CSV bigger than memory trains. Memory must not grow with the file —
netbuilder's peak resident size on the largest file within 1.15× of that on
the smallest (`rss_growth`) and within 1.2× of a hand-written Keras script
that streams the same file with `tf.data.experimental.CsvDataset`
(`rss_ratio`) — and the whole process, the scanning pass included, within
1.1× of the faster of that script and one that reads the file whole with
`np.loadtxt` and fits on the arrays (`time_ratio`). Each size gets one CSV of 20
numeric columns and a target; both sides train one epoch of a 20-64-64-1
network (Adam, MSE, batch 128, no validation, a shuffle buffer of 10 000
rows) in fresh processes, and a process's peak RSS is what the kernel reports
for it (`os.wait4`). netbuilder is made to stream every size
(`NETBUILDER_STREAM_CSV_MB=0`), so the figures compare streaming with streaming:
its scan writes the rows to a float32 cache in the temporary folder (parsed by
child processes while TensorFlow loads, each half of a file above 64 MB in a
child of its own), and its epoch reads that.

Each of the three processes runs `--repeats` times on each file (3 by
default), in turn, and the least time and memory of each count, as in the
other streaming benchmarks (`versus_plain`). One run is not enough on this
machine: now and then a fit takes nearly twice its usual wall time for the same
CPU seconds, whichever script it is, so one run's ratio says more about that
than about netbuilder. Every run's time is printed, with the ratio of the
medians, and each process's CPU seconds (its children's included).

    python bench/bench_stream_memory.py [--sizes 100000,1000000] [--big] [--repeats 3] [--quick]
                                        [--goal rss_growth=1.15] [--goal rss_ratio=1.2] [--goal time_ratio=1.1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402

GOALS = {"rss_growth": 1.15, "rss_ratio": 1.2, "time_ratio": 1.1}
BATCH, SHUFFLE, COLUMNS = 128, 10_000, 20
BLOCK = 10_000  # rows formatted once and written again and again: a big file in seconds

PLAIN_KERAS = """\
import sys, time
import tensorflow as tf
import keras

path, columns, batch, shuffle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
keras.utils.set_random_seed(1)
rows = tf.data.experimental.CsvDataset(path, [tf.float32] * (columns + 1), header=True)
data = (rows.shuffle(shuffle, seed=1).batch(batch)
        .map(lambda *cells: (tf.stack(cells[:-1], axis=1), tf.stack(cells[-1:], axis=1)),
             num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE))
inputs = keras.Input(shape=(columns,), name="x")
h = keras.layers.Dense(64, activation="relu")(inputs)
h = keras.layers.Dense(64, activation="relu")(h)
model = keras.Model(inputs, keras.layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mean_squared_error")
start = time.perf_counter()
model.fit(data, epochs=1, verbose=0)
print(f"fit_seconds {time.perf_counter() - start:.4f}")
"""


PLAIN_IN_MEMORY = """\
import sys, time
import numpy as np
import keras

path, columns, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keras.utils.set_random_seed(1)
table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
inputs = keras.Input(shape=(columns,), name="x")
h = keras.layers.Dense(64, activation="relu")(inputs)
h = keras.layers.Dense(64, activation="relu")(h)
model = keras.Model(inputs, keras.layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mean_squared_error")
start = time.perf_counter()
model.fit(table[:, :-1], table[:, -1:], batch_size=batch, epochs=1, shuffle=True, verbose=0)
print(f"fit_seconds {time.perf_counter() - start:.4f}")
"""


def write_csv(path: Path, rows: int) -> None:
    """`rows` rows of COLUMNS normal numbers and a target that is their weighted sum plus noise."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(BLOCK, COLUMNS))
    y = x @ rng.normal(size=COLUMNS) + rng.normal(0, 0.1, BLOCK)
    block = "".join(",".join(f"{v:.5f}" for v in row) + f",{t:.5f}\n" for row, t in zip(x, y))
    with path.open("w") as fh:
        fh.write(",".join([f"x{i}" for i in range(COLUMNS)] + ["y"]) + "\n")
        for start in range(0, rows, BLOCK):
            fh.write(block if rows - start >= BLOCK else "".join(block.splitlines(True)[:rows - start]))


def write_project(path: Path) -> None:
    dense = [{"id": "h1", "layer": "Dense", "config": {"units": 64, "activation": "relu"}},
             {"id": "h2", "layer": "Dense", "config": {"units": 64, "activation": "relu"}},
             {"id": "y", "layer": "Dense", "config": {"units": 1}}]
    path.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "stream",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [COLUMNS]}}, *dense],
                  "edges": [{"source": a, "target": b} for a, b in (("x", "h1"), ("h1", "h2"), ("h2", "y"))]},
        "training": {"epochs": 1, "batch_size": BATCH, "validation_split": 0, "loss": "mean_squared_error",
                     "metrics": [], "seed": 1},
    }))


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Seconds, peak RSS (MB), output and CPU seconds of one fresh process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed ({child.returncode}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text, usage.ru_utime + usage.ru_stime


@dataclass
class Runs:
    """One command's repeated runs on one file: seconds, peak RSS (MB), CPU seconds and fit seconds of each."""

    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    fit: list[float] = field(default_factory=list)

    def add(self, command: list[str], env: dict[str, str], fit: Callable[[str], float]) -> None:
        seconds, peak, out, cpu = measure(command, env)
        self.seconds.append(seconds)
        self.peak_mb.append(peak)
        self.cpu.append(cpu)
        self.fit.append(fit(out))

    def said(self) -> str:
        """The least figures, and each run's time where there were several."""
        runs = f" [{', '.join(f'{s:.1f}' for s in self.seconds)}]" if len(self.seconds) > 1 else ""
        return f"{min(self.peak_mb):,.0f} MB peak, {min(self.seconds):.1f} s{runs} (fit {min(self.fit):.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="rows of each CSV, comma-separated")
    parser.add_argument("--big", action="store_true", help="add a file of 5 000 000 rows (about 1 GB)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each process on each file, the least "
                                                                "figures compared (1 with --quick)")
    verdicts.add_arguments(parser, "files of 5 000 and 20 000 rows")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    sizes = [5_000, 20_000] if args.quick else [int(s) for s in args.sizes.split(",")] + ([5_000_000] if args.big else [])
    repeat = 1 if args.quick else args.repeats
    env = {**os.environ, "NETBUILDER_STREAM_CSV_MB": "0", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    peaks: list[float] = []
    print(f"{repeat} run{'s' if repeat > 1 else ''} of each process on each file, in turn; the least figures "
          "compared")
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as folder:
        root = Path(folder)
        project = root / "stream.nbproj"
        write_project(project)
        script, whole = root / "plain_stream.py", root / "plain_in_memory.py"
        script.write_text(PLAIN_KERAS)
        whole.write_text(PLAIN_IN_MEMORY)
        for rows in sizes:
            data = root / f"rows_{rows}.csv"
            write_csv(data, rows)
            # The file's write-back would otherwise go on during the first process measured (netbuilder's):
            # written, the file is on disk before any process is timed.
            os.sync()
            mb = data.stat().st_size / 2**20
            ours, plain, in_memory = Runs(), Runs(), Runs()
            out = root / f"run_{rows}"
            for _ in range(repeat):
                ours.add([sys.executable, "-m", "netbuilder", "train", str(project), "--data", str(data),
                          "--target", "y", "--out", str(out)], env,
                         lambda _: float(json.loads((out / "settings.json").read_text())["fit_seconds"]))
                plain.add([sys.executable, str(script), str(data), str(COLUMNS), str(BATCH), str(SHUFFLE)], env,
                          _fit_seconds)
                in_memory.add([sys.executable, str(whole), str(data), str(COLUMNS), str(BATCH)], env, _fit_seconds)
                shutil.rmtree(out, ignore_errors=True)
            ours_mb, plain_mb = min(ours.peak_mb), min(plain.peak_mb)
            peaks.append(ours_mb)
            print(f"{rows:>9,} rows ({mb:,.0f} MB): netbuilder {ours.said()}; plain tf.data {plain.said()}; "
                  f"plain in memory (np.loadtxt) {in_memory.said()}")
            ours_cpu, whole_cpu = min(ours.cpu), min(in_memory.cpu)
            print(f"  ratio cpu seconds netbuilder / plain in memory {ours_cpu / whole_cpu:.2f} "
                  f"({ours_cpu:.1f} s / {whole_cpu:.1f} s; not judged)")
            print(f"  ratio rss netbuilder / plain tf.data {ours_mb / plain_mb:.2f} "
                  + judge.check("rss_ratio", ours_mb / plain_mb, GOALS["rss_ratio"]))
            ours_s, faster = min(ours.seconds), min(plain.seconds + in_memory.seconds)
            print(f"  ratio time netbuilder / faster plain script {ours_s / faster:.2f} "
                  + judge.check("time_ratio", ours_s / faster, GOALS["time_ratio"]))
            if repeat > 1:
                middle = median(ours.seconds) / min(median(plain.seconds), median(in_memory.seconds))
                print(f"  ratio time of the median runs {middle:.2f} (not judged)")
            data.unlink()
    growth = peaks[-1] / peaks[0]
    print(f"rss growth largest / smallest file {growth:.2f} " + judge.check("rss_growth", growth, GOALS["rss_growth"]))
    judge.finish()


def _fit_seconds(output: str) -> float:
    return float(output.split("fit_seconds")[-1].split()[0])


if __name__ == "__main__":
    main()
