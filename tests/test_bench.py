"""The benchmarks still run (with minimal repeats), so their figures can always be re-measured."""

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, args, expect",
    [
        ("bench_import.py", ["--repeats", "1"], "ratio import / keras load"),
        ("bench_revalidate.py", ["--trials", "3"], "re-check after one new edge median"),
        ("bench_startup.py", ["--repeats", "1"], "window ready in"),
        ("bench_canvas_import.py", ["--repeats", "1"], "ratio window import / keras load"),
        ("bench_pan.py", ["--frames", "3"], "ratio big / small"),
        ("bench_train_overhead.py", ["--repeats", "1", "--rows", "2000", "--epochs", "1"], "ratio train fit / keras"),
        ("bench_export.py", ["--repeats", "1"], "model.export + check"),
        ("bench_train_stall.py", ["--runs", "1", "--rows", "4000", "--epochs", "2"], "longest stall while fitting"),
        ("bench_distribute.py", ["--quick"], "ratio to default"),
    ],
)
def test_benchmark_runs(script, args, expect):
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert expect in result.stdout
