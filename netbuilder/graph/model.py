"""The graph document: nodes (layer calls), edges with ports, and change events.

A `Graph` is deliberately permissive: it stores what it is given, even an edge
to a node that does not exist, so a damaged file can still be opened and its
problems listed by `validation` instead of refused wholesale. Editing code
asks `validation.connection_problem` before connecting.
"""

from __future__ import annotations

import copy
import heapq
from dataclasses import dataclass, field
from typing import Any, Iterator

from netbuilder.graph.events import Event

INPUT_LAYER = "Input"
SUBMODEL_LAYER = "Submodel"


@dataclass
class Node:
    """One layer call in the graph.

    `config` holds constructor arguments in Keras' `get_config()` vocabulary.
    `shares` is the id of a node of the same graph whose layer this node calls
    again (shared weights, as in siamese networks; its own config is then
    ignored): a typed field, because every edit that changes ids must remap it.
    `extra` keeps any further per-node keys from the file (e.g. `call_kwargs`)
    so a round trip never drops them.
    """

    id: str
    layer: str
    config: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    shares: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        # Code still passing the old opaque key would be silently ignored by every reader.
        if "shares" in self.extra:
            raise ValueError("'shares' is a field of Node (Node(..., shares=ID)), not an extra key")

    @property
    def name(self) -> str:
        """The Keras layer name: the configured one, else the node id."""
        name = self.config.get("name")
        return name if isinstance(name, str) and name else self.id

    def clone(self) -> "Node":
        """A deep copy, so commands can hold snapshots that later edits cannot touch."""
        return copy.deepcopy(self)


def settings_of_shared(owner: Node, node: Node) -> dict[str, Any]:
    """The config that makes `node` a layer of its own like `owner`'s: the owner's settings under `node`'s name.

    While `node` shares `owner`'s layer its own settings are ignored; when it
    has to stand alone (its owner deleted, or not there where it is pasted),
    it should stay the layer it was, keeping only the name its card shows.
    """
    config = {k: copy.deepcopy(v) for k, v in owner.config.items() if k != "name"}
    if "name" in node.config:
        config["name"] = node.config["name"]
    return config


@dataclass(frozen=True)
class Edge:
    """A wire from `source`'s output `source_port` to `target`'s input `target_port`."""

    source: str
    target: str
    source_port: int = 0
    target_port: int = 0


