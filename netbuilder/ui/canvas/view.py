"""The canvas view: zoom, pan, rubber-band selection, fit, and drops from the palette.

Panning works with the middle button or with Space held down; a quick tap of
Space (or Tab) asks for the quick-add popup instead. Wheel zooms around the
pointer. A right-click asks for a context menu; a layer dragged over a wire
lights the wire up, and dropped there is inserted into it. Everything that
edits the document goes through the scene or the window; the view only moves
the camera and reports gestures.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QMouseEvent, QPainter, QPixmapCache, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.toast import Toast
from netbuilder.ui.canvas.wire_drop import WireDropHighlight
from netbuilder.ui.layer_mime import LAYER_MIME, layer_from_mime

MIN_ZOOM, MAX_ZOOM = 0.02, 3.0
# Room to pan around the nodes. A fixed, generous scene rect also keeps the
# view from re-centring the scene as items appear (Qt centres small scenes).
ROOM = 3000.0
# Below this zoom ports are a pixel wide: hidden, so painting skips ~2 items per card.
PORTS_MIN_ZOOM = 0.3
FIT_MARGIN_PX = 30  # around the graph when "fit all" shows all of it
# Cards and the far-out overview keep their pictures in Qt's pixmap cache between frames;
# its default 10 MB holds about one window-sized picture, so panning would redraw them.
PIXMAP_CACHE_KB = 64 * 1024


class GraphView(QGraphicsView):
    layer_dropped = Signal(str, object, QPointF)  # (layer, sub-model or None, scene position)
    zoom_changed = Signal(float)
    quick_add_requested = Signal(QPointF)  # scene position under the pointer
    layer_dropped_on_wire = Signal(str, object, object, QPointF)  # (layer, sub-model or None, Edge, scene position)
    context_menu_requested = Signal(QPointF, QPoint)  # (scene position, global position) of a right-click

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toast = Toast(self.viewport())
        self.wire_drop = WireDropHighlight(scene)
        self.setSceneRect(QRectF(-ROOM, -ROOM, 2 * ROOM, 2 * ROOM))
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self._min_zoom = MIN_ZOOM  # lower after "fit all" of a graph too big to fit at MIN_ZOOM
        scene.sceneRectChanged.connect(lambda _: self.grow_scene_rect())
        self.grow_scene_rect()
        self._panning_from: QPoint | None = None
        self._space_down = False
        self._space_dragged = False

    # -- camera ------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float) -> None:
        zoom = min(MAX_ZOOM, max(self._min_zoom, zoom))
        self.scale(zoom / self.zoom, zoom / self.zoom)
        self.scene().set_ports_shown(self.zoom >= PORTS_MIN_ZOOM)
        self.scene().set_far(self.zoom < theme.FAR_ZOOM)
        self.zoom_changed.emit(self.zoom)

    def fit_all(self) -> None:
        """Show every node (F): never zoom in past 100% for small graphs, out as far as it takes for huge ones."""
        rect = self.scene().items_rect()
        if rect.isNull():
            self.grow_scene_rect()
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.grow_scene_rect(rect)
        # A margin in screen pixels, not scene units: at 0.1% zoom 40 units are nothing.
        room = self.viewport().rect().adjusted(FIT_MARGIN_PX, FIT_MARGIN_PX, -FIT_MARGIN_PX, -FIT_MARGIN_PX)
        fitted = min(room.width() / max(rect.width(), 1.0), room.height() / max(rect.height(), 1.0))
        self._min_zoom = min(MIN_ZOOM, fitted)  # a 10,000-layer chain fits only at 0.1%
        self.set_zoom(min(fitted, 1.0))  # shows or hides the ports
        self.centerOn(rect.center())

    def grow_scene_rect(self, also: QRectF | None = None) -> None:
        """Keep some room around the nodes (and `also`) so the user can pan past the edges."""
        # The scene's own rect follows its items as they come, and costs nothing to read;
        # itemsBoundingRect() would ask each of 40,000 items for its bounds every time.
        rect = self.scene().sceneRect() if also is None else also.united(self.scene().sceneRect())
        grown = rect.adjusted(-ROOM, -ROOM, ROOM, ROOM).united(self.sceneRect())
        if grown != self.sceneRect():
            self.setSceneRect(grown)

    def centre_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def pointer_scene_pos(self) -> QPointF:
        pos = self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(pos):
            return self.centre_scene_pos()
        return self.mapToScene(pos)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom * (1.15 ** steps))
        event.accept()

    # -- panning -------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.toast.dismiss()
        if event.button() == Qt.MouseButton.RightButton:
            # Not passed on: the scene would clear the selection the context menu acts on.
            event.accept()
            return
        if event.button() == Qt.MouseButton.MiddleButton or (self._space_down and event.button() == Qt.MouseButton.LeftButton):
            self._panning_from = event.position().toPoint()
            self._space_dragged = True
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning_from is not None:
            delta = event.position().toPoint() - self._panning_from
            self._panning_from = event.position().toPoint()
            self.pan_by(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning_from is not None:
            self._panning_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_down else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.grow_scene_rect()

    def pan_by(self, dx: int, dy: int) -> None:
        """Move the camera by a number of screen pixels (what dragging the canvas does)."""
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down, self._space_dragged = True, False
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.toast.dismiss()
            self.scene().drag.cancel()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.toast.isVisible() and self.toast.apply_main():
            event.accept()  # Enter takes the fix the bubble offers first
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        # Only a Space pressed on the canvas: a child editor (renaming a card) passes
        # the release of the Space it typed up to here.
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space_down:
            self._space_down = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            if not self._space_dragged:
                self.quick_add_requested.emit(self.pointer_scene_pos())
            event.accept()
            return
        super().keyReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        # Tab would move focus to the next widget; on the canvas it means "add a layer here".
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Tab:
            self.quick_add_requested.emit(self.pointer_scene_pos())
            return True
        return super().event(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu_requested.emit(self.mapToScene(event.pos()), event.globalPos())
        event.accept()

    # -- drops from the palette ----------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001 (Qt signature)
        if event.mimeData().hasFormat(LAYER_MIME):
            self.wire_drop.track(self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001
        if event.mimeData().hasFormat(LAYER_MIME):
            self.wire_drop.track(self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dragLeaveEvent(self, event) -> None:  # noqa: ANN001
        self.wire_drop.clear()
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: ANN001
        payload = layer_from_mime(event.mimeData())
        if payload is None:
            super().dropEvent(event)
            return
        layer, submodel = payload
        at = self.mapToScene(event.position().toPoint())
        edge = self.wire_drop.track(at)
        self.wire_drop.clear()
        if edge is not None:
            self.layer_dropped_on_wire.emit(layer, submodel, edge, at)
        else:
            self.layer_dropped.emit(layer, submodel, at)
        event.acceptProposedAction()

    def show_toast(self, pos: QPoint, title: str, text: str,
                   actions: Sequence[tuple[str, Callable[[], None]]] = ()) -> Toast:
        """A fresh message bubble at `pos` (viewport coordinates), replacing the last one.

        Fresh, because a reused frame keeps the geometry of its previous text.
        Any edit closes it: its message is about the graph as it was.
        """
        self.toast.dismiss()
        self.toast.deleteLater()
        self.toast = Toast(self.viewport())
        self.scene().document.changed.connect(self.toast.dismiss)
        self.toast.show_at(pos, title, text, actions)
        return self.toast

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()
