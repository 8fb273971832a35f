"""Train, Pause/Resume and Stop, the progress bar, and the line that says how the run is going.

The buttons follow the run's state (idle, preparing, running, paused,
stopping). Train stays clickable whenever no run is under way, even when a
run cannot start: a greyed-out button (or F5 doing nothing) tells a user
nothing, while a click answers with the reason and the fix in the message
area; its tooltip says the reason too. The message area is where that
answer and a failed run's sentence appear ("Input 'img' expects (28, 28, 1),
the dataset gives (784,)"), in red, wrapped, in full and selectable so it can
be copied into a bug report.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStyle, QVBoxLayout, QWidget

from netbuilder.ui.inspector.field_row import ERROR_COLOR
from netbuilder.ui.training.progress import Progress

State = Literal["idle", "preparing", "running", "paused", "stopping"]
Tone = Literal["info", "good", "error"]
_TONES = {"info": "#5f6b7a", "good": "#1e8e3e", "error": ERROR_COLOR}
_BAR_STEPS = 1000


class RunControls(QWidget):
    """The buttons, the progress bar, the latest epoch's numbers and the message area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.train_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Train")
        self.pause_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause), "Pause")
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop")
        self.train_button.setToolTip("Train the model on the dataset (F5)")
        self.stop_button.setToolTip("End the run after the current batch, keeping its weights and history (Shift+F5)")
        self.progress = QProgressBar()
        self.progress.setRange(0, _BAR_STEPS)
        self.progress.setTextVisible(False)  # drawn over the bar, the text is cut by the bar's edge
        self.progress.setMaximumHeight(10)
        self.progress_label = QLabel()
        self.latest = QLabel()
        self.latest.setWordWrap(True)
        self.latest.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.latest)
        layout.addWidget(self.message)
        self.state: State = "idle"
        self.why_not = ""
        self.set_state("idle")

    def set_state(self, state: State, why_not: str = "") -> None:
        """Enable what fits `state`; `why_not` (idle only) says why a click on Train will not start a run."""
        self.state, self.why_not = state, why_not
        busy = state != "idle"
        self.train_button.setEnabled(not busy)
        self.train_button.setToolTip(f"Cannot train yet: {why_not}" if why_not else "Train the model on the dataset (F5)")
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.stop_button.setEnabled(state in ("preparing", "running", "paused"))
        if state == "preparing":
            self.progress.setRange(0, 0)  # busy: loading and building have no known length
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, _BAR_STEPS)

    def show_progress(self, progress: Progress) -> None:
        self.progress.setValue(round(progress.fraction * _BAR_STEPS))
        self.progress_label.setText(progress.text())

    def clear_progress(self) -> None:
        """No run is under way or over: an empty bar and no line (a run that never started)."""
        self.progress.setValue(0)
        self.progress_label.clear()
        self.latest.clear()

    def show_latest(self, epoch: int, logs: dict[str, float]) -> None:
        numbers = " · ".join(f"{key} {value:.4g}" for key, value in logs.items())
        self.latest.setText(f"epoch {epoch}: {numbers}")

    def say(self, text: str, tone: Tone = "info") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {_TONES[tone]};")

    def progress_text(self) -> str:
        return self.progress_label.text()
