"""Copy, paste, duplicate and delete several layers at once.

What the clipboard holds is plain JSON-able data, a *fragment*: the selected
nodes as `Graph.to_dict` writes them and the wires between them. Clipboard
text can come from anywhere, so reading a fragment checks it as carefully as
a project file (it reuses the project reader) before anything is built.
Pasting gives every node a fresh id and puts the copies beside the originals
on a spot where they cover no other card (see `placement`); each gesture is
one undo step.

Shared layers: a copy of a node that shares a layer with another copied node
shares that node's copy (the copies are a new layer, like any copy). A copy
of a node that shares the layer of a node left out of the selection is one
more call of that layer, as the original was: it keeps sharing that node
where it is pasted into its graph (same id, same layer class and settings
as when copied); anywhere else it gets a layer of its own with those
settings, so it never names a node that is not there.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from netbuilder.graph.commands import (
    AddNode,
    Command,
    Compound,
    Connect,
    Disconnect,
    SetOutputs,
    _RemoveBareNode,
    hand_on_shared_layers,
)
from netbuilder.graph.model import Edge, Graph, Node, settings_of_shared
from netbuilder.graph.placement import Footprint, beside_offset, card_size, free_offset
from netbuilder.graph.project_file import ProjectFileError, from_dict

FORMAT = "netbuilder-fragment"
VERSION = 1
MIME_TYPE = "application/x-netbuilder-fragment"  # the editor puts json.dumps(fragment) under this type


def describe(nodes: list[Node]) -> str:
    """How an undo text names what a command touches: `Dense 'd'` or `3 layers`."""
    if len(nodes) == 1:
        return f"{nodes[0].layer} '{nodes[0].name}'"
    return f"{len(nodes)} layers"


def fresh_ids(taken: Iterable[str], stems: Iterable[str]) -> list[str]:
    """One new id per stem, unique among `taken` and each other, spelled as `Graph.new_id` spells them."""
    space = Graph()
    for node_id in taken:
        space.add_node(Node(node_id, ""))
    ids = []
    for stem in stems:
        node_id = space.new_id(stem)
        space.add_node(Node(node_id, ""))
        ids.append(node_id)
    return ids


def selected_nodes(graph: Graph, node_ids: Iterable[str]) -> list[Node]:
    """The nodes named by `node_ids`, in document order; ValueError names an id the graph lacks."""
    wanted = set(node_ids)
    missing = sorted(wanted - {n.id for n in graph.nodes})
    if missing:
        raise ValueError(f"no node with id '{missing[0]}' in this graph")
    return [n for n in graph.nodes if n.id in wanted]


def copy_fragment(graph: Graph, node_ids: Iterable[str]) -> dict[str, Any]:
    """The clipboard data for these nodes and the wires among them (wires leaving the selection are not copied).

    A node sharing the layer of a node left out carries that layer's settings
    as its config (its own are ignored while it shares), for a paste where it
    has to stand alone.
    """
    selected = selected_nodes(graph, node_ids)
    ids = {n.id for n in selected}
    doc = graph.to_dict()
    nodes = [n for n in doc["nodes"] if n["id"] in ids]
    for item, node in zip(nodes, selected):
        owner = graph.get(node.shares) if node.shares is not None and node.shares not in ids else None
        if owner is not None:
            item["config"] = settings_of_shared(owner, node)
    return {
        "format": FORMAT,
        "version": VERSION,
        "nodes": nodes,
        "edges": [e for e in doc["edges"] if e["source"] in ids and e["target"] in ids],
    }


def read_fragment(data: Any) -> tuple[list[Node], list[Edge]]:
    """The nodes and wires of clipboard data; ValueError with a sentence when it is not a usable fragment."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("the clipboard does not hold netbuilder layers")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise ValueError(f"the copied layers are in a format version ({version!r}) this netbuilder cannot read")
    if not isinstance(data.get("nodes"), list) or not isinstance(data.get("edges", []), list):
        raise ValueError('the copied layers are damaged: "nodes" and "edges" must be lists')
    doc = {"format": "netbuilder", "version": 1, "graph": {"nodes": data["nodes"], "edges": data.get("edges", [])}}
    try:
        graph = from_dict(doc, "clipboard").graph
    except ProjectFileError as exc:
        details = "; ".join(p.removeprefix("graph.") for p in exc.problems)
        raise ValueError(f"the copied layers are damaged: {details}") from None
    if not len(graph):
        raise ValueError("the clipboard holds no layers to paste")
    for edge in graph.edges:
        for end in (edge.source, edge.target):
            if end not in graph:
                raise ValueError(
                    f"the copied layers are damaged: the wire '{edge.source}' → '{edge.target}' "
                    f"names '{end}', which is not among them"
                )
    return graph.nodes, graph.edges


