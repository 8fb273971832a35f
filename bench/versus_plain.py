"""The measuring loop of the streaming benchmarks: `netbuilder train` against a plain Keras script, turn about.

bench_stream_images.py, bench_stream_text.py and bench_timeseries.py each
train on the same data twice in fresh processes, once with `netbuilder train`
and once with a hand-written Keras script, and compare peak resident size (what
the kernel reports, `os.wait4`), whole-process time and fit time. Each side
runs `repeats` times, alternating, and the least time and memory count: on a
busy machine a single run of a few seconds says more about its neighbours than
about itself. The loop and the lines it prints live here so that the three
measure and report in exactly the same way.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Callable

import verdicts
from bench_stream_memory import measure

GOALS = {"rss_growth": 1.15, "rss_ratio": 1.2, "time_ratio": 1.1}
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}  # both sides on the CPU, without TF's chatter


@dataclass(frozen=True)
class Run:
    """One side's figures: whole-process seconds, peak resident MB and the seconds its fit took."""

    seconds: float
    mb: float
    fit: float


def best_runs(ours: list[str], plain: list[str], out: Path, env: dict[str, str], repeats: int,
              before_ours: Callable[[], None] = lambda: None) -> tuple[Run, Run]:
    """The least of each figure over `repeats` runs of each side, netbuilder first in each turn.

    `ours` is a `netbuilder train` command, given a fresh `--out` folder under `out` each time (its fit
    seconds are those the run's settings.json records); `plain` prints `fit_seconds S` itself.
    `before_ours` runs before each netbuilder run, e.g. to remove a cache it would otherwise reuse.
    """
    runs: tuple[list[Run], list[Run]] = ([], [])
    for repeat in range(repeats):
        before_ours()
        folder = out / f"run_{repeat}"
        seconds, mb, _, _ = measure([*ours, "--out", str(folder)], env)
        runs[0].append(Run(seconds, mb, json.loads((folder / "settings.json").read_text())["fit_seconds"]))
        seconds, mb, text, _ = measure(plain, env)
        runs[1].append(Run(seconds, mb, float(text.split("fit_seconds")[-1].split()[0])))
    ours_best, plain_best = (Run(*map(min, zip(*map(astuple, side)))) for side in runs)
    return ours_best, plain_best


def report(judge: verdicts.Verdicts, what: str, ours: Run, plain_name: str, plain: Run, baseline: str) -> None:
    """The figures of one size (`what`, e.g. "  2,000 images") and the verdicts of its two ratios."""
    print(f"{what}: netbuilder {ours.mb:,.0f} MB peak, {ours.seconds:.1f} s (fit {ours.fit:.1f} s); "
          f"{plain_name} {plain.mb:,.0f} MB peak, {plain.seconds:.1f} s (fit {plain.fit:.1f} s)")
    print(f"  ratio rss netbuilder / {baseline} {ours.mb / plain.mb:.2f} "
          + judge.check("rss_ratio", ours.mb / plain.mb, GOALS["rss_ratio"]))
    print(f"  ratio time netbuilder / {baseline} {ours.seconds / plain.seconds:.2f} "
          + judge.check("time_ratio", ours.seconds / plain.seconds, GOALS["time_ratio"]))


def report_growth(judge: verdicts.Verdicts, peaks: list[float], what: str) -> None:
    """netbuilder's peak on the last (largest) size over that on the first, e.g. `what` = "largest / smallest"."""
    growth = peaks[-1] / peaks[0]
    print(f"rss growth {what} {growth:.2f} " + judge.check("rss_growth", growth, GOALS["rss_growth"]))
