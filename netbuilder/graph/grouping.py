"""Group selected layers into a sub-model, and the reverse: inline a sub-model's layers.

Grouping moves the selection into a new sub-model and puts one `Submodel`
node in its place. Wires that cross the selection's border become the
sub-model's inputs and outputs, so the model computes exactly what it did
before: same layers, same parameters, same outputs in the same order. A
selection that cannot keep that promise (a layer outside it sits between
selected ones, or its results would both be model outputs and feed other
layers) is refused with a sentence that says why. Each gesture is one undo
step that restores the document exactly.

Shared layers: a layer shared by nodes on both sides of the selection's
border is refused — a node can only share a layer within its own graph, and
splitting the calls would give each side weights of its own. Ungrouping
points the inlined copies at each other's new ids.
"""

from __future__ import annotations

from typing import Callable, Iterable

from netbuilder.graph.commands import AddNode, Command, Compound, Connect, Disconnect, SetOutputs, _RemoveBareNode
from netbuilder.graph.fragment import describe, fresh_ids, selected_nodes
from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph, Node
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, submodel_name_problem
from netbuilder.graph.project_file import Project
from netbuilder.graph.validation import shown_name

# The full shape (batch dimension first) of output `port` of node `id`; None while unknown.
InputShape = Callable[[str, int], list[int | None] | None]
Tensor = tuple[str, int]  # (node id, output port)

_INPUT_ROW_GAP = 120.0  # room between the sub-model's Input row and its first layers
_INPUT_SPACING = 200.0


def group_command(
    project: Project, graph: Graph, node_ids: Iterable[str], name: str, input_shape: InputShape
) -> tuple[Compound, str]:
    """Move the selected layers of `graph` into new sub-model `name`; returns the command and the new node's id."""
    problem = submodel_name_problem(project, name)
    if problem:
        raise ValueError(f"cannot group: {problem}")
    nodes = selected_nodes(graph, node_ids)
    if not nodes:
        raise ValueError("cannot group: nothing is selected")
    if any(n.layer == INPUT_LAYER for n in nodes):
        raise ValueError("Input nodes stay in the main graph; select only layers")
    ids = {n.id for n in nodes}
    for other in graph.nodes:
        if other.id not in ids and other.name == name:
            raise ValueError(f"cannot group: layer '{other.id}' is already named '{name}'; choose another name")
    between = _node_between(graph, ids)
    if between:
        raise ValueError(f"cannot group: layer '{shown_name(graph, between)}' is fed by the selection and feeds it too; "
                         "select it as well")
    _refuse_split_sharing(graph, ids)

    inputs = _tensors_in(graph, nodes, ids)
    outputs = _tensors_out(graph, nodes, ids)
    sub = _submodel_graph(graph, nodes, inputs, outputs, input_shape)

    node_id = graph.new_id(name)
    # The new node takes the place of the group's first output in the node list,
    # which is where implicit model outputs (sinks, in node order) expect it.
    index = sum(1 for n in graph.nodes[: graph.index_of(outputs[0])] if n.id not in ids)
    placed = [n.position for n in nodes if n.position is not None]
    centroid = (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed)) if placed else None
    outbound = [e for e in graph.edges if e.source in ids and e.target not in ids]

    new_outputs = _outputs_after_grouping(graph, ids, node_id, index, bool(outbound))
    _refuse_changed_outputs(graph.output_ids(), new_outputs, node_id, outputs)

    children: list[Command] = [AddSubmodel(project, name, sub)]
    children += [Disconnect(graph, e) for e in graph.edges if e.source in ids or e.target in ids]
    children += [_RemoveBareNode(graph, n.id) for n in nodes]
    children.append(AddNode(graph, Node(node_id, SUBMODEL_LAYER, {"submodel": name}, centroid), index))
    children += [Connect(graph, Edge(source, node_id, port, k)) for k, (source, port) in enumerate(inputs)]
    children += [Connect(graph, Edge(node_id, e.target, outputs.index(e.source), e.target_port)) for e in outbound]
    if graph.outputs is not None:
        children.append(SetOutputs(graph, new_outputs))
    return Compound(f"Group {describe(nodes)} into '{name}'", children), node_id


def _refuse_split_sharing(graph: Graph, ids: set[str]) -> None:
    """Refuse a selection that takes one call of a shared layer into the sub-model and leaves another out."""
    for node in graph.nodes:
        if node.shares is not None and node.shares in graph and (node.id in ids) != (node.shares in ids):
            inside, outside = (node.id, node.shares) if node.id in ids else (node.shares, node.id)
            raise ValueError(
                f"cannot group: '{shown_name(graph, inside)}' and '{shown_name(graph, outside)}' call one shared "
                f"layer, and a sub-model cannot share a layer with the graph around it; select both or neither"
            )


