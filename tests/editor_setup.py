"""Setting the editor up for a canvas test: a blank project at 100 %, layers placed by position."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtTest import QTest

from netbuilder.graph import SetConfig


def activate(editor) -> None:
    """Make the window the active one, as it is under a user's hands: keys and shortcuts go to it."""
    editor.activateWindow()
    assert QTest.qWaitForWindowActive(editor)


def open_blank(editor):
    """A new, empty project in the active window, the canvas at 100 % with scene (0, 0) in the middle;
    returns its document."""
    activate(editor)
    editor.files.new()
    editor.view.set_zoom(1.0)
    editor.view.centerOn(0, 0)
    return editor.document


def add(editor, layer, x, y, **config):
    """Add `layer` centred at scene (x, y) with these settings on top of its defaults; returns its id."""
    node_id = editor.edits.add_layer(layer, None, QPointF(x, y))
    doc = editor.document
    if config:
        doc.push(SetConfig(doc.graph, node_id, {**doc.graph.node(node_id).config, **config}))
    doc.flush_check()
    return node_id
