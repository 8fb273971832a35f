"""A layer dropped on a wire (from the palette, or chosen in quick-add over it) goes into the wire."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGraphicsPathItem

from netbuilder.graph import Edge
from netbuilder.ui.canvas.wire_item import wire_path
from editor_setup import activate, add, open_blank
from ui_gestures import (
    connect, drag_over, hover, leave_drag, port_pos, release_drag, start_palette_drag, type_keys,
)


def wire_middle(editor, edge: Edge) -> QPointF:
    """A point on the drawn curve of `edge`, halfway along."""
    start = port_pos(editor, edge.source, False, edge.source_port)
    end = port_pos(editor, edge.target, True, edge.target_port)
    return wire_path(start, end).pointAtPercent(0.5)


def glows(editor) -> list[QGraphicsPathItem]:
    return [i for i in editor.scene.items() if type(i) is QGraphicsPathItem]


def chain(editor):
    """x (4 numbers) → dense, far enough apart for a card to fit between them."""
    doc = open_blank(editor)
    x = add(editor, "Input", 0, -200, shape=[4])
    d = add(editor, "Dense", 0, 200, units=3)
    connect(editor, x, d)
    doc.flush_check()
    return doc, x, d


def test_a_layer_dragged_over_a_wire_lights_it_and_dropped_there_goes_into_it(editor, qtbot):
    doc, x, d = chain(editor)
    editor.palette.set_filter("Dropout")
    mime = start_palette_drag(editor.palette, "Dropout")
    spot = wire_middle(editor, Edge(x, d))
    assert drag_over(editor.view, mime, spot)
    assert editor.view.wire_drop.edge == Edge(x, d) and len(glows(editor)) == 1
    assert release_drag(editor.view, mime, spot)
    assert glows(editor) == []
    new = next(n for n in doc.graph.nodes if n.layer == "Dropout")
    assert set(doc.graph.edges) == {Edge(x, new.id), Edge(new.id, d)}
    card = editor.scene.nodes[new.id].sceneBoundingRect()
    assert card.contains(spot)  # where the user let go
    doc.flush_check()
    assert doc.problems == [] and doc.shapes(d) == [(None, 3)]
    assert doc.stack.undo_text == "Insert Dropout"
    doc.undo()
    assert doc.graph.edges == [Edge(x, d)] and len(doc.graph) == 2


def test_the_highlight_follows_the_drag_and_goes_when_it_leaves(editor, qtbot):
    doc, x, d = chain(editor)
    mime = start_palette_drag(editor.palette, "Input")
    assert drag_over(editor.view, mime, wire_middle(editor, Edge(x, d)))
    assert len(glows(editor)) == 1
    assert drag_over(editor.view, mime, QPointF(400, 0))  # off the wire: it is let go
    assert glows(editor) == [] and editor.view.wire_drop.edge is None
    assert drag_over(editor.view, mime, wire_middle(editor, Edge(x, d)))
    leave_drag(editor.view)
    assert glows(editor) == [] and len(doc.graph) == 2


def test_a_layer_that_does_not_fit_is_refused_with_the_reason_a_drawn_wire_gets(editor, qtbot):
    doc = open_blank(editor)
    a = add(editor, "Input", -150, -250, shape=[4])
    b = add(editor, "Input", 150, -250, shape=[4])
    m = add(editor, "Add", 0, 250)
    connect(editor, a, m, 0)
    connect(editor, b, m, 1)
    # Beside it, by hand: a wire from a Dense of 8 into an Add already fed 4 numbers.
    c = add(editor, "Input", 450, -450, shape=[4])
    wide = add(editor, "Dense", 450, -200, units=8)
    other = add(editor, "Add", 450, 250)
    connect(editor, c, wide)
    connect(editor, a, other, 0)
    connect(editor, wide, other, 1)
    drawn = editor.view.toast.text.text()
    assert "(None, 4) and (None, 8)" in drawn
    editor.view.toast.dismiss()
    before, undo_text = doc.graph.to_dict(), doc.stack.undo_text
    mime = start_palette_drag(editor.palette, "Dense")  # a fresh Dense has 8 units too
    spot = wire_middle(editor, Edge(b, m, 0, 1))
    assert drag_over(editor.view, mime, spot)
    assert release_drag(editor.view, mime, spot)
    toast = editor.view.toast
    assert toast.isVisible() and toast.text.text() == drawn
    assert toast.title.text() == f"Cannot insert Dense between '{b}' and '{m}'"
    assert doc.graph.to_dict() == before and doc.stack.undo_text == undo_text
    assert glows(editor) == []


def test_quick_add_over_a_wire_inserts_into_it(editor, qtbot):
    doc, x, d = chain(editor)
    activate(editor)
    spot = wire_middle(editor, Edge(x, d))
    hover(editor.view, spot + QPointF(-120, 0), spot)
    editor.view.setFocus()
    type_keys(editor, key=Qt.Key.Key_Tab)
    popup = editor.quick_add
    assert popup.isVisible() and f"{x} → {d}" in popup.edit.placeholderText()
    type_keys(editor, "batchnorm", Qt.Key.Key_Return)
    new = next(n for n in doc.graph.nodes if n.layer == "BatchNormalization")
    assert set(doc.graph.edges) == {Edge(x, new.id), Edge(new.id, d)}
    doc.undo()
    assert doc.graph.edges == [Edge(x, d)]
