"""Mouse and keyboard gestures on the real widgets, made the way a hand makes them (shared by the editor tests).

A hand does not teleport: it approaches what it wants to click, presses,
moves through many intermediate points over a few hundred milliseconds, and
releases. Between those moves the event loop turns (timers fire, hover
events and tooltips happen), so a feature that only works when events arrive
all at once, or that a timer undoes while the user is still moving, fails here.

Offscreen Qt has no drag-and-drop manager: `QDrag.exec` returns at once. So a
drag from the palette drives the palette's own mouse events (its item view
starts the drag and builds the payload), takes that payload, and carries it
to the canvas with the enter, move and drop events the system would deliver.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QWidget

HAND_MS = 300  # a move across the screen takes a hand a few hundred milliseconds
STEPS = 8
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NO_KEYS = Qt.KeyboardModifier.NoModifier


def reach_ms() -> int:
    """How long the hand took to get to a new press, as the press's timestamp tells Qt.

    QTest stamps events with a clock of its own that the waits here do not move;
    without this, a press soon after another one at the same spot (even in the
    previous test) reads as the second half of a double-click.
    """
    return QApplication.doubleClickInterval() + 100


def to_view(view, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def glide(widget: QWidget, a: QPoint, b: QPoint, ms: int = HAND_MS, steps: int = STEPS) -> None:
    """Move the pointer from `a` to `b` (widget coordinates) through `steps` points over `ms`,
    letting the event loop run between them; a held button stays held."""
    for i in range(1, steps + 1):
        QTest.mouseMove(widget, a + (b - a) * (i / steps))
        QTest.qWait(ms // steps)


def approach(widget: QWidget, target: QPoint, ms: int = 200) -> None:
    """Come to `target` from a little way off, as a hand reaching for it does."""
    glide(widget, target + QPoint(-50, 35), target, ms, steps=6)


def drag_wire(view, start: QPointF, end: QPointF) -> None:
    """Reach `start` (an output port), press, move over to `end` and release there (scene coordinates)."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    approach(viewport, a)
    QTest.mousePress(viewport, LEFT, NO_KEYS, a, reach_ms())
    glide(viewport, a, b)
    QTest.qWait(40)  # a hand settles before letting go
    QTest.mouseRelease(viewport, LEFT, NO_KEYS, b)
    QTest.qWait(20)


def port_pos(window, node_id: str, is_input: bool, index: int = 0) -> QPointF:
    pos = window.scene.port_position(node_id, is_input, index)
    assert pos is not None, f"no port on {node_id}"
    return pos


def connect(window, source: str, target: str, target_port: int = 0, source_port: int = 0) -> None:
    drag_wire(window.view, port_pos(window, source, False, source_port), port_pos(window, target, True, target_port))


def _drag_event(kind, pos: QPoint, mime: QMimeData):
    actions = Qt.DropAction.CopyAction
    if kind is QDropEvent:
        return QDropEvent(QPointF(pos), actions, mime, LEFT, NO_KEYS)
    return kind(pos, actions, mime, LEFT, NO_KEYS)


def drag_over(view, mime: QMimeData, scene_pos: QPointF, ms: int = HAND_MS) -> bool:
    """Carry a drag into the canvas from its left edge (where the palette is) to `scene_pos`,
    with the enter and move events the system sends on the way, and hold it there.

    Returns whether the canvas accepts a drop there (it accepted the last move).
    """
    target = view.viewport()
    end = to_view(view, scene_pos)
    start = QPoint(1, end.y())
    enter = _drag_event(QDragEnterEvent, start, mime)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    accepted = True
    for i in range(1, STEPS + 1):
        move = _drag_event(QDragMoveEvent, start + (end - start) * (i / STEPS), mime)
        QApplication.sendEvent(target, move)
        accepted = move.isAccepted()
        QTest.qWait(ms // STEPS)
    return accepted


def release_drag(view, mime: QMimeData, scene_pos: QPointF) -> bool:
    """Let go of a drag held over the canvas at `scene_pos`; returns whether the drop was taken."""
    dropped = _drag_event(QDropEvent, to_view(view, scene_pos), mime)
    QApplication.sendEvent(view.viewport(), dropped)
    QTest.qWait(20)
    return dropped.isAccepted()


def leave_drag(view) -> None:
    """Carry a drag held over the canvas away again, without dropping it."""
    QApplication.sendEvent(view.viewport(), QDragLeaveEvent())
    QTest.qWait(10)


def carry_mime(view, mime: QMimeData, scene_pos: QPointF) -> bool:
    """Carry a drag to `scene_pos` on the canvas and drop it there; returns whether the canvas took it.

    As in a real drag, a drop is only delivered where the last move was accepted.
    """
    if drag_over(view, mime, scene_pos):
        return release_drag(view, mime, scene_pos)
    leave_drag(view)
    return False


def start_palette_drag(palette, label: str) -> QMimeData:
    """Press on the palette's `label` entry and pull it away until the palette starts its drag;
    returns (a copy of) the payload the palette's own drag carries."""
    tree = palette.tree
    item = next(i for i in tree.findItems(label, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive))
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    carried: list[QMimeData] = []
    tree_type = type(tree)
    original = tree_type.mimeData

    def spy(self, items):
        mime = original(self, items)
        copy = QMimeData()  # the drag owns and deletes the original as soon as it ends
        for fmt in mime.formats():
            copy.setData(fmt, mime.data(fmt))
        carried.append(copy)
        return mime

    tree_type.mimeData = spy
    try:
        approach(tree.viewport(), centre)
        QTest.mousePress(tree.viewport(), LEFT, NO_KEYS, centre, reach_ms())
        glide(tree.viewport(), centre, centre + QPoint(3 * QApplication.startDragDistance(), 4), ms=150, steps=5)
        # A real drag would take the release; here the palette gets it where the drag began.
        QTest.mouseRelease(tree.viewport(), LEFT, NO_KEYS, centre + QPoint(3 * QApplication.startDragDistance(), 4))
    finally:
        tree_type.mimeData = original
    assert carried, f"the palette did not start a drag of {label!r}"
    return carried[-1]


def drag_from_palette(palette, label: str, view, scene_pos: QPointF) -> bool:
    """Drag `label` out of the palette and drop it on the canvas at `scene_pos` (see `carry_mime`)."""
    return carry_mime(view, start_palette_drag(palette, label), scene_pos)


def drag_node(view, item, delta: QPointF) -> None:
    """Grab a node card by its body (not a port) and drag it by `delta` scene units."""
    start = item.sceneBoundingRect().center()
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, start + delta)
    approach(viewport, a)
    QTest.mousePress(viewport, LEFT, NO_KEYS, a, reach_ms())
    glide(viewport, a, b)
    QTest.mouseRelease(viewport, LEFT, NO_KEYS, b)
    QTest.qWait(20)


