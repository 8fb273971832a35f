"""Opening a big project without freezing the window.

Reading and parsing the file of 10,000 layers takes a fifth of a second, and
the first shape check of a project makes every Keras layer: seconds for
thousands of layers. For a big file both run on a worker thread before the
project is shown, as File ▸ Import does, behind one progress dialog that keeps
the window from editing the project under the worker; then the canvas draws
its cards a slice at a time, with a progress bar in the status bar.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QWidget

from netbuilder.catalog import Catalog
from netbuilder.graph import Project, project_file
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.worker import BackgroundCall

BIG_PROJECT = 200  # layers, sub-models included: above this the first check leaves the GUI thread
BIG_FILE = 64 * 1024  # bytes (a couple of hundred layers): above this the file is read off the GUI thread


def is_big(project: Project) -> bool:
    return sum(len(graph) for graph in (project.graph, *project.submodels.values())) > BIG_PROJECT


def is_big_file(path: Path) -> bool:
    """Whether reading `path` is worth a worker (False when it cannot even be looked at: reading it says why)."""
    try:
        return path.stat().st_size > BIG_FILE
    except OSError:
        return False


class _Said(QObject):
    """Carries what the worker is doing to the dialog, through the event loop (widgets are the GUI thread's)."""

    text = Signal(str)


def open_off_thread(parent: QWidget, path: Path, catalog: Catalog, check: bool,
                    then: Callable[[Project, object | None], object],
                    failed: Callable[[BaseException], object]) -> BackgroundCall:
    """Read the project at `path` on a worker and, if `check` and it is big, run its first check there too.

    Then `then(project, checker)` on the GUI thread (checker None when not
    checked, or when the check failed: the editor checks it itself), or
    `failed(error)` when the file cannot be read.
    """
    progress = _progress_dialog(parent, f"Reading {path.name}…")
    said = _Said()
    said.text.connect(progress.setLabelText)

    def work() -> tuple[Project, object | None]:
        project = project_file.load(path)
        if not (check and is_big(project)):
            return project, None
        said.text.emit(_checking_text(project))
        try:
            return project, first_check(project, catalog)
        except Exception:  # shown unchecked, as by check_off_thread: the editor's own check says what is wrong
            return project, None

    def close() -> None:
        progress.close()
        progress.deleteLater()
        said.deleteLater()
        call.deleteLater()

    def done(result: tuple[Project, object | None]) -> None:
        close()
        then(*result)

    def not_read(error: BaseException) -> None:
        close()
        failed(error)

    call = BackgroundCall(work, parent)
    call.done.connect(done)
    call.failed.connect(not_read)
    return call.start()


def check_off_thread(parent: QWidget, project: Project, catalog: Catalog,
                     then: Callable[[object | None], object]) -> BackgroundCall:
    """Run `project`'s first check on a worker; then `then(checker)` on the GUI thread (`then(None)` if it failed)."""
    progress = _progress_dialog(parent, _checking_text(project))

    def finish(checker: object | None) -> None:
        progress.close()
        progress.deleteLater()
        call.deleteLater()
        then(checker)

    call = BackgroundCall(lambda: first_check(project, catalog), parent)
    call.done.connect(finish)
    call.failed.connect(lambda _: finish(None))
    return call.start()


def first_check(project: Project, catalog: Catalog) -> object:
    """A `ProjectChecker` that has checked `project` once (made on a worker thread)."""
    from netbuilder.keras_bridge import ProjectChecker

    checker = ProjectChecker(project, catalog)
    with few_full_collections():
        checker.check()
    return checker


def _checking_text(project: Project) -> str:
    return f"Checking the {len(project.graph):,} layers of {project.name or 'the project'}…"


def _progress_dialog(parent: QWidget, text: str) -> QProgressDialog:
    progress = QProgressDialog(text, "", 0, 0, parent)
    progress.setWindowTitle("Opening")
    progress.setCancelButton(None)
    # Modal at once: the project may be the one on the canvas (TensorFlow arrived after it opened).
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    return progress


class FullCollections:
    """Puts off the collector's full passes while thousands of long-lived objects are made, then freezes them.

    Each Keras layer leaves hundreds of long-lived objects, and each card and
    wire of the canvas dozens; a full pass over them all holds Python's lock,
    stopping the window too: at 3,000 layers the passes reach half a second
    each (a tenth of a second while 10,000 cards are drawn), and none finds
    anything to free. Moved out of the collector's reach afterwards (as the
    TensorFlow import's are, see KerasLoader), they cost later passes nothing.
    Holds nest (the first check on a worker, the drawing on the GUI thread):
    the last release freezes.
    """

    _holds = 0
    _threshold = 0  # the full passes' threshold to go back to
    _lock = threading.Lock()  # held and released from both threads

    @classmethod
    def hold(cls) -> None:
        with cls._lock:
            if not cls._holds:
                young, middle, cls._threshold = gc.get_threshold()
                gc.set_threshold(young, middle, 1_000_000)
            cls._holds += 1

    @classmethod
    def release(cls) -> None:
        with cls._lock:
            cls._holds -= 1
            if not cls._holds:
                gc.freeze()
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, cls._threshold)


@contextmanager
def few_full_collections() -> Iterator[None]:
    """No full collections while Keras makes the layers of a big project; see FullCollections."""
    FullCollections.hold()
    try:
        yield
    finally:
        FullCollections.release()


def release_frozen() -> None:
    """Let the collector free a closed big project's layers, kept out of its reach by `few_full_collections`.

    One full pass (about a second after a 10,000-layer project); what is still
    alive is frozen again, so later passes stay cheap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LoadProgress(QProgressBar):
    """A small bar in the status bar while the canvas is still drawing cards and wires.

    Meanwhile, for a big project, Python's full collections are put off (see FullCollections).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumWidth(180)
        self.setFormat("Drawing %p%")
        self.hide()
        self._holding = False

    def follow(self, scene: GraphScene) -> None:
        self._release()  # the scene drawn before may not have finished
        big = is_big(scene.document.project)
        scene.load_progress.connect(lambda built, total: self._progress(built, total, big))
        scene.destroyed.connect(self._release)
        self.setVisible(scene.is_loading)

    def _progress(self, built: int, total: int, big: bool) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(built)
        self.setVisible(built < total)
        if big and built < total and not self._holding:
            self._holding = True
            FullCollections.hold()
        elif built == total:
            self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            FullCollections.release()
