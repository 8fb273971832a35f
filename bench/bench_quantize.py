"""Quantized TFLite exports of the digits example: size and accuracy against float, and the conversion's cost.

The digits example (`resources/examples/digits_cnn.nbproj`, seed 42) is trained
for a fixed number of epochs; its run is then exported as float, dynamic-range,
float16 and full-integer (int8) TFLite. For each mode this prints the file's
size and its ratio to the float file, the validation accuracy of the Keras model
and of the file (from the report netbuilder writes beside it), and the time of
one conversion through netbuilder (`export_tflite` with the mode's options,
calibration rows included, file written) against calling
`tf.lite.TFLiteConverter` by hand with the same options on the same model and
the same 300 calibration rows. Two hand-written baselines are timed:
`model.export()` then `from_saved_model` (the route netbuilder takes too,
because it keeps the drawing's input and output names in the file's signature;
judged, goal `ratio` ≤ 1.1) and `from_keras_model` (which traces in memory
instead of writing a SavedModel; printed, not judged). The report's own
evaluation (the float conversion for its size and the validation run) is timed
apart and printed. Goals: `ratio` ≤ 1.1 in every quantized mode (the float row
is the existing export, printed for reference), and int8 loses at most 0.02
accuracy (`int8_accuracy_drop`). Timed turn about, medians.

    python bench/bench_quantize.py [--epochs 10] [--repeats 9] [--quick] [--goal ratio=1.1]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402,F401  (quiet TensorFlow)
import verdicts  # noqa: E402

GOALS = {"ratio": 1.10, "int8_accuracy_drop": 0.02}
MODES = ("none", "dynamic", "float16", "int8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=9)
    verdicts.add_arguments(parser, "1 epoch, int8 only, 1 repeat without a warm-up")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.repeats = 1, 1
    judge = verdicts.Verdicts.from_args(args)

    from netbuilder.cli import main as netbuilder
    from netbuilder.graph import project_file
    from netbuilder.keras_bridge.export import built_with_weights
    from netbuilder.export.tflite_data import project_data
    from netbuilder.export.tflite import INTERPRETER_DEPRECATED
    from netbuilder.resources import example_path

    warnings.filterwarnings("ignore", message=INTERPRETER_DEPRECATED)  # the hand-written int8 calibration's
    with tempfile.TemporaryDirectory(prefix="bench-quantize-") as folder:
        root = Path(folder)
        project_path, run = root / "digits.nbproj", root / "digits.runs" / "run"
        shutil.copy(example_path("digits_cnn"), project_path)
        with contextlib.redirect_stdout(io.StringIO()):
            assert netbuilder(["train", str(project_path), "--epochs", str(args.epochs), "--out", str(run)]) == 0
        project = project_file.load(project_path)
        model = built_with_weights(project, run=run).model
        data = project_data(project, model, run)
        assert data is not None
        print(f"digits_cnn trained {args.epochs} epochs (seed 42); {model.count_params():,} parameters; "
              f"{data.data.n_rows('validation')} validation images; median of {args.repeats}")
        print(f"{'mode':8} {'bytes':>7} {'float/q':>7} {'acc float':>9} {'acc q':>7} {'netbuilder':>10} "
              f"{'by hand':>8} {'ratio':>5} {'from_keras':>10} {'report':>7}")
        for mode in MODES[-1:] if args.quick else MODES:
            row = _mode(model, data, root, mode, args.repeats, warm_up=not args.quick)
            line = (f"{mode:8} {row['bytes']:7,} {row['size_ratio']:7.2f} {row['float_acc']:9.4f} {row['acc']:7.4f} "
                    f"{row['ours']:9.2f}s {row['hand']:7.2f}s {row['ours'] / row['hand']:5.2f} "
                    f"{row['from_keras']:9.2f}s {row['report']:6.2f}s")
            verdict = (judge.check("ratio", row["ours"] / row["hand"], GOALS["ratio"]) if mode != "none"
                       else "(the float export as it was before quantization; for reference)")
            print(f"{line}  {verdict}")
            if mode == "int8":
                drop = row["float_acc"] - row["acc"]
                print(f"int8 accuracy drop {drop:.4f}  "
                      f"{judge.check('int8_accuracy_drop', drop, GOALS['int8_accuracy_drop'])}")
    judge.finish()


def _mode(model: Any, data: Any, root: Path, mode: str, repeats: int, warm_up: bool) -> dict[str, float]:
    """Sizes, accuracies and median seconds of the three ways of converting in one mode."""
    from netbuilder.export.tflite import export_tflite
    from netbuilder.export.tflite_data import MEASURED_ROWS, split_rows
    from netbuilder.export.tflite_quantize import quantization, quantization_report
    from netbuilder.export.tflite_report import measure

    calibration = quantization("int8", model, data).calibration
    assert calibration is not None
    x = next(iter(calibration.features.values()))

    def ours(i: int) -> tuple[Any, Any]:
        tune = None if mode == "none" else quantization(mode, model, data)
        return export_tflite(model, root / f"nb-{mode}-{i}.tflite", verify=False, tune=tune), tune

    sides = {"ours": ours, "hand": lambda i: _by_hand(model, x, mode, root / f"hand-{mode}-{i}.tflite", True),
             "from_keras": lambda i: _by_hand(model, x, mode, root / f"fk-{mode}-{i}.tflite", False)}
    times: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(0 if warm_up else 1, repeats + 1):  # round 0 warms every side up (tracing caches)
        for name, side in (sides.items() if i % 2 == 0 else reversed(sides.items())):
            start = time.perf_counter()
            side(i)
            if i:
                times[name].append(time.perf_counter() - start)
    result, tune = ours(repeats + 1)
    start = time.perf_counter()
    if tune is None:  # the float file has no report: score it on the same validation rows directly
        rows = split_rows(data.data, "validation", MEASURED_ROWS, [t.name for t in model.inputs], "digit")
        scored = measure(model, result.path.read_bytes(), rows, "", batch_size=None, classification=True)
        size_ratio = 1.0
    else:
        scored = quantization_report(model, result, tune, data)
        size_ratio = scored.size_ratio
    report_s = time.perf_counter() - start
    return {"bytes": result.size_bytes, "size_ratio": size_ratio, "float_acc": scored.float_metric,
            "acc": scored.quantized_metric, "ours": statistics.median(times["ours"]),
            "hand": statistics.median(times["hand"]), "from_keras": statistics.median(times["from_keras"]),
            "report": report_s}


def _by_hand(model: Any, x: Any, mode: str, out: Path, through_saved_model: bool) -> None:
    """What a user writes from TensorFlow's post-training quantization guide."""
    import tensorflow as tf

    from netbuilder.keras_bridge.quiet_import import quiet_stderr

    if through_saved_model:
        folder = out.with_suffix("")
        model.export(str(folder), verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(folder))
    else:
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        converter.representative_dataset = lambda: ([x[i:i + 1]] for i in range(len(x)))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    # As netbuilder does: int8 calibration prints its settings on stderr; from_keras_model lists the model's
    # captured tensors on stdout.
    with quiet_stderr(), contextlib.redirect_stdout(io.StringIO()):
        out.write_bytes(converter.convert())


if __name__ == "__main__":
    main()