def hover(view, start: QPointF, end: QPointF, ms: int = HAND_MS) -> None:
    """Move the pointer, no button held, from `start` to `end` (scene coordinates)."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    QTest.mouseMove(viewport, a)
    glide(viewport, a, b, ms)


def double_click(view, scene_pos: QPointF) -> None:
    """Approach `scene_pos`, then double-click it with the left button."""
    viewport = view.viewport()
    pos = to_view(view, scene_pos)
    approach(viewport, pos)
    QTest.mouseDClick(viewport, LEFT, NO_KEYS, pos, reach_ms())
    # QTest's double-click ends with the button still down (its own state says so, and
    # later moves would drag); the hand lets go.
    QTest.mouseRelease(viewport, LEFT, NO_KEYS, pos)
    QTest.qWait(20)


def space_drag(view, start: QPointF, end: QPointF) -> None:
    """Hold Space, press the left button at `start`, move to `end`, release both (scene coordinates)."""
    viewport = view.viewport()
    a, b = to_view(view, start), to_view(view, end)
    approach(viewport, a)
    QTest.keyPress(view, Qt.Key.Key_Space)
    QTest.mousePress(viewport, LEFT, NO_KEYS, a, reach_ms())
    glide(viewport, a, b)
    QTest.mouseRelease(viewport, LEFT, NO_KEYS, b)
    QTest.keyRelease(view, Qt.Key.Key_Space)
    QTest.qWait(20)


def click(widget: QWidget, pos: QPoint | None = None) -> None:
    """Come to `pos` in `widget` (its centre by default) from outside the widget, stop, and click."""
    target = widget.rect().center() if pos is None else pos
    outside = QPoint(-40, widget.height() + 30)
    QTest.mouseMove(widget, outside)
    glide(widget, outside, target, ms=250, steps=6)
    QTest.qWait(60)  # over the target, the hand stops before it clicks
    QTest.mouseClick(widget, LEFT, NO_KEYS, target, reach_ms())
    QTest.qWait(20)


def click_button(button: QAbstractButton) -> None:
    """Come to a push or tool button from outside it, hover it a moment, and click its centre."""
    click(button)


def click_canvas(view, scene_pos: QPointF) -> None:
    """Approach `scene_pos` on the canvas and click it (selects the card there, or clears the selection)."""
    viewport = view.viewport()
    pos = to_view(view, scene_pos)
    approach(viewport, pos)
    QTest.mouseClick(viewport, LEFT, NO_KEYS, pos, reach_ms())
    QTest.qWait(20)


def type_keys(window: QWidget, text: str = "", key: Qt.Key | None = None,
              modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
    """Type `text`, then press `key`, on the keyboard: the window's focus decides where they go
    and its shortcuts see them first, as with real keys."""
    handle = window.windowHandle()
    for char in text:
        QTest.keyClick(handle, char)
        QTest.qWait(15)
    if key is not None:
        QTest.keyClick(handle, key, modifiers)
        QTest.qWait(20)


def right_click(view, scene_pos: QPointF) -> QMenu | None:
    """Approach `scene_pos` and right-click it; returns the context menu that opened, if any.

    The press goes to the window, as the platform sends it, so Qt itself turns
    it into the context-menu event for the widget under the pointer.
    """
    viewport = view.viewport()
    pos = to_view(view, scene_pos)
    approach(viewport, pos)
    window = view.window().windowHandle()
    at = viewport.mapTo(view.window(), pos)
    QTest.mousePress(window, RIGHT, NO_KEYS, at, reach_ms())
    QTest.mouseRelease(window, RIGHT, NO_KEYS, at)
    QTest.qWait(30)
    menu = QApplication.activePopupWidget()
    return menu if isinstance(menu, QMenu) else None


def menu_texts(menu: QMenu) -> list[str]:
    """The entries of a menu as shown (without & marks and shortcuts), separators left out."""
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def pick(menu: QMenu, text: str) -> None:
    """Move down the menu to the entry reading `text` and click it."""
    action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    rect = menu.actionGeometry(action)
    top = menu.actionGeometry(menu.actions()[0]).center()
    QTest.mouseMove(menu, top)
    glide(menu, top, rect.center(), ms=200, steps=5)
    QTest.qWait(40)
    QTest.mouseClick(menu, LEFT, NO_KEYS, rect.center(), reach_ms())
    QTest.qWait(20)
