"""`netbuilder train` against a hand-written Keras script doing the same fit on the same CSV.

Goal: training through netbuilder costs no more than plain Keras — whole
processes within 1.10× and the fit itself within 1.03×. Both sides are fresh
Python processes, launched turn about so machine noise hits both alike. The
data is a taxi-fare-style CSV (pickup/drop-off coordinates, passengers, hour →
fare) written once per run, 20 000 rows by default; both sides shuffle and hold
out 20 % for validation, train the same 64-64-1 network with Adam, MSE and RMSE
for the same epochs and batch size, print one line per epoch, and save
`history.csv` and `model.keras`. The fit time on the netbuilder side is the
`fit_seconds` the run folder's `settings.json` records; the plain script
prints its own.

    python bench/bench_train_overhead.py [--repeats N] [--rows N] [--epochs N] [--quick]
                                         [--goal process_ratio=1.10] [--goal fit_ratio=1.03]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402

GOALS = {"process": 1.10, "fit": 1.03}
BATCH, LR, SEED, SPLIT = 32, 0.001, 7, 0.2

PLAIN_KERAS = """\
import csv, sys, time
import numpy as np
import keras

data_path, out_dir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
batch, lr, seed, split = {batch}, {lr}, {seed}, {split}
table = np.loadtxt(data_path, delimiter=",", skiprows=1, dtype="float32")
x, y = table[:, :-1], table[:, -1:]
order = np.random.default_rng(seed).permutation(len(x))
n_val = int(round(len(x) * split))
val, train = order[:n_val], order[n_val:]
keras.utils.set_random_seed(seed)
inputs = keras.Input(shape=(x.shape[1],), name="trip")
h = keras.layers.Dense(64, activation="relu")(inputs)
h = keras.layers.Dense(64, activation="relu")(h)
outputs = keras.layers.Dense(1, name="fare")(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mean_squared_error",
              metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
start = time.perf_counter()
history = model.fit(x[train], y[train], validation_data=(x[val], y[val]), batch_size=batch,
                    epochs=epochs, verbose=2)
print(f"fit_seconds {{time.perf_counter() - start:.4f}}")
keys = ["loss", "val_loss", "rmse", "val_rmse"]
with open(f"{{out_dir}}/history.csv", "w", newline="") as fh:
    writer = csv.writer(fh)
    writer.writerow(["epoch", *keys])
    for i in range(len(history.history["loss"])):
        writer.writerow([i + 1, *(history.history[k][i] for k in keys)])
model.save(f"{{out_dir}}/model.keras")
""".format(batch=BATCH, lr=LR, seed=SEED, split=SPLIT)


def write_taxi_csv(path: Path, rows: int) -> None:
    """Synthetic NYC-style trips: the fare grows with the distance, plus a night surcharge and noise."""
    import numpy as np

    rng = np.random.default_rng(0)
    plon, plat = rng.normal(-73.98, 0.03, rows), rng.normal(40.75, 0.03, rows)
    dlon, dlat = plon + rng.normal(0, 0.03, rows), plat + rng.normal(0, 0.03, rows)
    passengers = rng.integers(1, 7, rows)
    hour = rng.integers(0, 24, rows)
    km = np.hypot((dlon - plon) * 84.0, (dlat - plat) * 111.0)
    fare = 2.5 + 1.56 * km + 0.5 * ((hour < 6) | (hour >= 20)) + rng.normal(0, 1.0, rows)
    table = np.column_stack([plon, plat, dlon, dlat, passengers, hour, fare])
    header = "pickup_lon,pickup_lat,dropoff_lon,dropoff_lat,passengers,hour,fare"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")


def write_project(path: Path, epochs: int) -> None:
    project = {
        "format": "netbuilder", "version": 1, "name": "taxi_fare",
        "graph": {
            "nodes": [
                {"id": "trip", "layer": "Input", "config": {"shape": [6]}},
                {"id": "h1", "layer": "Dense", "config": {"units": 64, "activation": "relu"}},
                {"id": "h2", "layer": "Dense", "config": {"units": 64, "activation": "relu"}},
                {"id": "fare", "layer": "Dense", "config": {"units": 1}},
            ],
            "edges": [{"source": "trip", "target": "h1"}, {"source": "h1", "target": "h2"},
                      {"source": "h2", "target": "fare"}],
        },
        "training": {"optimizer": "adam", "learning_rate": LR, "loss": "mean_squared_error",
                     "metrics": ["rmse"], "epochs": epochs, "batch_size": BATCH,
                     "validation_split": SPLIT, "seed": SEED},
    }
    path.write_text(json.dumps(project, indent=2))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=5)
    verdicts.add_arguments(parser, "1 repeat, 2,000 rows, 1 epoch")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.rows, args.epochs = 1, 2000, 1
    judge = verdicts.Verdicts.from_args(args)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data, project, script = tmp / "taxi.csv", tmp / "taxi_fare.nbproj", tmp / "plain_keras.py"
        write_taxi_csv(data, args.rows)
        write_project(project, args.epochs)
        script.write_text(PLAIN_KERAS)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "NETBUILDER_RUNS_DIR": str(tmp / "runs")}
        netbuilder = [sys.executable, "-m", "netbuilder", "train", str(project), "--data", str(data),
                      "--target", "fare"]
        process = {"netbuilder": [], "keras": []}
        fit = {"netbuilder": [], "keras": []}
        for i in range(args.repeats):
            for side in ("keras", "netbuilder") if i % 2 else ("netbuilder", "keras"):
                out = tmp / f"{side}-{i}"
                out.mkdir()
                if side == "keras":
                    seconds, stdout = timed([sys.executable, str(script), str(data), str(out), str(args.epochs)], env)
                    fit_s = float(stdout.rsplit("fit_seconds", 1)[1].split()[0])
                else:
                    seconds, _ = timed([*netbuilder, "--out", str(out)], env)
                    fit_s = float(json.loads((out / "settings.json").read_text())["fit_seconds"])
                    assert (out / "history.csv").read_text().startswith("epoch,loss,val_loss,rmse,val_rmse")
                process[side].append(seconds)
                fit[side].append(fit_s)
                print(f"  run {i + 1} {side:10s} process {seconds:6.2f} s  fit {fit_s:6.2f} s", flush=True)

    print(f"\n{args.rows} rows, {args.epochs} epochs, batch {BATCH}; median of {args.repeats}")
    for name, table in (("process", process), ("fit", fit)):
        nb, ks = statistics.median(table["netbuilder"]), statistics.median(table["keras"])
        ratio = nb / ks
        verdict = judge.check(f"{name}_ratio", ratio, GOALS[name])
        print(f"{name:8s} netbuilder {nb:6.2f} s  keras {ks:6.2f} s  ratio train {name} / keras {ratio:.3f}  {verdict}")
    judge.finish()


if __name__ == "__main__":
    main()
