"""The Evaluate and Predict tabs the Training panel adds after a run that trained, and drops at the next run.

Evaluation runs the whole held-out split through the model, which takes
seconds, so it is computed on a worker thread and shown when done; the
Predict tab gets the trained model at once. Their modules are imported only
when a run has ended: most sessions never need them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from netbuilder.ui.training.run_controls import RunControls


class ResultViews(QObject):
    """The trained model's Evaluate and Predict tabs in the panel's `views`, while there is a trained model."""

    def __init__(self, views: QTabWidget, controls: RunControls, parent: QObject) -> None:
        """`controls` say why an evaluation could not be made; a child of `parent` (the panel), so a late
        evaluation of a closed panel says nothing."""
        super().__init__(parent)
        self.views = views
        self.controls = controls
        self.evaluate_view: QWidget | None = None
        self.predict_view: QWidget | None = None
        self._evaluation: Any = None

    def show(self, model: Any, data: Any) -> None:
        """Hand the trained model to new Evaluate and Predict views (evaluation computed off the GUI thread)."""
        from netbuilder.training.evaluate import evaluate
        from netbuilder.ui.training.evaluate_view import EvaluateView
        from netbuilder.ui.training.predict_view import PredictView
        from netbuilder.ui.worker import BackgroundCall

        self.evaluate_view, self.predict_view = EvaluateView(), PredictView()
        self.views.addTab(self.evaluate_view, "Evaluate")
        self.views.addTab(self.predict_view, "Predict")
        self.predict_view.set_model(model, data)  # type: ignore[attr-defined]
        split = "validation" if data.validation is not None else "train"
        view = self.evaluate_view
        # Not a child of the panel: a panel closed mid-evaluation must not delete the call under its thread.
        self._evaluation = BackgroundCall(lambda: evaluate(model, data, split))
        self._evaluation.done.connect(view.show_evaluation)  # type: ignore[attr-defined]
        self._evaluation.failed.connect(self._evaluation_failed)
        self._evaluation.start()

    def _evaluation_failed(self, error: Exception) -> None:
        self.controls.say(f"Evaluation failed: {error}", "error")

    def drop(self) -> None:
        """Remove the last run's tabs (a new run starts)."""
        for view in (self.evaluate_view, self.predict_view):
            if view is not None:
                self.views.removeTab(self.views.indexOf(view))
                view.deleteLater()
        self.evaluate_view = self.predict_view = None
