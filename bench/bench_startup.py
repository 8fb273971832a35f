"""Launching `netbuilder --example wide_and_deep` until its window is usable, vs a bare Qt window.

Goals: a usable window within 1.0 s of launch, TensorFlow still loading behind
it, and at most 3x what a bare PySide6 window takes. Each launch is a fresh
process, timed from just before `Popen` to the epoch time in the app's
`window-ready` line (NETBUILDER_REPORT_READY=1); it quits itself 200 ms later
and must exit 0. Beside it, alternately and in the
same run: a minimal PySide6 program showing an empty QMainWindow (what any Qt
app pays, the baseline of the ratio), and a plain `import tensorflow` (what
the window would cost if it waited for TensorFlow). Settings, recent files and
autosaves go to a throw-away folder.

    python bench/bench_startup.py [--repeats N] [--quick] [--goal window_s=1.0] [--goal ratio=3]
"""

from __future__ import annotations

import argparse
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

GOAL_S = 1.0
RATIO_GOAL = 3.0

BARE_QT = (
    "import time\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "window = QMainWindow()\n"
    "window.show()\n"
    "app.processEvents()\n"
    "print(f'ready {time.time():.4f}', flush=True)\n"
)
IMPORT_TF = "import time, tensorflow\nprint(f'ready {time.time():.4f}', flush=True)\n"


def launch(command: list[str], env: dict[str, str], marker: str) -> float:
    """Seconds from starting `command` to the epoch time on its first line starting with `marker`."""
    start = time.time()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=300)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}:\n{err}")
    for line in out.splitlines():
        if line.startswith(marker):
            return float(line.split()[-1]) - start
    raise SystemExit(f"{' '.join(command)} never printed '{marker}':\n{out}\n{err}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    verdicts.add_arguments(parser, "1 repeat, no warm-up")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    judge = verdicts.Verdicts.from_args(args)

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            TF_CPP_MIN_LOG_LEVEL="3",
            NETBUILDER_REPORT_READY="1",
            NETBUILDER_QUIT_AFTER_MS="200",
            NETBUILDER_RECOVERY_DIR=str(Path(tmp) / "recovery"),
            # QSettings (recent files) lives under XDG_CONFIG_HOME on Linux.
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),
            XDG_DATA_HOME=str(Path(tmp) / "data"),
        )
        # Python caches compiled modules unless told not to (some shells and CI images do): a
        # user's second launch reads bytecode, so the warm-up below must be able to write it.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        runs = {
            "netbuilder": ([sys.executable, "-m", "netbuilder", "--example", "wide_and_deep"], "window-ready"),
            "bare Qt": ([sys.executable, "-c", BARE_QT], "ready"),
            "import tensorflow": ([sys.executable, "-c", IMPORT_TF], "ready"),
        }
        # Warm-up: the OS file cache, Python's bytecode cache (a smoke run measures cold launches).
        for command, marker in [] if args.quick else runs.values():
            launch(command, env, marker)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, (command, marker) in runs.items():
                times[name].append(launch(command, env, marker))

    app, bare, tf = (statistics.median(times[name]) for name in runs)
    print(f"Launch to usable window, {args.repeats} runs each (alternating, medians)")
    print(f"  netbuilder --example wide_and_deep  {app:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['netbuilder'])})")
    print(f"  bare PySide6 QMainWindow (baseline) {bare:6.2f} s")
    print(f"  python -c 'import tensorflow'       {tf:6.2f} s")
    window = judge.check("window_s", app, GOAL_S, " s")
    print(f"  ratio netbuilder / bare Qt          {app / bare:6.2f}x   {judge.check('ratio', app / bare, RATIO_GOAL, 'x')}")
    print(f"  window ready in {app:.2f} s   {window}")
    # The app starts importing TensorFlow only once the window is shown, so
    # this says how long the user would wait if the window waited for it.
    state = "still loading when the window is ready" if tf > app else "the window is slower than TensorFlow itself"
    print(f"  TensorFlow import alone {tf:.2f} s = {tf / app:.1f}x the window: {state}")
    judge.finish()


if __name__ == "__main__":
    main()
