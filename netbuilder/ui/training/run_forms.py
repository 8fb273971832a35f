"""The Data and Settings tabs at the Training panel's left: the project's dataset and training sections.

Each form shows its section of the project and sends edits back as an
undo-able `SetSection` command, so an edit, an undo and a redo all come back
through the document's `changed` signal. The forms scroll rather than squeeze:
a long form is never cut off. A run reads the same sections through
`run_sections`, which raises with the reason when they cannot be used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

from netbuilder.graph.project_commands import SetSection
from netbuilder.training.datasets import DatasetSpec
from netbuilder.training.settings import SettingsError, TrainingSettings
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.training.data_form import DataForm
from netbuilder.ui.training.settings_form import SettingsForm


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area that fits its width: it scrolls instead of being squeezed."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def model_input_shapes(document: EditorDocument) -> dict[str, list[int | None] | None]:
    """The main graph's Input nodes by model input name, each with the per-sample shape it declares."""
    graph = document.project.graph
    return {graph.node(i).name: graph.node(i).config.get("shape") for i in graph.input_ids()}


class RunForms(QTabWidget):
    """The Data form and the Settings form of one project, each in a scrolling tab."""

    def __init__(self, document: EditorDocument, ask_data_file: Callable[[], Path | None],
                 ask_data_folder: Callable[[], Path | None]) -> None:
        super().__init__()
        self.document = document
        self.data_form = DataForm(ask_data_file, ask_data_folder)
        self.settings_form = SettingsForm()
        self.tabs = {self.data_form: scrolling(self.data_form), self.settings_form: scrolling(self.settings_form)}
        self.addTab(self.tabs[self.data_form], "Data")
        self.addTab(self.tabs[self.settings_form], "Settings")
        self.data_form.edited.connect(lambda section: self._push("dataset", section, "Change dataset"))
        self.settings_form.edited.connect(lambda section: self._push("training", section, "Change training settings"))

    def show_form(self, form: QWidget) -> None:
        """Bring `form` (the data or the settings form) to the front: where the user fixes what it says."""
        self.setCurrentWidget(self.tabs[form])

    def show_sections(self, base_dir: Path | None) -> None:
        """Show the project's dataset and training sections; unreadable settings show with their reason."""
        sections = self.document.project.sections
        try:
            self.settings_form.show_settings(TrainingSettings.from_section(sections.get("training")))
        except SettingsError as error:
            self.settings_form.show_settings(TrainingSettings(), str(error))
        self.data_form.show_dataset(sections.get("dataset"), base_dir, model_input_shapes(self.document))

    def run_sections(self) -> tuple[DatasetSpec, TrainingSettings]:
        """The project's dataset and training settings as a run would use them; raises when unreadable."""
        sections = self.document.project.sections
        return DatasetSpec.from_section(sections.get("dataset")), TrainingSettings.from_section(sections.get("training"))

    def _push(self, key: str, section: Any, text: str) -> None:
        if section != self.document.project.sections.get(key):
            self.document.push(SetSection(self.document.project, key, section, text))
