"""New, Open, Save, Save As, Import and Close, with the questions and messages around them.

Every dialog is asked through one small method (`ask_open_path`,
`ask_save_path`, `ask_save_changes`, `tell`) so tests can answer for the user
and drive the real code paths. Files are never half-written: the document
saves atomically, and a failed save leaves the previous file as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from netbuilder.graph import Project, ProjectFileError
from netbuilder.graph import project_file
from netbuilder.ui.project_loading import is_big_file, open_off_thread
from netbuilder.ui.recovery import RecoveredWork, find_recoverable, forget, load_recovered
from netbuilder.ui.worker import BackgroundCall
from netbuilder.resources import example_names, example_path, example_title

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

PROJECT_FILTER = "netbuilder projects (*.nbproj)"
MODEL_FILTER = "Keras models (*.keras *.h5 *.hdf5)"


class FileOps:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._import_call: BackgroundCall | None = None
        self._reading: BackgroundCall | None = None  # a big file being read; a later open_path wins

    # -- questions (tests replace these) ----------------------------------------------
    def ask_open_path(self, title: str, filter_: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self.window, title, str(self._folder()), filter_)
        return Path(path) if path else None

    def ask_save_path(self, title: str, suggestion: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(self._folder() / suggestion), PROJECT_FILTER)
        if not path:
            return None
        return Path(path) if path.endswith(".nbproj") else Path(path + ".nbproj")

    def ask_save_changes(self, name: str) -> QMessageBox.StandardButton:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(
            self.window, "Unsaved changes", f"Save the changes to '{name}' before closing it?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
        )

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def _folder(self) -> Path:
        recent = self.window.recent.paths()
        return recent[0].parent if recent else Path.home()

    # -- commands ------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the open project may be closed (saved, discarded, or unchanged)."""
        doc = self.window.document
        if doc is None or not doc.is_modified:
            return True
        answer = self.ask_save_changes(doc.display_name)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new(self) -> None:
        if self.confirm_discard():
            self.window.show_project(Project(name="untitled"))

    def open(self) -> None:
        path = self.ask_open_path("Open project", PROJECT_FILTER)
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Open the project at `path`; False when it is not opened (kept the open one, or it cannot be read).

        A big file is read (and first checked) off the GUI thread: then True
        means it is on its way, and a file that turns out unreadable is
        reported when the reading ends.
        """
        path = Path(path)
        if path.parent.resolve() == example_path("x").parent.resolve():
            return self.open_example(path.stem)
        if not self.confirm_discard():
            return False
        if is_big_file(path):
            self._reading = call = open_off_thread(
                self.window, path, self.window.catalog, self.window.loader.loaded,
                lambda project, checker: self._reading is call and self._opened(path, project, checker),
                lambda error: self._reading is call and self._not_opened(path, error))
            return True
        try:
            project = project_file.load(path)
        except (ProjectFileError, OSError) as exc:
            self._not_opened(path, exc)
            return False
        self._opened(path, project, None)
        return True

    def _opened(self, path: Path, project: Project, checker: object | None) -> None:
        self._reading = None
        self.window.show_project(project, checker=checker)
        self.window.recent.add(path)

    @property
    def reading(self) -> bool:
        """Whether a big project file is being read off the GUI thread."""
        return self._reading is not None

    def _not_opened(self, path: Path, error: BaseException) -> None:
        self._reading = None
        if self.window.document is None:  # a launch straight into this file: the start page instead
            self.window.show_start_page()
        if isinstance(error, ProjectFileError):
            self.tell("Cannot open project", f"{path.name} cannot be opened:\n\n" + "\n".join(f"• {p}" for p in error.problems))
        elif isinstance(error, OSError):
            self.tell("Cannot open project", f"{path} cannot be read: {error.strerror or error}")
            self.window.recent.remove(path)
        else:  # a bug in reading: still a sentence where the user looks, not a silent nothing
            self.tell("Cannot open project", f"{path.name} cannot be opened: {error}")

    def open_example(self, name: str) -> bool:
        """Open a bundled example as a new, unsaved copy (Save asks where, never into the package)."""
        if name not in example_names():
            self.tell("No such example", f"There is no example called '{name}'. Examples: {', '.join(example_names())}.")
            return False
        if not self.confirm_discard():
            return False
        project = project_file.load(example_path(name))
        project.path = None
        self.window.show_project(project)
        return True

    def save(self) -> bool:
        doc = self.window.document
        if doc is None:
            return False
        if doc.project.path is None:
            return self.save_as()
        return self._save_to(doc.project.path)

    def save_as(self) -> bool:
        doc = self.window.document
        if doc is None:
            return False
        path = self.ask_save_path("Save project as", f"{doc.display_name}.nbproj")
        if path is None:
            return False
        if doc.project.name in ("", "untitled"):
            doc.project.name = path.stem
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        doc = self.window.document
        assert doc is not None
        try:
            doc.save(path)
        except (ProjectFileError, OSError, ValueError) as exc:
            reason = "\n".join(exc.problems) if isinstance(exc, ProjectFileError) else str(exc)
            self.tell("Cannot save", f"The project was not saved (the previous file is untouched):\n\n{reason}")
            return False
        self.window.recent.add(path)
        self.window.show_status(f"Saved {path}")
        return True

    def close_project(self) -> None:
        if self.confirm_discard():
            self.window.show_project(None)

    # -- import ----------------------------------------------------------------------
    def import_model(self, source: Path | None = None, target: Path | None = None) -> BackgroundCall | None:
        """Import a .keras/.h5 model as a new project; the slow part runs off the GUI thread."""
        source = source or self.ask_open_path("Import Keras model", MODEL_FILTER)
        if source is None or not self.confirm_discard():
            return None
        target = target or self.ask_save_path("Save the imported project as", f"{source.stem}.nbproj")
        if target is None:
            return None
        progress = QProgressDialog(f"Importing {source.name}…", "", 0, 0, self.window)
        progress.setWindowTitle("Import")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def work() -> tuple[Project, object]:
            self.window.loader.wait()
            from netbuilder.keras_bridge import ProjectChecker, import_model_file

            project = import_model_file(source, target, self.window.catalog)
            # The first check makes every layer (1.7 s for NASNetMobile): do it here,
            # off the GUI thread, and hand the warm checker to the editor.
            checker = ProjectChecker(project, self.window.catalog)
            checker.check()
            return project, checker

        def done(result: tuple[Project, object]) -> None:
            project, checker = result
            progress.close()
            self.window.show_project(project, checker=checker)
            self.window.recent.add(target)
            self.window.show_status(f"Imported {source.name}: {len(project.graph)} layers, laid out automatically")

        def failed(exc: BaseException) -> None:
            progress.close()
            self.tell("Cannot import model", f"{source.name} cannot be imported:\n\n{exc}")

        call = BackgroundCall(work, self.window)
        call.done.connect(done)
        call.failed.connect(failed)
        self._import_call = call
        return call.start()

    # -- menus and recovery -----------------------------------------------------------
    def refresh_menus(self) -> None:
        recent = self.window.actions["recent_menu"]
        recent.clear()
        for path in self.window.recent.paths():
            recent.addAction(str(path), lambda p=path: self.open_path(p))
        if recent.isEmpty():
            recent.addAction("No recent projects").setEnabled(False)
        examples = self.window.actions["examples_menu"]
        examples.clear()
        for name in example_names():
            examples.addAction(example_title(name), lambda n=name: self.open_example(n))

    def offer_recovery(self) -> None:
        items = find_recoverable()
        self.window.start_page.set_recovered(items, self._restore, self._forget)

    def _restore(self, work: RecoveredWork) -> None:
        if not self.confirm_discard():
            return
        project = load_recovered(work)
        forget(work)
        self.window.show_project(project, modified=True)
        self.offer_recovery()

    def _forget(self, work: RecoveredWork) -> None:
        forget(work)
        self.offer_recovery()
