"""SavedModel export through netbuilder against Keras' own `model.export`, on the same model.

Goal: netbuilder's export costs at most 1.1× `model.export(path, format="tf_saved_model")`.
The model is MobileNetV2 (weights=None, 156 layers) turned into a project and built
back by netbuilder, so both sides export the very same `keras.Model`. Timed turn
about, medians: netbuilder writing the version folder (temporary name, rename,
node-named `serving_default` signature) without and with its reload check
(`tf.saved_model.load` and a comparison on a sample batch), and `model.export`
without and with the same check done by hand, so that each netbuilder figure
has a Keras baseline doing the same work.

    python bench/bench_export.py [--repeats N] [--model NAME] [--quick] [--goal ratio=1.10]
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

    from netbuilder.export.savedmodel import export_savedmodel

    model = _common.built_back(_common.source_model(args.model))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sides = {
            "netbuilder": lambda i: export_savedmodel(model, tmp / f"nb-{i}", verify=False),
            "netbuilder + check": lambda i: export_savedmodel(model, tmp / f"nbv-{i}"),
            "model.export": lambda i: model.export(str(tmp / f"keras-{i}"), format="tf_saved_model", verbose=False),
            "model.export + check": lambda i: _export_and_check(model, tmp / f"keras-check-{i}"),
        }
        times: dict[str, list[float]] = {name: [] for name in sides}
        for i in range(args.repeats):
            for name, export in (sides.items() if i % 2 == 0 else reversed(sides.items())):
                start = time.perf_counter()
                export(i)
                times[name].append(time.perf_counter() - start)
    print(f"{args.model}: {model.count_params():,} parameters, {len(model.layers)} layers; median of {args.repeats}")
    # The goal compares like with like; the checked export against the bare `model.export` is reported.
    for name, baseline, judged in (("netbuilder", "model.export", True),
                                   ("netbuilder + check", "model.export + check", True),
                                   ("netbuilder + check", "model.export", False)):
        seconds, keras_s = statistics.median(times[name]), statistics.median(times[baseline])
        verdict = judge.check("ratio", seconds / keras_s, GOAL) if judged else "(reported)"
        print(f"{name:20s} {seconds:6.2f} s   {baseline:20s} {keras_s:6.2f} s   "
              f"ratio {seconds / keras_s:.2f}  {verdict}")
    judge.finish()


def _export_and_check(model: object, path: Path) -> float:
    """`model.export`, then what a careful user does next: load it back and compare on a batch of 4."""
    import numpy as np
    import tensorflow as tf

    model.export(str(path), format="tf_saved_model", verbose=False)  # type: ignore[attr-defined]
    tensor = model.inputs[0]  # type: ignore[attr-defined]
    batch = np.random.default_rng(0).uniform(0, 1, size=(4, *tensor.shape[1:])).astype(tensor.dtype)
    loaded = tf.saved_model.load(str(path))  # kept: its functions need its variables alive
    served = loaded.serve(tf.constant(batch))
    return float(np.max(np.abs(np.asarray(served) - np.asarray(model(batch, training=False)))))  # type: ignore[operator]


if __name__ == "__main__":
    main()
