"""The Help menu, opened with its keys: every shortcut (searchable), first steps, and the versions in use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.ui.actions import GESTURES, MENUS

from helpers import REPO


def press(qtbot, editor, key, modifier=Qt.KeyboardModifier.NoModifier):
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    QTest.keyClick(editor, key, modifier)


def test_keyboard_shortcuts_lists_every_action_and_gesture(editor, qtbot):
    press(qtbot, editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = editor.help.windows["shortcuts"]
    qtbot.waitExposed(dialog)
    rows = dialog.visible_rows()
    every_action = [spec.text.replace("&", "").rstrip("…") for specs in MENUS.values() for spec in specs if spec]
    assert [row.what for row in rows[:len(every_action)]] == every_action
    assert [row.what for row in rows[len(every_action):]] == [what for _, _, what in GESTURES]
    keys = {row.what: row.keys for row in rows}
    assert keys["Undo"] == "Ctrl+Z" and keys["Train"] == "F5" and keys["Keyboard Shortcuts"] == "Ctrl+/"
    assert {"Space (tap)", "Wheel", "Space + drag, or middle-drag", "Esc"} <= {row.keys for row in rows}


def test_the_shortcut_list_narrows_as_the_user_types(editor, qtbot):
    dialog = editor.help.show_shortcuts()
    qtbot.waitExposed(dialog)
    QTest.keyClicks(dialog.search, "zoom")
    assert {row.what for row in dialog.visible_rows()} == {"Zoom In", "Zoom Out", "Zoom around the pointer"}
    dialog.search.clear()
    QTest.keyClicks(dialog.search, "ctrl+z")
    assert [row.what for row in dialog.visible_rows()] == ["Undo"]
    dialog.search.clear()
    QTest.keyClicks(dialog.search, "canvas esc")  # every word, anywhere in the row
    assert [row.keys for row in dialog.visible_rows()] == ["Esc"]
    assert not dialog.empty.isVisible()
    QTest.keyClicks(dialog.search, "qqq")
    assert dialog.visible_rows() == [] and dialog.empty.isVisible()
    assert dialog.empty.text() == "No matches for \u201ccanvas escqqq\u201d"
    QTest.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert editor.help.show_shortcuts() is dialog  # one window, kept for next time


def test_getting_started_opens_with_f1_and_says_what_to_do_first(editor, qtbot):
    press(qtbot, editor, Qt.Key.Key_F1)
    dialog = editor.help.windows["getting_started"]
    qtbot.waitExposed(dialog)
    text = dialog.page.toPlainText()
    steps = ["Add an Input", "Add layers and connect them", "Watch the shapes", "Train", "Export"]
    assert [text.index(step) for step in steps] == sorted(text.index(step) for step in steps)
    assert "Layers" in text and "28x28x1" in text and "(F5)" in text and "(Ctrl+E)" in text and "(Ctrl+/)" in text


def test_the_start_page_offers_getting_started(editor, qtbot):
    from PySide6.QtWidgets import QPushButton

    button = next(b for b in editor.start_page.findChildren(QPushButton) if b.text() == "Getting started")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert editor.help.windows["getting_started"].isVisible()


def test_about_names_the_versions_in_use(editor, qtbot):
    import keras
    import PySide6
    import tensorflow as tf
    from PySide6.QtCore import qVersion

    editor.actions["about"].trigger()
    dialog = editor.help.windows["about"]
    qtbot.waitExposed(dialog)
    text = dialog.text.text()
    for name, version in [("netbuilder", "0.1.0"), ("Keras", keras.__version__), ("TensorFlow", tf.__version__),
                          ("Qt", qVersion()), ("PySide6", PySide6.__version__),
                          ("Python", ".".join(map(str, sys.version_info[:3])))]:
        assert f"<td>{name}</td><td>&nbsp;&nbsp;<b>{version}</b></td>" in text


def test_about_reads_versions_without_importing_tensorflow():
    code = ("import json, sys; from netbuilder.ui.help_dialogs import versions; "
            "print(json.dumps([dict(versions()), 'tensorflow' in sys.modules, 'keras' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-2000:]
    found, tf_loaded, keras_loaded = json.loads(out.stdout)
    import importlib.metadata

    assert not tf_loaded and not keras_loaded
    assert found["TensorFlow"] == importlib.metadata.version("tensorflow")
    assert found["Keras"] == importlib.metadata.version("keras")
