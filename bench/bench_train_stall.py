"""How long the Qt event loop stalls while the Training tab trains a model, and how fast Stop is.

Goal: no stall over 50 ms while a model trains, and Stop ends the run within one
batch. The real main window (offscreen, 1440×900) opens a taxi-fare-style project
(20 000 rows, a 64-64-1 network, batch 32 → 500 batches an epoch) with the
Training tab showing, and a 5 ms heartbeat `QTimer` records when the loop gets
round to it. A stall is the longest gap between beats less the 5 ms period.
Measured in the same run: the window idle for as long as a run takes (the
baseline of the ratio); a whole run from Train until it has ended, split into
its start (Train until the first batch is drawn: loading the data, building the
model, TensorFlow tracing the training step) and the fit itself with the live
plots drawing; and the GUI-thread work after it ends (curves.png, the runs
list, the Evaluate and Predict tabs). Then a second run is stopped mid-epoch:
the time from Stop to the worker's end and the batches that ran after Stop.

    python bench/bench_train_stall.py [--runs N] [--epochs N] [--rows N] [--quick]
                                      [--goal fitting_stall_ms=50] [--goal batches_after_stop=1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import editor_app  # noqa: E402
from bench_train_overhead import write_project, write_taxi_csv  # noqa: E402

GOAL_MS = 50.0
BEAT_MS = 5


class Heartbeat:
    """A precise 5 ms timer that remembers when each beat arrived."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    def start(self) -> None:
        self.beats = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.beats.append(time.perf_counter())

    def stalls(self, start: float = 0.0, end: float = float("inf")) -> dict[str, float]:
        """Longest and 99th-percentile stall (ms) among the gaps that began between `start` and `end`."""
        gaps = [max(0.0, (b - a) * 1000 - BEAT_MS) for a, b in zip(self.beats, self.beats[1:]) if start <= a < end]
        return {"max": max(gaps), "p99": statistics.quantiles(gaps, n=100)[-1], "beats": len(gaps)}


def pump(app, until, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    verdicts.add_arguments(parser, "1 run of 2 epochs on 4,000 rows")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.epochs, args.rows = 1, 2, 4000
    judge = verdicts.Verdicts.from_args(args)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["NETBUILDER_RUNS_DIR"] = str(tmp / "runs")
        write_taxi_csv(tmp / "taxi.csv", args.rows)
        project = tmp / "taxi_fare.nbproj"
        write_project(project, args.epochs)
        doc = json.loads(project.read_text())
        doc["dataset"] = {"source": "taxi.csv", "target": ["fare"]}
        project.write_text(json.dumps(doc))

        app, loader = editor_app(tmp)
        from PySide6.QtCore import QSettings

        from netbuilder.catalog import load_catalog
        from netbuilder.ui.main_window import open_window

        window = open_window(load_catalog(), loader, path=project,
                             settings=QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1440, 900)
        window.show()
        pump(app, lambda: window.training is not None, 60)  # the Training tab comes once imported off the GUI thread
        panel = window.training
        assert panel is not None
        window.bottom.setCurrentWidget(panel)
        pump(app, lambda: not panel.why_not_train(), 60)
        beat = Heartbeat()

        # Whole runs, from Train until each has ended and its results are shown.
        ended: list[float] = []  # when the panel took a run's end (before curves.png and the result tabs)
        panel.state_changed.connect(lambda: ended.append(time.perf_counter()) if panel.session is None else None)

        def one_run() -> tuple[dict[str, float], dict[str, float], dict[str, float], float, str]:
            first_batch: list[float] = []

            def running() -> bool:
                if not first_batch and panel.session is not None and panel._progress.batch > 0:
                    first_batch.append(time.perf_counter())
                return panel.session is None

            ended.clear()
            beat.start()
            started = time.perf_counter()
            window.train()
            pump(app, running)
            seconds = time.perf_counter() - started
            settle_until = time.perf_counter() + 1.0
            pump(app, lambda: time.perf_counter() > settle_until)
            beat.stop()
            status = json.loads((panel.run_dir / "settings.json").read_text())["status"]
            return (beat.stalls(end=first_batch[0]), beat.stalls(start=first_batch[0], end=ended[0]),
                    beat.stalls(start=ended[0]), seconds, status)

        runs = [one_run() for _ in range(args.runs)]
        run_seconds = statistics.median(r[3] for r in runs)
        statuses = ", ".join(sorted({r[4] for r in runs}))

        # The same length of time with nothing to do: what the loop does on its own.
        beat.start()
        idle_until = time.perf_counter() + run_seconds
        pump(app, lambda: time.perf_counter() > idle_until)
        beat.stop()
        idle = beat.stalls()

        # Stop half-way through a run.
        steps = -(-(args.rows - round(args.rows * 0.2)) // 32)
        window.train()
        pump(app, lambda: panel.session is not None
             and (panel._progress.epoch - 1) * steps + panel._progress.batch >= steps * args.epochs // 2)
        session = panel.session
        # Counted where the worker counts them: the plot's count lags by the batches still on their
        # way through the event queue, which ran before Stop.
        done_at_stop = session.batches_done
        t0 = time.perf_counter()
        panel.stop()
        result = session.wait(30)
        stop_ms = (time.perf_counter() - t0) * 1000
        pump(app, lambda: panel.session is None)
        after_stop = session.batches_done - done_at_stop  # the one under way when Stop came, at most
        window.document.stack.set_clean()
        window.close()

    print(f"{args.rows} rows, {args.epochs} epochs × {-(-(args.rows - round(args.rows * 0.2)) // 32)} batches; "
          f"{args.runs} runs of {run_seconds:.1f} s ({statuses}); longest stall of each run, median and worst")
    print(f"{'idle (baseline)':17s} longest stall {idle['max']:6.1f} ms   p99 {idle['p99']:5.1f} ms")
    for index, name in enumerate(("start of the run", "fitting", "after the run")):
        longest = [r[index]["max"] for r in runs]
        p99 = statistics.median(r[index]["p99"] for r in runs)
        print(f"{name:17s} longest stall {statistics.median(longest):6.1f} ms median, {max(longest):6.1f} ms worst"
              f"   p99 {p99:5.1f} ms")
    fitting = statistics.median(r[1]["max"] for r in runs)
    print(f"longest stall while fitting {fitting:.1f} ms median {judge.check('fitting_stall_ms', fitting, GOAL_MS, ' ms')}; "
          f"ratio fitting / idle {fitting / max(idle['max'], 1.0):.1f}")
    print(f"stop: worker ended {stop_ms:.0f} ms after Stop (status {result.status if result else 'still running'}), "
          f"{after_stop} batch(es) ran after Stop {judge.check('batches_after_stop', after_stop, 1)}")
    judge.finish()


if __name__ == "__main__":
    main()
