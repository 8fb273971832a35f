"""The Training tab: pick data, set compile/fit settings, train with live curves, compare past runs.

Left, the Data and Settings forms (edits go to the project as undo-able
`SetSection` commands and come back when the document changes, undo
included); centre, taking what room the dock has, the curves, the data
preview and, after a run, the Evaluate and Predict views; right,
Train/Pause/Stop, progress, the message area, the devices TensorFlow sees and
the runs list. The side columns scroll rather than squeeze: a form or a long
message is never cut off. Train refused (no dataset, problems in the model,
TensorFlow still loading, a run the pre-flight check rejects) says why and how
to fix it in the message area and the status bar, and shows the form where
the fix is made; a refused run leaves no run behind. A run is a
`TrainingSession` working on its own thread; the panel only ever drains the
session's event queue from a 50 ms timer on the GUI thread, so training never
blocks the editor and no widget is touched from the worker. Dialogs are asked
through small methods tests replace. "Open in TensorBoard" (the TensorBoard
button, or a run's context menu) shows a run's logs through the panel's own
TensorBoard server, which `shutdown` ends with the project. The forms
(`run_forms`), the past runs (`past_runs`), the result tabs (`result_views`)
and the sentences about a run (`run_messages`) each live in a module of their own.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from netbuilder.training.datasets import DatasetError, DatasetSpec
from netbuilder.training.events import (
    BatchEnd, EpochEnd, Event, HealthCheck, HealthWarning, Paused, Preparing, Resumed, RunFinished, RunStarted)
from netbuilder.training.runs import runs_root
from netbuilder.training.settings import SettingsError, TrainingSettings
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.problem_look import train_reason
from netbuilder.ui.training.devices_line import DevicesLine
from netbuilder.ui.training.health_view import HealthView
from netbuilder.ui.training.live_plots import LivePlots
from netbuilder.ui.training.lr_finder_view import LRFinderView
from netbuilder.ui.training.past_runs import PastRuns
from netbuilder.ui.training.progress import Progress
from netbuilder.ui.training.result_views import ResultViews
from netbuilder.ui.training.run_controls import RunControls
from netbuilder.ui.training.run_forms import RunForms, scrolling
from netbuilder.ui.training.run_messages import finished_message, multi_worker_refusal
from netbuilder.ui.training.runs_list import RunsList

if TYPE_CHECKING:
    from netbuilder.training.session import TrainingSession

DRAIN_INTERVAL_MS = 50
CURVES_PNG = "curves.png"
CURVES_PNG_WIDTH = 1200
DATA_FILTER = ("Datasets (*.csv *.npz *.tfrecord *.tfrecords);;CSV tables (*.csv);;NumPy arrays (*.npz);;"
               "TFRecord files (*.tfrecord *.tfrecords)")
TRAINING_SHARE = 0.45  # of the window's height, for the dock when a run starts
# Side columns' widths at first; the curves in the middle take the rest of the dock.
FORMS_WIDTH, SIDE_WIDTH = 340, 360


def model_output_names(document: EditorDocument) -> list[str]:
    """The main graph's outputs by the names the Keras model gives them."""
    graph = document.project.graph
    return [graph.node(i).name for i in graph.output_ids()]


