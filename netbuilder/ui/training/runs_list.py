"""The list of past runs of a project, newest first, each with a box to lay its curves over the plots.

A run is read back from its folder (`list_runs`), so the list shows what is on
disk — also runs made with `netbuilder train` — and survives restarts. Ticking
a run asks for its curves to be overlaid; the selected row is the run whose
history "Export history CSV…" writes. Runs are compared by one quantity the
user picks ("Compare by": loss, rmse, accuracy…) for every run — its
validation value when the run measured one, else its training value, labelled
which — so the column never sets one run's RMSE beside another's loss.
A run is renamed in place (double-click or F2) and carries a note (the field
under the list); both are the user's words about the run, kept in its
settings.json, while the folder keeps its name. The Strategy column shows how
the run was spread over devices, as its settings.json records it ("mirrored
×2"); runs made before strategies existed trained on one device and say
"default". A right-click on a run offers Rename and "Open in TensorBoard".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from netbuilder.training.runs import RunInfo

# The number runs are compared by comes first, where it is never cut off; then how the run was spread.
HEADERS = ("Run", "Result", "Strategy", "Status", "Epochs", "Note")
RESULT = HEADERS.index("Result")
NOTE = HEADERS.index("Note")
_PATH = Qt.ItemDataRole.UserRole
# The quantity compared by default, the first a run has: the error in the target's own units if there is one.
_PREFERRED = ("rmse", "accuracy", "loss")
_VAL = "val_"


def result_text(run: RunInfo, metric: str) -> str:
    """`1.07 val` or `1.01 train`: the run's last value of `metric`, and which data it was measured on."""
    found = run.result(metric)
    if found is None:
        return ""
    key, value = found
    return f"{value:.4g} {'val' if key.startswith(_VAL) else 'train'}"


def strategy_text(run: RunInfo) -> str:
    """`default`, or the strategy and its replicas in sync (`mirrored ×2`) as the run recorded them."""
    if run.strategy == "default":
        return "default"
    return f"{run.strategy} ×{run.replicas}" if run.replicas is not None else run.strategy


def metrics_of(runs: list[RunInfo]) -> list[str]:
    """Every quantity some run measured, loss first, the rest as the runs list them."""
    found = list(dict.fromkeys(m for run in runs for m in run.metrics))
    return sorted(found, key=lambda m: m != "loss")


