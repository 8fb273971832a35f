"""The canvas view: zoom, pan, rubber-band selection, fit, and drops from the palette.

Panning works with the middle button or with Space held down; a quick tap of
Space (or Tab) asks for the quick-add popup instead. Wheel zooms around the
pointer. Everything that edits the document goes through the scene or the
window; the view only moves the camera and reports gestures.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.toast import Toast
from netbuilder.ui.layer_mime import LAYER_MIME, layer_from_mime

MIN_ZOOM, MAX_ZOOM = 0.02, 3.0
# Room to pan around the nodes. A fixed, generous scene rect also keeps the
# view from re-centring the scene as items appear (Qt centres small scenes).
ROOM = 3000.0
# Below this zoom ports are a pixel wide: hidden, so painting skips ~2 items per card.
PORTS_MIN_ZOOM = 0.3


class GraphView(QGraphicsView):
    layer_dropped = Signal(str, object, QPointF)  # (layer, sub-model or None, scene position)
    zoom_changed = Signal(float)
    quick_add_requested = Signal(QPointF)  # scene position under the pointer

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
        self.setSceneRect(QRectF(-ROOM, -ROOM, 2 * ROOM, 2 * ROOM))
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
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.scale(zoom / self.zoom, zoom / self.zoom)
        self.scene().set_ports_shown(self.zoom >= PORTS_MIN_ZOOM)
        self.zoom_changed.emit(self.zoom)

    def fit_all(self) -> None:
        """Show every node (F): never zoom in past 100% for small graphs."""
        rect = self.scene().items_rect()
        self.grow_scene_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        self.set_zoom(min(self.zoom, 1.0))  # clamps, and shows or hides the ports
        self.centerOn(rect.center())

    def grow_scene_rect(self) -> None:
        """Keep some room around the nodes so the user can pan past the edges."""
        rect = self.scene().itemsBoundingRect()
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
        self.toast.hide()
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
            self.toast.hide()
            self.scene().drag.cancel()
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
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

    # -- drops from the palette ----------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001 (Qt signature)
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: ANN001
        payload = layer_from_mime(event.mimeData())
        if payload is None:
            super().dropEvent(event)
            return
        layer, submodel = payload
        self.layer_dropped.emit(layer, submodel, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def show_toast(self, pos: QPoint, title: str, text: str,
                   actions: Sequence[tuple[str, Callable[[], None]]] = ()) -> Toast:
        """A fresh message bubble at `pos` (viewport coordinates), replacing the last one.

        Fresh, because a reused frame keeps the geometry of its previous text.
        """
        self.toast.hide()
        self.toast.deleteLater()
        self.toast = Toast(self.viewport())
        self.toast.show_at(pos, title, text, actions)
        return self.toast

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()