def paste_command(
    graph: Graph, data: Any, offset: tuple[float, float] | None = None, footprint: Footprint = card_size
) -> tuple[Compound, list[str]]:
    """A command adding the fragment's nodes (fresh ids) and wires; returns it and the new ids.

    The nodes are shifted by `offset`, or further right where that would cover
    a card; without an offset they go just right of where they were copied from.
    """
    nodes, edges = read_fragment(data)
    if offset is None:
        offset = beside_offset(graph, nodes, footprint)
    else:
        offset = free_offset(graph, nodes, offset, footprint)
    new_ids = fresh_ids((n.id for n in graph.nodes), (re.sub(r"_\d+$", "", n.id) or n.id for n in nodes))
    renamed = {n.id: new_id for n, new_id in zip(nodes, new_ids)}
    names = {n.name for n in graph.nodes}
    children: list[Command] = []
    for node in nodes:
        config = dict(node.config)
        if isinstance(config.get("name"), str) and config["name"] in names:
            del config["name"]  # Keras refuses two layers of one name; the fresh id names it instead
        position = None if node.position is None else (node.position[0] + offset[0], node.position[1] + offset[1])
        shares = _pasted_shares(graph, node, renamed)
        pasted = Node(renamed[node.id], node.layer, config, position, node.extra, shares=shares)
        names.add(pasted.name)
        children.append(AddNode(graph, pasted))
    for edge in edges:
        wire = Edge(renamed[edge.source], renamed[edge.target], edge.source_port, edge.target_port)
        children.append(Connect(graph, wire))
    return Compound(f"Paste {describe(nodes)}", children), new_ids


def _pasted_shares(graph: Graph, node: Node, renamed: dict[str, str]) -> str | None:
    """Whose layer the copy of `node` pasted into `graph` calls (see the module docstring)."""
    if node.shares is None:
        return None
    if node.shares in renamed:
        return renamed[node.shares]
    owner = graph.get(node.shares)
    if owner is None or owner.layer != node.layer or owner.shares is not None:
        return None
    return owner.id if settings_of_shared(owner, node) == node.config else None


def duplicate_command(
    graph: Graph, node_ids: Iterable[str], footprint: Footprint = card_size
) -> tuple[Compound, list[str]]:
    """Copy and paste in one step (the copies beside the originals); returns the command and the new ids."""
    command, new_ids = paste_command(graph, copy_fragment(graph, node_ids), footprint=footprint)
    command.text = command.text.replace("Paste", "Duplicate", 1)
    return command, new_ids


def delete_command(graph: Graph, node_ids: Iterable[str], edges: Iterable[Edge] = ()) -> Compound:
    """One step removing these nodes, every wire touching them, their places in the output
    list, and the other `edges` given (wires selected on their own). A shared layer whose
    owner goes stays with the nodes that share it (`hand_on_shared_layers`)."""
    nodes = selected_nodes(graph, node_ids)
    ids = {n.id for n in nodes}
    loose = [e for e in edges if e.source not in ids and e.target not in ids]
    if not nodes and not loose:
        raise ValueError("nothing is selected to delete")
    children: list[Command] = [Disconnect(graph, e) for e in loose]
    children += [Disconnect(graph, e) for e in graph.edges if e.source in ids or e.target in ids]
    children += hand_on_shared_layers(graph, ids)
    children += [_RemoveBareNode(graph, n.id) for n in nodes]
    if graph.outputs is not None and ids & set(graph.outputs):
        children.append(SetOutputs(graph, [o for o in graph.outputs if o not in ids]))
    if nodes:
        return Compound(f"Delete {describe(nodes)}", children)
    return Compound("Delete wire" if len(loose) == 1 else f"Delete {len(loose)} wires", children)
