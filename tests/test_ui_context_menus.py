"""Right-click menus on cards, wires and the empty canvas, opened and used as a hand does."""

from __future__ import annotations

import json

import shiboken6
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from netbuilder.graph import Edge
from netbuilder.ui.canvas.hit import card_at, wire_at
from netbuilder.ui.canvas.wire_item import wire_path
from editor_setup import activate, add, open_blank
from ui_gestures import connect, menu_texts, pick, port_pos, right_click, type_keys

CARD = ["Rename", "Delete", "Duplicate", "Group into Sub-model…", "Show in Inspector"]


def card_centre(editor, node_id: str) -> QPointF:
    return editor.scene.nodes[node_id].centre()


def empty_spot(editor) -> QPointF:
    """A point in view with neither a card nor a wire under it."""
    rect = editor.view.visible_scene_rect()
    for fy in (0.1, 0.5, 0.9):
        for fx in (0.1, 0.5, 0.9):
            spot = QPointF(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())
            if card_at(editor.scene, spot) is None and wire_at(editor.scene, spot) is None:
                return spot
    raise AssertionError("no empty spot in view")


def snapshot(editor) -> str:
    return json.dumps(editor.document.project.to_dict())


def three(editor):
    """x → h → out, one above the other."""
    doc = open_blank(editor)
    x = add(editor, "Input", 0, -150, shape=[4])
    h = add(editor, "Dense", 0, 0, units=3)
    out = add(editor, "Dense", 0, 150, units=1)
    connect(editor, x, h)
    connect(editor, h, out)
    return doc, x, h, out


def test_a_card_menu_selects_the_card_and_deletes_it_in_one_step(editor, qtbot):
    doc, x, h, out = three(editor)
    before = snapshot(editor)
    menu = right_click(editor.view, card_centre(editor, h))
    assert menu is not None and menu_texts(menu) == CARD
    assert editor.scene.selected_node_ids() == [h]
    pick(menu, "Delete")
    assert not menu.isVisible()
    assert h not in doc.graph and doc.graph.edges == []
    doc.undo()
    assert snapshot(editor) == before


def test_a_right_click_on_a_selected_card_keeps_the_selection_for_the_menu(editor, qtbot):
    doc, x, h, out = three(editor)
    editor.scene.select_nodes([h, out])
    menu = right_click(editor.view, card_centre(editor, out))
    assert editor.scene.selected_node_ids() == [h, out]

    def name_it():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("head")
        dialog.accept()

    QTimer.singleShot(300, name_it)
    pick(menu, "Group into Sub-model…")
    assert "head" in doc.project.submodels and h not in doc.graph and out not in doc.graph
    menu = right_click(editor.view, card_centre(editor, "head"))
    assert menu_texts(menu) == CARD[:4] + ["Ungroup", "Open Sub-model", "Show in Inspector"]
    pick(menu, "Open Sub-model")
    assert doc.scope == "head"


def test_duplicate_from_the_menu_puts_the_copy_beside_on_a_free_spot(editor, qtbot):
    doc, x, h, out = three(editor)
    add(editor, "Dropout", 240, 0)  # right beside h, where a copy would naively go
    pick(right_click(editor.view, card_centre(editor, h)), "Duplicate")
    [copy] = editor.scene.selected_node_ids()
    assert copy not in (x, h, out) and doc.graph.node(copy).layer == "Dense"
    ports = editor.scene.nodes[copy].sceneBoundingRect().adjusted(-8, -8, 8, 8)
    others = [card for nid, card in editor.scene.nodes.items() if nid != copy]
    assert not any(ports.intersects(card.sceneBoundingRect()) for card in others)
    assert editor.scene.nodes[copy].pos().x() > editor.scene.nodes[h].pos().x()
    assert doc.stack.undo_text == f"Duplicate Dense '{h}'"


def test_rename_in_place_on_the_card(editor, qtbot):
    doc, x, h, out = three(editor)
    activate(editor)
    pick(right_click(editor.view, card_centre(editor, h)), "Rename")
    field = editor.menus.rename_editor
    assert QApplication.focusWidget() is field and field.selectedText() == h
    assert editor.scene.nodes[h].sceneBoundingRect().contains(editor.view.mapToScene(field.geometry().center()))
    type_keys(editor, "hidden", Qt.Key.Key_Return)
    assert doc.graph.node(h).config == {"units": 3, "name": "hidden"}
    assert editor.scene.nodes[h].look.name == "hidden"
    assert QApplication.focusWidget() is editor.view  # back to the canvas for the next key
    assert doc.stack.undo_text == f"Rename '{h}' to 'hidden'"
    doc.undo()
    assert doc.graph.node(h).config == {"units": 3}


