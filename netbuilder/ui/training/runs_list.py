"""The list of past runs of a project, newest first, each with a box to lay its curves over the plots.

A run is read back from its folder (`list_runs`), so the list shows what is on
disk — also runs made with `netbuilder train` — and survives restarts. Ticking
a run asks for its curves to be overlaid; the selected row is the run whose
history "Export history CSV…" writes. The Strategy column shows how the run
was spread over devices, as its settings.json records it ("mirrored ×2"); runs made
before strategies existed trained on one device and say "default".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.training.runs import RunInfo

# The number runs are compared by comes first, where it is never cut off; then how the run was spread.
HEADERS = ("Run", "Result", "Strategy", "Status", "Epochs")
_PATH = Qt.ItemDataRole.UserRole
_RESULT_KEYS = ("val_rmse", "rmse", "val_accuracy", "accuracy", "val_loss", "loss")


def result_text(final: dict[str, float]) -> str:
    """The one number a user compares runs by: validation RMSE if there is one, else the best match."""
    for key in _RESULT_KEYS:
        if key in final:
            return f"{key} {final[key]:.3g}"
    return ""


def strategy_text(run: RunInfo) -> str:
    """`default`, or the strategy and its replicas in sync (`mirrored ×2`) as the run recorded them."""
    if run.strategy == "default":
        return "default"
    return f"{run.strategy} ×{run.replicas}" if run.replicas is not None else run.strategy


class RunsList(QWidget):
    """Past runs with overlay check boxes; `overlay_toggled(name, path, on)` when one is ticked."""

    overlay_toggled = Signal(str, object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setToolTip("Tick runs to lay their curves over the plots (validation dashed)")
        self.tree.headerItem().setToolTip(HEADERS.index("Strategy"),
                                          "How the run was spread over devices, and how many replicas trained in sync")
        self.tree.itemChanged.connect(self._item_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._filling = False

    def show_runs(self, runs: list[RunInfo]) -> None:
        """Show `runs` (newest first); ticks and the selection stay on runs still listed."""
        ticked = set(self.ticked())
        selected = self.selected_run()
        self._filling = True
        self.tree.clear()
        for run in runs:
            item = QTreeWidgetItem([run.name, result_text(run.final), strategy_text(run), run.status,
                                    str(run.epochs)])
            item.setData(0, _PATH, run.path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if run.path in ticked else Qt.CheckState.Unchecked)
            item.setToolTip(0, str(run.path))
            self.tree.addTopLevelItem(item)
            if run.path == selected:
                item.setSelected(True)
        for column in range(len(HEADERS)):
            self.tree.resizeColumnToContents(column)
        self._filling = False

    def names(self) -> list[str]:
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def ticked(self) -> list[Path]:
        return [item.data(0, _PATH) for item in self._items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_ticked(self, name: str, on: bool) -> None:
        """Tick or untick a run by name, as a click on its box would."""
        for item in self._items():
            if item.text(0) == name:
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

    def selected_run(self) -> Path | None:
        items = self.tree.selectedItems()
        return items[0].data(0, _PATH) if items else None

    def select(self, name: str) -> None:
        for item in self._items():
            item.setSelected(item.text(0) == name)

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._filling and column == 0:
            self.overlay_toggled.emit(item.text(0), item.data(0, _PATH), item.checkState(0) == Qt.CheckState.Checked)
