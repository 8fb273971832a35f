"""The View menu shows and hides every panel; a panel closed with its × is never lost, across projects too."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QToolBar

from netbuilder.ui.actions import submenu

from helpers import EXAMPLES


def close_button(dock):
    return dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")


def view_entry(editor, text):
    menu = submenu(editor.actions, "view_menu")
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def click_view_entry(editor, qtbot, text):
    """Open View from the menu bar and click the entry, as a user does."""
    menu = submenu(editor.actions, "view_menu")
    menu.popup(editor.mapToGlobal(QPoint(40, 40)))
    qtbot.waitExposed(menu)
    action = view_entry(editor, text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


DOCKS = [("palette_dock", "Layers"), ("inspector_dock", "Inspector"), ("bottom_dock", "Messages, Summary and Training")]


@pytest.mark.parametrize("attribute, entry", DOCKS)
def test_a_dock_closed_with_its_button_comes_back_from_the_view_menu(editor, qtbot, attribute, entry):
    editor.files.open_path(EXAMPLES / "wide_and_deep.nbproj")
    dock = getattr(editor, attribute)
    action = view_entry(editor, entry)
    assert dock.isVisible() and action.isCheckable() and action.isChecked()
    qtbot.mouseClick(close_button(dock), Qt.MouseButton.LeftButton)
    assert not dock.isVisible() and not action.isChecked()
    click_view_entry(editor, qtbot, entry)
    assert dock.isVisible() and action.isChecked()
    click_view_entry(editor, qtbot, entry)
    assert not dock.isVisible() and not action.isChecked()


def test_a_closed_dock_stays_closed_across_projects_and_the_start_page_and_can_come_back(editor, qtbot):
    editor.files.open_path(EXAMPLES / "wide_and_deep.nbproj")
    qtbot.mouseClick(close_button(editor.inspector_dock), Qt.MouseButton.LeftButton)
    editor.files.open_path(EXAMPLES / "mlp_128_10.nbproj")
    assert not editor.inspector_dock.isVisible() and editor.palette_dock.isVisible() and editor.bottom_dock.isVisible()
    assert not view_entry(editor, "Inspector").isChecked()
    editor.actions["close"].trigger()  # the start page has the window to itself
    assert not any(d.isVisible() for d in (editor.palette_dock, editor.inspector_dock, editor.bottom_dock))
    assert not view_entry(editor, "Layers").isEnabled() and view_entry(editor, "Layers").isChecked()
    editor.start_page.open_path.emit(EXAMPLES / "autoencoder.nbproj")
    assert editor.palette_dock.isVisible() and editor.bottom_dock.isVisible() and not editor.inspector_dock.isVisible()
    click_view_entry(editor, qtbot, "Inspector")
    assert editor.inspector_dock.isVisible()


def test_find_in_palette_brings_back_a_closed_layers_dock(editor, qtbot):
    editor.files.open_path(EXAMPLES / "wide_and_deep.nbproj")
    qtbot.mouseClick(close_button(editor.palette_dock), Qt.MouseButton.LeftButton)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    qtbot.keyClick(editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert editor.palette_dock.isVisible() and view_entry(editor, "Layers").isChecked()
    assert editor.palette.search.hasFocus()


def test_the_toolbar_hides_and_comes_back_from_the_view_menu(editor, qtbot):
    toolbar = editor.findChild(QToolBar, "main_toolbar")
    assert toolbar.isVisible()
    click_view_entry(editor, qtbot, "Toolbar")  # also on the start page
    assert not toolbar.isVisible()
    editor.files.open_path(EXAMPLES / "wide_and_deep.nbproj")
    assert not toolbar.isVisible()
    click_view_entry(editor, qtbot, "Toolbar")
    assert toolbar.isVisible()
