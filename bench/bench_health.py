"""What training-health checks cost: `fit` of every bundled example with its data, with and without them.

Goal: the checks (per-layer weight and gradient norms every N batches, N
adapted as training goes) take at most 5 % of `fit`'s time on every example
(`check_share`: the seconds spent in checks during `fit` over `fit_seconds`,
both from the same run, the worst example's median). Also printed, not
judged: `fit` with checks against the same `TrainingSession` with its
health callback left out, in one process, turn about, after one warm-up
run of each example so TensorFlow's first-use costs hit neither (on a busy
machine this A/B ratio swings by ±15 % from run to run, so it proves less
than the share); the one-time set-up before `fit` (compiling the check and
the first reading); checks per run and the batches between two checks.

    python bench/bench_health.py [--repeats N] [--epochs N] [--quick] [--goal check_share=0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
import verdicts  # noqa: E402

GOAL = 0.05
EXAMPLES = ["co2_forecast", "digits_cnn", "iris_classifier", "language_id", "tips_regression"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each side per example (the median counts)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each run")
    verdicts.add_arguments(parser, "one repeat of 2 epochs without a warm-up, one example")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    repeats, epochs = (1, 2) if args.quick else (args.repeats, args.epochs)
    examples = ["iris_classifier"] if args.quick else EXAMPLES
    print(f"{epochs} epochs per run; median of {repeats}", flush=True)

    from netbuilder.graph import project_file
    from netbuilder.resources import example_path
    from netbuilder.training.datasets import DatasetSpec
    from netbuilder.training.datasets.loaded import LoadedData
    from netbuilder.training.health import HealthCallback
    from netbuilder.training.session import TrainingSession
    from netbuilder.training.settings import TrainingSettings

    class Unwatched(TrainingSession):
        """The baseline: the same session with no health checks."""

        def _health_callbacks(self, folder: Any) -> list[Any]:
            return []

    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-health-") as runs:
        for name in examples:
            project = project_file.load(example_path(name))
            spec = DatasetSpec.from_section(project.sections["dataset"])
            settings = TrainingSettings.from_section({**project.sections["training"], "epochs": epochs})
            data: LoadedData | None = None
            watched: list[float] = []
            plain: list[float] = []
            checks: list[int] = []
            setups: list[float] = []
            shares: list[float] = []
            steps: list[int] = []

            def fit_seconds(session: TrainingSession) -> float:
                nonlocal data
                result = session.run()
                if result.status != "completed":
                    raise SystemExit(f"{name}: {result.message}")
                data = session.data  # loaded once, shared by every later run
                return json.loads((result.run_dir / "settings.json").read_text())["fit_seconds"]

            seen: list[HealthCallback] = []
            original = HealthCallback.on_train_end

            def remember(self: HealthCallback, logs: dict[str, Any] | None = None) -> None:
                original(self, logs)
                seen.append(self)

            HealthCallback.on_train_end = remember  # type: ignore[method-assign]
            for turn in range(1 if args.quick else 0, repeats + 1):  # turn 0 warms up and is not counted
                a = fit_seconds(TrainingSession(project, spec, settings, Path(runs), data=data))
                b = fit_seconds(Unwatched(project, spec, settings, Path(runs), data=data))
                if turn:
                    watched.append(a)
                    plain.append(b)
                    checks.append(seen[-1].checks)
                    setups.append(seen[-1].setup_seconds)
                    shares.append(seen[-1].check_seconds / a)
                    steps.append(seen[-1]._step)
            HealthCallback.on_train_end = original  # type: ignore[method-assign]
            ratio = statistics.median(watched) / statistics.median(plain)
            setup = statistics.median(setups)
            share = statistics.median(shares)
            worst = max(worst, share)
            every = statistics.median(steps) / max(statistics.median(checks) - 1, 1)
            print(f"{name:16s} checks {share:6.2%} of fit  fit with checks {statistics.median(watched):5.2f} s  "
                  f"without {statistics.median(plain):5.2f} s  ratio {ratio:.3f}  set-up {setup:.2f} s (ratio with it "
                  f"{(statistics.median(watched) + setup) / statistics.median(plain):.3f})"
                  f"  checks per run {statistics.median(checks):.0f}, one every {every:.0f} batches", flush=True)
    print(f"worst ratio time in health checks / fit {worst:.4f}  {judge.check('check_share', worst, GOAL)}")
    judge.finish()


if __name__ == "__main__":
    main()
