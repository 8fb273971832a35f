"""Shared test set-up: headless Qt, quiet TensorFlow, and the fixtures several test modules use.

No test imports this file (pytest loads it); plain helpers live in `helpers.py`.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from helpers import tips_project  # noqa: E402


@pytest.fixture
def write_project(tmp_path):
    """Write a project dict (or raw text) to a .nbproj file and return its path."""
    import json

    def write(doc, name="p.nbproj"):
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def applications(tmp_path_factory):
    """`keras.applications` models imported once per session, for every test that exports one (an `ApplicationCache`)."""
    from imported_applications import ApplicationCache

    return ApplicationCache(tmp_path_factory.mktemp("applications"))


@pytest.fixture
def editor(qtbot, tmp_path, monkeypatch):
    """The real main window, with TensorFlow loaded, throw-away settings and recovery folder."""
    monkeypatch.setenv("NETBUILDER_RECOVERY_DIR", str(tmp_path / "recovery"))
    from PySide6.QtCore import QSettings

    from netbuilder.catalog import load_catalog
    from netbuilder.ui.keras_loader import KerasLoader
    from netbuilder.ui.main_window import MainWindow

    loader = KerasLoader()
    loader.wait()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_catalog(), loader, settings)
    # Modal dialogs would wait for a user forever: answer for one. Tests that are
    # about a question replace these; messages are kept for tests to read.
    from PySide6.QtWidgets import QMessageBox

    window.files.ask_save_changes = lambda name: QMessageBox.StandardButton.Discard
    window.files.told = []
    window.files.tell = lambda title, text: window.files.told.append(f"{title}: {text}")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: loader.loaded)
    return window


@pytest.fixture
def open_tips(editor, write_project):
    """Open a saved tips project (so its runs go to a `.runs` folder in tmp_path); returns its Training tab."""
    def open_(**kwargs):
        editor.files.open_path(write_project(tips_project(**kwargs)))
        editor.document.flush_check()
        panel = editor.training
        editor.bottom.setCurrentWidget(panel)
        return panel
    return open_


@pytest.fixture(scope="session", autouse=True)
def _clear_clipboard_at_exit():
    """Take copied layers off the clipboard before the interpreter shuts down, as the app does.

    Otherwise PySide 6.11 crashes the test process on exit (every test passed,
    then a segfault, exit 139); see `netbuilder.ui.app.release_clipboard`.
    """
    yield
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        from netbuilder.ui.app import release_clipboard

        release_clipboard()
