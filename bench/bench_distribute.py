"""Training throughput of `netbuilder train` under the default, mirrored and multi-worker strategies.

Issue 6 asks for samples/s of one device, `mirrored` over two replicas and two
local workers, on the same data in one run. Every configuration trains the
same taxi-fare-style CSV (the overhead benchmark's, cut to whole global
batches because multi-worker epochs only take whole ones) with the same seed,
global batch size and an MLP whose hidden layers are wide enough that a
step's arithmetic outweighs its fixed cost. Each run is a fresh
`netbuilder train` process (two worker processes and their parent for
multi-worker), and the configurations take turns so machine noise hits them
alike. Throughput is rows × `epochs_done` / `fit_seconds` from the run
folder's `settings.json` (the chief's, for multi-worker; the first epoch's
tracing included, as a user waits for it too), reported as a ratio to the
default strategy's, beside the whole-process wall time and the final loss,
which shows the three train alike. On a CPU-only machine the replicas share the same cores, so
this measures what the distribution path costs, not what it gains.

    python bench/bench_distribute.py [--repeats N] [--rows N] [--epochs N] [--width N] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from bench_train_overhead import SEED, timed, write_project, write_taxi_csv  # noqa: E402

BATCH = 256
# (label, the strategy the run must record, `netbuilder train` flags); default first: the baseline of every ratio.
CONFIGURATIONS = (
    ("default", "default", ["--strategy", "default"]),
    ("mirrored, 2 CPU devices", "mirrored", ["--strategy", "mirrored", "--cpu-devices", "2"]),
    ("multi-worker, 2 local", "multi-worker", ["--local-workers", "2"]),
)
QUICK = {"rows": 512, "epochs": 1, "repeats": 1, "width": 32}


@dataclass(frozen=True)
class Run:
    """One configuration's run: whole process seconds and what its run folder recorded."""

    process_s: float
    fit_s: float
    epochs_done: int
    replicas: int
    final_loss: float

    def samples_per_s(self, rows: int) -> float:
        return rows * self.epochs_done / self.fit_s


def write_wide_project(path: Path, width: int, epochs: int) -> None:
    """The overhead benchmark's taxi-fare project with both hidden layers `width` units wide."""
    write_project(path, epochs)
    project = json.loads(path.read_text())
    for node in project["graph"]["nodes"]:
        if node["id"] in ("h1", "h2"):
            node["config"]["units"] = width
    path.write_text(json.dumps(project, indent=2))


def read_run(out: Path, process_s: float, strategy: str) -> Run:
    settings = json.loads((out / "settings.json").read_text())
    if settings["strategy"] != strategy:  # a flag that stopped working must not bench the default twice
        raise SystemExit(f"{out} trained with {settings['strategy']!r}, not {strategy!r}")
    with (out / "history.csv").open(newline="") as fh:
        final_loss = float(list(csv.DictReader(fh))[-1]["loss"])
    return Run(process_s, float(settings["fit_seconds"]), int(settings["epochs_done"]),
               int(settings["replicas"]), final_loss)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=32_000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--width", type=int, default=256, help="units in each of the two hidden layers")
    verdicts.add_arguments(parser, ", ".join(f"{value} {name}" for name, value in QUICK.items()))
    args = parser.parse_args()
    if args.quick:
        vars(args).update(QUICK)
    judge = verdicts.Verdicts.from_args(args)  # no goal: the figures are reported
    rows = max(1, args.rows // BATCH) * BATCH

    runs: dict[str, list[Run]] = {label: [] for label, _, _ in CONFIGURATIONS}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data, project = tmp / "taxi.csv", tmp / "taxi_fare.nbproj"
        write_taxi_csv(data, rows)
        write_wide_project(project, args.width, args.epochs)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "NETBUILDER_RUNS_DIR": str(tmp / "runs")}
        # No validation split: every row trains, so fit_seconds is all training time.
        train = [sys.executable, "-m", "netbuilder", "train", str(project), "--data", str(data),
                 "--target", "fare", "--batch-size", str(BATCH), "--validation-split", "0"]
        for i in range(args.repeats):
            # Rotating the order puts every configuration in every slot as often.
            turn = CONFIGURATIONS[i % len(CONFIGURATIONS):] + CONFIGURATIONS[:i % len(CONFIGURATIONS)]
            for number, (label, strategy, flags) in enumerate(turn):
                out = tmp / f"run-{i}-{number}"
                seconds, _ = timed([*train, *flags, "--out", str(out)], env)
                run = read_run(out, seconds, strategy)
                runs[label].append(run)
                print(f"  run {i + 1} {label:24s} process {seconds:6.2f} s  fit {run.fit_s:6.2f} s  "
                      f"{run.samples_per_s(rows):8,.0f} samples/s  loss {run.final_loss:.4f}", flush=True)

    print(f"\n{rows:,} rows, {args.epochs} epochs, global batch {BATCH}, MLP 6-{args.width}-{args.width}-1, "
          f"seed {SEED}; median (min–max) of {args.repeats} fresh run(s) each")
    print(f"{'configuration':24s}  {'replicas':>8s}  {'samples/s (min–max)':>28s}  {'ratio to default':>16s}  "
          f"{'process s':>9s}  {'ratio':>6s}  {'final loss':>10s}")
    base_speed = statistics.median(r.samples_per_s(rows) for r in runs["default"])
    base_process = statistics.median(r.process_s for r in runs["default"])
    for label, _, _ in CONFIGURATIONS:
        speeds = [r.samples_per_s(rows) for r in runs[label]]
        process = statistics.median(r.process_s for r in runs[label])
        speed = statistics.median(speeds)
        spread = f"{min(speeds):,.0f}–{max(speeds):,.0f}"
        replicas = "/".join(sorted({str(r.replicas) for r in runs[label]}))
        print(f"{label:24s}  {replicas:>8s}  {speed:>12,.0f} ({spread:>13s})  {speed / base_speed:16.2f}  "
              f"{process:9.2f}  {process / base_process:6.2f}  "
              f"{statistics.median(r.final_loss for r in runs[label]):10.4f}")
    print(f"\nReading: the replicas are not extra hardware; they share this machine's {os.cpu_count()} CPU "
          "cores, which the default run already uses, so mirrored and multi-worker are expected to be slower "
          "here; the ratios measure the "
          "overhead of the distribution path (splitting batches, all-reducing gradients, loopback between "
          "workers), not a speed-up, which needs GPUs or more machines.")
    judge.finish()


if __name__ == "__main__":
    main()
