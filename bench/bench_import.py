"""Importing NASNetMobile into a project vs Keras loading the same .keras file.

Goal (issue 2): netbuilder's import takes at most 1.5x Keras' own load. Both
are timed alternately in the same process, after one warm-up each, because
this machine is small and noisy; the figure is the ratio of the medians.

    python bench/bench_import.py [--repeats N] [--quick] [--goal ratio=1.5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import alternate, application_file, application_name  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    verdicts.add_arguments(parser, "MobileNetV2, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    judge = verdicts.Verdicts.from_args(args)

    import keras

    from netbuilder.catalog import load_catalog
    from netbuilder.keras_bridge import import_model_file

    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        name = application_name(args.quick)
        source = application_file(folder, name)
        target = folder / "nasnet.nbproj"

        def keras_load() -> None:
            keras.saving.load_model(source, compile=False)

        def nb_import() -> None:
            import_model_file(source, target, catalog)

        layers = len(keras.saving.load_model(source, compile=False).layers)  # also the warm-up
        nb_import()
        k, n = alternate(keras_load, nb_import, args.repeats)
        print(f"{name} ({layers} layers), {args.repeats} runs each")
        print(f"  keras.saving.load_model   median {k:.2f} s")
        print(f"  netbuilder import         median {n:.2f} s")
        print(f"  ratio import / keras load {n / k:.2f}x   {judge.check('ratio', n / k, 1.5)}")
    judge.finish()


if __name__ == "__main__":
    main()
