"""Importing NASNetMobile into the editor window until it is drawn, vs Keras loading the same file.

What a user waits for after File ▸ Import: the .keras file turned into a
laid-out project (off the GUI thread), then the project opened on the canvas
(771 cards and their wires built a slice at a time, the document checked)
and the window painted once. Timed from `window.files.import_model(...)` to the end of that
paint; each import writes a fresh project file. The baseline is
`keras.saving.load_model` of the same file, timed alternately in the same
process (this machine is small and noisy); the figure is the ratio of medians.

    python bench/bench_canvas_import.py [--repeats N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import alternate, application_file, application_name, editor_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    verdicts.add_arguments(parser, "MobileNetV2, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 1
    judge = verdicts.Verdicts.from_args(args)  # no goal yet: the figure is reported

    import keras
    from PySide6.QtCore import QSettings

    from netbuilder.catalog import load_catalog
    from netbuilder.ui.document import EditorDocument
    from netbuilder.ui.main_window import MainWindow

    checks: list[float] = []
    attach_keras = EditorDocument.attach_keras

    def timed_attach_keras(document: EditorDocument) -> None:
        # Only timed, not changed: opening a project runs its first shape check here.
        start = time.perf_counter()
        attach_keras(document)
        checks.append(time.perf_counter() - start)

    EditorDocument.attach_keras = timed_attach_keras  # type: ignore[method-assign]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app, loader = editor_app(folder)
        window = MainWindow(load_catalog(), loader, QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1440, 900)
        window.show()
        app.processEvents()
        name = application_name(args.quick)
        source = application_file(folder, name)
        splits: list[tuple[float, float, float]] = []  # (file import, opening and painting, shape check)

        def keras_load() -> None:
            keras.saving.load_model(source, compile=False)

        def canvas_import() -> None:
            target = folder / f"nasnet_{len(splits)}.nbproj"
            start = time.perf_counter()
            call = window.files.import_model(source, target)
            assert call is not None
            call.wait()
            imported = time.perf_counter()
            # The finished import reaches the window through the event loop; the canvas
            # then draws its cards a slice at a time, one per turn of the loop.
            while window.document is None or window.document.project.path != target or window.scene.is_loading:
                app.processEvents()
            assert window.scene is not None and len(window.scene.nodes) == len(window.document.graph)
            window.repaint()
            splits.append((imported - start, time.perf_counter() - imported, checks[-1]))

        layers = len(keras.saving.load_model(source, compile=False).layers)  # also the warm-up
        canvas_import()
        nodes = len(window.scene.nodes) if window.scene is not None else 0
        k, n = alternate(keras_load, canvas_import, args.repeats)
        file_part = statistics.median(s[0] for s in splits[1:])
        open_part = statistics.median(s[1] for s in splits[1:])
        check_part = statistics.median(s[2] for s in splits[1:])
        window.close()

    print(f"{name} ({layers} layers, {nodes} cards on the canvas), {args.repeats} runs each")
    print(f"  keras.saving.load_model (baseline)   median {k:.2f} s")
    print(f"  import into the window until painted median {n:.2f} s")
    print(f"    of which file import (background)  median {file_part:.2f} s")
    print(f"    of which open on canvas + paint    median {open_part:.2f} s")
    print(f"      of which first shape check       median {check_part:.2f} s   (GUI thread)")
    print(f"  ratio window import / keras load     {n / k:.2f}x")
    judge.finish()


if __name__ == "__main__":
    main()
