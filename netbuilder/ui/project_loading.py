"""Opening a big project without freezing the window.

The first shape check of a project makes every Keras layer: seconds for
thousands of layers. For a big project it runs on a worker thread before the
project is shown, as File ▸ Import does, behind a progress dialog that keeps
the window from editing the project under the worker; then the canvas draws
its cards a slice at a time, with a progress bar in the status bar.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Callable, Iterator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QWidget

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.worker import BackgroundCall

BIG_PROJECT = 200  # layers, sub-models included: above this the first check leaves the GUI thread


def is_big(project: Project) -> bool:
    return sum(len(graph) for graph in (project.graph, *project.submodels.values())) > BIG_PROJECT


def check_off_thread(parent: QWidget, project: Project, catalog: Catalog,
                     then: Callable[[object | None], object]) -> BackgroundCall:
    """Run `project`'s first check on a worker; then `then(checker)` on the GUI thread (`then(None)` if it failed)."""
    progress = QProgressDialog(f"Checking the {len(project.graph):,} layers of {project.name or 'the project'}…",
                               "", 0, 0, parent)
    progress.setWindowTitle("Opening")
    progress.setCancelButton(None)
    # Modal at once: the project may be the one on the canvas (TensorFlow arrived after it opened).
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)

    def work() -> object:
        from netbuilder.keras_bridge import ProjectChecker

        checker = ProjectChecker(project, catalog)
        with few_full_collections():
            checker.check()
        return checker

    def finish(checker: object | None) -> None:
        progress.close()
        progress.deleteLater()
        call.deleteLater()
        then(checker)

    call = BackgroundCall(work, parent)
    call.done.connect(finish)
    call.failed.connect(lambda _: finish(None))
    return call.start()


@contextmanager
def few_full_collections() -> Iterator[None]:
    """Put off the collector's full passes while Keras makes thousands of layers, then freeze what they made.

    Each layer leaves hundreds of long-lived objects, and a full pass over them
    all holds Python's lock, stopping the window too: at 3,000 layers the passes
    reach half a second each, and none finds anything to free. Moved out of the
    collector's reach afterwards (as the TensorFlow import's are, see
    KerasLoader), they cost later passes nothing.
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(young, middle, old)


def release_frozen() -> None:
    """Let the collector free a closed big project's layers, kept out of its reach by `few_full_collections`.

    One full pass (about a second after a 10,000-layer project); what is still
    alive is frozen again, so later passes stay cheap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LoadProgress(QProgressBar):
    """A small bar in the status bar while the canvas is still drawing cards and wires."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumWidth(180)
        self.setFormat("Drawing %p%")
        self.hide()

    def follow(self, scene: GraphScene) -> None:
        scene.load_progress.connect(self._progress)
        self.setVisible(scene.is_loading)

    def _progress(self, built: int, total: int) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(built)
        self.setVisible(built < total)
