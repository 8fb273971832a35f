"""What the window says about the model: the status line goes when it no longer applies, and
unfinished work (a card not wired yet) reads as unfinished — grey and dashed — while red is kept
for errors, everywhere it shows: cards, Messages, the status bar and Train's reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.ui.problem_look import INCOMPLETE_COLOUR

from helpers import EXAMPLES, finish
from ui_gestures import connect


def open_wide_and_deep(editor):
    editor.files.open_path(EXAMPLES / "wide_and_deep.nbproj")
    editor.document.flush_check()
    editor.view.fit_all()
    return editor.document


def refuse_a_wire(editor):
    """Drop a wire on an occupied input: the canvas refuses it and the status line says why."""
    connect(editor, "wide", "h1")
    assert editor.document.graph.incoming("h1")[0].source == "deep"
    assert editor.status_line.message.text().startswith("Cannot connect to Dense 'h1': ")


def press(qtbot, editor, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key on the canvas; shortcuts only answer in the active window (a refused wire can leave none active)."""
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    QTest.keyClick(editor.view, key, modifier)


# -- the status line ------------------------------------------------------------------------

def test_undo_and_redo_clear_the_status_line(editor, qtbot):
    doc = open_wide_and_deep(editor)
    editor.scene.select_nodes(["out"])
    press(qtbot, editor, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # duplicate: something to undo
    assert len(doc.graph) == 6
    refuse_a_wire(editor)
    press(qtbot, editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.graph) == 5 and editor.status_line.message.text() == ""
    refuse_a_wire(editor)
    press(qtbot, editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.graph) == 6 and editor.status_line.message.text() == ""


def test_opening_another_project_clears_the_status_line(editor, qtbot):
    open_wide_and_deep(editor)
    refuse_a_wire(editor)
    editor.files.open_path(EXAMPLES / "mlp_128_10.nbproj")
    assert editor.status_line.message.text() == ""


def test_deleting_the_node_a_message_is_about_clears_it_and_only_that(editor, qtbot):
    open_wide_and_deep(editor)
    refuse_a_wire(editor)
    editor.scene.select_nodes(["out"])
    press(qtbot, editor, Qt.Key.Key_Delete)
    assert "out" not in editor.document.graph
    assert editor.status_line.message.text().startswith("Cannot connect to Dense 'h1'")  # about h1 and wide, still there
    editor.scene.select_nodes(["h1"])
    press(qtbot, editor, Qt.Key.Key_Delete)
    assert "h1" not in editor.document.graph and editor.status_line.message.text() == ""


def test_the_next_training_run_clears_what_the_last_one_said(editor, open_tips, qtbot):
    panel = open_tips(epochs=1)
    press(qtbot, editor, Qt.Key.Key_F5)
    finish(qtbot, panel)
    assert editor.status_line.message.text().startswith("Training completed")
    seen = []
    panel.state_changed.connect(lambda: seen.append((panel.controls.state, editor.status_line.message.text())))
    press(qtbot, editor, Qt.Key.Key_F5)
    finish(qtbot, panel)
    assert seen[0] == ("preparing", "")


# -- unfinished is not an error -------------------------------------------------------------

def test_a_card_that_is_only_unfinished_is_drawn_soft_and_says_what_it_misses(editor, qtbot):
    doc = open_wide_and_deep(editor)
    editor.scene.wires[next(e for e in doc.graph.edges if e.target == "h1")].setSelected(True)
    press(qtbot, editor, Qt.Key.Key_Delete)
    doc.flush_check()
    card = editor.scene.nodes["h1"]
    assert card.look.problems == [] and card.look.hints == ["has no inputs; it needs 1 input"]
    assert "◌ has no inputs" in card.toolTip() and "#d93025" not in card.toolTip()
    assert editor.scene.nodes["deep"].look.hints == ["is not connected to anything"]
    assert editor.status_line.verdict.text() == "◌ 2 to finish"
    assert INCOMPLETE_COLOUR.name() in editor.status_line.verdict.styleSheet()
    assert "The model is not finished: Input 'deep': is not connected to anything (and 1 more)" \
        in editor.actions["train"].toolTip()


def test_real_errors_stay_red_and_come_first_named_as_on_the_cards(editor, qtbot):
    doc = open_wide_and_deep(editor)
    type_setting(editor, "cat", "name", "join")
    type_setting(editor, "wide", "shape", "10x3")  # a 3-D input cannot be concatenated with a 2-D one
    doc.flush_check()
    card = editor.scene.nodes["cat"]
    assert card.look.name == "join" and card.look.problems and "rank" in card.look.problems[0]
    assert editor.status_line.verdict.text() == "⚠ 1 error"
    assert INCOMPLETE_COLOUR.name() not in editor.status_line.verdict.styleSheet()
    assert editor.status_line.verdict.toolTip().startswith("Concatenate 'join': ")
    assert editor.messages.messages()[0].startswith("join: ")
    assert "'join'" in card.toolTip() and "'cat'" not in card.toolTip()
    assert "The model has 1 error: see the Messages tab" in editor.actions["train"].toolTip()
    connect(editor, "deep", "cat", target_port=0)
    assert editor.status_line.message.text().startswith("Cannot connect to Concatenate 'join'")


def type_setting(editor, node_id, setting, text):
    """Select the card, type into the inspector's field for `setting`, press Enter."""
    editor.scene.select_nodes([node_id])
    field = editor.inspector.field(setting)
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_a_valid_model_says_so_in_the_status_bar(editor):
    open_wide_and_deep(editor)
    assert editor.status_line.verdict.text() == "✓ Valid"
    editor.actions["close"].trigger()
    assert editor.status_line.verdict.text() == ""
