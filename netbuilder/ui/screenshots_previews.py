"""Screenshots of activation previews (the digits CNN, one card's output large) and of an augmentation grid.

`shots(app, window, out)` is called by the screenshot run (`netbuilder.ui.screenshots`)
with its window; `python -m netbuilder.screenshots OUT_DIR previews` takes these
alone. The digits CNN is
trained for a few epochs first (with the previews on, as a user would watch them),
so its feature maps show strokes rather than noise; the augmentation grid is the
same CNN with RandomFlip, RandomRotation, RandomZoom and RandomContrast in front.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.resources import example_path  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import _save, _settle  # noqa: E402

TRAIN_EPOCHS = 8
AUGMENTATIONS = [("flip", "RandomFlip", {"mode": "horizontal"}), ("turn", "RandomRotation", {"factor": 0.1}),
                 ("zoom", "RandomZoom", {"height_factor": 0.2}), ("contrast", "RandomContrast", {"factor": 0.5})]


def _wait(app: QApplication, done: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("the screenshot waited too long")
        app.processEvents()
        time.sleep(0.01)


def _digits_copy(folder: Path, augment: bool) -> Path:
    """The digits example in `folder` (runs beside it), trained briefly; with augmentation layers in front."""
    doc = json.loads(example_path("digits_cnn").read_text(encoding="utf-8"))
    doc["training"]["epochs"] = TRAIN_EPOCHS
    if augment:
        nodes, edges = doc["graph"]["nodes"], doc["graph"]["edges"]
        first = edges[0]["target"]
        for i, (nid, layer, config) in enumerate(AUGMENTATIONS):
            nodes.insert(1 + i, {"id": nid, "layer": layer, "config": config, "position": [280, 60 + 120 * i]})
        chain = ["image", *(a[0] for a in AUGMENTATIONS), first]
        edges[0:1] = [{"source": a, "target": b} for a, b in zip(chain, chain[1:])]
    path = folder / ("digits_augmented.nbproj" if augment else "digits.nbproj")
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """Activation previews of the digits CNN after training, the conv layer's large view, an augmentation grid."""
    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-preview-shots-"))
    window.files.open_path(_digits_copy(scratch, augment=False))
    _settle(app, window)
    previews = window.previews
    window.actions["activations"].setChecked(True)
    previews.set_enabled(True)
    _wait(app, lambda: window.training is not None and not window.training.why_not_train())
    assert window.training is not None and window.view is not None
    window.bottom.setCurrentWidget(window.training)
    window.train()
    _wait(app, lambda: window.training is not None and window.training.session is None and previews.refreshes >= 3)
    _wait(app, lambda: previews._running is None)  # the refresh after the run, with the saved weights
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "25_activation_previews")
    large = previews.open_large("conv")
    assert large is not None
    large.resize(560, 520)
    _settle(app, window)
    _save(large, out, "26_activation_large_view")
    large.close()
    window.actions["activations"].setChecked(False)
    previews.set_enabled(False)

    window.files.open_path(_digits_copy(scratch, augment=True))
    _settle(app, window)
    grid = window.show_augmentation()
    assert grid is not None
    _wait(app, lambda: grid.refreshes >= 1)
    _settle(app, window)
    _save(grid, out, "27_augmentation_grid")
    grid.close()
