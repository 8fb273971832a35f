"""Screenshots of data at the model's edge: a text dataset in the Data tab, the preprocessing block.

Called by `netbuilder.ui.screenshots.main` with its window; kept apart so
that script stays about the editor and training scenes it already shows.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from netbuilder.ui.main_window import MainWindow

DATA_DOCK_HEIGHT = 420


def shots(app: QApplication, window: MainWindow, out: Path) -> None:
    from netbuilder.ui.screenshots import _save, _settle

    # The language_id example: a folder of .txt files per class, previewed with counts and first lines.
    window.files.open_example("language_id")
    _settle(app, window)
    panel = window.training
    assert panel is not None and window.view is not None
    window.bottom.setCurrentWidget(panel)
    window.resizeDocks([window.bottom_dock], [DATA_DOCK_HEIGHT], Qt.Orientation.Vertical)
    panel.forms.setCurrentIndex(0)  # the Data tab
    _settle(app, window)  # the preview is read as the tab shows
    panel.views.setCurrentWidget(panel.data_form.preview_table)
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "20_data_tab_text")

    # The tips example with its preprocessing block: raw columns in, the block, the Dense layers after it.
    window.files.open_example("tips_regression")
    _settle(app, window)
    window.bottom.setCurrentWidget(window.training)
    window.training.forms.setCurrentIndex(0)
    _settle(app, window)
    window.actions["preprocessing"].trigger()
    _settle(app, window)
    window.view.fit_all()  # type: ignore[union-attr]
    _settle(app, window)
    _save(window, out, "21_preprocessing_block")
    window.set_scope("preprocessing")
    _settle(app, window)
    window.view.fit_all()  # type: ignore[union-attr]
    _settle(app, window)
    _save(window, out, "22_preprocessing_block_opened")
    window.set_scope("")
    window.document.stack.set_clean()  # type: ignore[union-attr]
