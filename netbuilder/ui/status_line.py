"""The status bar's two readings of the project: the last thing said, and the verdict of the check.

A status message is only true for a while: "Cannot connect to Dense 'h1'"
stops being news once the user undoes, opens another project or deletes
'h1', and "Training failed" once the next run starts. So each message
remembers what it is about, and goes when that does; nothing has to be
overwritten by luck. The verdict beside it follows every check: red for
errors, grey for unfinished work, green when the model is valid.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from netbuilder.graph import Project
from netbuilder.ui.canvas.theme import ERROR, PORT_VALID
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.problem_look import INCOMPLETE_COLOUR, counts_text, problem_line

TRAINING = "training"  # the source of messages that a new run makes old
VALID_TEXT = "✓ Valid"
_TIP_LINES = 10


class StatusLine:
    """The message on the left of the status bar and the check's verdict on the right."""

    def __init__(self, bar: QStatusBar) -> None:
        self.message = QLabel()
        self.verdict = QLabel()
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.verdict)
        self._about: tuple[str, tuple[str, ...]] = ("", ())  # (scope, node ids)
        self._source = ""

    def say(self, text: str, scope: str = "", about: tuple[str, ...] = (), source: str = "") -> None:
        """Show `text` until it no longer applies: `about` names nodes of `scope`; `source` who said it."""
        self.message.setText(text)
        self._about = (scope, about)
        self._source = source

    def clear(self) -> None:
        self.say("")

    def forget_gone_nodes(self, project: Project | None) -> None:
        """Clear a message about a node that is no longer there (deleted, or its sub-model is)."""
        scope, about = self._about
        graph = None if project is None else project.submodels.get(scope) if scope else project.graph
        if about and (graph is None or any(node_id not in graph for node_id in about)):
            self.clear()

    def forget(self, source: str) -> None:
        """Clear the message if `source` said it (a new run makes the last run's outcome old)."""
        if self._source == source:
            self.clear()

    def show_verdict(self, document: EditorDocument | None) -> None:
        """Red for errors, grey for unfinished work, green when valid; nothing before shapes are checked."""
        problems = document.problems if document is not None else []
        errors = any(p.is_error for p in problems)
        if document is None or (not problems and not document.keras_ready):
            text, colour = "", ""  # nothing to judge, or shapes not checked yet: claim nothing
        elif not problems:
            text, colour = VALID_TEXT, PORT_VALID.name()
        else:
            text = ("⚠ " if errors else "◌ ") + counts_text(problems)
            colour = ERROR.name() if errors else INCOMPLETE_COLOUR.name()
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour};" if colour else "")
        lines = [problem_line(document.project, p) for p in problems[:_TIP_LINES]] if document is not None else []
        self.verdict.setToolTip("\n".join(lines))
