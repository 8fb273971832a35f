"""`validate` kept up to date edit by edit, so a re-check costs what the edit touched.

The editor re-checks the project after every edit. Walking a graph of 10,000
layers each time costs tens of milliseconds; following the graph's events
instead, this keeps each node's problems and the graph-wide facts (which
edges dangle, whether there is a cycle, whether there is an Input) and redoes
only the nodes an edit touched. Its list is always the list `validate` gives
from scratch, word for word and in the same order (a property test holds it
to that over random edit sessions).
"""

from __future__ import annotations

from typing import Iterable

from netbuilder.graph.changes import ChangeLog, Changes
from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph
from netbuilder.graph.validation import (
    InputRangeFn,
    Problem,
    default_input_range,
    find_cycle,
    graph_problems,
    node_problems,
    reaches,
)


class IncrementalValidation:
    """The structural problems of one graph; `problems()` brings them up to date first."""

    def __init__(self, graph: Graph, input_range: InputRangeFn = default_input_range) -> None:
        self.graph = graph
        self.input_range = input_range
        self._log = ChangeLog(graph)
        self._started = False
        self._by_node: dict[str, list[Problem]] = {}  # only nodes that have problems
        self._inputs: set[str] = set()
        self._submodel_nodes: set[str] = set()
        self._dangling: set[Edge] = set()
        self._dangling_in_order: list[Edge] = []
        self._cycle: list[str] | None = None
        self._recheck: set[str] = set()
        # Who shares whose layer, both ways: a sharer's problems depend on its owner.
        self._sharers: dict[str, set[str]] = {}  # owner id -> the nodes naming it in `shares`
        self._owner_of: dict[str, str] = {}

    def recheck_submodel_nodes(self) -> None:
        """The sub-model table or a sub-model changed: `Submodel` nodes' input ranges may differ."""
        self._recheck.update(self._submodel_nodes)

    def problems(self) -> list[Problem]:
        """Every structural problem, exactly as `validate(graph, input_range)` lists them."""
        changes = self._log.take()
        if self._started:
            self._update(changes)
        else:
            self._start()
        graph = self.graph
        problems = graph_problems(graph, bool(self._inputs), self._dangling_in_order, self._cycle)
        for node_id in sorted(self._by_node, key=graph.index_of):
            problems.extend(self._by_node[node_id])
        return problems

    def _start(self) -> None:
        graph = self.graph
        self._started = True
        self._recheck.clear()
        self._refresh_nodes(n.id for n in graph.nodes)
        self._dangling = {e for e in graph.edges if e.source not in graph or e.target not in graph}
        self._order_dangling()
        self._cycle = find_cycle(graph)

    def _update(self, changes: Changes) -> None:
        again = changes.touched | changes.sources | self._recheck
        again |= {s for node_id in changes.touched for s in self._sharers.get(node_id, ())}
        self._recheck = set()
        if changes.outputs:
            again |= self._inputs  # an Input that is an output is connected to something
        self._refresh_nodes(again)
        if changes.structure:
            self._update_dangling(changes)
            self._update_cycle(changes)

    def _refresh_nodes(self, node_ids: Iterable[str]) -> None:
        graph = self.graph
        for node_id in node_ids:
            node = graph.get(node_id)
            self._note_sharing(node_id, None if node is None else node.shares)
            if node is None:
                self._by_node.pop(node_id, None)
                self._inputs.discard(node_id)
                self._submodel_nodes.discard(node_id)
                continue
            if node.layer == INPUT_LAYER:
                self._inputs.add(node_id)
            elif node.layer == SUBMODEL_LAYER:
                self._submodel_nodes.add(node_id)
            found = node_problems(graph, node, self.input_range)
            if found:
                self._by_node[node_id] = found
            else:
                self._by_node.pop(node_id, None)

    def _note_sharing(self, node_id: str, owner: str | None) -> None:
        """Remember which node `node_id` shares a layer with now, forgetting the one before."""
        before = self._owner_of.pop(node_id, None)
        if before is not None:
            self._sharers[before].discard(node_id)
            if not self._sharers[before]:
                del self._sharers[before]
        if owner is not None:
            self._owner_of[node_id] = owner
            self._sharers.setdefault(owner, set()).add(node_id)

    def _update_dangling(self, changes: Changes) -> None:
        graph = self.graph
        before = frozenset(self._dangling)
        for edge in changes.edges:
            if graph.has_edge(edge) and (edge.source not in graph or edge.target not in graph):
                self._dangling.add(edge)
            else:
                self._dangling.discard(edge)
        # A node that comes may be the missing end of an edge read from a file; the
        # problem's wording names the other end's layer, so it is redone either way.
        came = any(e.source in changes.nodes or e.target in changes.nodes for e in self._dangling)
        if came:
            self._dangling = {e for e in self._dangling if e.source not in graph or e.target not in graph}
        if came or self._dangling != before:
            self._order_dangling()

    def _order_dangling(self) -> None:
        # Rare (only files name missing nodes), so walking the edges here is fine.
        self._dangling_in_order = [e for e in self.graph.edges if e in self._dangling] if self._dangling else []

    def _update_cycle(self, changes: Changes) -> None:
        graph = self.graph
        if self._cycle is None:
            # A new cycle runs through a new edge, or through a node that came
            # with edges already naming it; none can appear otherwise.
            came = any(
                e not in changes.edges
                for n in changes.nodes if n in graph
                for e in (*graph.incoming(n), *graph.outgoing(n))
            )
            closes = any(
                graph.has_edge(e) and e.source in graph and e.target in graph and reaches(graph, e.target, e.source)
                for e in changes.edges
            )
            if not came and not closes:
                return
        # Which cycle `find_cycle` names depends on the whole graph: ask it again.
        self._cycle = find_cycle(graph)

