"""View ▸ Deployment Target marks, on the right card, the layers the chosen format cannot run; the Export dialog
lists them before Export is pressed; the bundled MLP stays unmarked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from netbuilder.graph import SetConfig
from netbuilder.export import deploy_check
from netbuilder.export.deploy_cache import ProbeCache

from netbuilder.ui.actions import submenu
from netbuilder.ui.export_dialog import ExportDialog

from helpers import EXAMPLES


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """The converters really run: no answers from an earlier session."""
    monkeypatch.setattr(deploy_check, "_cache", ProbeCache(tmp_path / "deploy-check.json"))


def choose_target(editor, qtbot, label):
    """View ▸ Deployment Target ▸ `label`, with the keyboard as a user may: the arrows, then Enter."""
    view = submenu(editor.actions, "view_menu")
    view.popup(editor.mapToGlobal(QPoint(40, 40)))
    qtbot.waitExposed(view)
    entry = editor.deploy.menu.menuAction()
    while view.activeAction() is not entry:
        qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    targets = editor.deploy.menu
    qtbot.waitExposed(targets)
    action = next(a for a in targets.actions() if a.text() == label)
    while targets.activeAction() is not action:
        qtbot.keyClick(targets, Qt.Key.Key_Down)
    qtbot.keyClick(targets, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: action.isChecked() and not targets.isVisible())
    qtbot.waitUntil(lambda: editor.deploy.call is None, timeout=60_000)


def test_text_layers_are_marked_for_onnx_and_tflite_and_the_marks_go_with_none(editor, qtbot):
    editor.files.open_path(EXAMPLES / "language_id.nbproj")
    editor.document.flush_check()
    choose_target(editor, qtbot, "ONNX")
    badge = editor.deploy.badge("words")
    assert badge is not None and badge.parentItem() is editor.scene.nodes["words"] and badge.isVisible()
    assert "ONNX" in badge.text and "StringSplitV2" in badge.toolTip()
    card = editor.scene.nodes["words"]
    assert "Cannot deploy to ONNX" in card.toolTip() and "StringSplitV2" in card.toolTip()
    assert all(editor.deploy.badge(n) is None for n in ("embed", "pool", "language"))

    choose_target(editor, qtbot, "TFLite")
    badge = editor.deploy.badge("words")
    assert "TFLite" in badge.text and "StringLower" in badge.toolTip() and "Select TF ops" in badge.toolTip()

    choose_target(editor, qtbot, "TF Serving")  # string ops are fine in a SavedModel
    assert editor.deploy.badge("words") is None
    choose_target(editor, qtbot, "TFLite")
    choose_target(editor, qtbot, "None")
    assert editor.deploy.badge("words") is None and badge.scene() is None and "deploy" not in card.toolTip()


def test_the_bundled_mlp_gets_no_mark_for_any_target(editor, qtbot):
    editor.files.open_path(EXAMPLES / "mlp_128_10.nbproj")
    editor.document.flush_check()
    for label in ("TFLite", "ONNX", "TF Serving"):
        choose_target(editor, qtbot, label)
        assert editor.deploy.findings == {} and not editor.deploy.error


def test_the_export_dialog_lists_what_its_format_cannot_run(editor, qtbot):
    editor.files.open_path(EXAMPLES / "language_id.nbproj")
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    dialog.select_format("onnx")
    qtbot.waitUntil(lambda: dialog.deploy_list.call is None and "…" not in dialog.deploy_list.text(), timeout=60_000)
    text = dialog.deploy_list.text()
    assert dialog.deploy_list.isVisible() and "TextVectorization 'words'" in text and "StringSplitV2" in text
    dialog.select_format("keras")
    assert not dialog.deploy_list.isVisible()


def test_the_mark_stays_on_a_card_the_user_edits(editor, qtbot):
    editor.files.open_path(EXAMPLES / "language_id.nbproj")
    editor.document.flush_check()
    choose_target(editor, qtbot, "TFLite")
    config = dict(editor.document.graph.node("words").config, output_sequence_length=12)
    editor.document.push(SetConfig(editor.document.graph, "words", config))  # the inspector's edit
    editor.document.flush_check()
    card = editor.scene.nodes["words"]
    assert "(None, 12)" in card.toolTip()  # the card has redrawn its look and tooltip
    qtbot.waitUntil(lambda: editor.deploy.call is None and not editor.deploy._timer.isActive(), timeout=60_000)
    assert editor.deploy.badge("words") is not None and "Cannot deploy to TFLite" in card.toolTip()