class Graph:
    """Ordered nodes and edges plus events that views subscribe to.

    Node order matters: model inputs are Input nodes in node order, and outputs
    (unless `outputs` is set) are the nodes that feed no edge, in node order.

    Adding nodes and edges, looking them up and finding their place take time
    independent of the graph's size, and removing one searches from the end,
    where undo finds what it added: a file of 10,000 layers loads in linear time.
    """

    def __init__(self) -> None:
        self._nodes: list[Node] = []
        self._by_id: dict[str, Node] = {}
        self._edges: list[Edge] = []
        self._edge_set: set[Edge] = set()  # `_edges` again, for membership without a scan
        # Node id -> index in `_nodes`; None until asked for after an insertion or
        # removal in the middle shifted the indices (appending keeps it up to date).
        self._index: dict[str, int] | None = None
        self._in: dict[str, list[Edge]] = {}
        self._out: dict[str, list[Edge]] = {}
        self.outputs: list[str] | None = None
        # Counts the edits that can change what the graph computes (not moves), so a
        # cache can tell in O(1) whether a graph is still the one it was made from.
        self.revision = 0
        self.node_added = Event()  # (node, index)
        self.node_removed = Event()  # (node, index)
        self.node_changed = Event()  # (node,)  config or shares replaced
        self.node_moved = Event()  # (node,)
        self.edge_added = Event()  # (edge, index)
        self.edge_removed = Event()  # (edge, index)
        self.outputs_changed = Event()  # ()

    # -- queries -----------------------------------------------------------
    @property
    def nodes(self) -> list[Node]:
        """Nodes in document order (a copy of the list; the nodes are live)."""
        return list(self._nodes)

    @property
    def edges(self) -> list[Edge]:
        """Edges in document order (a copy of the list)."""
        return list(self._edges)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._by_id

    def __iter__(self) -> Iterator[Node]:
        return iter(list(self._nodes))

    def __len__(self) -> int:
        return len(self._nodes)

    def node(self, node_id: str) -> Node:
        """The node with this id; KeyError names the id when it is missing."""
        try:
            return self._by_id[node_id]
        except KeyError:
            raise KeyError(f"no node with id {node_id!r}") from None

    def get(self, node_id: str) -> Node | None:
        return self._by_id.get(node_id)

    def index_of(self, node_id: str) -> int:
        """Where the node is in document order (KeyError names a missing id)."""
        node = self.node(node_id)
        if self._index is None:
            self._index = {n.id: i for i, n in enumerate(self._nodes)}
        return self._index[node.id]

    def has_edge(self, edge: Edge) -> bool:
        """Whether this very wire (same ends and ports) is in the graph."""
        return edge in self._edge_set

    def incoming(self, node_id: str) -> list[Edge]:
        """Edges into `node_id`, sorted by target port."""
        return sorted(self._in.get(node_id, ()), key=lambda e: e.target_port)

    def outgoing(self, node_id: str) -> list[Edge]:
        return list(self._out.get(node_id, ()))

    def input_ids(self) -> list[str]:
        """Ids of the Input nodes, in node order: the model's inputs."""
        return [n.id for n in self._nodes if n.layer == INPUT_LAYER]

    def output_ids(self) -> list[str]:
        """The model's outputs: `outputs` if set, else nodes feeding no edge."""
        if self.outputs is not None:
            return list(self.outputs)
        return [n.id for n in self._nodes if not self._out.get(n.id)]

    def new_id(self, stem: str) -> str:
        """A fresh node id built from `stem` (`dense`, `dense_1`, …)."""
        stem = stem or "node"
        if stem not in self._by_id:
            return stem
        i = 1
        while f"{stem}_{i}" in self._by_id:
            i += 1
        return f"{stem}_{i}"

    # -- mutations (each emits one event) -----------------------------------
    def add_node(self, node: Node, index: int | None = None) -> None:
        if node.id in self._by_id:
            raise ValueError(f"a node with id {node.id!r} already exists")
        index = len(self._nodes) if index is None else index
        self._nodes.insert(index, node)
        self._by_id[node.id] = node
        if self._index is not None:
            if self._nodes[-1] is node:
                self._index[node.id] = len(self._nodes) - 1
            else:
                self._index = None
        self.revision += 1
        self.node_added.emit(node, index)

    def remove_node(self, node_id: str) -> tuple[Node, int]:
        """Remove a node that no edge touches; returns it and its old index."""
        node = self.node(node_id)
        if self._in.get(node_id) or self._out.get(node_id):
            raise ValueError(f"node {node_id!r} still has connections; remove them first")
        index = self._index[node_id] if self._index is not None else _last_index(self._nodes, node)
        del self._nodes[index]
        del self._by_id[node_id]
        if self._index is not None:
            if index == len(self._nodes):
                del self._index[node_id]
            else:
                self._index = None
        self.revision += 1
        self.node_removed.emit(node, index)
        return node, index

    def set_config(self, node_id: str, config: dict[str, Any]) -> None:
        node = self.node(node_id)
        node.config = copy.deepcopy(config)
        self.revision += 1
        self.node_changed.emit(node)

    def set_shares(self, node_id: str, shares: str | None) -> None:
        """Make a node call the layer of node `shares` (None: a layer of its own)."""
        node = self.node(node_id)
        node.shares = shares
        self.revision += 1
        self.node_changed.emit(node)

    def move_node(self, node_id: str, position: tuple[float, float] | None) -> None:
        node = self.node(node_id)
        node.position = position
        self.node_moved.emit(node)

    def add_edge(self, edge: Edge, index: int | None = None) -> None:
        if edge in self._edge_set:
            raise ValueError(f"edge {edge.source!r} → {edge.target!r} already exists")
        index = len(self._edges) if index is None else index
        self._edges.insert(index, edge)
        self._edge_set.add(edge)
        self._in.setdefault(edge.target, []).append(edge)
        self._out.setdefault(edge.source, []).append(edge)
        self.revision += 1
        self.edge_added.emit(edge, index)

    def remove_edge(self, edge: Edge) -> int:
        """Remove `edge`; returns its old index so undo can put it back there."""
        if edge not in self._edge_set:
            raise ValueError(f"edge {edge.source!r} → {edge.target!r} is not in the graph")
        index = _last_index(self._edges, edge)
        del self._edges[index]
        self._edge_set.discard(edge)
        for ends in (self._in[edge.target], self._out[edge.source]):
            del ends[_last_index(ends, edge)]
        self.revision += 1
        self.edge_removed.emit(edge, index)
        return index

    def set_outputs(self, outputs: list[str] | None) -> None:
        self.outputs = None if outputs is None else list(outputs)
        self.revision += 1
        self.outputs_changed.emit()

    # -- whole-document helpers ---------------------------------------------
    def topological_order(self) -> list[str] | None:
        """Node ids so that every edge points forward, ties kept in node order.

        Returns None when the graph has a cycle. Edges to missing nodes are ignored.
        """
        # A heap of node indices, so the order depends only on the document
        # (not on the history of edits that shuffled the adjacency lists).
        position = {n.id: i for i, n in enumerate(self._nodes)}
        indegree = dict.fromkeys(position, 0)
        for e in self._edges:
            if e.source in indegree and e.target in indegree:
                indegree[e.target] += 1
        ready = [i for i, n in enumerate(self._nodes) if indegree[n.id] == 0]
        order: list[str] = []
        while ready:
            nid = self._nodes[heapq.heappop(ready)].id
            order.append(nid)
            for e in self._out.get(nid, ()):
                if e.target in indegree:
                    indegree[e.target] -= 1
                    if indegree[e.target] == 0:
                        heapq.heappush(ready, position[e.target])
        return order if len(order) == len(self._nodes) else None

    def to_dict(self) -> dict[str, Any]:
        """The `graph` section of a project file, in the DESIGN.md vocabulary."""
        nodes = []
        for n in self._nodes:
            item: dict[str, Any] = {"id": n.id, "layer": n.layer, "config": copy.deepcopy(n.config)}
            if n.position is not None:
                item["position"] = [n.position[0], n.position[1]]
            if n.shares is not None:
                item["shares"] = n.shares
            item.update(copy.deepcopy(n.extra))
            nodes.append(item)
        edges = []
        for e in self._edges:
            item = {"source": e.source, "target": e.target}
            if e.source_port:
                item["source_port"] = e.source_port
            if e.target_port:
                item["target_port"] = e.target_port
            edges.append(item)
        out: dict[str, Any] = {"nodes": nodes, "edges": edges}
        if self.outputs is not None:
            out["outputs"] = list(self.outputs)
        return out


def _last_index(items: list[Any], item: Any) -> int:
    """The index of `item`, searched from the end: most removals undo a recent addition.

    Comparing nodes or edges runs Python code, so a search from the front of a
    list of 10,000 would cost a millisecond for the one added last.
    """
    return len(items) - 1 - items[::-1].index(item)
