"""The preprocessing block: raw CSV columns in, the encoded feature matrix out, as layers of the model.

A CSV-trained model usually takes the loader's encoded matrix (`features: (12,)`:
numbers, then one 0/1 per category), which no client can build without
netbuilder. `add_preprocessing_command` rewrites such a graph so the model
takes the raw columns itself: one `Input` per column, named after it (numbers
float32, text `string`, each of shape `(1,)`), each through a `Normalization`
(numbers; adapted on the training data before training) or a
`StringLookup(output_mode="one_hot")` (text; its vocabulary is the dataset's
categories, so the width of what follows is known when the model is built),
all `Concatenate`d into what the matrix Input fed. The layers live in a
sub-model named `preprocessing`, so the canvas shows one block the user can
open, inspect, change, inline or remove (`remove_preprocessing_command`
puts a matrix Input back). The dataset's `inputs` mapping changes in the same
undo step, so training works at once.

The columns come in as plain data (`RawColumn`) from the dataset code; this
module knows neither Keras nor Qt.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from netbuilder.graph.commands import AddNode, Command, Compound, Connect, Disconnect, _RemoveBareNode
from netbuilder.graph.fragment import fresh_ids
from netbuilder.graph.layer_names import keras_name
from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph, Node
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, SetSection
from netbuilder.graph.project_file import Project

BLOCK = "preprocessing"
MATRIX_INPUT = "features"
_COLUMN_SPACING = 240.0  # a card is 190 to 212 wide (ui.canvas.theme): room between them
_ROW = 120.0


@dataclass(frozen=True)
class RawColumn:
    """One raw feature column: `numeric` (one float) or `categorical` (one of `categories`, as text)."""

    name: str
    kind: Literal["numeric", "categorical"]
    categories: tuple[str, ...] = field(default=())

    @property
    def width(self) -> int:
        """How many values the loader's matrix gives this column (one per category for text)."""
        return 1 if self.kind == "numeric" else len(self.categories)


def block_node(graph: Graph) -> Node | None:
    """The main graph's node that calls the preprocessing block, if there is one."""
    return next((n for n in graph.nodes if n.layer == SUBMODEL_LAYER and n.config.get("submodel") == BLOCK), None)


def add_preprocessing_command(project: Project, columns: list[RawColumn]) -> Compound:
    """Replace the model's one matrix Input by raw-column Inputs and the preprocessing block.

    Raises:
        ValueError: a sentence saying why this project cannot take the block.
    """
    graph = project.graph
    if block_node(graph) is not None or BLOCK in project.submodels:
        raise ValueError(f"the model already has a '{BLOCK}' block; open it to change it")
    if not columns:
        raise ValueError("the dataset has no feature columns to preprocess")
    inputs = graph.input_ids()
    if len(inputs) != 1:
        raise ValueError(f"the preprocessing block replaces one matrix Input, but the model has {len(inputs)} "
                         "Inputs; map each to its columns by hand instead")
    old = graph.node(inputs[0])
    width = sum(c.width for c in columns)
    if old.config.get("shape") != [width] or old.config.get("dtype") not in (None, "float32"):
        raise ValueError(f"Input '{old.name}' takes {old.config.get('shape')}, not the {width} values the "
                         "dataset's columns encode to; fix the Input or the dataset first")
    dataset = project.sections.get("dataset")
    if not isinstance(dataset, dict):
        raise ValueError("the project has no dataset to take the columns from")

    taken = {n.id for n in graph.nodes if n.id != old.id} | {n.name for n in graph.nodes if n.id != old.id}
    keys = fresh_ids(taken | {BLOCK}, (keras_name(c.name) for c in columns))
    origin = old.position
    children: list[Command] = [AddSubmodel(project, BLOCK, _block_graph(columns, keys))]
    outbound = graph.outgoing(old.id)
    children += [Disconnect(graph, e) for e in outbound]
    index = graph.index_of(old.id)
    children.append(_RemoveBareNode(graph, old.id))
    for k, (column, key) in enumerate(zip(columns, keys)):
        children.append(AddNode(graph, Node(key, INPUT_LAYER, _input_config(column, key),
                                            _at(origin, k - (len(columns) - 1) / 2, -1)), index + k))
    block_id = fresh_ids(taken | set(keys), [BLOCK])[0]
    children.append(AddNode(graph, Node(block_id, SUBMODEL_LAYER, {"submodel": BLOCK}, origin), index + len(keys)))
    children += [Connect(graph, Edge(key, block_id, 0, k)) for k, key in enumerate(keys)]
    children += [Connect(graph, Edge(block_id, e.target, 0, e.target_port)) for e in outbound]
    mapping = {key: [column.name] for column, key in zip(columns, keys)}
    children.append(SetSection(project, "dataset", {**copy.deepcopy(dataset), "inputs": mapping},
                               text="Map each column to its own Input"))
    return Compound(f"Add preprocessing for {len(columns)} column{'s' if len(columns) != 1 else ''}", children)


