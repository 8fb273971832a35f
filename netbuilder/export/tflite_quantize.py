"""Quantized TFLite exports: dynamic-range, float16 or full-integer (int8), each with its report.

The float export (`tflite.export_tflite`) does the conversion; a `Quantization`
adds the converter options of one mode:
- `dynamic`: weights stored as int8, activations computed in float (about 4× smaller weights, no data needed);
- `float16`: weights stored as float16 (about 2× smaller; GPUs run it natively);
- `int8`: weights *and* activations int8, each tensor's range chosen from a few hundred rows of the project's
  training split (never random numbers: ranges from noise would clip real inputs), and only TFLite's int8
  built-in kernels allowed, so a layer without one is refused by name instead of silently staying float.
  Inputs and outputs stay float32: the file keeps the float file's signature (the user's names, the same
  pixel values or columns), so an app swaps one file for the other unchanged and the report compares the
  two on the very same rows; TFLite quantizes at the entrance and dequantizes at the exit.
Then the file is scored beside the Keras model on the validation split (`tflite_report`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.graph import Project
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.export.signature_names import signature_keys
from netbuilder.export.tflite import TFLiteExport, check_tflite_name, convert_model, export_tflite
from netbuilder.export.tflite_data import (
    CALIBRATION_ROWS, MEASURED_ROWS, ProjectData, Rows, project_data, split_rows,
)
from netbuilder.export.tflite_report import QuantizationReport, measure, write_report

LABELS = {  # the modes `netbuilder export --quantize` offers besides "none" (cli_export.QUANTIZE_MODES)
    "dynamic": "dynamic-range quantization (int8 weights, float activations)",
    "float16": "float16 quantization (float16 weights)",
    "int8": "full-integer (int8) quantization",
}


@dataclass(frozen=True)
class Quantization:
    """The converter options of one mode; `calibration` holds int8's representative rows."""

    mode: str
    input_names: tuple[str, ...] = ()
    calibration: Rows | None = None

    @property
    def label(self) -> str:
        return LABELS[self.mode]

    def apply(self, converter: Any) -> None:
        import tensorflow as tf

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if self.mode == "float16":
            converter.target_spec.supported_types = [tf.float16]
        if self.mode == "int8":
            converter.representative_dataset = self._representative
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]

    def _representative(self) -> Iterator[dict[str, np.ndarray]]:
        """One row at a time, keyed as the file's signature names its inputs."""
        assert self.calibration is not None
        keys = dict(zip(self.input_names, signature_keys(list(self.input_names))))
        for row in range(len(self.calibration)):
            yield {keys[name]: values[row:row + 1] for name, values in self.calibration.features.items()}


@dataclass(frozen=True)
class QuantizedExport:
    result: TFLiteExport
    report: QuantizationReport
    report_files: tuple[Path, Path]  # OUT.report.json, OUT.report.txt


def quantization(mode: str, model: Any, data: ProjectData | None) -> Quantization:
    """The options for `mode`; int8 takes its calibration rows from the training split of `data`.

    Raises:
        BridgeError: an unknown mode, or int8 without a dataset to calibrate with.
    """
    if mode not in LABELS:
        raise BridgeError([f"unknown quantization {mode!r}: choose one of {', '.join(LABELS)}"])
    names = tuple(t.name for t in model.inputs)
    if mode != "int8":
        return Quantization(mode, names)
    if data is None:
        raise BridgeError(["full-integer (int8) quantization needs a dataset: its int8 ranges are measured on a few "
                           "hundred of the project's training rows. Choose the project's dataset (or export with "
                           "dynamic or float16 quantization, which need none)"])
    rows = split_rows(data.data, "train", CALIBRATION_ROWS, list(names), list(model.output_names)[0])
    return Quantization(mode, names, rows)


def export_quantized(project: Project, model: Any, out: Path, mode: str, run: Path | None = None) -> QuantizedExport:
    """Write `model` to `out` quantized as `mode`, then `OUT.report.json` and `OUT.report.txt` beside it.

    The data are the project's dataset split as the run (or the project's settings) split it.

    Raises:
        BridgeError: the mode cannot be applied (the layers TFLite refuses are named).
        DatasetError: the project's dataset cannot be read.
    """
    check_tflite_name(out)
    data = project_data(project, model, run)
    tuning = quantization(mode, model, data)
    result = export_tflite(model, out, verify=False, tune=tuning)
    report = quantization_report(model, result, tuning, data)
    return QuantizedExport(result, report, write_report(out, report))


def quantization_report(model: Any, result: TFLiteExport, tuning: Quantization,
                        data: ProjectData | None) -> QuantizationReport:
    """The report for the file just written: its size against the float file's, and its scores."""
    content = result.path.read_bytes()
    float_content, _, _ = convert_model(model)
    rows, measured_on = None, ""
    if data is not None:
        split = data.measured_split
        rows = split_rows(data.data, split, MEASURED_ROWS, [t.name for t in model.inputs], list(model.output_names)[0])
        measured_on = f"the {'validation' if split == 'validation' else 'training (no validation rows)'} split of " \
                      f"{data.source}"
    measured = measure(model, content, rows, measured_on, batch_size=result.batch_size,
                       classification=data is not None and data.data.task == "classification")
    return QuantizationReport(**vars(measured), file=result.path.name, mode=tuning.mode, quantization=tuning.label,
                              size_bytes=len(content), float_size_bytes=len(float_content),
                              calibration_rows=len(tuning.calibration) if tuning.calibration is not None else 0)
