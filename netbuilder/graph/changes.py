"""What changed in a graph since a cache last looked, gathered from the graph's events.

Caches that keep a result per node (structural problems, traced shapes) follow
their graph through a `ChangeLog` and, when asked for fresh results, redo only
the nodes it names instead of walking the whole graph: that is what keeps a
re-check after one edit as fast in a graph of 10,000 layers as in one of ten.
The log listens weakly, so a cache that is dropped (a one-shot check) does not
stay subscribed to the graph for the rest of its life.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from netbuilder.graph.events import Event
from netbuilder.graph.model import Edge, Graph, Node


@dataclass
class Changes:
    """The edits since the last `ChangeLog.take`.

    `touched`: nodes whose own settings, inputs or existence changed (added,
    removed or reconfigured nodes, the targets of added or removed edges, the
    targets of a newly added node's edges). `sources`: the sources of added or
    removed edges, whose inputs did not change but whose outputs did.
    `nodes` and `edges`: those added or removed (look them up to tell which).
    """

    touched: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    edges: set[Edge] = field(default_factory=set)
    outputs: bool = False

    @property
    def structure(self) -> bool:
        """Whether nodes or edges came or went (so the topological order may differ)."""
        return bool(self.nodes or self.edges)


class ChangeLog:
    """Collects a graph's edits until `take` hands them over."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._changes = Changes()
        for event, method in (
            (graph.node_added, self._node_came_or_went),
            (graph.node_removed, self._node_came_or_went),
            (graph.node_changed, self._node_changed),
            (graph.edge_added, self._edge_came_or_went),
            (graph.edge_removed, self._edge_came_or_went),
            (graph.outputs_changed, self._outputs_changed),
        ):
            _follow_weakly(event, method)

    def take(self) -> Changes:
        """The changes gathered so far; the log starts empty again."""
        changes, self._changes = self._changes, Changes()
        return changes

    def _node_came_or_went(self, node: Node, index: int) -> None:
        self._changes.nodes.add(node.id)
        self._changes.touched.add(node.id)
        # Edges that named this id before it existed now lead somewhere (a removed
        # node has no edges, so this only finds anything when a node comes).
        self._changes.touched.update(e.target for e in self.graph.outgoing(node.id))

    def _node_changed(self, node: Node) -> None:
        self._changes.touched.add(node.id)

    def _edge_came_or_went(self, edge: Edge, index: int) -> None:
        self._changes.edges.add(edge)
        self._changes.touched.add(edge.target)
        self._changes.sources.add(edge.source)

    def _outputs_changed(self) -> None:
        self._changes.outputs = True


def _follow_weakly(event: Event, method: Callable[..., Any]) -> None:
    """Subscribe a bound method without keeping its object alive; it unsubscribes once that is gone."""
    ref = weakref.WeakMethod(method)

    def listener(*args: Any) -> None:
        bound = ref()
        if bound is None:
            event.disconnect(listener)
        else:
            bound(*args)

    event.connect(listener)