class TrainingPanel(QWidget):
    """Everything about training one project, docked as the window's "Training" tab."""

    state_changed = Signal()  # the run started, paused, resumed or ended (the window's Run menu follows)
    status = Signal(str)  # one line for the window's status bar
    epoch_ended = Signal(object)  # the model being trained, after each epoch (activation previews follow it)

    def __init__(self, document: EditorDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.session: TrainingSession | None = None
        self.run_dir: Path | None = None
        self._progress = Progress(epochs=0)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.drain)
        self._keras_offered = False

        self.forms = RunForms(document, self.ask_data_file, self.ask_data_folder)
        self.data_form, self.settings_form = self.forms.data_form, self.forms.settings_form

        self.plots = LivePlots()
        self.views = QTabWidget()
        self.views.setDocumentMode(True)  # no frame around the curves: every pixel goes to them
        self.views.addTab(self.plots, "Curves")
        self.health = HealthView()
        self.views.addTab(self.health, "Health")
        self.views.addTab(self.data_form.preview_table, "Data preview")
        self.lr_finder = LRFinderView()
        self.views.addTab(self.lr_finder, "Learning rate")
        self.settings_form.add_below(("learning_rate",), self.lr_finder.find_button)
        self.lr_finder.find_button.clicked.connect(self.find_learning_rate)
        self.lr_finder.used.connect(lambda lr: self.settings_form.set_value(lr, "learning_rate"))
        self.lr_finder.finished.connect(self._update_controls)  # Train waits while it runs

        self.controls = RunControls()
        self.controls.train_button.clicked.connect(self.train)
        self.controls.pause_button.clicked.connect(self.toggle_pause)
        self.controls.stop_button.clicked.connect(self.stop)
        self.devices_line = DevicesLine()
        self.runs = RunsList()
        # Asked through the panel's own method at the time, so a test's replacement answers.
        self.past = PastRuns(self.runs, self.plots, self.controls, lambda: self.runs_root,
                             lambda *question: self.ask_save_path(*question), self.status.emit, self)
        self.runs.tree.itemSelectionChanged.connect(self._show_run_health)
        self.results = ResultViews(self.views, self.controls, self)
        self.save_png_button = QPushButton("Save plot PNG…")
        self.save_png_button.setToolTip("Save the curves as they are shown as a PNG picture")
        self.save_png_button.clicked.connect(self.save_plot)
        self.views.setCornerWidget(self.save_png_button)  # beside the curves it saves
        right = QWidget()
        right.setMinimumWidth(SIDE_WIDTH - 20)  # room for the buttons and the runs' results (less its scroll bar)
        side = QVBoxLayout(right)
        side.setContentsMargins(4, 4, 4, 4)
        side.setSpacing(4)
        side.addWidget(self.controls)
        side.addWidget(self.devices_line)
        side.addWidget(self.runs, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.forms, self.views, scrolling(right)):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([FORMS_WIDTH, 2 * (FORMS_WIDTH + SIDE_WIDTH), SIDE_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        document.changed.connect(self.refresh)
        document.checked.connect(self._update_controls)
        self.refresh()
        self.refresh_runs()

    # -- questions (tests replace these) -------------------------------------------------------
    def ask_data_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", str(self._folder()), DATA_FILTER)
        return Path(path) if path else None

    def ask_data_folder(self) -> Path | None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images (one sub-folder per class)",
                                                str(self._folder()))
        return Path(path) if path else None

    def ask_save_path(self, title: str, suggestion: str, filter_: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, title, str(self._folder() / suggestion), filter_)
        return Path(path) if path else None

    def _folder(self) -> Path:
        path = self.document.project.path
        return path.parent if path is not None else Path.home()

    # -- the project's settings ------------------------------------------------------------------
    @property
    def base_dir(self) -> Path | None:
        path = self.document.project.path
        return path.parent if path is not None else None

    def refresh(self) -> None:
        """Show the project's dataset and training sections (after an edit, undo or redo)."""
        self.forms.show_sections(self.base_dir)
        self._update_controls()
        self._lay_out_first_plots()

    def _lay_out_first_plots(self) -> None:
        """Before the first run (once Keras is loaded): plots for what it will log, drawn while idle."""
        if self.plots.plots or not self.document.keras_ready:
            return
        try:
            self._lay_out_plots(*self.forms.run_sections())
        except (DatasetError, SettingsError):
            return

    def _lay_out_plots(self, spec: DatasetSpec, settings: TrainingSettings) -> None:
        """Empty plots for the quantities the next run will log, drawn while the window is idle.

        Laid out at Train instead, they would be built and first painted while the
        worker thread builds and traces the model, which stalls the window.
        """
        from netbuilder.training.session import expected_keys

        validation = settings.validation_split > 0 or bool(spec.validation_file)
        self.plots.start_run(expected_keys(model_output_names(self.document), settings.metrics, validation),
                             settings.epochs, None)

    @staticmethod
    def wanted_height(window_height: int) -> int:
        """The height the tab asks of a window this tall when a run starts: curves that can be read,
        with the canvas still in view."""
        return round(window_height * TRAINING_SHARE)

    # -- running ------------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.session is not None

    @property
    def is_paused(self) -> bool:
        return self.controls.state == "paused"

    def why_not_train(self) -> str:
        """Why a run cannot start now and how to fix that, in a sentence ("" when it can start)."""
        return self._obstacle()[0]

    def _obstacle(self) -> tuple[str, QWidget | None]:
        """Why a run cannot start now, and the form where that is fixed (None: it is fixed elsewhere)."""
        doc = self.document
        if self.is_running:
            return "A run is in progress.", None
        if self.lr_finder.is_running:
            return "The learning-rate finder is running; wait for its curve.", None
        if not doc.keras_ready:
            return "TensorFlow is still loading; Train works once the status bar says Keras is ready.", None
        if doc.problems:
            reason = train_reason(doc.project, doc.problems)
            return (reason if reason.endswith(".") else reason + "."), None
        if doc.project.sections.get("dataset") is None:
            return ("Choose a dataset in the Data tab: a bundled one, a CSV or .npz file (Open file…) "
                    "or a folder of images (Open folder…)."), self.data_form
        return "", None

    def train(self) -> None:
        """Start a run with the project's settings, or say why it cannot start and show where to fix it."""
        doc = self.document
        doc.flush_check()
        why, fix_in = self._obstacle()
        if why:
            self._refuse(why, fix_in)
            return
        try:
            spec, settings = self.forms.run_sections()
        except DatasetError as error:
            self._refuse(f"The project's dataset settings cannot be used: {error}", self.data_form)
            return
        except SettingsError as error:
            self._refuse(f"The project's training settings cannot be used: {error}", self.settings_form)
            return
        # TensorFlow already runs in this process, and the cluster's collectives must be set up before it starts.
        if settings.strategy == "multi-worker":
            self._refuse(multi_worker_refusal(doc.project.path), self.settings_form)
            return
        from netbuilder.training.session import TrainingSession

        self._lay_out_plots(spec, settings)  # now, while the GUI thread has Python to itself
        self.session = TrainingSession(doc.project, spec, settings, self.runs_root, base_dir=self.base_dir)
        self.run_dir = None
        self._progress = Progress(epochs=settings.epochs)
        self.controls.show_progress(self._progress)
        self.controls.latest.clear()
        self.controls.say("Preparing…")
        self._set_state("preparing")
        self.results.drop()
        self.session.start()
        self._timer.start()

    def find_learning_rate(self) -> None:
        """Start the learning-rate range test with the project's settings and data (its own tab shows it),
        or say there why it cannot start; while it runs, the same button stops it."""
        if self.lr_finder.is_running:
            self.lr_finder.stop()
            return
        self.document.flush_check()
        why = self.why_not_train()
        self.views.setCurrentWidget(self.lr_finder)
        try:
            spec, settings = self.forms.run_sections()
        except (DatasetError, SettingsError) as error:
            why = why or f"the project's settings cannot be used: {error}"
        if why:
            self.lr_finder.refuse(why)
            return
        from netbuilder.training.lr_finder import LearningRateFinder

        self.lr_finder.start(LearningRateFinder(self.document.project, spec, settings, base_dir=self.base_dir))
        self._update_controls()

    def _refuse(self, why: str, fix_in: QWidget | None = None) -> None:
        """Say why no run starts, where the user looks (here and in the status bar), and show the form
        (`fix_in`) where it is fixed."""
        self.controls.clear_progress()
        self.controls.say(why, "error")
        self.status.emit(f"Cannot train: {why}")
        if fix_in is not None:
            self.forms.show_form(fix_in)

    def toggle_pause(self) -> None:
        if self.session is None:
            return
        if self.is_paused:
            self.session.resume()
        else:
            self.session.pause()

    def stop(self) -> None:
        """End the run after the current batch; its weights and history so far are kept."""
        if self.session is not None and self.controls.state != "stopping":
            self.session.stop()
            self._set_state("stopping")
            self.controls.say("Stopping after this batch…")

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop a run and wait (up to `timeout` seconds) for its thread: the window closes or switches project."""
        self.past.tensorboard.stop()  # the server is the window's child: it must not outlive it
        self.lr_finder.shutdown(timeout)
        session = self.session
        if session is None:
            return
        session.stop()
        session.wait(timeout)
        self._timer.stop()
        self.session = None

    def drain(self) -> None:
        """Take what the worker reported since the last tick and show it (the timer calls this)."""
        session = self.session
        if session is None:
            self._timer.stop()
            return
        for event in session.drain():
            self._handle(event)
        self.plots.flush()
        self.health.flush()

    def _handle(self, event: Event) -> None:
        if isinstance(event, BatchEnd):
            self.plots.add_batch(event.epoch, event.batch, event.logs)
            self._progress.batch_ended(event.epoch, event.batch, event.elapsed)
            self.controls.show_progress(self._progress)
        elif isinstance(event, EpochEnd):
            self.plots.add_epoch(event.epoch, event.logs)
            self._progress.epoch_ended(event.epoch, event.elapsed)
            self.controls.show_progress(self._progress)
            self.controls.show_latest(event.epoch, event.logs)
            model = getattr(self.session, "model", None)
            if model is not None:
                self.epoch_ended.emit(model)
        elif isinstance(event, Preparing):
            self.controls.say(event.message)
        elif isinstance(event, RunStarted):
            self.run_dir = event.run_dir
            self._progress = Progress(epochs=event.epochs, steps=event.steps_per_epoch)
            self.plots.start_run(event.metrics, event.epochs, event.steps_per_epoch)
            self.health.start_run()
            self.controls.show_progress(self._progress)
            self.controls.say(f"Training in {event.run_dir.name}…")
            self._set_state("running")
        elif isinstance(event, Paused):
            self._set_state("paused")
            self.controls.say("Paused: Resume goes on from the next batch.")
        elif isinstance(event, Resumed):
            self._set_state("running")
            self.controls.say("Training…")
        elif isinstance(event, HealthCheck):
            self.health.add_check(event)
        elif isinstance(event, HealthWarning):
            self.health.add_warning(event)
            self.controls.say(f"⚠ {event.message}", "error")
            self.status.emit(f"Training health: {event.message}")
        elif isinstance(event, RunFinished):
            self._finished(event)

    def _finished(self, event: RunFinished) -> None:
        session = self.session
        self._timer.stop()
        self.session = None
        self.run_dir = event.run_dir or self.run_dir
        self._set_state("idle")
        if event.run_dir is None:
            self.controls.clear_progress()  # nothing trained: no bar, no time
        else:
            self._progress.end()
            self.controls.show_progress(self._progress)
        text, tone, line = finished_message(event, self.health.warnings)
        self.controls.say(text, tone)  # type: ignore[arg-type]
        self.status.emit(line)
        self.refresh_runs()
        if self.run_dir is not None:
            self.runs.select(self.run_dir.name)
        # The PNG and the result tabs each take tens of milliseconds: each gets its own
        # turn of the event loop so the window keeps answering in between.
        steps = []
        if self.run_dir is not None and self.run_dir.is_dir() and event.epochs_done > 0:
            steps.append(partial(self.plots.export_png, self.run_dir / CURVES_PNG, CURVES_PNG_WIDTH))
        model, data = getattr(session, "model", None), getattr(session, "data", None)
        if model is not None and data is not None and event.epochs_done > 0 and event.status in ("completed", "stopped"):
            steps.append(partial(self.results.show, model, data))
        self._one_per_turn(steps)

    def _one_per_turn(self, steps: list[Callable[[], object]]) -> None:
        """Run `steps` one per turn of the event loop; each is queued only after the one before
        has run, so timers and input that came due meanwhile are served in between."""
        if steps:
            def step() -> None:
                steps[0]()
                self._one_per_turn(steps[1:])

            QTimer.singleShot(0, step)

    def _set_state(self, state: str) -> None:
        self.controls.set_state(state, self.why_not_train() if state == "idle" else "")  # type: ignore[arg-type]
        self.state_changed.emit()

    def _update_controls(self) -> None:
        """After a check: Keras may have become ready, the model valid or invalid."""
        if self.document.keras_ready and not self._keras_offered:
            from netbuilder.training.distribute import visible_devices

            self._keras_offered = True
            self.settings_form.set_keras_ready()
            devices = visible_devices()
            self.devices_line.show_devices(devices)
            self.settings_form.set_devices(devices)
            self._lay_out_first_plots()
        if not self.is_running:
            self._set_state("idle")

    # -- past runs ----------------------------------------------------------------------------------
    @property
    def runs_root(self) -> Path:
        return runs_root(self.document.project.path, self.document.project.name)

    def refresh_runs(self) -> None:
        self.past.refresh()

    def _show_run_health(self) -> None:
        """A run picked in the list: the Health tab shows what it recorded. A run in progress keeps the
        tab, and so does the run that just finished (the tab already shows it, live)."""
        run = self.runs.selected_run()
        if run is None or self.is_running or (run == self.run_dir and self.health.run is None):
            return
        self.health.show_run(run)

    def save_plot(self) -> Path | None:
        target = self.ask_save_path("Save plot", CURVES_PNG, "PNG images (*.png)")
        if target is None:
            return None
        self.plots.export_png(target)
        self.status.emit(f"Wrote {target}")
        return target
