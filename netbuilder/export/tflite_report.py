"""The report written beside a quantized `.tflite` file: what quantizing cost in size and in score.

Someone shipping a quantized model wants three numbers before trusting it: how
much smaller the file is than the float one, how the model's own metric moved
(accuracy for a classifier, RMSE for a regression) on rows it did not train
on, and how far its answers drift from the float model's. `measure` runs the
written file with `tf.lite.Interpreter` beside the Keras model on the same
rows; `write_report` puts the numbers in `OUT.report.json` (for scripts and
CI) and `OUT.report.txt` (to read), both beside `OUT.tflite`. Without a
dataset the files are compared on seeded random inputs and no metric is given.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.export.sample_batch import sample_values
from netbuilder.export.tflite import tflite_runner
from netbuilder.export.tflite_data import Rows
from netbuilder.graph.atomic_file import atomic_write_text
from netbuilder.training.model_outputs import class_probabilities, predict_outputs, true_classes

Metric = Literal["accuracy", "rmse"]
RANDOM_ROWS = 32  # seeded inputs the files are compared on when the project has no dataset
CHUNK = 1024


@dataclass(frozen=True)
class Measurement:
    """The file and the Keras model on the same rows; `metric` is None when there were no targets to score."""

    metric: Metric | None
    float_metric: float | None  # the Keras model's score
    quantized_metric: float | None  # the file's score under tf.lite.Interpreter
    rows: int
    measured_on: str  # "the validation split of bundled:digits"
    max_difference: float  # largest |quantized − float| over every output value of those rows


@dataclass(frozen=True)
class QuantizationReport(Measurement):
    """One quantized file against its float model."""

    file: str = ""
    mode: str = ""  # dynamic | float16 | int8
    quantization: str = ""  # how people call it: "full-integer (int8) quantization"
    size_bytes: int = 0
    float_size_bytes: int = 0  # the same model converted without quantization
    calibration_rows: int = 0  # int8: the training rows that set the int8 ranges
    input_output_type: str = "float32"  # what the file takes and gives

    @property
    def size_ratio(self) -> float:
        return self.float_size_bytes / self.size_bytes

    def _than_float(self, digits: int) -> str:
        """E.g. `2.6× smaller than float`; or `larger`: a tiny model's quantization tables outweigh its weights."""
        if self.size_ratio >= 1:
            return f"{self.size_ratio:.{digits}f}× smaller than float"
        return f"{1 / self.size_ratio:.{digits}f}× larger than float"

    def summary(self) -> str:
        """One line: sizes, then the metric float vs quantized (or the output difference alone)."""
        size = f"{self.mode}: {self.size_bytes:,} bytes, {self._than_float(1)} ({self.float_size_bytes:,})"
        if self.metric is None:
            return f"{size}; largest output difference {self.max_difference:.3g} on {self.rows} random inputs"
        return (f"{size}; {self.metric} {self.float_metric:.4f} float vs {self.quantized_metric:.4f} quantized "
                f"on {self.rows:,} rows ({self.measured_on}); largest output difference {self.max_difference:.3g}")

    def text(self) -> str:
        lines = [f"{self.file}: {self.quantization}",
                 f"size: {self.size_bytes:,} bytes; the float file: {self.float_size_bytes:,} bytes "
                 f"({self._than_float(2)})"]
        if self.metric is not None:
            lines.append(f"{self.metric} on {self.rows:,} rows ({self.measured_on}): float (Keras) "
                         f"{self.float_metric:.4f}, quantized (tf.lite.Interpreter) {self.quantized_metric:.4f}")
        lines.append(f"largest output difference |quantized - float|: {self.max_difference:.4g} "
                     f"(over {self.rows:,} rows: {self.measured_on})")
        if self.calibration_rows:
            lines.append(f"calibration: {self.calibration_rows} rows of the training split set the int8 ranges")
        lines.append(f"inputs and outputs: {self.input_output_type}")
        return "\n".join(lines) + "\n"


def report_paths(out: Path) -> tuple[Path, Path]:
    """`OUT.tflite` → (`OUT.report.json`, `OUT.report.txt`)."""
    return out.with_suffix(".report.json"), out.with_suffix(".report.txt")


def measure(model: Any, content: bytes, rows: Rows | None, measured_on: str, *, batch_size: int | None,
            classification: bool) -> Measurement:
    """The file `content` beside `model` on `rows` (or on seeded random inputs when there are none)."""
    if rows is None:
        rng = np.random.default_rng(0)
        features = {t.name: sample_values(t.shape, t.dtype, RANDOM_ROWS, rng) for t in model.inputs}
        rows, measured_on = Rows(features, None), "seeded random inputs: the project has no dataset"
    expected = predict_outputs(model, rows.features if len(rows.features) > 1 else next(iter(rows.features.values())))
    served = _run_file(model, content, rows.features, batch_size)
    difference = max(float(np.max(np.abs(served[name].astype(np.float64) - value.astype(np.float64)), initial=0.0))
                     for name, value in expected.items())
    first = next(iter(expected))
    if rows.targets is None:
        return Measurement(None, None, None, len(rows), measured_on, difference)
    score = _accuracy if classification else _rmse
    return Measurement("accuracy" if classification else "rmse", score(rows.targets, expected[first]),
                       score(rows.targets, served[first]), len(rows), measured_on, difference)


def write_report(out: Path, report: QuantizationReport) -> tuple[Path, Path]:
    as_json, as_text = report_paths(out)
    record = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(report).items()}
    atomic_write_text(as_json, json.dumps({**record, "size_ratio": report.size_ratio}, indent=2) + "\n")
    atomic_write_text(as_text, report.text())
    return as_json, as_text


def _run_file(model: Any, content: bytes, features: dict[str, np.ndarray],
              batch_size: int | None) -> dict[str, np.ndarray]:
    """The file's answers for every row; a file whose batch is fixed (at 1) takes its rows one at a time."""
    run = tflite_runner(content, model)
    step = batch_size or CHUNK
    count = len(next(iter(features.values())))
    parts = [run({k: v[start:start + step] for k, v in features.items()}) for start in range(0, count, step)]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _accuracy(targets: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(class_probabilities(predicted).argmax(axis=1) == true_classes(targets)))


def _rmse(targets: np.ndarray, predicted: np.ndarray) -> float:
    truth, guess = targets.astype(np.float64).reshape(-1), predicted.astype(np.float64).reshape(-1)
    return float(np.sqrt(np.mean((guess - truth) ** 2)))
