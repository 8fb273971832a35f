"""The Training panel's past runs: overlays on the curves, titles and notes, history CSV export, TensorBoard.

Every run is a folder under the project's runs root; the runs list shows them
and this object does what its entries and the buttons beside its note ask:
tick a run to overlay its curves, rename it or write a note (kept in its
settings.json), export its history as a CSV file, or open its logs in the
panel's own TensorBoard server. Failures to write are said where the user is
looking, never raised.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QPushButton, QWidget

from netbuilder.training.runs import HISTORY, RunFolder, list_runs, read_history
from netbuilder.training.tensorboard_logs import run_log_dir
from netbuilder.ui.tensorboard_server import TensorBoardServer
from netbuilder.ui.training.live_plots import LivePlots
from netbuilder.ui.training.run_controls import RunControls
from netbuilder.ui.training.runs_list import RunsList


class PastRuns:
    """Answers the runs list and its Export CSV and TensorBoard buttons for one project's runs."""

    def __init__(self, runs: RunsList, plots: LivePlots, controls: RunControls, runs_root: Callable[[], Path],
                 ask_save_path: Callable[[str, str, str], Path | None], status: Callable[[str], None],
                 parent: QWidget) -> None:
        """`runs_root` is asked each time (the project may be saved elsewhere); `status` says one line in the
        window's status bar; `parent` owns the TensorBoard server, which must not outlive it."""
        self.runs, self.plots, self.controls = runs, plots, controls
        self.runs_root, self.ask_save_path, self.status = runs_root, ask_save_path, status
        runs.overlay_toggled.connect(self._overlay_toggled)
        runs.renamed.connect(self._renamed)
        runs.noted.connect(lambda path, note: self._annotate(path, note=note))
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_csv_button.setToolTip("Save the selected run's history (one row per epoch) as a CSV file")
        self.export_csv_button.clicked.connect(self.export_history)
        runs.add_beside_note(self.export_csv_button)
        self.tensorboard = TensorBoardServer(parent)
        self.tensorboard.status.connect(status)
        runs.tensorboard_requested.connect(self.open_tensorboard)
        self.tensorboard_button = QPushButton("TensorBoard")
        self.tensorboard_button.setToolTip("Open the selected run's TensorBoard logs (the newest run's if none is "
                                           "selected) in the browser; the TensorBoard folder setting writes them")
        self.tensorboard_button.clicked.connect(lambda: self.open_tensorboard())
        runs.add_beside_note(self.tensorboard_button)

    def refresh(self) -> None:
        """List the runs found in the runs root now."""
        self.runs.show_runs(list_runs(self.runs_root()))

    def _overlay_toggled(self, name: str, path: Path, on: bool) -> None:
        self.plots.set_overlay(name, read_history(path) if on else None, self.runs.label(name))

    def _renamed(self, path: Path, title: str) -> None:
        self._annotate(path, title=title)
        if path.name in self.plots.overlay_names():
            self.plots.set_overlay(path.name, read_history(path), self.runs.label(path.name))

    def _annotate(self, path: Path, *, title: str | None = None, note: str | None = None) -> None:
        """Keep a run's new title or note in its settings.json; a failure to write is said, not raised."""
        try:
            RunFolder(path).annotate(title=title, note=note)
        except OSError as error:
            self.controls.say(f"Cannot write {path / 'settings.json'}: {error.strerror or error}.", "error")
            return
        self.status(f"Renamed run {path.name}" if title is not None else f"Saved the note on run {path.name}")

    def open_tensorboard(self, run: Path | None = None) -> bool:
        """Show `run`'s logs (the selected run, else the newest) in TensorBoard; False, said why, when it cannot."""
        run = run or self.runs.selected_run() or next((r.path for r in list_runs(self.runs_root())), None)
        if run is None:
            self.status("Cannot open TensorBoard: there are no runs yet.")
            return False
        logs = run_log_dir(run)
        if logs is None:
            self.status(f"Cannot open TensorBoard: run {run.name} wrote no TensorBoard logs; set the "
                        "TensorBoard folder in the Settings and train again.")
            return False
        return self.tensorboard.open(logs)

    def export_history(self) -> Path | None:
        """Write the selected run's history (the newest run's when none is selected) to a CSV file."""
        run = self.runs.selected_run() or (self.runs.ticked() or [None])[0]
        if run is None:
            names = self.runs.names()
            run = self.runs_root() / names[0] if names else None
        history = None if run is None else run / HISTORY
        if history is None or not history.exists():
            self.controls.say("No run with a history to export yet: train first.", "error")
            return None
        target = self.ask_save_path("Export history", f"{run.name}-history.csv", "CSV files (*.csv)")
        if target is None:
            return None
        shutil.copyfile(history, target)
        self.status(f"Wrote {target}")
        return target
