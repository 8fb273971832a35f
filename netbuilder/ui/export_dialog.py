"""File ▸ Export…: write the open project as a SavedModel, `.keras`, weights alone, a Python script, TFLite or ONNX.

The user picks a format, a destination and whose weights go in (the latest
training run by default, an older run, the project's saved weights, or
fresh untrained ones); the export runs off the GUI thread behind a busy bar
and the dialog then says what was written — for a SavedModel, that it was
loaded back with `tf.saved_model.load` and answers like the Keras model; for
a quantized TFLite file (a Quantization choice shown for TFLite only), the
one-line summary of the report written beside it. For TFLite, ONNX and a
SavedModel it lists, before Export is pressed, the layers that format cannot
run (see deploy_target.py).
Failures are shown in red in the dialog; every writer goes through a
temporary file or folder that is renamed at the end, so an earlier export is
never damaged. A training package that would copy dataset files from
outside the project's folder (a project someone else wrote may name any
file) is written only once the user has said yes to a question naming them.
Keras is imported only inside the export job, and the destination picker and
that question are one method each (`ask_destination`,
`confirm_outside_data`) tests can answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QProgressBar,
    QPushButton, QVBoxLayout, QWidget,
)

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.training.datasets.sharing import OutsideDataError
from netbuilder.training.runs import RunInfo, runs_root, runs_with_model
from netbuilder.ui.deploy_target import LABELS as DEPLOY_LABELS, DeployList
from netbuilder.ui.keras_loader import KerasLoader
from netbuilder.ui.worker import BackgroundCall


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    suffix: str  # "" for a folder
    uses_weights: bool = True


FORMATS = [
    ExportFormat("savedmodel", "SavedModel (TensorFlow Serving, Vertex AI)", ""),
    ExportFormat("keras", "Keras model (.keras)", ".keras"),
    ExportFormat("weights", "Weights only (.weights.h5)", ".weights.h5"),
    ExportFormat("python", "Python script (.py)", ".py", uses_weights=False),
    ExportFormat("tflite", "TensorFlow Lite (.tflite)", ".tflite"),
    ExportFormat("onnx", "ONNX (.onnx, checked with onnxruntime)", ".onnx"),
    # A new folder, named like a file: train.py, the data and a README to train anywhere TensorFlow runs.
    ExportFormat("package", "Training package (folder)", "_package", uses_weights=False),
]
UNTRAINED, PROJECT_WEIGHTS = "untrained", "project"
# TFLite only: (key, label); the keys are `netbuilder export --quantize`'s (export.tflite_quantize).
QUANTIZATIONS = [
    ("none", "None (float32)"),
    ("dynamic", "Dynamic range (int8 weights)"),
    ("float16", "Float16 weights"),
    ("int8", "Full integer (int8, calibrated on the training data)"),
]


@dataclass(frozen=True)
class ExportRequest:
    """What to write where: `weights` is a run folder, PROJECT_WEIGHTS or UNTRAINED; `include_outside_data`
    is the user's yes to copying dataset files from outside the project's folder into a package."""

    format: str
    destination: Path
    weights: Path | str
    include_outside_data: bool = False
    quantize: str = "none"  # TFLite: a QUANTIZATIONS key


def exportable_runs(project: Project) -> list[RunInfo]:
    """The project's runs that ended with a saved model, newest first."""
    return runs_with_model(runs_root(project.path, project.name))


