"""ONNX export through netbuilder against Keras' own `model.export(format="onnx")`, on the same model.

Goal: netbuilder's export, with its onnxruntime check, costs at most 1.1x
calling the converter by hand and doing the same check by hand. The model is
MobileNetV2 (weights=None, 156 layers) turned into a project and built back by
netbuilder, so both sides convert the very same `keras.Model`. The baseline is
what a careful user writes: Keras' `model.export(path, format="onnx")` (tf2onnx
underneath), then an `onnxruntime.InferenceSession` on the file and a
comparison with the Keras model on a batch of 4. Timed turn about, medians.

    python bench/bench_onnx.py [--repeats N] [--model NAME] [--quick] [--goal ratio=1.10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (quiet TensorFlow, and the model both sides export)
import verdicts  # noqa: E402

GOAL = 1.10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="MobileNetV2")
    verdicts.add_arguments(parser, "1 repeat of a 3-layer model")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.model = 1, "tiny"
    judge = verdicts.Verdicts.from_args(args)

    from netbuilder.export.onnx_export import export_onnx

    model = _common.built_back(_common.source_model(args.model))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sides = {
            "netbuilder + check": lambda i: export_onnx(model, tmp / f"nb-{i}.onnx"),
            "model.export + check": lambda i: _export_and_check(model, tmp / f"keras-{i}.onnx"),
        }
        times: dict[str, list[float]] = {name: [] for name in sides}
        for i in range(args.repeats + 1):  # the first round warms both up (tf2onnx's import, tracing caches)
            for name, export in (sides.items() if i % 2 == 0 else reversed(sides.items())):
                start = time.perf_counter()
                export(i)
                if i:
                    times[name].append(time.perf_counter() - start)
    print(f"{args.model}: {model.count_params():,} parameters, {len(model.layers)} layers; median of {args.repeats}")
    seconds, keras_s = statistics.median(times["netbuilder + check"]), statistics.median(times["model.export + check"])
    print(f"netbuilder + check   {seconds:6.2f} s   model.export + check {keras_s:6.2f} s   "
          f"ratio {seconds / keras_s:.2f}  {judge.check('ratio', seconds / keras_s, GOAL)}")
    judge.finish()


def _export_and_check(model: object, path: Path) -> float:
    """`model.export(format="onnx")`, then load it in onnxruntime and compare on a batch of 4."""
    import numpy as np
    import onnxruntime

    model.export(str(path), format="onnx", verbose=False)  # type: ignore[attr-defined]
    tensor = model.inputs[0]  # type: ignore[attr-defined]
    batch = np.random.default_rng(0).uniform(0, 1, size=(4, *tensor.shape[1:])).astype(tensor.dtype)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    [served] = session.run(None, {session.get_inputs()[0].name: batch})
    return float(np.max(np.abs(served - np.asarray(model(batch, training=False)))))  # type: ignore[operator]


if __name__ == "__main__":
    main()
