"""The Model summary of one graph, kept current edit by edit: rows made when asked for, totals tallied.

A view of 10,000 layers shows a few dozen rows. After an edit only the rows
it touched are forgotten, to be made again (`model_summary.SummaryRow`) when
they are shown; which rows those are comes from the graph's events (a node's
settings, inputs or name changed), from the check (an object per node that the
checker replaces when it redoes the node, see `Report.results`) and from the
problems per node. The totals follow in `ParamTally`, and the order of the
rows is worked out afresh only when an edit did more than add or remove layers
at the end of the data flow.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netbuilder.graph import Graph
from netbuilder.graph.changes import ChangeLog, Changes
from netbuilder.ui.model_summary import ParamTally, SummaryRow, Totals, connected_to, layer_type, param_count, shapes_text


@dataclass
class RowPlan:
    """How a refresh changes the rows: `order` is the new one; only `changed` rows need repainting.

    `appended`/`dropped`: rows added at or removed from the end, the rest in
    place (an edit that adds or removes a last layer); `moved`: anything else,
    which lays the whole table out again.
    """

    order: list[str]
    changed: set[str]
    appended: int = 0
    dropped: int = 0
    moved: bool = False


class SummaryTable:
    """The summary of one graph, kept current edit by edit; a row is made only when it is asked for.

    `refresh` plans, `apply` commits, so a Qt model can announce the change in between.
    """

    def __init__(self, graph: Graph, shapes_of: Callable[[str], Sequence[Sequence[Any]] | None],
                 layer_of: Callable[[str], Any]) -> None:
        self.graph = graph
        self._shapes_of = shapes_of
        self._layer_of = layer_of
        self._log = ChangeLog(graph)
        self.order: list[str] = []
        self._row_of: dict[str, int] = {}
        self._rows: dict[str, SummaryRow] = {}
        self._layers: dict[str, Any] = {}  # node id -> its layer, held so that ids stay unique
        self._users: dict[int, set[str]] = {}  # id of a layer -> the nodes calling it
        self._tally = ParamTally()
        self._seen: dict[str, object] = {}
        self.troubles: dict[str, list[str]] = {}
        self.rows_made = 0  # rows computed since the table was made: what a refresh cost
        self._everything = True  # nothing read yet

    # -- reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.order)

    def row(self, index: int) -> SummaryRow:
        node_id = self.order[index]
        row = self._rows.get(node_id)
        if row is None:
            row = self._rows[node_id] = self._make_row(node_id)
        return row

    def totals(self) -> Totals:
        return self._tally.totals()

    # -- following edits ---------------------------------------------------------
    def refresh(self, results: Mapping[str, object] | None, troubles: dict[str, list[str]]) -> RowPlan:
        """Plan the update after a check: `results` None when the check's results cannot be compared (re-read all)."""
        changes = self._log.take()
        graph = self.graph
        everything = self._everything or results is None
        if everything:
            stale = {n.id for n in graph.nodes} | set(self._layers)
        else:
            stale = changes.touched | changes.sources
            stale |= {nid for nid, result in results.items() if self._seen.get(nid) is not result}
            stale |= {nid for nid in self._seen if nid not in results}
        stale |= {nid for nid in troubles.keys() | self.troubles.keys() if troubles.get(nid) != self.troubles.get(nid)}
        renamed = changes.touched if not everything else ()
        stale |= {edge.target for nid in renamed for edge in graph.outgoing(nid)}  # their "connected to" names it
        self._seen = dict(results) if results is not None else {}
        self.troubles = troubles
        self._everything = False
        order = self.order
        if everything or changes.structure:
            order = (None if everything else self._order_after(changes)) or graph.topological_order() or [
                n.id for n in graph.nodes]
        for node_id in list(stale):
            stale |= self._reread_layer(node_id)
        plan = RowPlan(order, stale)
        if order is not self.order and order != self.order:
            old, new = len(self.order), len(order)
            if new > old and order[:old] == self.order:
                plan.appended = new - old
            elif new < old and self.order[:new] == order:
                plan.dropped = old - new
            else:
                plan.moved = True
                # Which of a shared layer's rows comes first, and so counts its weights, may have changed.
                plan.changed |= {nid for users in self._users.values() if len(users) > 1 for nid in users}
        return plan

    def _order_after(self, changes: Changes) -> list[str] | None:
        """The order after an edit that only added layers at the end of the data flow, or only removed some there.

        What `Graph.topological_order` would give, without its 20 ms at 10,000
        layers: new nodes last in the node list whose new wires all end in new
        nodes come after every old row (they are popped last), and removing
        nodes whose removed wires all ended in removed nodes leaves the others'
        order as it was. None for any other edit.
        """
        graph, old = self.graph, self.order
        came = {nid for nid in changes.nodes if nid in graph and nid not in self._row_of}
        went = {nid for nid in changes.nodes if nid not in graph and nid in self._row_of}
        wired = [edge for edge in changes.edges if graph.has_edge(edge)]
        unwired = [edge for edge in changes.edges if not graph.has_edge(edge)]
        if went and not came and not wired and all(edge.target in went for edge in unwired):
            return [nid for nid in old if nid not in went]
        if not came or went or unwired or any(edge.target not in came for edge in wired):
            return None
        tail = graph.nodes[len(old):]
        if len(graph) != len(old) + len(came) or {node.id for node in tail} != came:
            return None
        # The new nodes among themselves, as topological_order takes them (ties in node order); a new
        # node's wires out can only end in new nodes.
        position = {node.id: i for i, node in enumerate(tail)}
        waiting = {node.id: sum(1 for edge in graph.incoming(node.id) if edge.source in came) for node in tail}
        ready = [i for i, node in enumerate(tail) if not waiting[node.id]]
        order: list[str] = []
        while ready:
            nid = tail[heapq.heappop(ready)].id
            order.append(nid)
            for edge in graph.outgoing(nid):
                waiting[edge.target] -= 1
                if not waiting[edge.target]:
                    heapq.heappush(ready, position[edge.target])
        return old + order if len(order) == len(tail) else None

    def apply(self, plan: RowPlan) -> None:
        """Commit `plan`: its changed rows are made again when next asked for."""
        if plan.order is not self.order:
            self.order = plan.order
            self._row_of = {nid: i for i, nid in enumerate(plan.order)}
        for node_id in plan.changed:
            self._rows.pop(node_id, None)

    def row_of(self, node_id: str) -> int | None:
        return self._row_of.get(node_id)

    def _reread_layer(self, node_id: str) -> set[str]:
        """Take the node's layer afresh; the other nodes whose "shared" mark that may change."""
        old = self._layers.pop(node_id, None)
        layer = self._layer_of(node_id) if node_id in self.graph else None
        affected: set[str] = set()
        if old is not None:
            users = self._users[id(old)]
            users.discard(node_id)
            affected |= users
            if not users:
                del self._users[id(old)]
        if layer is None:
            self._tally.remove(node_id)
            return affected
        self._layers[node_id] = layer
        users = self._users.setdefault(id(layer), set())
        affected |= users
        users.add(node_id)
        self._tally.set(node_id, layer)
        return affected

    def _make_row(self, node_id: str) -> SummaryRow:
        """A row as Keras prints it: a layer an earlier row already listed shows "shared", counted once."""
        self.rows_made += 1
        node = self.graph.node(node_id)
        layer = self._layers.get(node_id)
        row = self._row_of[node_id]
        users = self._users.get(id(layer), ()) if layer is not None else ()
        shared = node.shares is not None or any(self._row_of.get(u, row) < row for u in users)
        return SummaryRow(
            node_id=node_id,
            name=node.name,
            layer=layer_type(node),
            shapes=shapes_text(self._shapes_of(node_id)),
            params=0 if shared else param_count(node, layer),
            shared=shared,
            connected_to=connected_to(self.graph, node),
        )