def perform_export(project: Project, catalog: Catalog | None, request: ExportRequest) -> str:
    """Write the export (on a worker thread) and return what to tell the user; raises with a reason."""
    from netbuilder.graph.atomic_file import atomic_write_text

    out = request.destination
    if request.format == "package":
        from netbuilder.export.training_package import write_package

        package = write_package(project, out, catalog, include_outside_data=request.include_outside_data)
        far = "" if package.data_copied else "\nThe dataset is too big to copy: train.py reads it where it is."
        return f"Wrote {out} ({', '.join(package.files)})\nRun: python {out / 'train.py'}{far}"
    if request.format == "python":
        from netbuilder.export.python_code import python_code

        atomic_write_text(out, python_code(project))
        return f"Wrote {out}"
    from netbuilder.keras_bridge.export import built_with_weights, save_model_file

    run = request.weights if isinstance(request.weights, Path) else None
    built = built_with_weights(project, catalog, run, untrained=request.weights == UNTRAINED)
    model = built.model
    notes = "".join(f"\nNote: {note}" for note in built.notes)
    if request.format == "savedmodel":
        from netbuilder.export.raw_serving import export_for_serving

        served = export_for_serving(project, model, run, out)
        result = served.result
        written = (f"Wrote {result.path}\nSignature serving_default: inputs {', '.join(result.inputs)}; "
                   f"outputs {', '.join(result.outputs)}")
        if served.raw_rows:
            written += "\nRaw rows: columns.json lists the columns; example_request.json is a TF Serving request"
        if served.note:
            notes += f"\nNote: {served.note}"
        if not result.verified:
            raise ValueError(f"{written}\nNot verified: reloaded with tf.saved_model.load, it answers differently "
                             f"from the Keras model (largest difference {result.max_difference:.3g})")
        return (f"{written}\nVerified: tf.saved_model.load answers like the Keras model "
                f"(largest difference {result.max_difference:.2g}){notes}")
    if request.format == "tflite" and request.quantize != "none":
        from netbuilder.export.tflite_quantize import export_quantized

        quantized = export_quantized(project, model, out, request.quantize, run)
        json_report, text_report = quantized.report_files
        return (f"Wrote {out}\n{quantized.report.summary()}\nReport: {json_report.name}, {text_report.name}"
                + "".join(f"\nNote: {n}" for n in quantized.result.notes()) + notes)
    if request.format == "tflite":
        from netbuilder.export.tflite import export_tflite

        tflite = export_tflite(model, out)
        written = f"Wrote {out} ({tflite.size_bytes:,} bytes)" + "".join(f"\nNote: {n}" for n in tflite.notes())
        if tflite.answers_differently:
            raise ValueError(f"{written}\nNot verified: reloaded with tf.lite.Interpreter, it answers differently "
                             f"from the Keras model (largest difference {tflite.max_difference:.3g})")
        checked = (f"\nVerified: tf.lite.Interpreter answers like the Keras model "
                   f"(largest difference {tflite.max_difference:.2g})" if tflite.verified else "")
        return f"{written}{checked}{notes}"
    if request.format == "onnx":
        from netbuilder.export.onnx_export import export_onnx

        onnx = export_onnx(model, out)
        written = f"Wrote {out} ({onnx.size_bytes:,} bytes; inputs {', '.join(onnx.inputs)})"
        if not onnx.verified:
            raise ValueError(f"{written}\nNot verified: onnxruntime answers differently from the Keras model "
                             f"(largest difference {onnx.max_difference:.3g})")
        return (f"{written}\nVerified: onnxruntime answers like the Keras model "
                f"(largest difference {onnx.max_difference:.2g}){notes}")
    save_model_file(model, out)
    return f"Wrote {out} ({model.count_params():,} parameters){notes}"


