"""Frame time while panning big canvases (NASNetMobile, 10,000 layers of each shape), vs a small graph, at four zooms.

What a user feels when dragging a big imported model around: each frame moves
the camera a few pixels (`GraphView.pan_by`, what a middle-button drag does)
and repaints the canvas synchronously (`viewport().repaint()`); that pair is
timed. Zooms: 1.0 (readable cards with labels), 0.35 (mid), 0.1 (a third
of the graph on screen) and whatever "fit all" picks (the whole graph: it is
about 4,000 x 23,000 scene pixels). The baseline is the same camera path over the small
`mlp_128_10` example in a second window of the same size, frame for frame
alternately in the same process (the machine is small and noisy). The 60 fps
budget is 16.7 ms a frame. Offscreen Qt paints in software, so these are
software-rendering figures, reported as measured. The same is done for
10,000-layer projects of each shape of big_graphs.py (`--shapes`): residual (a
ResNet-like column of blocks; "fit all" shows all 1.1 million scene units of
it), chain (one column, 1.1 million units tall) and fan (one Input feeding
9,998 Dense layers side by side into one Concatenate: 20,000 wires, most of
which cross the whole window at close zoom), each opened like any project:
checked by Keras, drawn a slice at a time, measured, then closed. Every big
graph's p95 at every zoom is judged.

    python bench/bench_pan.py [--frames N] [--layers N] [--shapes residual,chain,fan] [--quick]
                              [--goal frame_p95_ms=16.7]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import application_file, application_name, editor_app  # noqa: E402
from big_graphs import SHAPES, write_big_project  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.catalog import Catalog, load_catalog  # noqa: E402
from netbuilder.ui.canvas.node_item import NodeItem  # noqa: E402
from netbuilder.ui.canvas.view import GraphView  # noqa: E402
from netbuilder.ui.keras_loader import KerasLoader  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402

SIZE = (1440, 900)
ZOOMS = (1.0, 0.35, 0.1)
BUDGET_MS = 1000 / 60
STEP_PX = 8  # per frame: a brisk drag, about 500 px a second at 60 fps


def camera_path(frames: int) -> list[tuple[int, int]]:
    """Screen-pixel moves tracing a square (right, down, left, up) back to where it began."""
    side = max(1, math.ceil(frames / 4))
    moves = [(STEP_PX, 0)] * side + [(0, STEP_PX)] * side + [(-STEP_PX, 0)] * side + [(0, -STEP_PX)] * side
    return moves[:frames]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def cards_on_screen(view: GraphView) -> int:
    return sum(isinstance(item, NodeItem) for item in view.items(view.viewport().rect()))


def open_window(app: QApplication, catalog: Catalog, loader: KerasLoader, folder: Path, name: str) -> MainWindow:
    window = MainWindow(catalog, loader, QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat))
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    return window


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=200, help="timed frames per zoom and graph")
    parser.add_argument("--layers", type=int, default=10_000, help="layers of the generated big graph")
    parser.add_argument("--shapes", help=f"big_graphs shapes to generate, comma-separated (default {','.join(SHAPES)})")
    verdicts.add_arguments(parser, "MobileNetV2, 3 frames per zoom, one 300-layer generated graph")
    args = parser.parse_args()
    if args.quick:
        args.frames, args.layers = 3, 300
    shapes = (args.shapes or (SHAPES[0] if args.quick else ",".join(SHAPES))).split(",")
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown:
        parser.error(f"unknown shapes {', '.join(unknown)}: choose from {', '.join(SHAPES)}")
    judge = verdicts.Verdicts.from_args(args)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app, loader = editor_app(folder)
        catalog = load_catalog()
        small = open_window(app, catalog, loader, folder, "small")
        small.files.open_example("mlp_128_10")
        app.processEvents()
        counts = {"mlp_128_10": len(small.scene.nodes)}

        application = application_name(args.quick)

        def imported(window: MainWindow) -> None:
            call = window.files.import_model(application_file(folder, application), folder / "nasnet.nbproj")
            assert call is not None
            call.wait()

        def generated(shape: str) -> Callable[[MainWindow], object]:
            return lambda window: window.files.open_path(write_big_project(folder / f"{shape}.nbproj", shape, args.layers))

        bigs = {application: imported, **{f"{shape} {args.layers:,}": generated(shape) for shape in shapes}}
        moves = camera_path(args.frames)
        rows: list[tuple[str, str, float, dict[str, list[float]], int]] = []
        for name, open_big in bigs.items():  # one at a time: each 10,000-layer project holds its Keras layers
            big = open_window(app, catalog, loader, folder, name.split()[0])
            open_big(big)
            while big.document is None or big.scene is None or big.scene.is_loading:
                app.processEvents()  # checked off the GUI thread, then drawn a slice at a time
            counts[name] = len(big.scene.nodes)
            for zoom in (*ZOOMS, None):
                if zoom is None:  # "fit all" on the big graph; the small one at the same zoom
                    big.view.fit_all()
                    zoom = big.view.zoom
                    small.view.set_zoom(zoom)
                    small.view.centerOn(small.scene.items_rect().center())
                    label = "fit all"
                else:
                    for view in (big.view, small.view):
                        view.set_zoom(zoom)
                        view.centerOn(view.scene().items_rect().center())
                    label = "zoom"
                views = {name: big.view, "mlp_128_10": small.view}
                for view in views.values():
                    view.viewport().repaint()  # the zoom's own repaint (and card caches) is not a pan frame
                rows.append((name, label, zoom, pan_frames(app, views, moves), cards_on_screen(big.view)))
            big.document.stack.set_clean()
            big.close()
        small.document.stack.set_clean()
        small.close()

    print(f"Panning at {SIZE[0]}x{SIZE[1]}, {args.frames} frames per zoom (pan_by {STEP_PX} px + synchronous repaint),"
          f" software rendering")
    print(f"  {'; '.join(f'{name}: {count:,} cards' for name, count in counts.items())} (mlp_128_10: the baseline);"
          f" 60 fps budget {BUDGET_MS:.1f} ms a frame")
    for name, label, zoom, times, on_screen in rows:
        big_t, small_t = times[name], times["mlp_128_10"]
        big_med, small_med = statistics.median(big_t) * 1000, statistics.median(small_t) * 1000
        verdict = judge.check("frame_p95_ms", p95(big_t) * 1000, round(BUDGET_MS, 1), " ms")
        print(f"  {name:16s} {label} {zoom:6.4f} ({on_screen:5,d} cards on screen): median {big_med:5.1f} ms,"
              f" p95 {p95(big_t) * 1000:5.1f} ms {verdict}"
              f" | mlp_128_10 median {small_med:4.1f} ms, p95 {p95(small_t) * 1000:4.1f} ms | ratio big / small {big_med / small_med:5.2f}x")
    judge.finish()


def pan_frames(app: QApplication, views: dict[str, GraphView], moves: list[tuple[int, int]]) -> dict[str, list[float]]:
    """Seconds per frame for each view, the views taking turns frame by frame."""
    times: dict[str, list[float]] = {name: [] for name in views}
    for dx, dy in moves:
        for name, view in views.items():
            start = time.perf_counter()
            view.pan_by(dx, dy)
            view.viewport().repaint()
            times[name].append(time.perf_counter() - start)
            app.processEvents()  # outside the timing: whatever else Qt queued meanwhile
    return times

if __name__ == "__main__":
    main()
