"""`netbuilder train` under an address-space limit: the proof that a dataset streams rather than being read whole.

A run on the dataset streamed, with no limit, says how much address space
this machine's TensorFlow takes (its `VmPeak`); the same run under that much
plus a margin must still train, and a run that reads the data whole must not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from helpers import REPO

LIMITED = """
import resource, sys
limit = int(sys.argv[1])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from netbuilder.cli import main
code = main(sys.argv[2:])
print("VmPeak", next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmPeak")),
      file=sys.stderr)
sys.exit(code)
"""


def train_limited(args: Sequence[str], limit: int, env: dict[str, str] | None = None,
                  timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`netbuilder ARGS` in a fresh process whose address space is capped at `limit` bytes (0: no cap)."""
    environment = {**os.environ, "MALLOC_ARENA_MAX": "2", "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
                   **(env or {})}
    return subprocess.run([sys.executable, "-c", LIMITED, str(limit), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=environment)


def peak_bytes(run: subprocess.CompletedProcess[str]) -> int:
    """The address space a finished `train_limited` run took at its peak."""
    return int(run.stderr.split("VmPeak")[-1].split()[0]) * 1024
