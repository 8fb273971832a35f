"""The canvas scene: one NodeItem per node and one WireItem per edge, following the document.

Items are created, moved and removed only in answer to graph events, so undo,
redo, paste and file loads all update the canvas the same way. User gestures
(moving cards, drawing wires) become commands pushed on the document.

A big graph is drawn a slice at a time, one slice per turn of the event loop,
so the window keeps answering while 10,000 cards appear (`load_progress`
says how far it is). Far zoomed out, one overview item draws every card and
wire (see overview.py); the scene files each card and wire with it as they
change. Nothing here walks all nodes per node: each event touches only the
items it concerns, and a check re-reads only the cards whose shapes or
problems it changed (see check_changes.py).
"""

from __future__ import annotations

import time
from collections import Counter, deque

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneMouseEvent

from netbuilder.graph import Compound, Edge, Graph, MoveNode, Node
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.check_changes import CheckChanges
from netbuilder.ui.canvas.looks import ProblemIndex, node_look, problem_index, wire_label
from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.canvas.overview import OverviewItem
from netbuilder.ui.canvas.port_item import PortItem
from netbuilder.ui.canvas.wire_bundle import BundleKey, WireBundle, bundle_key
from netbuilder.ui.canvas.wire_drag import WireDrag
from netbuilder.ui.canvas.wire_item import WireItem
from netbuilder.ui.document import EditorDocument

_MARGIN = 400.0  # room around the graph in the scene's rect
SLICE_SECONDS = 0.025  # building items per event-loop turn while a big graph is drawn


