"""A briefly trained copy of the digits example, for the tests of quantized TFLite exports."""

from __future__ import annotations

import shutil
from pathlib import Path

from netbuilder.cli import main
from netbuilder.resources import example_path

EPOCHS = 3  # seed 42 and 3 epochs: about 97% of the validation images right, enough to see quantization's cost


def trained_digits(folder: Path) -> tuple[Path, Path]:
    """(project, run): the digits example copied into `folder`, trained into `digits.runs/`."""
    project = folder / "digits.nbproj"
    shutil.copy(example_path("digits_cnn"), project)
    run = folder / "digits.runs" / "20260101-093000"
    assert main(["train", str(project), "--epochs", str(EPOCHS), "--out", str(run)]) == 0
    return project, run
