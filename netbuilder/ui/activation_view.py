"""Activation previews on the cards: which sample, when to recompute, and the large view.

`ActivationPreviews` follows the open project. When the previews are on it
builds an `ActivationProbe` (one Keras model returning every layer's output)
from a copy of the project and computes the pictures off the GUI thread,
again after edits (debounced) and after each training epoch with the weights
being trained (throttled to one refresh every `TRAINING_EVERY_S`, and never two
at once), so the window never waits for Keras. On the GUI thread only the
small uint8 pictures become images. The sample is a dataset row or image
(the first validation ones), an image file or typed values, picked in
`SampleDialog`; a click on a preview opens `LargeView`.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from netbuilder.graph.project_file import from_dict
from netbuilder.ui.canvas.activation_preview import ActivationPreviewItem, describe, to_image
from netbuilder.ui.worker import BackgroundCall

if TYPE_CHECKING:
    from netbuilder.training.activations import ActivationProbe, Picture
    from netbuilder.ui.canvas.scene import GraphScene
    from netbuilder.ui.document import EditorDocument

EDIT_DELAY_MS = 300  # after an edit, wait for the next one before rebuilding
TRAINING_EVERY_S = 2.0
LARGE_PIXELS = 480  # the large view's picture is computed to fit this, and shown this big


@dataclass(frozen=True)
class Sample:
    """What the previews are computed for: `kind` "dataset" (row `index`), "image" (file `path`) or "typed"."""

    kind: str = "dataset"
    index: int = 0
    path: str = ""
    text: str = ""


class ActivationPreviews(QObject):
    """The previews of the open project's main-graph cards."""

    updated = Signal()  # new pictures are on the cards
    failed = Signal(str)  # a sentence for the status bar

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.enabled = False
        self.sample = Sample()
        self.pictures: dict[str, Picture] = {}
        self.items: dict[str, ActivationPreviewItem] = {}
        self.refreshes = 0  # how many times pictures arrived (tests wait on it)
        self._document: EditorDocument | None = None
        self._scene: GraphScene | None = None
        self._probe: ActivationProbe | None = None
        self._outputs: dict[str, Any] = {}
        self._edits = 0  # bumped on every edit: a probe built before the last one is stale
        self._probe_edits = -1
        self._samples: list[dict[str, Any]] = []
        self._running: BackgroundCall | None = None
        self._again: Any = None  # the refresh asked for while one ran: its trained model, or True
        self._last_training = 0.0
        self._debounce = QTimer(self, singleShot=True, interval=EDIT_DELAY_MS)
        self._debounce.timeout.connect(lambda: self.refresh())
        self._throttle = QTimer(self, singleShot=True)
        self._throttle.timeout.connect(self._training_refresh)
        self._trained: Any = None

    # -- what is shown ----------------------------------------------------------------
    def follow(self, document: EditorDocument | None, scene: GraphScene | None) -> None:
        """Show previews for this project (None: no project)."""
        self._clear_items()
        self._document, self._scene = document, scene
        self._probe, self._samples, self.pictures, self._outputs, self._trained = None, [], {}, {}, None
        self._running, self._again = None, None  # a refresh under way is the old project's: dropped when done
        self._debounce.stop()
        self._throttle.stop()
        if document is not None:
            document.changed.connect(self._edited)
            document.scope_changed.connect(lambda _: self._show())
        if self.enabled:
            self.refresh()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on:
            self.refresh()
        else:
            self._clear_items()

    def set_sample(self, sample: Sample) -> None:
        self.sample = sample
        if self.enabled:
            self.refresh()

    def epoch_ended(self, model: Any) -> None:
        """A training epoch ended: show the current weights' outputs, at most every `TRAINING_EVERY_S`."""
        self._trained = model
        if not self.enabled or self._throttle.isActive():
            return
        wait = TRAINING_EVERY_S - (time.monotonic() - self._last_training)
        self._throttle.start(max(0, int(wait * 1000)))

    def _training_refresh(self) -> None:
        self._last_training = time.monotonic()
        self.refresh(self._trained)

    def _edited(self) -> None:
        self._edits += 1
        self._trained = None  # the graph the run trains is no longer the one shown
        if self.enabled:
            self._debounce.start()

    # -- the work, off the GUI thread -------------------------------------------------------
    def refresh(self, trained: Any = None) -> None:
        """Recompute the pictures (with `trained`'s weights when given) in the background."""
        document = self._document
        if document is None or not self.enabled:
            return
        if self._running is not None:
            self._again = trained if trained is not None else True
            return
        project = None
        if self._probe is None or self._probe_edits != self._edits:
            project = from_dict(copy.deepcopy(document.project.to_dict()), document.project.name)
            project.path = document.project.path
        edits, sample, probe, samples = self._edits, self.sample, self._probe, self._samples

        def work() -> tuple[Any, list[dict[str, Any]], dict[str, Any], dict[str, Picture]]:
            from netbuilder.training.activations import ActivationProbe, picture

            nonlocal probe, samples
            if project is not None:
                probe, samples = ActivationProbe(project), []
            assert probe is not None
            if trained is not None:
                probe.take_weights(trained)
            chosen, samples = _resolve(probe, sample, samples, project_dir(document))
            outputs = probe.outputs(chosen)
            return probe, samples, outputs, {nid: picture(value) for nid, value in outputs.items()}

        call = self._running = BackgroundCall(work, self)
        call.done.connect(lambda result: self._arrived(call, edits, result))
        call.failed.connect(lambda error: self._went_wrong(call, error))
        call.start()

    def _arrived(self, call: BackgroundCall, edits: int, result: tuple[Any, Any, Any, Any]) -> None:
        if call is not self._running:
            return  # from a project that was closed meanwhile
        self._running = None
        self._probe, self._samples, self._outputs, self.pictures = result
        self._probe_edits = edits
        self._show()
        self.refreshes += 1
        self.updated.emit()
        self._next()

    def _went_wrong(self, call: BackgroundCall, error: Exception) -> None:
        if call is not self._running:
            return
        self._running = None
        self._probe = None
        self.failed.emit(f"Activation previews: {_sentence(error)}")
        self._next()

    def _next(self) -> None:
        again, self._again = self._again, None
        if again is not None:
            self.refresh(None if again is True else again)

    # -- on the canvas ----------------------------------------------------------------------
    def _show(self) -> None:
        scene, document = self._scene, self._document
        if scene is None or document is None or not shiboken6.isValid(scene) or not self.enabled:
            return
        if document.scope:  # the pictures are the main graph's; a sub-model's cards get none
            self._clear_items()
            return
        for nid, picture in self.pictures.items():
            card = scene.nodes.get(nid)
            item = self.items.get(nid)
            if card is None:
                continue
            if item is None or not shiboken6.isValid(item) or item.parentItem() is not card:
                item = self.items[nid] = ActivationPreviewItem(card, lambda nid=nid: self.open_large(nid))
            item.show_picture(picture)

    def _clear_items(self) -> None:
        for item in self.items.values():
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self.items = {}

    def open_large(self, node_id: str) -> LargeView | None:
        """The large view of one card's output."""
        from netbuilder.training.activations import picture

        value = self._outputs.get(node_id)
        document = self._document
        if value is None or document is None or node_id not in document.project.graph:
            return None
        node = document.project.graph.node(node_id)
        parent = self.parent()
        view = LargeView(f"{node.layer} '{node.name}'", picture(value, LARGE_PIXELS),
                         parent if isinstance(parent, QWidget) else None)
        view.show()
        return view


