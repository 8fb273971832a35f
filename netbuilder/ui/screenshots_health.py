"""Screenshots of training health: per-layer norm curves, and a warning where the user looks.

`shots(app, window, out)` is called by the screenshot run (`netbuilder.ui.screenshots`)
with its window; `python -m netbuilder.screenshots OUT_DIR health` takes these
alone.
Both train for real: the digits CNN example as it ships (healthy, every layer's
curves), then the tips example with a learning rate far too high: its
gradients explode and its ReLU layer dies, and both warnings show in the
message area, the status line and the Health tab; then the canvas close up,
with the health marks on the cards the warnings name, the first warning
clicked (its card selected).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.ui.canvas.health_mark import HealthMark  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import (  # noqa: E402
    TRAINING_DOCK_HEIGHT, _save, _set_learning_rate, _settle, _train)

TOO_HIGH_RATE = 3.0  # for the tips example with Adam: gradients explode and the hidden ReLU layer dies


def _health_tab(app: QApplication, window: MainWindow, example: str) -> None:
    window.files.open_example(example)
    _settle(app, window)
    panel = window.training
    assert panel is not None and window.view is not None
    window.bottom.setCurrentWidget(panel)
    window.resizeDocks([window.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)
    panel.views.setCurrentWidget(panel.health)
    _settle(app, window)
    window.view.fit_all()


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """The Health tab after a healthy run of the digits CNN, then after a run that went wrong."""
    _health_tab(app, window, "digits_cnn")
    _train(app, window)
    _settle(app, window)
    _save(window, out, "30_health_plot")

    _health_tab(app, window, "tips_regression")
    _set_learning_rate(window, TOO_HIGH_RATE)
    _train(app, window)
    _settle(app, window)
    _save(window, out, "31_health_warning")

    panel, view = window.training, window.view
    assert panel is not None and view is not None and window.scene is not None
    view.resetTransform()
    view.scale(1.3, 1.3)  # close enough to read the tags
    marked = [card for card in window.scene.nodes.values()
              if any(isinstance(item, HealthMark) for item in card.childItems())]
    assert len(marked) == 2, "both warnings should mark the cards they name"
    dead = next(layer for layer, text in zip(panel.health.warned_layers, panel.health.warnings) if "dead ReLU" in text)
    panel.health.layer_chosen.emit(dead)  # as a click on its warning does: the card is selected and centred
    _settle(app, window)
    _save(window, out, "33_health_mark_card")
    assert window.document is not None
    window.document.stack.set_clean()  # the raised learning rate is no change to keep
