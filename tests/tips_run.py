"""A briefly trained copy of the tips example, for the tests of raw-row serving and `netbuilder predict`."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from helpers import EXAMPLES

from netbuilder.cli import main
from netbuilder.resources import example_path

TIPS_CSV = EXAMPLES.parent / "datasets" / "tips.csv"
FEATURES = ["total_bill", "sex", "smoker", "day", "time", "size"]  # the columns the loader encodes, in order


def trained_tips(folder: Path) -> tuple[Path, Path]:
    """(project, run): the tips example copied into `folder`, trained for one epoch into `tips.runs/`."""
    project = folder / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), project)
    run = folder / "tips.runs" / "20260101-093000"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    return project, run


def tips_rows(count: int, drop: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The first `count` rows of the bundled tips file, cells as written, without the columns `drop`."""
    with TIPS_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:count]
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
