"""Activation previews: their cost for one image against one `model.predict`, and the window while they refresh.

Goals: every card's preview of MobileNetV2 (`keras.applications.MobileNetV2(weights=None)`
imported as a project, 155 layers) for one image — all outputs computed in one pass and
every picture and `QImage` built — in at most 2× one `model.predict` of that image (the
baseline, timed turn about in the same process); and no event-loop stall over 50 ms
while previews refresh during training. For the latter the real main window
(offscreen) trains the digits CNN example with View ▸ Activation Previews on, and a
5 ms heartbeat `QTimer` (as in bench_train_stall.py) records when the loop gets round
to it; the same run with previews off is measured alongside as the baseline.

    python bench/bench_previews.py [--repeats N] [--epochs N] [--quick]
                                   [--goal ratio=2] [--goal previews_stall_ms=50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import alternate, editor_app  # noqa: E402
from bench_train_stall import Heartbeat, pump  # noqa: E402

RATIO_GOAL = 2.0
STALL_GOAL_MS = 50.0


def mobilenet_previews(repeats: int) -> tuple[int, float, float, float]:
    """(layers, median predict s, median previews s, median s of its GUI-thread part) for one 224×224 image."""
    import keras
    import numpy as np

    from netbuilder.training.activations import ActivationProbe
    from netbuilder.keras_bridge.importer import model_to_project
    from netbuilder.ui.canvas.activation_preview import to_image

    project, _ = model_to_project(keras.applications.MobileNetV2(weights=None))
    probe = ActivationProbe(project, with_weights=False)
    model = probe.model
    image = np.random.default_rng(0).uniform(-1, 1, (224, 224, 3)).astype(np.float32)
    sample = {probe.input_names[0]: image}

    def predict() -> None:
        model.predict(image[None], verbose=0)

    gui: list[float] = []

    def previews() -> None:
        pictures = probe.pictures(sample)  # in the app: off the GUI thread
        start = time.perf_counter()
        images = [to_image(p) for p in pictures.values()]  # in the app: on the GUI thread
        gui.append(time.perf_counter() - start)
        assert len(images) == len(probe.node_ids)

    predict(), previews()  # warm-up: the first of each traces its function
    seconds = alternate(predict, previews, repeats)
    return len(probe.node_ids), *seconds, statistics.median(gui[1:])


def training_stalls(epochs: int, runs: int) -> tuple[list[dict[str, float]], list[dict[str, float]], list[int], float]:
    """Longest stalls while fitting the digits CNN: (previews off, previews on, refreshes during each on
    run, the longest the GUI thread spent putting one refresh's pictures on the cards in s)."""
    from PySide6.QtCore import QSettings

    from netbuilder.catalog import load_catalog
    from netbuilder.resources import example_path
    from netbuilder.ui.activation_view import ActivationPreviews
    from netbuilder.ui.main_window import open_window

    shown: list[float] = []
    show = ActivationPreviews._show

    def timed_show(self: ActivationPreviews) -> None:  # only timed, not changed: the GUI thread's part
        start = time.perf_counter()
        show(self)
        shown.append(time.perf_counter() - start)

    ActivationPreviews._show = timed_show  # type: ignore[method-assign]

    off: list[dict[str, float]] = []
    on: list[dict[str, float]] = []
    refreshes: list[int] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["NETBUILDER_RUNS_DIR"] = str(tmp / "runs")
        project = tmp / "digits.nbproj"
        shutil.copy(example_path("digits_cnn"), project)
        doc = json.loads(project.read_text())
        doc["training"]["epochs"] = epochs
        project.write_text(json.dumps(doc))
        app, loader = editor_app(tmp)
        window = open_window(load_catalog(), loader, path=project,
                             settings=QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1440, 900)
        window.show()
        pump(app, lambda: window.training is not None, 60)
        panel = window.training
        assert panel is not None
        window.bottom.setCurrentWidget(panel)
        pump(app, lambda: not panel.why_not_train(), 60)
        previews = window.previews
        beat = Heartbeat()

        def one_run(with_previews: bool) -> None:
            window.actions["activations"].setChecked(with_previews)
            previews.set_enabled(with_previews)
            if with_previews:
                shown = previews.refreshes
                pump(app, lambda: previews.refreshes > shown, 60)  # the untrained model's previews first
            before = previews.refreshes
            first_batch: list[float] = []

            def running() -> bool:
                if not first_batch and panel.session is not None and panel._progress.batch > 0:
                    first_batch.append(time.perf_counter())
                return panel.session is None

            beat.start()
            window.train()
            pump(app, running)
            ended = time.perf_counter()
            beat.stop()
            (on if with_previews else off).append(beat.stalls(start=first_batch[0], end=ended))
            if with_previews:
                refreshes.append(previews.refreshes - before)

        for _ in range(runs):
            one_run(False)
            one_run(True)
        window.document.stack.set_clean()
        window.close()
    return off, on, refreshes, max(shown)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    verdicts.add_arguments(parser, "1 repeat, 1 run of 10 epochs each way")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.epochs, args.runs = 1, 10, 1
    judge = verdicts.Verdicts.from_args(args)

    layers, predict_s, previews_s, gui_s = mobilenet_previews(args.repeats)
    ratio = previews_s / predict_s
    print(f"MobileNetV2 (weights=None, imported as a project): {layers} cards, one 224×224 image, "
          f"{args.repeats} runs each, timed turn about")
    print(f"  model.predict (baseline)                 median {predict_s * 1000:7.1f} ms")
    print(f"  every card's preview (outputs + images)  median {previews_s * 1000:7.1f} ms")
    print(f"    of which QImages (GUI thread)          median {gui_s * 1000:7.1f} ms")
    print(f"  ratio previews / predict {ratio:.2f}x {judge.check('ratio', ratio, RATIO_GOAL, 'x')}")

    off, on, refreshes, gui_most = training_stalls(args.epochs, args.runs)
    off_max = statistics.median(s["max"] for s in off)
    on_max = statistics.median(s["max"] for s in on)
    print(f"digits CNN trained {args.epochs} epochs in the window, {args.runs} run(s) each way; "
          f"previews refreshed {', '.join(map(str, refreshes))} time(s) during the on runs")
    print(f"  previews off (baseline)  longest stall {off_max:6.1f} ms median, worst "
          f"{max(s['max'] for s in off):6.1f} ms   p99 {statistics.median(s['p99'] for s in off):5.1f} ms")
    print(f"  previews on              longest stall {on_max:6.1f} ms median, worst "
          f"{max(s['max'] for s in on):6.1f} ms   p99 {statistics.median(s['p99'] for s in on):5.1f} ms")
    print(f"  longest stall while previews refresh {on_max:.1f} ms "
          f"{judge.check('previews_stall_ms', on_max, STALL_GOAL_MS, ' ms')}; "
          f"ratio on / off {on_max / max(off_max, 1.0):.2f}")
    print(f"  GUI-thread work per refresh (pictures onto the cards) at most {gui_most * 1000:.1f} ms")
    if min(refreshes) == 0:
        raise SystemExit("the previews never refreshed during training: nothing was measured")
    judge.finish()


if __name__ == "__main__":
    main()