def remove_preprocessing_command(project: Project, columns: list[RawColumn]) -> Compound:
    """Undo the block's rewrite in one step: a matrix Input (the loader's encoding of `columns`) feeds what the
    block fed, the raw-column Inputs and the sub-model go, and the dataset maps the columns to that Input.

    Raises:
        ValueError: there is no block, or its Inputs feed other layers too.
    """
    graph = project.graph
    node = block_node(graph)
    if node is None:
        raise ValueError(f"the model has no '{BLOCK}' block to remove")
    feeding = [e.source for e in sorted(graph.incoming(node.id), key=lambda e: e.target_port)]
    for source in feeding:
        if graph.node(source).layer != INPUT_LAYER or len(graph.outgoing(source)) != 1:
            raise ValueError(f"cannot remove the '{BLOCK}' block: '{graph.node(source).name}' feeds other layers "
                             "too; disconnect it first")
    dataset = project.sections.get("dataset")
    outbound = graph.outgoing(node.id)
    children: list[Command] = [Disconnect(graph, e) for e in graph.edges if node.id in (e.target, e.source)]
    index = min(graph.index_of(s) for s in feeding) if feeding else graph.index_of(node.id)
    children += [_RemoveBareNode(graph, nid) for nid in [*feeding, node.id]]
    taken = {n.id for n in graph.nodes if n.id not in feeding and n.id != node.id}
    matrix = fresh_ids(taken, [MATRIX_INPUT])[0]
    config: dict[str, Any] = {"shape": [sum(c.width for c in columns)], "name": matrix}
    children.append(AddNode(graph, Node(matrix, INPUT_LAYER, config, node.position), index))
    children += [Connect(graph, Edge(matrix, e.target, 0, e.target_port)) for e in outbound]
    if not any(n.layer == SUBMODEL_LAYER and n.config.get("submodel") == BLOCK
               for g in project.submodels.values() for n in g.nodes):
        children.append(RemoveSubmodel(project, BLOCK))
    if isinstance(dataset, dict):
        mapping = {matrix: [c.name for c in columns]}
        children.append(SetSection(project, "dataset", {**copy.deepcopy(dataset), "inputs": mapping},
                                   text="Map the columns to one Input"))
    return Compound("Remove preprocessing", children)


def _block_graph(columns: list[RawColumn], keys: list[str]) -> Graph:
    """The sub-model: an Input per column, its encoding layer under it, one Concatenate at the bottom."""
    sub = Graph()
    encoded = []
    layer_ids = fresh_ids(set(keys), [f"{key}_{'normalized' if c.kind == 'numeric' else 'lookup'}"
                                      for c, key in zip(columns, keys)])
    for k, (column, key, layer_id) in enumerate(zip(columns, keys, layer_ids)):
        sub.add_node(Node(key, INPUT_LAYER, _input_config(column, key), (k * _COLUMN_SPACING, 0.0)))
        if column.kind == "numeric":
            # No mean or variance: the training session adapts them on the training split.
            layer = Node(layer_id, "Normalization", {"axis": -1}, (k * _COLUMN_SPACING, _ROW))
        else:
            # The vocabulary is the dataset's categories: an unadapted one-hot lookup has no width, and the
            # layer after the block could not be built. Values outside it go to the OOV slot. The categories are
            # cells without surrounding spaces, and so is what reaches the lookup: the loader strips the cells it
            # trains on, the served model's front a request's (`export.raw_inputs.StrippedText`).
            layer = Node(layer_id, "StringLookup", {"output_mode": "one_hot", "vocabulary": list(column.categories)},
                         (k * _COLUMN_SPACING, _ROW))
        sub.add_node(layer)
        sub.add_edge(Edge(key, layer_id))
        encoded.append(layer_id)
    if len(encoded) == 1:
        sub.outputs = encoded
        return sub
    merge = fresh_ids(set(keys) | set(layer_ids), ["columns"])[0]
    sub.add_node(Node(merge, "Concatenate", {"axis": -1}, ((len(keys) - 1) * _COLUMN_SPACING / 2, 2 * _ROW)))
    for port, layer_id in enumerate(encoded):
        sub.add_edge(Edge(layer_id, merge, 0, port))
    sub.outputs = [merge]
    return sub


def _input_config(column: RawColumn, key: str) -> dict[str, Any]:
    return {"shape": [1], "dtype": "float32" if column.kind == "numeric" else "string", "name": key}


def _at(origin: tuple[float, float] | None, column: float, row: float) -> tuple[float, float] | None:
    return None if origin is None else (origin[0] + column * _COLUMN_SPACING, origin[1] + row * _ROW)
