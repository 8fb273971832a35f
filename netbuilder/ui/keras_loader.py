"""Import TensorFlow/Keras on a background thread so the window appears at once.

TensorFlow takes seconds to import; the palette, canvas and structural checks
work from the cached catalog meanwhile. When the import finishes, `ready`
fires on the GUI thread and the document starts checking shapes.
"""

from __future__ import annotations

import gc
import threading
import traceback

from PySide6.QtCore import QObject, Signal


class KerasLoader(QObject):
    """Starts the import once; `ready` or `failed(message)` is delivered on the GUI thread."""

    ready = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self.loaded = False
        self.error: str | None = None
        self.ready.connect(self._mark_loaded)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="keras-import", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the import is done (tests and the screenshot script use this)."""
        self.start()
        assert self._thread is not None
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            import netbuilder.keras_bridge  # noqa: F401  (the slow import)
            import netbuilder.keras_bridge.trial  # noqa: F401
        except Exception as exc:  # a broken TensorFlow install must not take the editor down
            self.error = f"TensorFlow could not be loaded: {exc}"
            traceback.print_exc()
            self.failed.emit(self.error)
            return
        # TensorFlow and Keras leave about a million long-lived objects behind. Moved out of
        # the collector's reach, a full collection (which holds Python's lock, so stops the
        # window too) takes milliseconds instead of 100-200 ms during training.
        gc.freeze()
        self.ready.emit()

    def _mark_loaded(self) -> None:
        self.loaded = True
