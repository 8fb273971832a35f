"""Screenshot of the learning-rate finder: the tips example's range test, its suggestion marked.

`shots(app, window, out)` takes it with the screenshot run's window (as
`netbuilder.ui.screenshots_cost` does); `python -m netbuilder.screenshots
OUT_DIR lr` takes it alone.
The test runs for real on the bundled tips data, driven through the panel as
the Find button drives it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import TRAINING_DOCK_HEIGHT, _save, _settle  # noqa: E402

TIMEOUT_S = 120


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """The Settings form beside the finished range test of the tips example."""
    window.files.open_example("tips_regression")
    _settle(app, window)
    panel = window.training
    assert panel is not None and window.view is not None
    window.bottom.setCurrentWidget(panel)
    window.resizeDocks([window.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)
    panel.forms.setCurrentIndex(1)  # the Settings tab, where the Find button is
    _settle(app, window)
    window.view.fit_all()
    panel.find_learning_rate()
    deadline = time.monotonic() + TIMEOUT_S
    while panel.lr_finder.is_running and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    _settle(app, window)
    _save(window, out, "32_lr_finder")
