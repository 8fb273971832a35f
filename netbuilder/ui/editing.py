"""Edit gestures of the main window — add, insert, rename, delete, copy, paste, group, arrange — as commands.

Each method reads the selection from the scene, asks `netbuilder.graph` for
the command that does the edit, and pushes it on the document; so every edit
here is one undo step and the canvas follows through the graph's events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QMimeData, QPointF
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QWidget

from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Command, Compound, Connect, Edge, Node, SetConfig
from netbuilder.graph.edits import add_node_command, insert_on_edge_command
from netbuilder.graph.fragment import (
    copy_fragment, delete_command, duplicate_command, paste_command, read_fragment,
)
from netbuilder.graph.grouping import group_command, ungroup_command
from netbuilder.graph.layout import layout_command
from netbuilder.graph.placement import bounding_box
from netbuilder.graph.validation import Verdict, shown_name
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.theme import NODE_HEIGHT, NODE_WIDTH
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.inspector.node_schema import NAME_KEY, name_problem

FRAGMENT_MIME = "application/x-netbuilder-fragment"
DEFAULT_INPUT_SHAPE = [8]


def new_config(document: EditorDocument, layer: str, submodel: str | None) -> dict[str, Any]:
    """Settings of a freshly added node: the values Keras requires, nothing more."""
    if layer == INPUT_LAYER:
        return {"shape": list(DEFAULT_INPUT_SHAPE)}
    if layer == SUBMODEL_LAYER:
        return {"submodel": submodel or ""}
    spec = document.catalog.get(layer)
    return dict(spec.seed) if spec is not None else {}


@dataclass(frozen=True)
class Refusal:
    """Why an edit was not made, said as the refused wire says it (title, sentence, fix)."""

    title: str
    verdict: Verdict


class EditController:
    """The editing half of the main window, for one document and its scene."""

    def __init__(self, document: EditorDocument, scene: GraphScene, parent: QWidget) -> None:
        self.document = document
        self.scene = scene
        self.parent = parent

    @property
    def graph(self) -> Any:
        return self.document.graph

    def footprint(self, node: Node) -> tuple[float, float]:
        """The size of a node's card on the canvas (a plain card's for nodes not shown)."""
        item = self.scene.nodes.get(node.id)
        return (item.width if item is not None else NODE_WIDTH), NODE_HEIGHT

    def _contains_itself(self, layer: str, submodel: str | None) -> bool:
        if layer == SUBMODEL_LAYER and submodel == self.document.scope:
            QMessageBox.warning(self.parent, "Sub-model", f"'{submodel}' cannot contain itself.")
            return True
        return False

    def add_layer(self, layer: str, submodel: str | None, at: QPointF, connect_from: tuple[str, int] | None = None) -> str | None:
        """Add a layer centred at `at`; optionally wire an output port into it. Returns its id."""
        if self._contains_itself(layer, submodel):
            return None
        command, node_id = add_node_command(self.graph, layer, new_config(self.document, layer, submodel), _centred(at))
        if connect_from is None:
            self.document.push(command)
        else:
            source, port = connect_from
            edge = Edge(source, node_id, port, 0)
            text = f"Add {layer} '{node_id}' after '{shown_name(self.graph, source)}'"
            self.document.push(Compound(text, [command, Connect(self.graph, edge)]))
        self.scene.select_nodes([node_id])
        return node_id

    def connect_through(self, layer: str, edge: Edge) -> str:
        """Draw `edge` with a `layer` inserted in between (the "insert Flatten" fix)."""
        source, target = self.graph.node(edge.source), self.graph.node(edge.target)
        sx, sy = source.position or (0.0, 0.0)
        tx, ty = target.position or (sx, sy + 2 * NODE_HEIGHT)
        add, node_id = add_node_command(self.graph, layer, new_config(self.document, layer, None), ((sx + tx) / 2, (sy + ty) / 2))
        self.document.push(Compound(f"Connect '{source.name}' → '{target.name}' through {layer}", [
            add,
            Connect(self.graph, Edge(edge.source, node_id, edge.source_port, 0)),
            Connect(self.graph, Edge(node_id, edge.target, 0, edge.target_port)),
        ]))
        return node_id

    def connect_anyway(self, edge: Edge) -> None:
        self.document.push(Connect(self.graph, edge))

    def insert_on_wire(self, layer: str, submodel: str | None, edge: Edge, at: QPointF,
                       force: bool = False) -> Refusal | None:
        """Insert a new `layer` centred at `at` into `edge` (source → layer → target), as one step.

        Refused, and nothing changed, when drawing either new wire by hand would be
        (`force`: the user was told and inserts anyway, where Keras would accept it).
        """
        if self._contains_itself(layer, submodel) or edge not in self.graph.edges:
            return None
        config = new_config(self.document, layer, submodel)
        command, node_id = insert_on_edge_command(self.graph, edge, layer, config, _centred(at))
        verdict = Verdict() if force else self._judge_insert(command.children)
        if verdict.problem is not None:
            between = f"'{shown_name(self.graph, edge.source)}' and '{shown_name(self.graph, edge.target)}'"
            return Refusal(f"Cannot insert {layer} between {between}", verdict)
        self.document.push(command)
        self.scene.select_nodes([node_id])
        return None

    def _judge_insert(self, steps: list[Command]) -> Verdict:
        """Judge the two new wires of an insertion as the wire drag judges one, each on the graph
        as it would be when it is drawn; the graph is put back before anything is pushed."""
        unwire, add, into, out_of = steps
        assert isinstance(into, Connect) and isinstance(out_of, Connect)
        done: list[Command] = []
        try:
            for step in (unwire, add):
                step.redo()
                done.append(step)
            verdict = self.document.verdict(into.edge)
            if verdict.problem is None:
                into.redo()
                done.append(into)
                self.document.run_check()  # the new layer's output shape, for judging the second wire
                verdict = self.document.verdict(out_of.edge)
        finally:
            for step in reversed(done):
                step.undo()
            self.document.run_check()
        return verdict

    def rename(self, node_id: str, text: str) -> str | None:
        """Give a node a new Keras name (empty: use its id), as one step; returns why not, or None."""
        node = self.graph.get(node_id)
        if node is None:
            return None
        name = text.strip() or None
        problem = name_problem(name)
        shown = name or node_id
        taken = next((n for n in self.graph.nodes if n.id != node_id and n.name == shown), None)
        if problem is None and taken is not None:
            problem = f"name '{shown}' is already used by {taken.layer} '{shown}'"
        if problem is not None:
            return problem
        config = {k: v for k, v in node.config.items() if k != NAME_KEY}
        if name is not None:
            config[NAME_KEY] = name
        if config != node.config:
            command = SetConfig(self.graph, node_id, config)
            command.text = f"Rename '{node.name}' to '{shown}'"
            self.document.push(command)
        return None

    def delete_selection(self) -> None:
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edges()
        if nodes or edges:
            self.document.push(delete_command(self.graph, nodes, edges))

    def copy(self) -> bool:
        nodes = self.scene.selected_node_ids()
        if not nodes:
            return False
        mime = QMimeData()
        text = json.dumps(copy_fragment(self.graph, nodes))
        mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
        mime.setText(text)
        QApplication.clipboard().setMimeData(mime)
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selection()

    def paste(self, at: QPointF | None = None) -> str | None:
        """Paste the clipboard's layers beside the copied ones, or from `at` (their top-left corner),
        on the first spot where they cover no card; returns a message when the clipboard holds none."""
        mime = QApplication.clipboard().mimeData()
        if mime is None or not (mime.hasFormat(FRAGMENT_MIME) or mime.hasText()):
            return "The clipboard holds no layers to paste."
        raw = bytes(mime.data(FRAGMENT_MIME)).decode("utf-8") if mime.hasFormat(FRAGMENT_MIME) else mime.text()
        try:
            data = json.loads(raw)
            box = bounding_box(read_fragment(data)[0], self.footprint) if at is not None else None
            offset = None if at is None or box is None else (at.x() - box[0], at.y() - box[1])
            command, new_ids = paste_command(self.graph, data, offset, self.footprint)
        except ValueError as exc:
            return f"Cannot paste: {exc}"
        self.document.push(command)
        self.scene.select_nodes(new_ids)
        return None

    def duplicate(self) -> None:
        nodes = self.scene.selected_node_ids()
        if nodes:
            command, new_ids = duplicate_command(self.graph, nodes, self.footprint)
            self.document.push(command)
            self.scene.select_nodes(new_ids)

    def select_all(self) -> None:
        self.scene.select_nodes([n.id for n in self.graph.nodes])

    def arrange(self) -> None:
        self.document.push(layout_command(self.graph))

    def group(self) -> str | None:
        """Group the selection into a new sub-model; returns an error message or None."""
        nodes = self.scene.selected_node_ids()
        if not nodes:
            return "Select the layers to group first."
        taken = set(self.document.project.submodels)
        suggestion = next(f"block_{i}" for i in range(1, len(taken) + 2) if f"block_{i}" not in taken)
        name, ok = QInputDialog.getText(self.parent, "Group into sub-model", "Name of the new sub-model:", text=suggestion)
        if not ok:
            return None
        return self.group_as(nodes, name.strip())

    def group_as(self, nodes: list[str], name: str) -> str | None:
        self.document.flush_check()

        def input_shape(node_id: str, port: int) -> list[int | None] | None:
            shapes = self.document.shapes(node_id)
            return list(shapes[port]) if shapes is not None and port < len(shapes) else None

        try:
            command, node_id = group_command(self.document.project, self.graph, nodes, name, input_shape)
        except ValueError as exc:
            return str(exc)
        self.document.push(command)
        self.scene.select_nodes([node_id])
        return None

    def ungroup(self) -> str | None:
        nodes = [n for n in self.scene.selected_node_ids() if self.graph.node(n).layer == SUBMODEL_LAYER]
        if len(nodes) != 1:
            return "Select one sub-model node to ungroup."
        try:
            command = ungroup_command(self.document.project, self.graph, nodes[0])
        except ValueError as exc:
            return str(exc)
        self.document.push(command)
        return None


def _centred(at: QPointF) -> tuple[float, float]:
    """The position of a plain card whose centre is `at`."""
    return (round(at.x() - NODE_WIDTH / 2, 1), round(at.y() - NODE_HEIGHT / 2, 1))