def project_dir(document: EditorDocument) -> Path | None:
    path = document.project.path
    return path.parent if path is not None else None


def _resolve(probe: ActivationProbe, sample: Sample, samples: list[dict[str, Any]], base_dir: Path | None,
             ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The sample's input values, and the dataset rows kept for the next time."""
    from netbuilder.training.activations import dataset_samples, image_sample, typed_sample
    from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

    if sample.kind == "image":
        return image_sample(probe, Path(sample.path)), samples
    if sample.kind == "typed":
        return typed_sample(probe, sample.text), samples
    if not samples:
        section = probe.project.sections.get("dataset")
        if section is None:
            raise DatasetError("the project has no dataset; pick an image file or type values "
                               "(View ▸ Activation Sample…)")
        samples = dataset_samples(probe, DatasetSpec.from_section(section), base_dir)
    if not samples:
        raise DatasetError("the dataset has no rows to preview")
    return samples[min(sample.index, len(samples) - 1)], samples


def _sentence(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class LargeView(QDialog):
    """One layer's output, large, with what it shows in words."""

    def __init__(self, title: str, picture: Picture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Output of {title}")
        self.picture = picture
        layout = QVBoxLayout(self)
        self.caption = QLabel(describe(picture))
        layout.addWidget(self.caption)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image = to_image(picture)
        if image is None:
            self.image.setText(picture.text)
            self.image.setWordWrap(True)
        else:
            # Nearest-neighbour: each value stays a crisp square, as in the card.
            if picture.kind in ("strip", "histogram"):
                size, aspect = (LARGE_PIXELS, LARGE_PIXELS // 4), Qt.AspectRatioMode.IgnoreAspectRatio
            else:
                size, aspect = (LARGE_PIXELS, LARGE_PIXELS), Qt.AspectRatioMode.KeepAspectRatio
            self.image.setPixmap(QPixmap.fromImage(image).scaled(*size, aspect, Qt.TransformationMode.FastTransformation))
        layout.addWidget(self.image, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class SampleDialog(QDialog):
    """Pick the previews' sample: a dataset row, an image file or typed values."""

    def __init__(self, current: Sample, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Activation sample")
        form = QFormLayout(self)
        self.row = QSpinBox(minimum=1, maximum=8, value=current.index + 1)
        self.row.setToolTip("The first validation rows or images of the project's dataset")
        form.addRow("Dataset sample", self.row)
        file_row = QHBoxLayout()
        self.path = QLineEdit(current.path)
        self.path.setPlaceholderText("an image file (PNG, JPEG, GIF, BMP)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form.addRow("Or an image", file_row)
        self.typed = QLineEdit(current.text)
        self.typed.setPlaceholderText("numbers, e.g. 5.1, 3.5, 1.4, 0.2")
        form.addRow("Or values", self.typed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image to preview", self.path.text(),
                                              "Images (*.png *.jpg *.jpeg *.gif *.bmp)")
        if path:
            self.path.setText(path)

    def chosen(self) -> Sample:
        """Typed values win over an image file, which wins over a dataset row."""
        if self.typed.text().strip():
            return Sample("typed", text=self.typed.text().strip())
        if self.path.text().strip():
            return Sample("image", path=self.path.text().strip())
        return Sample("dataset", index=self.row.value() - 1)