def _node_between(graph: Graph, ids: set[str]) -> str | None:
    """An unselected node that depends on the selection and feeds it (grouping would make a cycle)."""
    todo = [e.target for e in graph.edges if e.source in ids and e.target not in ids]
    seen = set(todo)
    while todo:
        nid = todo.pop()
        for e in graph.outgoing(nid):
            if e.target in ids:
                return nid
            if e.target not in seen:
                seen.add(e.target)
                todo.append(e.target)
    return None


def _tensors_in(graph: Graph, nodes: list[Node], ids: set[str]) -> list[Tensor]:
    """Outside tensors feeding the selection, in order of first use (so a merge keeps its input order)."""
    found: list[Tensor] = []
    for node in nodes:
        for e in graph.incoming(node.id):
            if e.source not in ids and (e.source, e.source_port) not in found:
                found.append((e.source, e.source_port))
    return found


def _tensors_out(graph: Graph, nodes: list[Node], ids: set[str]) -> list[str]:
    """Selected nodes whose result leaves the selection (feeds a layer outside or is a model output)."""
    model_outputs = set(graph.output_ids())
    found = []
    for node in nodes:
        leaving = [e for e in graph.outgoing(node.id) if e.target not in ids]
        for e in leaving:
            if e.source_port:
                raise ValueError(
                    f"cannot group: '{node.name}' feeds '{shown_name(graph, e.target)}' from its output {e.source_port}; "
                    "only a layer's first output can leave a sub-model"
                )
        if leaving or node.id in model_outputs:
            found.append(node.id)
    if not found:
        raise ValueError("cannot group: nothing the selected layers compute is used outside them")
    return found


def _submodel_graph(
    graph: Graph, nodes: list[Node], inputs: list[Tensor], outputs: list[str], input_shape: InputShape
) -> Graph:
    """The new sub-model: one Input per outside tensor, then the selected nodes, shifted to the origin."""
    ids = {n.id for n in nodes}
    stems = [graph.node(source).name if source in graph else source for source, _ in inputs]
    input_ids = fresh_ids(ids | {n.name for n in nodes}, stems)
    placed = [n.position for n in nodes if n.position is not None]
    sub = Graph()
    for k, ((source, port), input_id) in enumerate(zip(inputs, input_ids)):
        shape = input_shape(source, port)
        if shape is None:
            raise ValueError(
                f"cannot group: the shape of the tensor from '{source}' is not known yet"
                " — fix the problems upstream first"
            )
        config: dict[str, object] = {"shape": list(shape[1:]), "name": input_id}
        origin = graph.get(source)
        if origin is not None and origin.layer == INPUT_LAYER and "dtype" in origin.config:
            config["dtype"] = origin.config["dtype"]  # an integer Input (token ids) must stay one inside
        sub.add_node(Node(input_id, INPUT_LAYER, config, (k * _INPUT_SPACING, 0.0) if placed else None))
    dx = -min((p[0] for p in placed), default=0.0)
    dy = -min((p[1] for p in placed), default=0.0) + (_INPUT_ROW_GAP if inputs else 0.0)
    for node in nodes:
        moved = node.clone()
        if moved.position is not None:
            moved.position = (moved.position[0] + dx, moved.position[1] + dy)
        sub.add_node(moved)
    input_of = dict(zip(inputs, input_ids))
    for e in graph.edges:
        if e.target not in ids:
            continue
        if e.source in ids:
            sub.add_edge(e)
        else:
            edge = Edge(input_of[(e.source, e.source_port)], e.target, 0, e.target_port)
            if edge not in sub.edges:
                sub.add_edge(edge)
    sub.outputs = list(outputs)
    return sub


def _outputs_after_grouping(graph: Graph, ids: set[str], node_id: str, index: int, feeds_others: bool) -> list[str]:
    """The model outputs of `graph` once grouped: the explicit list, else the sinks in their new order."""
    if graph.outputs is not None:
        result: list[str] = []
        for oid in graph.outputs:
            if oid not in ids:
                result.append(oid)
            elif node_id not in result:
                result.append(node_id)  # one sub-model node gives all the group's outputs
        return result
    # Outside nodes keep their outgoing wires (those into the selection now go to the new node).
    kept = [n.id for n in graph.nodes if n.id not in ids]
    if not feeds_others:
        kept.insert(index, node_id)
    return [nid for nid in kept if nid == node_id or not graph.outgoing(nid)]


def _refuse_changed_outputs(before: list[str], after: list[str], node_id: str, sub_outputs: list[str]) -> None:
    expanded = [o for oid in after for o in (sub_outputs if oid == node_id else [oid])]
    if expanded == before:
        return
    if sorted(expanded) != sorted(before):
        raise ValueError(
            "cannot group: the selection's results would both be model outputs and feed other layers; "
            "a sub-model gives all its results to one or the other"
        )
    raise ValueError(
        "cannot group: the model's outputs would come in a different order "
        f"({', '.join(before)} → {', '.join(expanded)})"
    )