def failure_text(exc: BaseException) -> str:
    """One readable reason: the bridge's problems, or the system's words for a file error."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"Export failed (nothing earlier was changed): {where}{exc.strerror or exc}"
    return f"Export failed (nothing earlier was changed): {exc}"


class ExportDialog(QDialog):
    """Format, destination, weights, Export; the busy bar and the outcome below them."""

    def __init__(self, project: Project, catalog: Catalog | None = None, loader: KerasLoader | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.catalog = catalog
        self.loader = loader
        self.call: BackgroundCall | None = None
        self.setWindowTitle(f"Export '{project.name}'")
        self.setMinimumWidth(620)

        self.formats = FORMATS
        self.format_box = QComboBox()
        for fmt in self.formats:
            self.format_box.addItem(fmt.label, fmt.key)
        self.destination = QLineEdit()
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.destination, 1)
        where.addWidget(self.browse_button)
        self.weights_box = QComboBox()
        self._fill_weights()
        self.quantize_box = QComboBox()
        for key, label in QUANTIZATIONS:
            self.quantize_box.addItem(label, key)
        self.quantize_box.setToolTip("Smaller TFLite files; a report beside the file compares the metric on "
                                     "the validation data with the float model's")

        form = self.form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("Destination:", where)
        form.addRow("Weights:", self.weights_box)
        form.addRow("Quantization:", self.quantize_box)
        self.deploy_list = DeployList(project, loader)  # the layers the chosen format cannot run, before Export
        form.addRow("Deployment check:", self.deploy_list)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: TensorFlow gives no fraction to show
        self.progress.setVisible(False)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.result, 1)
        layout.addLayout(buttons)

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.destination.setText(str(self._suggestion(self.current_format)))
        self._format_changed()

    # -- questions (tests replace this) ------------------------------------------------
    def ask_destination(self, fmt: ExportFormat, suggestion: Path) -> Path | None:
        if not fmt.suffix:
            path = QFileDialog.getExistingDirectory(self, "Export the SavedModel into", str(suggestion.parent))
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", str(suggestion), f"{fmt.label} (*{fmt.suffix})")
            if path and not path.endswith(fmt.suffix):
                path += fmt.suffix
        return Path(path) if path else None

    def confirm_outside_data(self, error: OutsideDataError) -> bool:
        """Whether to copy files from outside the project's folder into the package; the question names them."""
        shown = "\n".join(str(p) for p in error.paths[:5]) + (
            f"\n… and {len(error.paths) - 5} more" if len(error.paths) > 5 else "")
        where = (f"outside the project's folder ({error.folder})" if error.folder is not None
                 else "outside any project folder")
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Copy data from outside the project?",
            f"The project's dataset lies {where}:\n\n{shown}\n\nThe training package would carry a copy of it "
            "to wherever the package goes. Copy it into the package?",
            buttons.Yes | buttons.No, buttons.No,
        )
        return answer == buttons.Yes

    # -- state ---------------------------------------------------------------------------
    @property
    def current_format(self) -> ExportFormat:
        return self.formats[self.format_box.currentIndex()]

    def select_format(self, key: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(key))

    def select_weights(self, choice: Path | str) -> None:
        self.weights_box.setCurrentIndex(self.weights_box.findData(choice))

    def request(self) -> ExportRequest:
        return ExportRequest(self.current_format.key, Path(self.destination.text().strip()).expanduser(),
                             self.weights_box.currentData(),
                             quantize=self.quantize_box.currentData() if self.current_format.key == "tflite"
                             else "none")

    @property
    def is_busy(self) -> bool:
        return self.call is not None

    def _fill_weights(self) -> None:
        runs = exportable_runs(self.project)
        for i, run in enumerate(runs):
            loss = f", loss {run.final['loss']:.4g}" if "loss" in run.final else ""
            label = f"Run {run.name} ({run.status}, {run.epochs} epochs{loss})"
            self.weights_box.addItem(f"Latest run: {label}" if i == 0 else label, run.path)
        weights = self.project.weights_path
        if weights is not None and weights.exists():
            self.weights_box.addItem(f"The project's saved weights ({weights.name})", PROJECT_WEIGHTS)
        self.weights_box.addItem("Untrained (fresh initial weights)", UNTRAINED)

    def _suggestion(self, fmt: ExportFormat) -> Path:
        base = self.project.path.parent if self.project.path is not None else Path.home()
        stem = self.project.name or "model"
        return base / (f"{stem}_savedmodel" if not fmt.suffix else f"{stem}{fmt.suffix}")

    def _format_changed(self) -> None:
        fmt = self.current_format
        current = Path(self.destination.text().strip() or self._suggestion(fmt))
        stem = current.name
        for other in self.formats:  # swap the ending, keep the user's folder and name
            if other.suffix and stem.endswith(other.suffix):
                stem = stem.removesuffix(other.suffix)
        stem = stem.removesuffix("_savedmodel")
        self.destination.setText(str(current.with_name(f"{stem}_savedmodel" if not fmt.suffix else stem + fmt.suffix)))
        self.weights_box.setEnabled(fmt.uses_weights)
        self.form.setRowVisible(self.quantize_box, fmt.key == "tflite")
        self.form.setRowVisible(self.deploy_list, fmt.key in DEPLOY_LABELS and bool(fmt.key))
        self.deploy_list.show_for(fmt.key)
        self.weights_box.setToolTip("" if fmt.uses_weights else "The script rebuilds the model; it carries no weights")
        self.browse_button.setToolTip("Choose the folder that receives version folders (OUT/<timestamp>/)"
                                      if not fmt.suffix else "Choose the new folder to write"
                                      if fmt.key == "package" else "Choose the file to write")

    # -- commands ----------------------------------------------------------------------
    def browse(self) -> None:
        path = self.ask_destination(self.current_format, Path(self.destination.text().strip()))
        if path is not None:
            self.destination.setText(str(path))

    def start_export(self, request: ExportRequest | None = None) -> BackgroundCall | None:
        """Run the export (the dialog's, or `request`) off the GUI thread; the outcome appears in the dialog."""
        if self.is_busy:
            return None
        if request is None and not self.destination.text().strip():
            self._show("Choose where to export first.", error=True)
            return None
        request = request or self.request()
        project, catalog, loader = self.project, self.catalog, self.loader

        def work() -> str:
            if loader is not None:
                loader.wait()
            return perform_export(project, catalog, request)

        self._set_busy(True)
        self._show(f"Exporting to {request.destination}…", error=False)
        call = BackgroundCall(work, self)
        call.done.connect(lambda text: self._finished(text, error=False))
        call.failed.connect(lambda exc: self._failed(exc, request))
        self.call = call
        return call.start()

    def _failed(self, exc: BaseException, request: ExportRequest) -> None:
        """Show why; for data from outside the project's folder, ask, and export again with a yes."""
        self._finished(failure_text(exc), error=True)
        if isinstance(exc, OutsideDataError) and not request.include_outside_data:
            if self.confirm_outside_data(exc):
                self.start_export(replace(request, include_outside_data=True))
            else:
                self._show(f"Nothing was exported: {exc.paths[0]} lies outside the project's folder, and the "
                           "package would carry a copy of it.", error=True)

    def _finished(self, text: str, error: bool) -> None:
        self.call = None
        self._set_busy(False)
        self._show(text, error)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.export_button, self.format_box, self.destination, self.browse_button, self.quantize_box):
            widget.setEnabled(not busy)
        self.weights_box.setEnabled(not busy and self.current_format.uses_weights)

    def _show(self, text: str, error: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet("color: #c0392b;" if error else "")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_busy:  # a half-done export cleans up after itself, but let it finish first
            event.ignore()
        else:
            super().closeEvent(event)
