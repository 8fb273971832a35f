"""Screenshots of the deployment check: a card marked for TFLite, and the Export dialog listing it.

`shots(app, window, out)` is called by the screenshot run (`netbuilder.ui.screenshots`)
with its window; `python -m netbuilder.screenshots OUT_DIR deploy` takes these
alone. Both use the
bundled `language_id` example, whose TextVectorization card is the one a
phone (TFLite built-ins) or ONNX cannot run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.resources import example_path  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.ui.screenshots import _save, _settle  # noqa: E402


def _until(app: QApplication, done: object, seconds: float = 120) -> None:
    """Let the event loop deliver a background check's answer (`done` is a callable)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.01)


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """View ▸ Deployment Target ▸ TFLite on the language example, then File ▸ Export… with ONNX chosen."""
    window.files.open_path(example_path("language_id"))
    _settle(app, window)
    assert window.view is not None and window.scene is not None
    window.deploy.set_target("tflite")
    _until(app, lambda: window.deploy.call is None)
    window.view.fit_all()
    window.scene.select_nodes(["words"])
    _settle(app, window)
    _save(window, out, "28_deploy_check_cards")

    dialog = window.export()
    assert dialog is not None
    dialog.select_format("onnx")
    _until(app, lambda: dialog.deploy_list.call is None and "…" not in dialog.deploy_list.text())
    _settle(app, window)
    _save(dialog, out, "29_deploy_check_export_dialog")
    dialog.close()
    window.deploy.set_target("")