def test_rename_is_cancelled_by_esc_and_a_bad_name_is_refused_where_it_was_typed(editor, qtbot):
    doc, x, h, out = three(editor)
    activate(editor)
    before = snapshot(editor)
    pick(right_click(editor.view, card_centre(editor, h)), "Rename")
    field = editor.menus.rename_editor
    type_keys(editor, "whatever", Qt.Key.Key_Escape)
    assert snapshot(editor) == before and not (shiboken6.isValid(field) and field.isVisible())
    pick(right_click(editor.view, card_centre(editor, h)), "Rename")
    type_keys(editor, "my layer!", Qt.Key.Key_Return)
    assert snapshot(editor) == before
    toast = editor.view.toast
    assert toast.isVisible() and toast.title.text() == f"Cannot rename '{h}'" and "my_layer" in toast.text.text()
    pick(right_click(editor.view, card_centre(editor, out)), "Rename")
    type_keys(editor, x, Qt.Key.Key_Return)
    assert snapshot(editor) == before and f"already used by Input '{x}'" in editor.view.toast.text.text()


def test_the_menu_answers_arrow_keys_and_enter(editor, qtbot):
    doc, x, h, out = three(editor)
    menu = right_click(editor.view, card_centre(editor, out))
    for _ in range(len(CARD)):
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.qWait(30)
    assert menu.activeAction().text().replace("&", "") == "Show in Inspector"
    QTest.keyClick(menu, Qt.Key.Key_Return)
    QTest.qWait(20)
    assert editor.scene.selected_node_ids() == [out]
    assert QApplication.focusWidget() is editor.inspector.field("name")


def test_a_wire_menu_deletes_the_wire_or_inserts_a_layer_on_it(editor, qtbot):
    doc, x, h, out = three(editor)
    activate(editor)
    middle = wire_path(port_pos(editor, h, False), port_pos(editor, out, True)).pointAtPercent(0.5)
    menu = right_click(editor.view, middle)
    assert menu_texts(menu) == ["Delete", "Insert Layer Here…"]
    pick(menu, "Insert Layer Here…")
    assert editor.quick_add.isVisible()
    type_keys(editor, "dropout", Qt.Key.Key_Return)
    new = next(n.id for n in doc.graph.nodes if n.layer == "Dropout")
    assert set(doc.graph.edges) == {Edge(x, h), Edge(h, new), Edge(new, out)}
    assert doc.stack.undo_text == "Insert Dropout"
    doc.undo()
    pick(right_click(editor.view, middle), "Delete")
    assert doc.graph.edges == [Edge(x, h)] and len(doc.graph) == 3
    doc.undo()
    assert set(doc.graph.edges) == {Edge(x, h), Edge(h, out)}


def test_the_empty_canvas_menu_adds_pastes_arranges_and_fits(editor, qtbot):
    doc, x, h, out = three(editor)
    activate(editor)
    spot = QPointF(250, -100)
    menu = right_click(editor.view, spot)
    assert menu_texts(menu) == ["Add Layer Here…", "Paste Here", "Arrange Automatically", "Fit to Window"]
    assert editor.scene.selected_node_ids() == []
    pick(menu, "Add Layer Here…")
    type_keys(editor, "flatten", Qt.Key.Key_Return)
    flatten = next(n.id for n in doc.graph.nodes if n.layer == "Flatten")
    assert editor.scene.nodes[flatten].sceneBoundingRect().contains(spot)
    editor.scene.select_nodes([h])
    editor.actions["copy"].trigger()
    corner = QPointF(-330, 60)
    pick(right_click(editor.view, corner), "Paste Here")
    [pasted] = editor.scene.selected_node_ids()
    assert editor.scene.nodes[pasted].pos() == corner
    before = snapshot(editor)
    pick(right_click(editor.view, empty_spot(editor)), "Arrange Automatically")
    assert snapshot(editor) != before
    doc.undo()
    assert snapshot(editor) == before  # one step
    doc.redo()
    editor.view.set_zoom(2.0)
    pick(right_click(editor.view, empty_spot(editor)), "Fit to Window")
    visible = editor.view.visible_scene_rect()
    assert all(visible.contains(card.sceneBoundingRect()) for card in editor.scene.nodes.values())


def test_menus_still_open_after_another_project_replaced_the_canvas(editor, qtbot):
    three(editor)
    assert right_click(editor.view, QPointF(250, 0)) is not None
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Escape)
    doc, x, h, out = three(editor)
    menu = right_click(editor.view, card_centre(editor, h))
    assert menu is not None and menu_texts(menu) == CARD
    QTest.keyClick(menu, Qt.Key.Key_Escape)
