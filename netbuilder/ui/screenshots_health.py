"""Screenshots of training health: per-layer norm curves, and a warning where the user looks.

`shots(app, window, out)` is called by the screenshot run (`netbuilder.ui.screenshots`)
with its window; `python -m netbuilder.ui.screenshots_health [OUT_DIR]` takes these
two alone, with a throw-away settings file, recovery folder and runs folder.
Both train for real: the digits CNN example as it ships (healthy, every layer's
curves), then the tips example with a learning rate far too high: its
gradients explode and its ReLU layer dies, and both warnings show in the
message area, the status line and the Health tab.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from netbuilder.catalog import load_catalog  # noqa: E402
from netbuilder.ui.keras_loader import KerasLoader  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import (  # noqa: E402
    SIZE, TRAINING_DOCK_HEIGHT, _save, _set_learning_rate, _settle, _train)

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
    _save(window, out, "health_plot")

    _health_tab(app, window, "tips_regression")
    _set_learning_rate(window, TOO_HIGH_RATE)
    _train(app, window)
    _settle(app, window)
    _save(window, out, "health_warning")
    assert window.document is not None
    window.document.stack.set_clean()  # the raised learning rate is no change to keep


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-shots-"))
    os.environ["NETBUILDER_RECOVERY_DIR"] = str(scratch / "recovery")
    os.environ["NETBUILDER_RUNS_DIR"] = str(scratch / "runs")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loader = KerasLoader()
    loader.wait()
    app.processEvents()
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_catalog(), loader, settings)
    window.files.ask_save_changes = lambda name: QMessageBox.StandardButton.Discard
    window.resize(*SIZE)
    window.show()
    shots(app, window, out)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
