"""Mouse gestures on the real canvas, made the way a user makes them (shared by the editor tests)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def to_view(view, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def drag_wire(view, start: QPointF, end: QPointF, steps: int = 4) -> None:
    """Press on `start` (an output port), move in steps, release on `end` (scene coordinates)."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * (i / steps))
        QApplication.processEvents()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    QApplication.processEvents()


def port_pos(window, node_id: str, is_input: bool, index: int = 0) -> QPointF:
    pos = window.scene.port_position(node_id, is_input, index)
    assert pos is not None, f"no port on {node_id}"
    return pos


def connect(window, source: str, target: str, target_port: int = 0, source_port: int = 0) -> None:
    drag_wire(window.view, port_pos(window, source, False, source_port), port_pos(window, target, True, target_port))


def drop_mime(view, mime: QMimeData, scene_pos: QPointF) -> None:
    """Drop `mime` on the canvas at `scene_pos`, with the enter/move/drop events a real drag sends."""
    pos = to_view(view, scene_pos)
    target = view.viewport()
    actions = Qt.DropAction.CopyAction
    for event in (
        QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDragMoveEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
    ):
        QApplication.sendEvent(target, event)
    QApplication.processEvents()


def drag_node(view, item, delta: QPointF) -> None:
    """Drag a node card by its body (not a port) by `delta` scene units."""
    start = item.sceneBoundingRect().center()
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, start + delta)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 5):
        QTest.mouseMove(viewport, a + (b - a) * (i / 4))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    QApplication.processEvents()


def hover(view, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Move the pointer, no button held, from `start` to `end` (scene coordinates) in steps."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    for i in range(steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * (i / steps))
        QApplication.processEvents()


def double_click(view, scene_pos: QPointF) -> None:
    """Approach `scene_pos` from a little way off, then double-click it with the left button."""
    hover(view, scene_pos + QPointF(-60, 40), scene_pos)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to_view(view, scene_pos))
    QApplication.processEvents()


def space_drag(view, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Hold Space, press the left button at `start`, move in steps to `end`, release both (scene coordinates)."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    hover(view, start, start, 1)
    QTest.keyPress(view, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * (i / steps))
        QApplication.processEvents()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    QTest.keyRelease(view, Qt.Key.Key_Space)
    QApplication.processEvents()
