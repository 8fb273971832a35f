"""Drawing a new wire: drag from an output port, see where it may go, drop on an input port.

While the wire follows the pointer, input ports light up green where the wire
may end and grey where it may not (the reason is in their tooltip and, on
hover, in the status bar). Judging a port can cost a Keras call, so ports are
judged a few at a time between events, nearest to the pointer first, and the
UI never waits for all of them. The drop itself is always judged afresh.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QTimer, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from netbuilder.graph import Connect, Edge
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.port_item import PortHint, PortItem
from netbuilder.ui.canvas.wire_item import wire_path

if TYPE_CHECKING:
    from netbuilder.ui.canvas.scene import GraphScene

_SLICE_SECONDS = 0.008  # judge ports for at most this long per event-loop turn


class WireDrag:
    """The state of one wire being drawn; owned by the scene."""

    def __init__(self, scene: GraphScene) -> None:
        self.scene = scene
        self.source: PortItem | None = None
        self._line: QGraphicsPathItem | None = None
        self._pending: list[PortItem] = []
        self._hovered: PortItem | None = None
        self._timer = QTimer()
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._judge_some)

    @property
    def active(self) -> bool:
        return self.source is not None

    def start(self, port: PortItem, pos: QPointF) -> None:
        self.cancel()
        self.source = port
        self._line = QGraphicsPathItem()
        pen = QPen(theme.SELECTED_BORDER, 2.0, Qt.PenStyle.DashLine)
        self._line.setPen(pen)
        self._line.setZValue(3)
        self.scene.addItem(self._line)
        ports = [p for item in self.scene.nodes.values() if item.node_id != port.node_id for p in item.inputs]
        origin = port.scenePos()
        self._pending = sorted(ports, key=lambda p: (p.scenePos() - origin).manhattanLength())
        own = self.scene.nodes.get(port.node_id)
        for p in own.inputs if own is not None else []:
            p.set_hint(PortHint.INVALID, "a node cannot feed itself")
        self.move(pos)
        self._timer.start()

    def _edge_to(self, port: PortItem) -> Edge:
        assert self.source is not None
        return Edge(self.source.node_id, port.node_id, self.source.index, port.index)

    def _judge(self, port: PortItem) -> None:
        verdict = self.scene.document.verdict(self._edge_to(port))
        if verdict.problem is None:
            port.set_hint(PortHint.VALID)
        else:
            port.set_hint(PortHint.INVALID, verdict.problem)

    def _judge_some(self) -> None:
        deadline = time.perf_counter() + _SLICE_SECONDS
        while self._pending and time.perf_counter() < deadline:
            self._judge(self._pending.pop(0))
        if not self._pending:
            self._timer.stop()

    def move(self, pos: QPointF) -> None:
        if self.source is None or self._line is None:
            return
        self._line.setPath(wire_path(self.source.scenePos(), pos))
        port = self.scene.nearest_input_port(pos)
        if port is self._hovered:
            return
        self._hovered = port
        if port is None or port.node_id == self.source.node_id:
            self.scene.hint.emit("")
            return
        if port in self._pending:
            self._pending.remove(port)
            self._judge(port)
        target = self.scene.document.graph.node(port.node_id)
        if port.hint is PortHint.INVALID:
            self.scene.hint.emit(f"Cannot connect to {target.layer} '{target.name}': {port.reason}")
        else:
            self.scene.hint.emit(f"Release to connect to {target.layer} '{target.name}'")

    def finish(self, pos: QPointF) -> None:
        """Drop: connect, refuse with a message at `pos`, or offer to add a layer on empty canvas."""
        source = self.source
        port = self.scene.nearest_input_port(pos)
        self.cancel()
        if source is None:
            return
        if port is None:
            self.scene.wire_dropped_on_empty.emit(source.node_id, source.index, pos)
            return
        edge = Edge(source.node_id, port.node_id, source.index, port.index)
        verdict = self.scene.document.verdict(edge)
        if verdict.problem is not None:
            self.scene.connection_refused.emit(verdict.problem, pos, verdict, edge)
            return
        self.scene.document.push(Connect(self.scene.document.graph, edge))

    def cancel(self) -> None:
        self._timer.stop()
        self._pending = []
        self._hovered = None
        if self._line is not None:
            if self._line.scene() is not None:
                self.scene.removeItem(self._line)
            self._line = None
        if self.source is not None:
            for item in self.scene.nodes.values():
                for p in item.inputs:
                    p.set_hint(PortHint.NONE)
            self.scene.hint.emit("")
        self.source = None
