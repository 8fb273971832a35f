"""Screenshots of per-layer cost: cards with cost badges, and the chart of the heaviest layers.

`shots(app, window, out)` is called by the screenshot run (`netbuilder.ui.screenshots`)
with its window; `python -m netbuilder.screenshots OUT_DIR cost` takes these
alone. The chart is
shown for MobileNetV2 (weights=None, nothing downloaded), imported as a user
would import it, so it has enough layers for the ranking to mean something.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.resources import example_path  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import _save, _settle  # noqa: E402

CHART_DOCK_HEIGHT = 420
COST_WAIT_S = 10.0


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """Cost badges on the digits CNN (its heavy cards marked), then MobileNetV2's heaviest layers."""
    window.files.open_path(example_path("digits_cnn"))
    window.badges_action.setChecked(True)
    assert window.cost_panel is not None and window.view is not None
    window.bottom.setCurrentWidget(window.cost_panel)
    _costed(app, window)
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "23_cost_badges")

    import keras

    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-cost-shots-"))
    model_path = scratch / "mobilenet_v2.keras"
    keras.applications.MobileNetV2(weights=None).save(model_path)
    call = window.files.import_model(model_path, scratch / "mobilenet_v2.nbproj")
    assert call is not None
    call.wait()
    _settle(app, window)
    assert window.cost_panel is not None and window.document is not None
    window.bottom.setCurrentWidget(window.cost_panel)
    window.resizeDocks([window.bottom_dock], [CHART_DOCK_HEIGHT], Qt.Orientation.Vertical)  # room for every bar
    _costed(app, window)
    chart = window.cost_panel.chart
    assert chart is not None and chart.names
    window.view.set_zoom(0.8)  # near enough to read the badges of the cards around it
    window.gestures.reveal_node("", chart.names[0])  # what a click on the top bar does
    _settle(app, window)
    _save(window, out, "24_cost_heaviest_layers")
    window.badges_action.setChecked(False)
    window.document.stack.set_clean()


def _costed(app: QApplication, window: MainWindow) -> None:
    """Settle, then wait for the costs: they follow the check after a short pause (see `CostWatch`)."""
    _settle(app, window)
    assert window.cost_panel is not None
    deadline = time.monotonic() + COST_WAIT_S
    while not window.cost_panel.costs.total and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    _settle(app, window)