def ungroup_command(project: Project, graph: Graph, node_id: str) -> Compound:
    """Replace a `Submodel` node by copies of its sub-model's layers, wired in its place.

    The sub-model itself is removed too when no other node uses it.
    """
    node = graph.get(node_id)
    if node is None or node.layer != SUBMODEL_LAYER:
        raise ValueError(f"cannot ungroup: '{shown_name(graph, node_id)}' is not a sub-model node")
    name = node.config.get("submodel")
    sub = project.submodels.get(name) if isinstance(name, str) else None
    if sub is None:
        raise ValueError(f"cannot ungroup: '{node.name}' uses sub-model {name!r}, which the project does not define")
    inputs, outputs = sub.input_ids(), sub.output_ids()
    if any(end not in sub for e in sub.edges for end in (e.source, e.target)) or any(o not in sub for o in outputs):
        raise ValueError(f"cannot ungroup: sub-model '{name}' has broken wires; fix them first")
    feeding = {e.target_port: e for e in graph.incoming(node_id)}
    for k in range(len(inputs)):
        if k not in feeding:
            raise ValueError(f"cannot ungroup: input {k} of '{node.name}' is not connected")
    outbound = [e for e in graph.edges if e.source == node_id]
    for e in outbound:
        if e.source_port >= len(outputs):
            raise ValueError(f"cannot ungroup: '{node.name}' has no output {e.source_port}")

    layers = [n for n in sub.nodes if n.layer != INPUT_LAYER]
    new_ids = fresh_ids((n.id for n in graph.nodes), (n.id for n in layers))
    renamed = dict(zip((n.id for n in layers), new_ids))
    for layer in layers:
        if layer.shares is not None and layer.shares not in renamed:
            raise ValueError(
                f"cannot ungroup: '{layer.name}' in sub-model '{name}' shares the layer of "
                f"'{shown_name(sub, layer.shares)}', which is not a layer of it; fix that first"
            )

    def source_of(nid: str, port: int) -> Tensor:
        if nid in inputs:
            edge = feeding[inputs.index(nid)]
            return edge.source, edge.source_port
        return renamed[nid], port

    index = graph.index_of(node_id)
    children: list[Command] = [Disconnect(graph, e) for e in graph.edges if node_id in (e.source, e.target)]
    children.append(_RemoveBareNode(graph, node_id))
    names = {n.name for n in graph.nodes if n.id != node_id}
    shift = _ungroup_shift(node, layers)
    for i, layer in enumerate(layers):
        copied = layer.clone()
        copied.id = renamed[layer.id]
        copied.shares = None if layer.shares is None else renamed[layer.shares]
        if isinstance(copied.config.get("name"), str) and copied.config["name"] in names:
            del copied.config["name"]  # Keras refuses two layers of one name
        names.add(copied.name)
        if copied.position is not None:
            copied.position = (copied.position[0] + shift[0], copied.position[1] + shift[1])
        children.append(AddNode(graph, copied, index + i))
    new_edges: list[Edge] = []
    for e in sub.edges:
        if e.target in renamed:
            source, port = source_of(e.source, e.source_port)
            new_edges.append(Edge(source, renamed[e.target], port, e.target_port))
    for e in outbound:
        source, port = source_of(outputs[e.source_port], 0)
        new_edges.append(Edge(source, e.target, port, e.target_port))
    kept_edges = [e for e in graph.edges if node_id not in (e.source, e.target)]
    new_edges = [e for i, e in enumerate(new_edges) if e not in new_edges[:i] and e not in kept_edges]
    children += [Connect(graph, e) for e in new_edges]

    inlined_outputs = [source_of(o, 0)[0] for o in outputs]
    expected = [x for oid in graph.output_ids() for x in (inlined_outputs if oid == node_id else [oid])]
    if graph.outputs is not None:
        if expected != graph.outputs:
            children.append(SetOutputs(graph, expected))
    else:
        order = [n.id for n in graph.nodes if n.id != node_id]
        order[index:index] = new_ids
        feeding_ids = {e.source for e in kept_edges + new_edges}
        if [nid for nid in order if nid not in feeding_ids] != expected:
            children.append(SetOutputs(graph, expected))  # the inlined results would stop being sinks
    if not _used_elsewhere(project, graph, node_id, name):
        children.append(RemoveSubmodel(project, name))
    return Compound(f"Ungroup '{node.name}'", children)


def _ungroup_shift(node: Node, layers: list[Node]) -> tuple[float, float]:
    """How far to move the inlined layers so their centre lands where the sub-model node was."""
    placed = [n.position for n in layers if n.position is not None]
    if node.position is None or not placed:
        return 0.0, 0.0
    cx = sum(p[0] for p in placed) / len(placed)
    cy = sum(p[1] for p in placed) / len(placed)
    return node.position[0] - cx, node.position[1] - cy


def _used_elsewhere(project: Project, graph: Graph, node_id: str, name: str) -> bool:
    """Whether a node other than `node_id` of `graph` uses sub-model `name`, anywhere in the project."""
    for g in [project.graph, *project.submodels.values()]:
        for n in g.nodes:
            if n.layer == SUBMODEL_LAYER and n.config.get("submodel") == name and (g is not graph or n.id != node_id):
                return True
    return False
