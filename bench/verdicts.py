"""What every benchmark prints around its figures, and the exit status that says whether it met its goals.

A benchmark that misses a goal must fail where it is run (exit 1), not only
print "MISSES" and exit 0: `Verdicts.check` records each figure against its
goal and `Verdicts.finish` exits non-zero when any was missed. `--quick`
runs a smoke-sized benchmark that prints its figures without judging them
(a handful of repeats proves nothing), and `--goal NAME=VALUE` replaces a
goal, which is how the tests show that a missed goal fails. The first line
says when, where and with what the figures were measured, so a figure copied
into the README carries its date, machine and command.

Standard library only: the launch benchmarks must not import TensorFlow.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import shlex
import sys
from dataclasses import dataclass, field


def add_arguments(parser: argparse.ArgumentParser, quick_help: str) -> None:
    """The flags every benchmark takes: `--quick` (with what it shrinks) and `--goal NAME=VALUE`."""
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run ({quick_help}): figures are printed but not judged")
    parser.add_argument("--goal", action="append", default=[], metavar="NAME=VALUE",
                        help="replace a goal's limit, e.g. to check that missing it fails the benchmark")


def machine() -> str:
    """One line: the processor, cores, memory and the versions the figures depend on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "? GiB"
    versions = []
    for package in ("tensorflow", "keras", "PySide6"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return (f"{cpu}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, {', '.join(versions)}")


@dataclass
class Verdicts:
    """Each figure's verdict against its goal; `finish` turns them into the exit status."""

    judged: bool = True
    overrides: dict[str, float] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    goals: set[str] = field(default_factory=set)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Verdicts:
        overrides = {}
        for item in args.goal:
            name, _, value = item.partition("=")
            try:
                overrides[name.strip()] = float(value)
            except ValueError:
                raise SystemExit(f"--goal {item!r}: expected NAME=NUMBER") from None
        verdicts = cls(judged=not args.quick, overrides=overrides)
        print(f"measured {datetime.date.today().isoformat()} on {machine()}")
        script = os.path.relpath(sys.argv[0], os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        print(f"command: python {shlex.join([script, *sys.argv[1:]])}", flush=True)
        return verdicts

    def check(self, name: str, value: float, limit: float, unit: str = "") -> str:
        """Judge `value` against `limit` (at most) and say so, e.g. "(meets the goal ratio <= 1.50)"."""
        self.goals.add(name)
        limit = self.overrides.get(name, limit)
        if not self.judged:
            return f"(goal {name} <= {limit:g}{unit}; not judged in a quick run)"
        if value <= limit:
            return f"(meets the goal {name} <= {limit:g}{unit})"
        self.missed.append(f"{name} {value:.4g}{unit} > {limit:g}{unit}")
        return f"(MISSES the goal {name} <= {limit:g}{unit})"

    def finish(self) -> None:
        """Exit 1, naming what was missed, when any judged figure missed its goal."""
        unknown = sorted(set(self.overrides) - self.goals)
        if unknown:
            raise SystemExit(f"--goal names no goal of this benchmark: {', '.join(unknown)}")
        if self.missed:
            print(f"goal missed: {'; '.join(self.missed)}", file=sys.stderr)
            raise SystemExit(1)
