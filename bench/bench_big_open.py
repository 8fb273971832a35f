"""Opening projects of 1,000, 3,000 and 10,000 layers in the window, vs Keras building the same models.

What a user waits for after File ▸ Open on a big project: the file read, the
first shape check (every Keras layer made, off the GUI thread), then the
canvas drawing every card and wire a slice at a time, until the window has
painted the whole graph with its shapes. Timed from `files.open_path` in the
real main window (offscreen, 1440x900, TensorFlow loaded) until the canvas is
complete and painted; meanwhile a 5 ms heartbeat QTimer (bench_train_stall's)
records the longest stall of the event loop, i.e. how long the window would
not answer. The three shapes come from big_graphs.py (chain, residual, fan).
The baseline, timed just before each open in the same process: Keras building
the same model symbolically, keras.Input and one layer call per node, no
weights touched beyond what building makes. Each project is closed before the
next one (and its layers released) outside the timings.

Then, in the biggest project of each shape, with the Model summary tab
showing, one edit as bench_revalidate makes it (a node and the wire feeding
it from a random layer, one undo step) and its undo, each timed by the same
heartbeat from the push until the window has settled (the check, the
canvas, the summary's coalesced refresh and the repaint: 0.4 s): first at
the zoom the project opened with ("fit all": the far-out overview), then at
100% centred on the edit. The autosave timer is stopped for these: writing
a 10,000-layer recovery copy is timed on its own and reported, not judged
(recovery.py writes it on the GUI thread every 5 s while there are unsaved
changes).

Goals: at 10,000 layers opening takes at most 3x the Keras build, for every
shape; no stall over 250 ms while opening, at any size; and no stall over
50 ms in an edit or its undo at 10,000 layers.

    python bench/bench_big_open.py [--sizes 1000,3000,10000] [--shapes chain,residual,fan] [--edits N] [--quick]
                                   [--goal ratio=3] [--goal stall_ms=250] [--goal edit_stall_ms=50]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import editor_app  # noqa: E402
from big_graphs import SHAPES, big_project, write_big_project  # noqa: E402
from bench_train_stall import Heartbeat, pump  # noqa: E402

RATIO_GOAL = 3.0
STALL_GOAL_MS = 250.0
EDIT_GOAL_MS = 50.0
JUDGED_SIZE = 10_000
SETTLE_S = 0.4  # after an edit: the check, the summary's coalesced refresh (150 ms) and the repaint


def keras_build(doc: dict[str, Any]) -> None:
    """The model of a project document, built the way one writes it in Keras: an Input, then layer calls."""
    import keras

    incoming: dict[str, list[dict[str, Any]]] = {}
    for edge in doc["graph"]["edges"]:
        incoming.setdefault(edge["target"], []).append(edge)
    tensors: dict[str, Any] = {}
    for node in doc["graph"]["nodes"]:  # big_graphs lists every node after its inputs
        if node["layer"] == "Input":
            tensors[node["id"]] = keras.Input(shape=tuple(node["config"]["shape"]))
            continue
        edges = sorted(incoming[node["id"]], key=lambda e: e.get("target_port", 0))
        inputs = [tensors[e["source"]] for e in edges]
        layer = getattr(keras.layers, node["layer"])(**node["config"])
        tensors[node["id"]] = layer(inputs if len(inputs) > 1 else inputs[0])


def edit_stalls(app: Any, window: Any, beat: Heartbeat, edits: int, zoomed: bool) -> list[float]:
    """The longest stall (ms) of each edit and of each undo, as bench_revalidate edits (`zoomed`: at 100% on it)."""
    from netbuilder.graph import AddNode, Compound, Connect, Edge, Node

    document = window.document
    graph = document.graph
    rng = random.Random(0)
    sources = [n.id for n in graph.nodes if n.layer != "Input"]
    stalls = []
    for i in range(edits):
        source = rng.choice(sources)
        x, y = graph.node(source).position
        if zoomed:
            window.view.set_zoom(1.0)
            window.view.centerOn(x, y)
            pump_for(app, SETTLE_S)  # moving the camera is not part of the edit
        probe = Node(f"probe_{i}", "Activation", {"activation": "relu"}, position=(x + 40.0, y + 150.0))
        step = Compound("probe", [AddNode(graph, probe), Connect(graph, Edge(source, probe.id))])
        for act in (lambda: document.push(step), document.undo):
            beat.start()
            act()
            pump_for(app, SETTLE_S)
            beat.stop()
            stalls.append(beat.stalls()["max"])
    return stalls


def autosave_stall(app: Any, window: Any, beat: Heartbeat) -> float:
    """The longest stall (ms) while the autosaver writes the open project's recovery copy."""
    from netbuilder.graph import AddNode, Node

    document = window.document
    document.push(AddNode(document.graph, Node("unsaved", "Activation", {"activation": "relu"}, position=(0.0, -300.0))))
    pump_for(app, SETTLE_S)
    beat.start()
    window.autosaver.autosave_now()
    pump_for(app, 0.05)
    beat.stop()
    document.undo()
    return beat.stalls()["max"]


