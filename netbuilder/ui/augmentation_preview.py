"""The augmentation preview: one image of the dataset through the model's augmentation layers, several times.

Users of `RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomContrast` and the
like (as in keras.io's "image classification from scratch") want to see what
their settings do before training on them. This window shows a grid of one
sample augmented `COUNT` times (the layers called with `training=True`),
recomputed off the GUI thread after each edit, so a changed factor shows at once.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from netbuilder.graph.project_file import from_dict
from netbuilder.ui.activation_view import project_dir
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.worker import BackgroundCall

if TYPE_CHECKING:  # numpy comes with the first grid, not at launch
    import numpy as np

COUNT = 8
COLUMNS = 4
TILE = 128  # pixels each way on screen
EDIT_DELAY_MS = 300


def to_qimage(image: np.ndarray) -> QImage:
    """A uint8 (height, width, 1 or 3+) array as a grey or colour image."""
    import numpy as np

    height, width, channels = image.shape
    if channels == 1:
        data = np.ascontiguousarray(image[..., 0])
        return QImage(data.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    data = np.ascontiguousarray(image[..., :3])
    return QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class AugmentationPreview(QDialog):
    """A grid of one sample augmented `COUNT` times, following the document's edits."""

    refreshed = Signal()

    def __init__(self, document: EditorDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Augmentation preview")
        self.document = document
        self.images: list[np.ndarray] = []
        self.refreshes = 0
        self._running: BackgroundCall | None = None
        self._again = False
        layout = QVBoxLayout(self)
        self.note = QLabel("Augmenting the first image of the dataset…")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        grid = QGridLayout()
        grid.setSpacing(8)  # the tiles' dark frames would otherwise run into one another
        self.tiles = [QLabel() for _ in range(COUNT)]
        for i, tile in enumerate(self.tiles):
            tile.setFixedSize(TILE, TILE)
            tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile.setStyleSheet("background: #20232a;")
            grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
        layout.addLayout(grid)
        self._debounce = QTimer(self, singleShot=True, interval=EDIT_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)
        document.changed.connect(self._debounce.start)
        self.refresh()

    def refresh(self) -> None:
        """Augment again, with the layers' current settings, in the background."""
        if self._running is not None:
            self._again = True
            return
        project = from_dict(copy.deepcopy(self.document.project.to_dict()), self.document.project.name)
        project.path = self.document.project.path
        base_dir = project_dir(self.document)

        def work() -> tuple[list[np.ndarray], str]:
            from netbuilder.training.activations import ActivationProbe, augmentation_layers, augmented, dataset_samples
            from netbuilder.training.datasets.spec import DatasetSpec

            probe = ActivationProbe(project, with_weights=False)
            layers = augmentation_layers(probe)
            if not layers:
                return [], ("This model has no augmentation layers (RandomFlip, RandomRotation, RandomZoom, "
                            "RandomContrast, …): each image is used as it is.")
            section = project.sections.get("dataset")
            if section is None:
                return [], "Choose a dataset of images to see them augmented."
            samples = dataset_samples(probe, DatasetSpec.from_section(section), base_dir, 1)
            names = ", ".join(type(layer).__name__ for layer in layers)
            return augmented(probe, samples[0], COUNT), f"One image through {names}, {COUNT} times:"

        call = self._running = BackgroundCall(work, self)
        call.done.connect(lambda result: self._arrived(call, *result))
        call.failed.connect(lambda error: self._arrived(call, [], f"Cannot augment: {str(error).splitlines()[0]}"))
        call.start()

    def _arrived(self, call: BackgroundCall, images: list[Any], note: str) -> None:
        if call is not self._running:
            return
        self._running = None
        self.images = images
        self.note.setText(note)
        for i, tile in enumerate(self.tiles):
            if i < len(images):
                pixmap = QPixmap.fromImage(to_qimage(images[i]))
                tile.setPixmap(pixmap.scaled(TILE, TILE, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.FastTransformation))
            else:
                tile.clear()
        self.refreshes += 1
        self.refreshed.emit()
        if self._again:
            self._again = False
            self.refresh()