class GraphScene(QGraphicsScene):
    """Shows `document.graph` (the main graph or the open sub-model)."""

    # (message, scene position, verdict, edge): a wire dropped where it may not go
    connection_refused = Signal(str, QPointF, object, object)
    # (source node id, source port, scene position): a wire dropped on empty canvas
    wire_dropped_on_empty = Signal(str, int, QPointF)
    hint = Signal(str)  # what the wire under construction would do, for the status bar
    node_activated = Signal(str)  # double-click on a node (opens sub-models)
    load_progress = Signal(int, int)  # (items built, items in all) while the graph is drawn; equal when done

    def __init__(self, document: EditorDocument) -> None:
        super().__init__()
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[Edge, WireItem] = {}
        self.bundles: dict[BundleKey, WireBundle] = {}  # the wires of crowded ports, painted together
        self._graph: Graph | None = None
        self._press_positions: dict[str, QPointF] = {}
        self._syncing = False
        self._ports_shown = True
        self._far = False
        self._problems: ProblemIndex = problem_index(document)
        self._check_changes = CheckChanges()
        self._selected: set[str] = set()  # the cards the overview shows as selected
        self._pending_nodes: deque[str] = deque()
        self._pending_edges: deque[Edge] = deque()
        self._fan_out: Counter[tuple[str, int]] = Counter()  # wires per output port when drawing began
        self._fan_in: Counter[str] = Counter()  # and per target
        self._slicer = QTimer(self)
        self._slicer.setSingleShot(True)
        self._slicer.timeout.connect(self._build_slice)
        self.overview: OverviewItem  # made by rebuild: clearing the scene deletes it
        self.drag = WireDrag(self)
        document.scope_changed.connect(self._on_scope_changed)
        document.checked.connect(self._on_checked)
        self.selectionChanged.connect(self._selection_changed)
        self.rebuild()

    # -- following the document ------------------------------------------------
    def rebuild(self) -> None:
        """Drop every item and draw the graph now being edited from scratch: the first slice now."""
        if self._graph is not None:
            self._subscribe(self._graph, connect=False)
        self.drag.cancel()
        self._slicer.stop()
        self.nodes.clear()
        self.wires.clear()
        self.bundles = {}
        self._selected = set()
        self.clear()  # after forgetting the items: it deletes them, and says the selection changed
        self.overview = OverviewItem()
        self.addItem(self.overview)
        self.overview.set_shown(self._far)
        self._graph = self.document.graph
        self._subscribe(self._graph, connect=True)
        self._problems = problem_index(self.document)
        self._check_changes.take(self.document)  # the cards are built from this check's results
        self._pending_nodes = deque(n.id for n in self._graph.nodes)
        self._pending_edges = deque(self._graph.edges)
        # The scene's rect is set, not left to grow with the items: Qt files every item in its
        # index again each time the rect changes, 60 ms a frame while 10,000 cards come.
        where = self.items_rect()
        self.setSceneRect(where.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN) if not where.isNull()
                          else QRectF(-_MARGIN, -_MARGIN, 2 * _MARGIN, 2 * _MARGIN))
        self._fan_out = Counter((e.source, e.source_port) for e in self._pending_edges)
        self._fan_in = Counter(e.target for e in self._pending_edges)
        self._build_slice()

    @property
    def is_loading(self) -> bool:
        """True while some cards or wires of the graph are still to be built."""
        return bool(self._pending_nodes or self._pending_edges)

    def finish_loading(self) -> None:
        """Build whatever is left now (screenshots and tests that look at every card)."""
        while self.is_loading:
            self._build_slice(deadline=float("inf"))

    def _build_slice(self, deadline: float | None = None) -> None:
        """Cards first, then wires, until the slice's time is up; the next turn of the loop does more."""
        graph = self._graph
        if graph is None:
            return
        deadline = time.perf_counter() + SLICE_SECONDS if deadline is None else deadline
        while self._pending_nodes and time.perf_counter() < deadline:
            for _ in range(min(32, len(self._pending_nodes))):
                nid = self._pending_nodes.popleft()
                if nid in graph and nid not in self.nodes:  # else removed, or added (and drawn) meanwhile
                    self._add_item(graph.node(nid))
        while not self._pending_nodes and self._pending_edges and time.perf_counter() < deadline:
            for _ in range(min(32, len(self._pending_edges))):
                edge = self._pending_edges.popleft()
                if edge not in self.wires and graph.has_edge(edge):
                    self._add_wire(edge, self._fan_out.get((edge.source, edge.source_port)), self._fan_in.get(edge.target))
        if self.is_loading:
            self._slicer.start(0)
        else:
            self._fan_out.clear()
            self._fan_in.clear()
        built = len(self.nodes) + len(self.wires)
        self.load_progress.emit(built, built + len(self._pending_nodes) + len(self._pending_edges))

    def detach(self) -> None:
        """Stop following the document (the window is about to drop this scene)."""
        self.drag.cancel()
        self._slicer.stop()
        if self._graph is not None:
            self._subscribe(self._graph, connect=False)
            self._graph = None
        self.document.scope_changed.disconnect(self._on_scope_changed)
        self.document.checked.disconnect(self._on_checked)

    def _on_scope_changed(self, scope: str) -> None:
        self.rebuild()

    def _subscribe(self, graph: Graph, connect: bool) -> None:
        pairs = (
            (graph.node_added, self._on_node_added),
            (graph.node_removed, self._on_node_removed),
            (graph.node_changed, self._on_node_changed),
            (graph.node_moved, self._on_node_moved),
            (graph.edge_added, self._on_edge_added),
            (graph.edge_removed, self._on_edge_removed),
            (graph.outputs_changed, self.refresh),
        )
        for event, handler in pairs:
            (event.connect if connect else event.disconnect)(handler)

    def _add_item(self, node: Node) -> NodeItem:
        outputs = {node.id} if self._is_output(node.id) else set()
        item = NodeItem(node.id, node_look(self.document, node, outputs, self._problem_index()), self._item_moved)
        item.set_ports_shown(self._ports_shown)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, self._far)
        x, y = node.position or (0.0, 0.0)
        self._syncing = True
        item.setPos(x, y)
        self._syncing = False
        self.addItem(item)
        self.nodes[node.id] = item
        self._mark_connected(item)
        self._file_card(item)
        self._make_room(item)
        return item

    def _add_wire(self, edge: Edge, fan_out: int | None = None, fan_in: int | None = None) -> None:
        """Draw `edge`; `fan_out`, `fan_in`: wires at its source port and its target, when known."""
        graph = self.document.graph
        if fan_out is None:
            fan_out = sum(1 for e in graph.outgoing(edge.source) if e.source_port == edge.source_port)
        if fan_in is None:
            fan_in = len(graph.incoming(edge.target))
        wire = WireItem(edge)
        wire.set_far(self._far)
        self.wires[edge] = wire
        self.addItem(wire)
        self._route(wire, fan_out)
        self._label(wire)
        key = bundle_key(edge, fan_out, fan_in)
        if key is not None:
            bundle = self.bundles.get(key)
            if bundle is None:
                bundle = self.bundles[key] = WireBundle(key)
                bundle.setVisible(not self._far)
                self.addItem(bundle)
            bundle.add(wire)

    def _label(self, wire: WireItem) -> None:
        wire.set_label(wire_label(self.document, wire.edge), bad=any(p.is_error for p in self._problem_index().of(wire.edge.target)))

    def _problem_index(self) -> ProblemIndex:
        """The document's problems by node, re-filed only when a check has replaced them."""
        if not self._problems.describes(self.document):
            self._problems = problem_index(self.document)
        return self._problems

    def _is_output(self, node_id: str) -> bool:
        graph = self.document.graph
        return node_id in graph.outputs if graph.outputs is not None else not graph.outgoing(node_id)

    # Each event touches only the cards it concerns: a big compound edit (paste,
    # delete, group) must not repaint all 771 cards of an imported model per step.
    # A new node has no wires and a removed one has none left, so no other card's
    # "output" mark changes; a wire changes only its two ends.
    def _on_node_added(self, node: Node, index: int) -> None:
        self._add_item(node)

    def _on_node_removed(self, node: Node, index: int) -> None:
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)
        self._selected.discard(node.id)
        self.overview.remove_card(node.id)

    def _on_node_changed(self, node: Node) -> None:
        self._refresh_node(node.id)

    def _on_node_moved(self, node: Node) -> None:
        item = self.nodes.get(node.id)
        if item is not None and node.position is not None:
            if (item.pos().x(), item.pos().y()) != tuple(node.position):
                self._syncing = True
                item.setPos(*node.position)
                self._syncing = False
                self._route_around(node.id)
                self._file_card(item)
                self._make_room(item)

    def _on_edge_added(self, edge: Edge, index: int) -> None:
        self._fan_out.pop((edge.source, edge.source_port), None)  # no longer what drawing began with
        self._fan_in.pop(edge.target, None)
        if edge.source in self.nodes and edge.target in self.nodes:
            self._add_wire(edge)
        else:  # an end is not drawn yet: the wire comes after it
            self._pending_edges.append(edge)
            self._slicer.start(0)
        for nid in (edge.source, edge.target):
            self._refresh_node(nid)
        self._place_fan_labels(edge)

    def _on_edge_removed(self, edge: Edge, index: int) -> None:
        self._fan_out.pop((edge.source, edge.source_port), None)
        self._fan_in.pop(edge.target, None)
        wire = self.wires.pop(edge, None)
        if wire is not None:
            bundle = wire.bundle
            if bundle is not None:
                bundle.remove(wire)
                if not len(bundle):
                    del self.bundles[bundle.key]
                    self.removeItem(bundle)
            self.removeItem(wire)
        self.overview.remove_wire(edge)
        for nid in (edge.source, edge.target):
            self._refresh_node(nid)
        self._place_fan_labels(edge)

    def _place_fan_labels(self, edge: Edge) -> None:
        """Lay the wires of `edge`'s source port again when it gains or loses its second one.

        Wires sharing a port share their first half, so their labels sit near their targets (`_route`).
        """
        port = [e for e in self.document.graph.outgoing(edge.source) if e.source_port == edge.source_port]
        if len(port) <= 2:
            for sibling in port:
                wire = self.wires.get(sibling)
                if wire is not None:
                    self._route(wire, len(port))

    def refresh(self) -> None:
        """Re-read every node's look (shapes, problems, ports) and every wire's label."""
        graph = self.document.graph
        if graph is not self._graph:
            return
        outputs = set(graph.output_ids())
        problems = self._problem_index()
        for node in graph.nodes:
            item = self.nodes.get(node.id)
            if item is not None:
                old_ports = (item.look.inputs, item.look.outputs, item.width)
                item.apply(node_look(self.document, node, outputs, problems))
                if (item.look.inputs, item.look.outputs, item.width) != old_ports:  # ports moved
                    self._route_around(node.id)
                self._mark_connected(item)
                self._file_card(item)
        for wire in self.wires.values():
            self._label(wire)

    def _on_checked(self) -> None:
        """Re-read the cards whose shapes or problems the check changed, and their wires' labels."""
        changed = self._check_changes.take(self.document)
        graph = self.document.graph
        if changed is None:
            self.refresh()
            return
        if graph is not self._graph:
            return
        for node_id in changed:
            self._refresh_node(node_id)
            for edge in graph.outgoing(node_id) + graph.incoming(node_id):
                wire = self.wires.get(edge)
                if wire is not None:
                    self._label(wire)

    def _refresh_node(self, node_id: str) -> None:
        graph = self.document.graph
        item = self.nodes.get(node_id)
        if item is None or node_id not in graph:
            return
        outputs = {node_id} if self._is_output(node_id) else set()
        old_ports = (item.look.inputs, item.look.outputs, item.width)
        item.apply(node_look(self.document, graph.node(node_id), outputs, self._problem_index()))
        if (item.look.inputs, item.look.outputs, item.width) != old_ports:  # ports moved
            self._route_around(node_id)
        self._mark_connected(item)
        self._file_card(item)

    def _mark_connected(self, item: NodeItem) -> None:
        graph = self.document.graph
        used_in = {e.target_port for e in graph.incoming(item.node_id)}
        used_out = {e.source_port for e in graph.outgoing(item.node_id)}
        for port in item.inputs:
            port.set_connected(port.index in used_in)
        for port in item.outputs:
            port.set_connected(port.index in used_out)

    # -- geometry of wires ---------------------------------------------------------
    def port_position(self, node_id: str, is_input: bool, index: int) -> QPointF | None:
        item = self.nodes.get(node_id)
        if item is None:
            return None
        port = item.port(is_input, index)
        return port.scenePos() if port is not None else item.pos() + QPointF(item.width / 2, 0 if is_input else theme.NODE_HEIGHT)

    def _route(self, wire: WireItem, fan_out: int | None = None) -> None:
        """Lay `wire` between its ports; `fan_out`: how many wires leave its source port, when known."""
        start = self.port_position(wire.edge.source, False, wire.edge.source_port)
        end = self.port_position(wire.edge.target, True, wire.edge.target_port)
        if start is not None and end is not None:
            if fan_out is None:
                fan_out = sum(1 for e in self.document.graph.outgoing(wire.edge.source) if e.source_port == wire.edge.source_port)
            wire.label_at = 0.78 if fan_out > 1 else 0.5
            wire.set_ends(start, end)
            self.overview.set_wire(wire.edge, *wire.ends)

    def _route_around(self, node_id: str) -> None:
        graph = self.document.graph
        if node_id not in graph:
            return
        outgoing = graph.outgoing(node_id)
        fan_out = Counter(e.source_port for e in outgoing)  # counted once, not once per wire
        for edge in outgoing:
            wire = self.wires.get(edge)
            if wire is not None:
                self._route(wire, fan_out[edge.source_port])
        for edge in graph.incoming(node_id):
            wire = self.wires.get(edge)
            if wire is not None:
                self._route(wire)

    def _item_moved(self, item: NodeItem) -> None:
        if not self._syncing:
            self._route_around(item.node_id)
            self._file_card(item)
            self._make_room(item)

    def _make_room(self, item: NodeItem) -> None:
        """Grow the scene's rect to hold `item`, by half as much again, so that it seldom changes."""
        rect, card = self.sceneRect(), item.sceneBoundingRect()
        if not rect.contains(card):
            grown = rect.united(card)
            w, h = grown.width() / 4, grown.height() / 4
            self.setSceneRect(grown.adjusted(-w, -h, w, h))

    def set_ports_shown(self, shown: bool) -> None:
        """Show ports when zoomed in enough to use them; hidden far out, they cost paint time."""
        if shown != self._ports_shown:
            self._ports_shown = shown
            for item in self.nodes.values():
                item.set_ports_shown(shown)

    def set_far(self, far: bool) -> None:
        """Far out, the overview draws every card and wire; the items draw nothing but stay selectable."""
        if far == self._far:
            return
        self._far = far
        no_contents = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
        for item in self.nodes.values():
            item.setFlag(no_contents, far)
        for wire in self.wires.values():
            wire.set_far(far)
        for bundle in self.bundles.values():
            bundle.setVisible(not far)
        self.overview.set_shown(far)

    def _file_card(self, item: NodeItem) -> None:
        """Give the overview the card's box in the colour it shows far out (selected, wrong, or its category)."""
        if item.node_id in self._selected:
            colour = theme.SELECTED_BORDER
        elif item.look.problems:
            colour = theme.ERROR
        else:
            colour = theme.category_colour(item.look.category)
        pos = item.pos()
        self.overview.set_card(item.node_id, pos.x(), pos.y(), item.width, theme.NODE_HEIGHT, colour)

    def _selection_changed(self) -> None:
        selected = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        flipped, self._selected = selected ^ self._selected, selected
        for node_id in flipped:
            item = self.nodes.get(node_id)
            if item is not None:
                self._file_card(item)

    def items_rect(self) -> QRectF:
        """Where the graph's cards are (also those not built yet), for fitting the view."""
        graph = self.document.graph
        if graph is not self._graph or not len(graph):
            return QRectF()
        left = top = float("inf")
        right = bottom = float("-inf")
        for node in graph.nodes:
            item = self.nodes.get(node.id)
            if item is not None:
                x, y, width = item.x(), item.y(), item.width
            else:
                (x, y), width = node.position or (0.0, 0.0), theme.NODE_WIDTH
            left, top = min(left, x), min(top, y)
            right, bottom = max(right, x + width), max(bottom, y + theme.NODE_HEIGHT)
        return QRectF(left - 2, top - 2, right - left + 4, bottom - top + 4)

    def selected_node_ids(self) -> list[str]:
        """Selected nodes in document order (so copy, group and delete are deterministic)."""
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        return [n.id for n in self.document.graph.nodes if n.id in chosen]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, WireItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for nid in node_ids:
            item = self.nodes.get(nid)
            if item is not None:
                item.setSelected(True)

    # -- gestures ------------------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self._port_at(event.scenePos())
        if port is not None and not port.is_input and event.button() == Qt.MouseButton.LeftButton:
            self.drag.start(port, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)
        self._press_positions = {i.node_id: i.pos() for i in self.selectedItems() if isinstance(i, NodeItem)}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.drag.active:
            self.drag.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.drag.active:
            self.drag.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._commit_moves()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        item = self.itemAt(event.scenePos(), self.views()[0].transform()) if self.views() else None
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if isinstance(item, NodeItem):
            self.node_activated.emit(item.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _commit_moves(self) -> None:
        moved = []
        for nid, before in self._press_positions.items():
            item = self.nodes.get(nid)
            if item is not None and item.pos() != before:
                moved.append(MoveNode(self.document.graph, nid, (round(item.pos().x(), 1), round(item.pos().y(), 1))))
        self._press_positions = {}
        if moved:
            text = moved[0].text if len(moved) == 1 else f"Move {len(moved)} layers"
            self.document.push(Compound(text, moved))

    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def nearest_input_port(self, pos: QPointF, reach: float = 16.0) -> PortItem | None:
        """The input port under `pos`, or nearest within `reach`, or the first free one of the card under it."""
        best, best_d = None, reach
        area = QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)
        for item in self.items(area):
            if isinstance(item, PortItem) and item.is_input:
                d = (item.scenePos() - pos).manhattanLength()
                if d <= best_d:
                    best, best_d = item, d
        if best is not None:
            return best
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                free = [p for p in item.inputs if not p.connected]
                return free[0] if free else (item.inputs[0] if item.inputs else None)
        return None

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, theme.BACKGROUND)
        lod = painter.worldTransform().m11()
        if lod < 0.45:
            return
        step = theme.GRID * (2 if lod < 0.8 else 1)
        painter.setPen(QPen(theme.GRID_DOT, 1.6 / lod))
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        points = []
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += step
            y += step
        if len(points) < 40000:
            painter.drawPoints(points)