def pump_for(app: Any, seconds: float) -> None:
    until = time.perf_counter() + seconds
    pump(app, lambda: time.perf_counter() > until)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,3000,10000", help="layers per project, comma-separated")
    parser.add_argument("--shapes", help=f"big_graphs shapes, comma-separated (default {','.join(SHAPES)})")
    parser.add_argument("--edits", type=int, default=5, help="edits (each undone) per zoom in the biggest projects")
    verdicts.add_arguments(parser, "one 300-layer chain")
    args = parser.parse_args()
    sizes = [300] if args.quick else [int(s) for s in args.sizes.split(",")]
    edits = 1 if args.quick else args.edits
    shapes = (args.shapes or (SHAPES[0] if args.quick else ",".join(SHAPES))).split(",")
    judge = verdicts.Verdicts.from_args(args)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app, loader = editor_app(folder)
        from PySide6.QtCore import QSettings

        from netbuilder.catalog import load_catalog
        from netbuilder.ui.main_window import MainWindow
        from netbuilder.ui.training_tab import TRAINING_PANEL_MODULE

        # The app imports the Training tab's libraries in the background at launch (see app.run);
        # here, before the clock starts, so the first open does not pay for them.
        importlib.import_module(TRAINING_PANEL_MODULE)

        window = MainWindow(load_catalog(), loader, QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1440, 900)
        window.show()
        app.processEvents()
        beat = Heartbeat()
        rows = []
        edit_rows = []
        for shape in shapes:
            for size in sizes:
                path = write_big_project(folder / f"{shape}_{size}.nbproj", shape, size)
                doc = big_project(shape, size)
                start = time.perf_counter()
                keras_build(doc)
                keras_s = time.perf_counter() - start
                del doc
                gc.collect()  # the baseline's own garbage, not the window's to collect while it opens

                beat.start()
                start = time.perf_counter()
                window.files.open_path(path)
                shown: list[float] = []

                def opened() -> bool:
                    if not shown and window.document is not None:
                        shown.append(time.perf_counter())
                    return window.scene is not None and not window.scene.is_loading

                pump(app, opened)
                window.repaint()
                open_s = time.perf_counter() - start
                beat.stop()
                scene, document = window.scene, window.document
                assert scene is not None and document is not None and document.keras_ready
                assert len(scene.nodes) == size and len(scene.wires) == len(document.graph.edges)
                last = document.graph.nodes[-1].id
                assert scene.nodes[last].look.shapes.startswith("→ (None, "), scene.nodes[last].look.shapes
                stall = beat.stalls()["max"]
                rows.append((shape, size, keras_s, open_s, shown[0] - start, stall))
                print(f"  {shape:8s} {size:6,d} layers: keras build {keras_s:6.1f} s | open {open_s:6.1f} s"
                      f" (shown after {shown[0] - start:5.1f} s) | ratio {open_s / keras_s:4.2f}x"
                      f" | longest stall {stall:5.0f} ms", flush=True)
                if size == max(sizes):
                    assert window.summary is not None and window.autosaver is not None
                    window.bottom.setCurrentWidget(window.summary)
                    pump_for(app, 1.0)  # the summary fills in as it shows
                    window.autosaver.discard()  # its timer would land in an edit's window at random: timed apart
                    far = edit_stalls(app, window, beat, edits, zoomed=False)
                    near = edit_stalls(app, window, beat, edits, zoomed=True)
                    saving = autosave_stall(app, window, beat)
                    edit_rows.append((shape, size, far, near, saving))
                    print(f"  {'':8s} {'':6s}  edit and undo, longest stalls: fit all {max(far):4.0f} ms,"
                          f" at 100% {max(near):4.0f} ms | autosave {saving:4.0f} ms", flush=True)
                document.stack.set_clean()
                window.show_project(None)
                settle = time.perf_counter() + 2.0  # the closed project's layers are released meanwhile
                pump(app, lambda: time.perf_counter() > settle)
        window.close()

    print(f"Opening big projects in the window (1440x900, offscreen) vs Keras building the same model;"
          f" goals at {JUDGED_SIZE:,} layers: ratio <= {RATIO_GOAL:g}, and every stall <= {STALL_GOAL_MS:g} ms")
    for shape, size, keras_s, open_s, shown_s, stall in rows:
        ratio = open_s / keras_s
        verdict = judge.check("ratio", ratio, RATIO_GOAL, "x") if size >= JUDGED_SIZE else "(growth, not judged)"
        print(f"  {shape:8s} {size:6,d}: keras {keras_s:6.1f} s, window {open_s:6.1f} s"
              f" (checked off the GUI thread for {shown_s:5.1f} s, then drawn), ratio {ratio:4.2f}x {verdict}")
        stall_verdict = judge.check("stall_ms", stall, STALL_GOAL_MS, " ms")
        print(f"  {'':8s} {'':6s}  longest stall {stall:5.0f} ms {stall_verdict}")
    print(f"One edit (a node and its wire) and its undo, {edits} of each per zoom, the Model summary tab showing;"
          f" goal at {JUDGED_SIZE:,} layers: every stall <= {EDIT_GOAL_MS:g} ms")
    for shape, size, far, near, saving in edit_rows:
        for label, stalls in (("fit all", far), ("at 100%", near)):
            verdict = (judge.check("edit_stall_ms", max(stalls), EDIT_GOAL_MS, " ms") if size >= JUDGED_SIZE
                       else "(growth, not judged)")
            print(f"  {shape:8s} {size:6,d}, {label:7s}: longest stall {max(stalls):4.0f} ms,"
                  f" median {sorted(stalls)[len(stalls) // 2]:4.0f} ms {verdict}")
        print(f"  {shape:8s} {size:6,d}, autosave of the recovery copy (recovery.py, not judged here):"
              f" longest stall {saving:4.0f} ms")
    judge.finish()


if __name__ == "__main__":
    main()