class RunsList(QWidget):
    """Past runs with overlay check boxes, the metric they are compared by, and each run's title and note.

    `overlay_toggled(name, path, on)` when a run is ticked; `renamed(path, title)`
    and `noted(path, note)` when the user gave a run a title or a note;
    `tensorboard_requested(path)` when "Open in TensorBoard" is chosen from a run's context menu.
    """

    overlay_toggled = Signal(str, object, bool)
    renamed = Signal(object, str)
    noted = Signal(object, str)
    tensorboard_requested = Signal(object)  # the selected run's folder, from the context menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric = QComboBox()
        self.metric.setToolTip("The quantity every run is compared by: its last epoch's validation value, "
                               "or its training value when it had no validation data")
        self.metric.currentTextChanged.connect(self._metric_changed)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        # A few runs stay in view however long the messages above get; beyond that the list takes
        # what room is left, and asks for none (in a scrolling column, asking would be granted).
        self.tree.setMinimumHeight(90)
        self.tree.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.tree.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)  # renaming edits the Run column only
        self.tree.setToolTip("Tick runs to lay their curves over the plots (validation dashed); "
                             "double-click or F2 to rename a run")
        self.tree.headerItem().setToolTip(HEADERS.index("Strategy"),
                                          "How the run was spread over devices, and how many replicas trained in sync")
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self.tree.editItem(item, 0))
        self.tree.itemSelectionChanged.connect(self._show_note)
        rename = QAction("Rename run", self.tree)
        rename.setShortcut(QKeySequence(Qt.Key.Key_F2))
        rename.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        rename.triggered.connect(self.rename_current)
        self.tree.addAction(rename)
        tensorboard = QAction("Open in TensorBoard", self.tree)
        tensorboard.triggered.connect(self._tensorboard_current)
        self.tree.addAction(tensorboard)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # its actions, on a right-click
        self.note = QLineEdit()
        self.note.setPlaceholderText("A note on the selected run")
        self.note.setClearButtonEnabled(True)
        self.note.editingFinished.connect(self._note_edited)
        compare = QHBoxLayout()
        title = QLabel("<b>Runs</b> compared by")
        title.setToolTip(self.tree.toolTip())
        compare.addWidget(title)
        compare.addWidget(self.metric, 1)
        self._selected_row = QHBoxLayout()
        self._selected_row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(compare)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._selected_row)
        self._runs: dict[Path, RunInfo] = {}
        self._filling = False
        self._show_note()

    def show_runs(self, runs: list[RunInfo]) -> None:
        """Show `runs` (newest first); ticks, the selection and the metric compared stay where they can."""
        ticked = set(self.ticked())
        selected = self.selected_run()
        self._runs = {run.path: run for run in runs}
        self._filling = True
        chosen = self.metric.currentText()
        metrics = metrics_of(runs)
        self.metric.clear()
        self.metric.addItems(metrics)
        preferred = [m for m in (chosen, *_PREFERRED) if m in metrics]
        self.metric.setCurrentIndex(metrics.index(preferred[0]) if preferred else 0)
        self.metric.setEnabled(bool(metrics))
        self.tree.clear()
        for run in runs:
            item = QTreeWidgetItem([run.label, "", strategy_text(run), run.status, str(run.epochs), run.note])
            item.setData(0, _PATH, run.path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
            item.setCheckState(0, Qt.CheckState.Checked if run.path in ticked else Qt.CheckState.Unchecked)
            self._describe(item, run)
            self.tree.addTopLevelItem(item)
            if run.path == selected:
                item.setSelected(True)
        self._fill_results()
        self._filling = False
        self._show_note()

    def add_beside_note(self, widget: QWidget) -> None:
        """Put a control that acts on the selected run (export its history) in the row of its note."""
        self._selected_row.addWidget(widget)

    def names(self) -> list[str]:
        """The runs' folder names, as listed (a renamed run keeps its folder's name)."""
        return [item.data(0, _PATH).name for item in self._items()]

    def labels(self) -> list[str]:
        """The runs as the list shows them: the title the user gave, else the folder's name."""
        return [item.text(0) for item in self._items()]

    def ticked(self) -> list[Path]:
        return [item.data(0, _PATH) for item in self._items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_ticked(self, name: str, on: bool) -> None:
        """Tick or untick a run by folder name, as a click on its box would."""
        self._item(name).setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def selected_run(self) -> Path | None:
        items = self.tree.selectedItems()
        return items[0].data(0, _PATH) if items else None

    def select(self, name: str) -> None:
        for item in self._items():
            item.setSelected(item.data(0, _PATH).name == name)
            if item.isSelected():
                self.tree.setCurrentItem(item)

    def label(self, name: str) -> str:
        """How the list shows the run in folder `name`: its title, else the folder's name."""
        return self._item(name).text(0)

    def result(self, name: str) -> str:
        """What the list shows in the compared column for the run in folder `name`."""
        return self._item(name).text(RESULT)

    def rename_current(self) -> None:
        """Start editing the current run's title in place (F2)."""
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, 0)

    def _tensorboard_current(self) -> None:
        run = self.selected_run()
        if run is not None:
            self.tensorboard_requested.emit(run)

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def _item(self, name: str) -> QTreeWidgetItem:
        for item in self._items():
            if item.data(0, _PATH).name == name:
                return item
        raise KeyError(name)

    def _describe(self, item: QTreeWidgetItem, run: RunInfo) -> None:
        item.setToolTip(0, "\n".join(filter(None, [str(run.path), run.note])))
        item.setToolTip(NOTE, run.note)

    def _fill_results(self) -> None:
        metric = self.metric.currentText()
        self.tree.headerItem().setText(RESULT, metric or HEADERS[RESULT])
        self.tree.headerItem().setToolTip(RESULT, f"The last complete epoch's {metric}: validation (val) when the "
                                                  "run had validation data, else training (train)")
        for item in self._items():
            item.setText(RESULT, result_text(self._runs[item.data(0, _PATH)], metric))
        for column in range(NOTE):
            self.tree.resizeColumnToContents(column)

    def _metric_changed(self, _metric: str) -> None:
        if not self._filling:
            self._filling = True
            self._fill_results()
            self._filling = False

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        path: Path = item.data(0, _PATH)
        run = self._runs[path]
        if item.text(0) != run.label:
            self._renamed(item, run)
        else:
            self.overlay_toggled.emit(path.name, path, item.checkState(0) == Qt.CheckState.Checked)

    def _renamed(self, item: QTreeWidgetItem, run: RunInfo) -> None:
        title = item.text(0).strip()
        run.title = "" if title == run.name else title
        self._filling = True
        item.setText(0, run.label)  # an emptied title shows the folder's name again
        self._filling = False
        self.renamed.emit(run.path, run.title)

    def _show_note(self) -> None:
        path = self.selected_run()
        self.note.setEnabled(path is not None)
        self.note.setText(self._runs[path].note if path in self._runs else "")

    def _note_edited(self) -> None:
        path = self.selected_run()
        if path not in self._runs or self.note.text().strip() == self._runs[path].note:
            return
        run = self._runs[path]
        run.note = self.note.text().strip()
        item = self._item(path.name)
        self._filling = True
        item.setText(NOTE, run.note)
        self._describe(item, run)
        self._filling = False
        self.noted.emit(path, run.note)
