"""Editor gestures that create a node: drop a layer on the canvas, or drop it on a wire.

Both need a fresh node id; ids are made the way Keras names layers
(`Conv2D` → `conv2d`, then `conv2d_1`, …), so the default layer names in a
built model read like the ids on the canvas. Each gesture is one undo step
built only from `Graph` commands.
"""

from __future__ import annotations

import re
from typing import Any

from netbuilder.graph.commands import AddNode, Command, Compound, Connect, Disconnect
from netbuilder.graph.model import SUBMODEL_LAYER, Edge, Graph, Node
from netbuilder.graph.validation import shown_name


def snake_case(layer: str) -> str:
    """The stem Keras itself derives from a class name (`GlobalAveragePooling2D` → `global_average_pooling2d`)."""
    name = re.sub(r"\W+", "", layer)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def default_stem(layer: str, config: dict[str, Any]) -> str:
    """The id stem for a new node; a `Submodel` node is named after its sub-model."""
    submodel = config.get("submodel")
    if layer == SUBMODEL_LAYER and isinstance(submodel, str) and submodel:
        return submodel
    return snake_case(layer)


def add_node_command(
    graph: Graph, layer: str, config: dict[str, Any], position: tuple[float, float] | None, stem: str | None = None
) -> tuple[AddNode, str]:
    """A command adding a `layer` node with a fresh id (from `stem`, else from the layer); returns it and the id."""
    node_id = graph.new_id(stem or default_stem(layer, config))
    return AddNode(graph, Node(node_id, layer, dict(config), position)), node_id


def insert_on_edge_command(graph: Graph, edge: Edge, layer: str, config: dict[str, Any],
                           position: tuple[float, float] | None = None) -> tuple[Compound, str]:
    """Replace wire A→B by A→new→B; the new node sits at `position`, else halfway between A and B.

    The new node takes A's tensor on its input 0 and feeds B on the port the old
    wire used, so a merge layer downstream keeps its input order. The children
    are, in order: disconnect A→B, add the node, connect A→new, connect new→B.
    """
    if edge not in graph.edges:
        raise ValueError(f"there is no wire '{shown_name(graph, edge.source)}' → '{shown_name(graph, edge.target)}' "
                         "to insert into")
    source, target = graph.get(edge.source), graph.get(edge.target)
    if position is None and source and target and source.position is not None and target.position is not None:
        position = (
            (source.position[0] + target.position[0]) / 2,
            (source.position[1] + target.position[1]) / 2,
        )
    add, node_id = add_node_command(graph, layer, config, position)
    children: list[Command] = [
        Disconnect(graph, edge),
        add,
        Connect(graph, Edge(edge.source, node_id, edge.source_port, 0)),
        Connect(graph, Edge(node_id, edge.target, 0, edge.target_port)),
    ]
    return Compound(f"Insert {layer}", children), node_id
