"""A renamed card is called by its new name wherever the editor talks about it: refusal bubbles, the
status bar, the Messages tab, Edit ▸ Undo, menus and Train's refusal; and a wire turns red only for
an error in the card it feeds, not for unfinished work there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.graph import Edge, SetConfig
from netbuilder.ui.canvas.wire_item import wire_path
from editor_setup import activate, add, open_blank
from helpers import finish, tips_project
from ui_gestures import connect, pick, port_pos, right_click, type_keys


def renamed(editor, node_id: str, name: str) -> None:
    assert editor.edits.rename(node_id, name) is None
    editor.document.flush_check()


def test_a_refused_wire_and_the_status_bar_call_the_card_by_its_new_name(editor, qtbot):
    doc = open_blank(editor)
    x = add(editor, "Input", 0, -200, shape=[4])
    d = add(editor, "Dense", 0, 50, units=3)
    renamed(editor, d, "encoder")
    assert editor.actions["undo"].text() == f"&Undo Rename '{d}' to 'encoder'"
    connect(editor, x, d)
    assert editor.actions["undo"].text() == f"&Undo Connect '{x}' → 'encoder'"
    other = add(editor, "Input", 300, -200, shape=[4])
    connect(editor, other, d)
    toast = editor.view.toast
    assert toast.isVisible() and toast.title.text() == "Cannot connect to Dense 'encoder'"
    assert toast.text.text() == "input port 0 of 'encoder' is already connected"
    assert editor.status_text.text() == "Cannot connect to Dense 'encoder': input port 0 of 'encoder' is already connected"
    assert doc.graph.incoming(d) == [Edge(x, d)]


def test_a_refused_insertion_and_a_refused_rename_name_the_cards(editor, qtbot):
    open_blank(editor)
    a = add(editor, "Input", -150, -150, shape=[4])
    b = add(editor, "Input", 150, -150, shape=[4])
    m = add(editor, "Add", 0, 100)
    connect(editor, a, m, 0)
    connect(editor, b, m, 1)
    renamed(editor, b, "prices")
    renamed(editor, m, "total")
    middle = wire_path(port_pos(editor, b, False), port_pos(editor, m, True, 1)).pointAtPercent(0.5)
    activate(editor)
    menu = right_click(editor.view, middle)
    insert = next(action for action in menu.actions() if "Insert Layer" in action.text())
    assert insert.statusTip() == "Put a new layer between 'prices' and 'total'"
    menu.close()
    editor.gestures.insert_on_wire("Dense", None, Edge(b, m, 0, 1), middle)  # 8 units into an Add fed 4 numbers
    toast = editor.view.toast
    assert toast.isVisible() and toast.title.text() == "Cannot insert Dense between 'prices' and 'total'"
    toast.dismiss()
    pick(right_click(editor.view, editor.scene.nodes[m].centre()), "Rename")
    type_keys(editor, "my total!", Qt.Key.Key_Return)
    toast = editor.view.toast
    assert toast.isVisible() and toast.title.text() == "Cannot rename 'total'"
    assert editor.status_text.text().startswith("Cannot rename 'total': ")


def test_the_messages_and_the_status_bar_spell_a_cycle_with_the_names_on_the_cards(editor, write_project):
    editor.files.open_path(write_project({"format": "netbuilder", "version": 1, "name": "loop", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "add", "layer": "Add", "config": {"name": "total"}},
                  {"id": "dense", "layer": "Dense", "config": {"units": 4, "name": "encoder"}}],
        "edges": [{"source": "x", "target": "add"}, {"source": "add", "target": "dense"},
                  {"source": "dense", "target": "add", "target_port": 1}]}}))
    editor.document.flush_check()
    line = "Add 'total': is part of a cycle: total → encoder → total"
    assert line in editor.status_line.verdict.toolTip().splitlines()
    assert any("is part of a cycle: total → encoder → total" in text for text in editor.messages.messages())


def test_a_wire_is_red_only_when_the_card_it_feeds_has_an_error(editor, qtbot):
    doc = open_blank(editor)
    x = add(editor, "Input", 0, -200, shape=[4])
    m = add(editor, "Add", -200, 100)
    bad = add(editor, "Dense", 200, 100, units=3)
    connect(editor, x, m, 0)
    connect(editor, x, bad)
    doc.push(SetConfig(doc.graph, bad, {"units": -1}))
    doc.flush_check()
    waiting = [p for p in doc.problems if p.node_id == m]
    assert waiting and not any(p.is_error for p in waiting)  # an Add with one input is only unfinished
    assert not editor.scene.wires[Edge(x, m)].bad
    assert editor.scene.wires[Edge(x, bad)].bad


def test_train_refuses_naming_the_input_as_its_card_does(editor, write_project, qtbot):
    project = tips_project(shape=(5,))
    project["graph"]["nodes"][0]["config"]["name"] = "features"
    project["dataset"]["inputs"] = {"features": ["total_bill", "size"]}
    editor.files.open_path(write_project(project))
    editor.document.flush_check()
    panel = editor.training
    editor.bottom.setCurrentWidget(panel)
    activate(editor)
    QTest.keyClick(editor.view, Qt.Key.Key_F5)
    finish(qtbot, panel)
    assert panel.controls.message.text().startswith(
        "Training did not start: Input 'features' expects (5,), the dataset gives (2,)")
