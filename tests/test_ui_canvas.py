"""The canvas driven like a user: drop layers, draw wires, see refusals, shapes and red nodes."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.graph import Edge, SetConfig
from netbuilder.ui.canvas.port_item import PortHint
from editor_setup import activate, add, open_blank
from ui_gestures import (
    approach, click_button, click_canvas, connect, drag_from_palette, drag_node, drag_wire, glide, hover, port_pos,
    reach_ms, space_drag, type_keys,
)


def test_dragging_a_layer_from_the_palette_adds_it_where_it_is_dropped(editor, qtbot):
    doc = open_blank(editor)
    palette = editor.palette
    palette.set_filter("Dense")
    assert drag_from_palette(palette, "Dense", editor.view, QPointF(100, 50))
    [node] = doc.graph.nodes
    assert node.layer == "Dense" and node.config == {"units": 8}
    card = editor.scene.nodes[node.id]
    assert card.sceneBoundingRect().contains(QPointF(100, 50))
    assert editor.windowTitle().startswith("untitled") and editor.isWindowModified()
    doc.undo()
    assert len(doc.graph) == 0 and node.id not in editor.scene.nodes


def test_double_click_in_the_palette_adds_at_the_centre(editor, qtbot):
    doc = open_blank(editor)
    editor.palette.layer_activated.emit("Conv2D", None)
    [node] = doc.graph.nodes
    assert node.layer == "Conv2D"
    centre = editor.view.centre_scene_pos()
    assert editor.scene.nodes[node.id].sceneBoundingRect().contains(centre)


def test_drawing_a_wire_connects_and_labels_it_with_the_shape(editor, qtbot):
    doc = open_blank(editor)
    x = add(editor, "Input", 0, 0, shape=[4])
    d = add(editor, "Dense", 0, 200, units=3)
    connect(editor, x, d)
    assert doc.graph.edges == [Edge(x, d)]
    doc.flush_check()
    wire = editor.scene.wires[Edge(x, d)]
    assert wire.label == "(None, 4)"
    assert editor.scene.nodes[d].look.shapes == "→ (None, 3)"
    assert doc.stack.undo_text == f"Connect '{x}' → '{d}'"
    doc.undo()
    assert doc.graph.edges == [] and not editor.scene.wires


def test_a_merge_layer_grows_a_free_port_as_it_is_connected(editor, qtbot):
    doc = open_blank(editor)
    a = add(editor, "Input", -200, 0, shape=[4])
    b = add(editor, "Input", 200, 0, shape=[4])
    c = add(editor, "Input", 600, 0, shape=[4])
    m = add(editor, "Add", 0, 250)
    assert len(editor.scene.nodes[m].inputs) == 2
    connect(editor, a, m, 0)
    connect(editor, b, m, 1)
    assert len(editor.scene.nodes[m].inputs) == 3
    connect(editor, c, m, 2)
    assert [e.target_port for e in doc.graph.incoming(m)] == [0, 1, 2]
    assert len(editor.scene.nodes[m].inputs) == 4
    doc.flush_check()
    assert editor.scene.nodes[m].look.shapes == "→ (None, 4)"


def refused(editor):
    toast = editor.view.toast
    assert toast.isVisible(), "no refusal shown"
    return toast.title.text() + " " + toast.text.text()


def test_mismatched_shapes_are_refused_at_the_drop_point(editor, qtbot):
    doc = open_blank(editor)
    a = add(editor, "Input", -150, 0, shape=[4])
    b = add(editor, "Input", 150, 0, shape=[5])
    m = add(editor, "Add", 0, 250)
    connect(editor, a, m, 0)
    editor.view.centerOn(0, 150)
    before = doc.graph.to_dict()
    drop_at = port_pos(editor, m, True, 1)
    connect(editor, b, m, 1)
    assert doc.graph.to_dict() == before
    message = refused(editor)
    assert "(None, 4) and (None, 5)" in message and "Add" in message
    drop = editor.view.mapFromScene(drop_at)
    assert editor.view.toast.geometry().adjusted(-30, -30, 30, 30).contains(drop)  # shown where it was dropped


def test_cycles_and_occupied_ports_are_refused_with_their_reason(editor, qtbot):
    doc = open_blank(editor)
    x = add(editor, "Input", 0, 0, shape=[4])
    m = add(editor, "Add", 0, 150)
    d = add(editor, "Dense", 0, 300, units=4)
    connect(editor, x, m, 0)
    connect(editor, m, d)
    connect(editor, d, m, 1)
    assert "cycle" in refused(editor)
    editor.view.toast.hide()
    d3 = add(editor, "Dense", 300, 150)
    connect(editor, d3, d)
    assert "already connected" in refused(editor)
    assert len(doc.graph.edges) == 2


def test_dense_after_an_image_offers_to_insert_a_flatten(editor, qtbot):
    doc = open_blank(editor)
    img = add(editor, "Input", 0, 0, shape=[28, 28, 1])
    d = add(editor, "Dense", 0, 300, units=10)
    connect(editor, img, d)
    assert "insert a Flatten" in refused(editor)
    assert editor.view.toast.button_labels() == ["Insert Flatten", "Connect anyway", "Dismiss"]
    editor.view.toast.click("Insert Flatten")
    doc.flush_check()
    flatten = next(n for n in doc.graph.nodes if n.layer == "Flatten")
    assert set(doc.graph.edges) == {Edge(img, flatten.id), Edge(flatten.id, d)}
    assert doc.shapes(d) == [(None, 10)]
    assert doc.problems == []
    doc.undo()
    assert doc.graph.edges == [] and all(n.layer != "Flatten" for n in doc.graph.nodes)


def let_time_pass(widget):
    """Time passes for `widget`: fire every timer it has pending now, as if their time had come.

    A controllable clock: the test need not wait out the seconds a bubble might fade after.
    """
    for timer in widget.findChildren(QTimer):
        if timer.isActive():
            timer.stop()
            timer.timeout.emit()
    QTest.qWait(10)


def refuse_flatten(editor):
    """Draw a wire from an image straight into a Dense, by hand: refused with the Flatten fix offered."""
    doc = open_blank(editor)
    img = add(editor, "Input", 0, 0, shape=[28, 28, 1])
    d = add(editor, "Dense", 0, 300, units=10)
    connect(editor, img, d)
    toast = editor.view.toast
    assert toast.isVisible() and toast.button_labels() == ["Insert Flatten", "Connect anyway", "Dismiss"]
    return doc, img, d, toast


def test_a_fix_bubble_waits_while_the_user_reads_and_reaches_for_the_button(editor, qtbot):
    doc, img, d, toast = refuse_flatten(editor)
    hover(editor.view, port_pos(editor, d, True), port_pos(editor, d, True) + QPointF(40, 60), ms=400)
    let_time_pass(toast)  # as long as the user likes: far past the 8 s it used to vanish after
    assert toast.isVisible()
    click_button(toast.button("Insert Flatten"))
    assert not toast.isVisible()
    flatten = next(n.id for n in doc.graph.nodes if n.layer == "Flatten")
    assert set(doc.graph.edges) == {Edge(img, flatten), Edge(flatten, d)}
    doc.undo()
    assert doc.graph.edges == []


def test_enter_applies_the_fix_and_esc_dismisses_the_bubble(editor, qtbot):
    doc, img, d, toast = refuse_flatten(editor)
    assert QApplication.focusWidget() is editor.view  # the hand drew the wire there: keys go there
    type_keys(editor, key=Qt.Key.Key_Return)
    assert not toast.isVisible()
    assert [n.layer for n in doc.graph.nodes] == ["Input", "Dense", "Flatten"] and len(doc.graph.edges) == 2
    doc.undo()
    connect(editor, img, d)
    toast = editor.view.toast
    assert toast.isVisible()
    type_keys(editor, key=Qt.Key.Key_Escape)
    assert not toast.isVisible() and doc.graph.edges == [] and len(doc.graph) == 2


def test_a_click_elsewhere_or_another_edit_dismisses_the_bubble(editor, qtbot):
    doc, img, d, toast = refuse_flatten(editor)
    click_canvas(editor.view, QPointF(400, 150))  # an empty spot
    assert not toast.isVisible() and doc.graph.edges == []
    connect(editor, img, d)
    toast = editor.view.toast
    assert toast.isVisible()
    editor.scene.select_nodes([img])
    type_keys(editor, key=Qt.Key.Key_D, modifiers=Qt.KeyboardModifier.ControlModifier)  # duplicate: an edit
    assert len(doc.graph) == 3
    assert not toast.isVisible()


def test_a_bubble_that_only_informs_fades_but_not_under_the_pointer(editor, qtbot):
    open_blank(editor)
    view = editor.view
    hover(view, QPointF(-100, -100), QPointF(0, 0))
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    type_keys(editor, key=Qt.Key.Key_G, modifiers=ctrl_shift)  # ungroup, with nothing selected
    toast = view.toast
    assert toast.isVisible() and toast.button_labels() == ["Dismiss"] and "ungroup" in toast.title.text().lower()
    over = toast.geometry().center()
    glide(view.viewport(), over + QPoint(0, 120), over)
    let_time_pass(toast)
    assert toast.isVisible()  # still being read
    glide(view.viewport(), over, over + QPoint(0, 150))
    let_time_pass(toast)
    assert not toast.isVisible()


def test_while_dragging_valid_ports_light_up_and_invalid_ones_dim(editor, qtbot):
    doc = open_blank(editor)
    a = add(editor, "Input", -150, 0, shape=[4])
    b = add(editor, "Dense", -150, 200, units=5)
    c = add(editor, "Input", -150, -200, shape=[4])
    m = add(editor, "Add", 100, 350)
    d = add(editor, "Dense", 350, 200)
    connect(editor, a, m, 0)
    connect(editor, c, b)
    doc.flush_check()
    view = editor.view
    start = view.mapFromScene(port_pos(editor, b, False))
    approach(view.viewport(), start)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start, reach_ms())
    glide(view.viewport(), start, start + QPoint(5, 30), ms=150, steps=4)  # the hand is on its way
    qtbot.waitUntil(lambda: not editor.scene.drag._pending, timeout=3000)
    ports = editor.scene.nodes
    assert ports[d].inputs[0].hint is PortHint.VALID
    assert ports[m].inputs[0].hint is PortHint.INVALID and "already connected" in ports[m].inputs[0].reason
    assert ports[m].inputs[1].hint is PortHint.INVALID and "(None, 4) and (None, 5)" in ports[m].inputs[1].reason
    assert ports[b].inputs[0].hint is PortHint.INVALID  # its own input
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert all(p.hint is PortHint.NONE for item in ports.values() for p in item.inputs)
    assert doc.graph.edges == [Edge(a, m), Edge(c, b)]


def test_an_invalid_setting_turns_the_node_red_with_its_reason(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    doc = editor.document
    doc.push(SetConfig(doc.graph, "h1", {"units": 32, "activation": "rellu"}))
    doc.flush_check()
    card = editor.scene.nodes["h1"]
    assert card.look.problems and "rellu" in card.look.problems[0]
    assert "rellu" in card.toolTip()
    assert any("h1" in m and "rellu" in m for m in editor.messages.messages())
    assert editor.scene.nodes["out"].look.shapes == "→ ?"
    doc.undo()
    doc.flush_check()
    assert not editor.scene.nodes["h1"].look.problems
    assert editor.scene.nodes["out"].look.shapes == "→ (None, 1)"


def test_moving_cards_is_one_undoable_step(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    doc = editor.document
    editor.view.set_zoom(1.0)
    before = {n.id: n.position for n in doc.graph.nodes}
    editor.scene.select_nodes(["wide", "deep"])
    drag_node(editor.view, editor.scene.nodes["wide"], QPointF(60, 40))
    after = {n.id: n.position for n in doc.graph.nodes}
    assert after["wide"] != before["wide"] and after["deep"] != before["deep"]
    assert after["h1"] == before["h1"]
    assert doc.stack.undo_text == "Move 2 layers"
    wire = editor.scene.wires[Edge("wide", "cat", 0, 0)]
    assert wire.boundingRect().contains(editor.scene.nodes["wide"].outputs[0].scenePos())
    doc.undo()
    assert {n.id: n.position for n in doc.graph.nodes} == before
    assert editor.scene.nodes["wide"].pos().toTuple() == tuple(before["wide"])


def test_a_wire_dropped_on_empty_canvas_offers_quick_add_and_connects(editor, qtbot):
    doc = open_blank(editor)
    x = add(editor, "Input", 0, 0, shape=[4])
    drag_wire(editor.view, port_pos(editor, x, False), QPointF(0, 300))
    popup = editor.quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.edit, "dropo")
    QTest.keyClick(popup.edit, Qt.Key.Key_Return)
    new = next(n for n in doc.graph.nodes if n.layer == "Dropout")
    assert doc.graph.edges == [Edge(x, new.id)]
    doc.undo()
    assert [n.id for n in doc.graph.nodes] == [x]


def test_fit_zoom_and_tab_quick_add(editor, qtbot):
    editor.files.open_example("mlp_128_128_10")
    view = editor.view
    editor.actions["fit"].trigger()
    visible = view.visible_scene_rect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in editor.scene.nodes.values())
    zoom = view.zoom
    editor.actions["zoom_in"].trigger()
    assert view.zoom > zoom
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert editor.quick_add.isVisible()
    QTest.keyClick(editor.quick_add.edit, Qt.Key.Key_Escape)
    assert not editor.quick_add.isVisible()


def test_a_tap_of_space_opens_quick_add_where_the_pointer_is(editor, qtbot):
    doc = open_blank(editor)
    view = editor.view
    view.setFocus()
    spot = view.centre_scene_pos() + QPointF(120, 80)
    hover(view, view.centre_scene_pos(), spot)
    QTest.keyClick(view, Qt.Key.Key_Space)  # press and release: a tap, not a pan
    popup = editor.quick_add
    assert popup.isVisible()
    QTest.keyClicks(popup.edit, "dense")
    QTest.keyClick(popup.edit, Qt.Key.Key_Return)
    assert not popup.isVisible()
    [node] = doc.graph.nodes
    assert node.layer == "Dense"
    card = editor.scene.nodes[node.id].sceneBoundingRect()
    assert abs(card.center().x() - spot.x()) < card.width() and abs(card.center().y() - spot.y()) < card.height()
    doc.undo()
    assert len(doc.graph) == 0


def test_space_drag_pans_the_canvas_without_moving_or_selecting_anything(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    doc, view = editor.document, editor.view
    view.setFocus()
    before = {n.id: n.position for n in doc.graph.nodes}
    card = editor.scene.nodes["h1"]
    start = card.sceneBoundingRect().center()  # grabbing a card with Space held pans, it does not move the card
    under = view.mapFromScene(start)
    space_drag(view, start, view.mapToScene(under + QPoint(150, 90)))
    moved = view.mapFromScene(start) - under  # the canvas followed the hand, to the pixel
    assert abs(moved.x() - 150) <= 1 and abs(moved.y() - 90) <= 1, moved
    assert {n.id: n.position for n in doc.graph.nodes} == before and not doc.stack.can_undo
    assert editor.scene.selected_node_ids() == [] and not editor.quick_add.isVisible()


def test_delete_removes_selected_nodes_and_wires_in_one_step(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    doc = editor.document
    original = json.dumps(doc.project.to_dict())
    editor.scene.select_nodes(["h1"])
    editor.scene.wires[Edge("cat", "out")].setSelected(True)
    editor.actions["delete"].trigger()
    assert "h1" not in doc.graph and Edge("cat", "out") not in doc.graph.edges
    assert "h1" not in editor.scene.nodes
    doc.undo()
    assert json.dumps(doc.project.to_dict()) == original
    assert set(editor.scene.wires) == set(doc.graph.edges)


def test_duplicates_and_pastes_land_beside_the_originals_covering_no_card(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    activate(editor)
    doc, scene, view = editor.document, editor.scene, editor.view
    scene.select_nodes(["h1", "cat"])
    view.setFocus()
    for _ in range(2):
        type_keys(editor, key=Qt.Key.Key_D, modifiers=Qt.KeyboardModifier.ControlModifier)
    scene.select_nodes(["out"])
    type_keys(editor, key=Qt.Key.Key_C, modifiers=Qt.KeyboardModifier.ControlModifier)
    for _ in range(2):
        type_keys(editor, key=Qt.Key.Key_V, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert len(doc.graph) == 5 + 4 + 2
    for copy in [scene.nodes[n.id] for n in doc.graph.nodes[5:]]:
        with_ports = copy.sceneBoundingRect().adjusted(-10, -10, 10, 10)  # ports stick out above and below
        others = [card for card in scene.nodes.values() if card is not copy]
        assert not any(with_ports.intersects(card.sceneBoundingRect()) for card in others), copy.node_id
    first_copy = scene.nodes[doc.graph.nodes[5].id]
    assert first_copy.pos().x() > scene.nodes["h1"].pos().x()  # beside, to the right
