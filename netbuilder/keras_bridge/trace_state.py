"""One graph's last trace, and which nodes an edit makes the tracer redo, in which order.

A full trace walks the graph in `Graph.topological_order()` (ties in document
order). A node's result depends on its own settings, its inputs' results and
two facts about that order: which node keeps a name used twice (the first in
that order; the others get "already used") and whether the node a `shares`
node borrows its layer from came before it (when it did not, the node's
message names that node, so an edit of it redoes the node too). This keeps
those facts up to date from the graph's events and, after an edit, lists the
nodes to redo — those the edit touched and everything they feed — in an order
where each comes after what it depends on. The whole order is recomputed
only when a name is used twice or a layer is shared and the graph's wiring
changed.
No Keras here: the tracer does the calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph import SUBMODEL_LAYER, Graph
from netbuilder.graph.changes import ChangeLog, Changes


@dataclass
class Entry:
    """A cached result and what it was computed from (`keep` holds the objects whose ids are in `key`)."""

    key: tuple[Any, ...]
    config: dict[str, Any]
    result: Any
    keep: tuple[Any, ...] = ()


class CycleFound(Exception):
    """The graph has a cycle: there is no order to trace in."""


@dataclass
class TraceState:
    """Results per node of one graph, kept between runs with the facts needed to update them."""

    graph: Graph
    log: ChangeLog = field(init=False)
    results: dict[str, Any] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)  # nodes whose result has errors
    complete: bool = False  # the last run traced every node (no cycle)
    submodel_nodes: set[str] = field(default_factory=set)
    submodel_keys: dict[str, Any] = field(default_factory=dict)  # what each Submodel node last called
    _name_of: dict[str, str] = field(default_factory=dict)
    _named: dict[str, set[str]] = field(default_factory=dict)
    _twice: set[str] = field(default_factory=set)  # names more than one node uses
    _keeper: dict[str, str] = field(default_factory=dict)  # name -> the node that keeps it
    _owner_of: dict[str, str] = field(default_factory=dict)  # sharing node -> owner
    _sharers: dict[str, set[str]] = field(default_factory=dict)  # owner -> sharing nodes
    _owner_first: dict[str, bool] = field(default_factory=dict)  # as last used, per sharing node
    _position: dict[str, int] | None = None  # place in the topological order; None until needed

    def __post_init__(self) -> None:
        self.log = ChangeLog(self.graph)

    # -- facts a node's result depends on ------------------------------------------
    def name_keeper(self, node_id: str) -> str | None:
        """The node that keeps this node's name when it is not this node (a clash), else None."""
        keeper = self._keeper.get(self._name_of.get(node_id, ""))
        return keeper if keeper is not None and keeper != node_id else None

    def owner_first(self, node_id: str) -> bool:
        """Whether the node this one shares a layer with comes before it in the order."""
        owner = self._owner_of.get(node_id)
        if owner is None:
            return False
        first = owner in self.graph and self.position()[owner] < self.position()[node_id]
        self._owner_first[node_id] = first
        return first

    def position(self) -> dict[str, int]:
        if self._position is None:
            order = self.graph.topological_order()
            if order is None:
                raise CycleFound
            self._position = {node_id: i for i, node_id in enumerate(order)}
        return self._position

    # -- a full run ----------------------------------------------------------------------
    def restart(self, order: list[str]) -> None:
        """Index every node before a full run in `order` (the graph's topological order)."""
        self._position = {node_id: i for i, node_id in enumerate(order)}
        self._name_of, self._named, self._keeper, self._twice = {}, {}, {}, set()
        self._owner_of, self._sharers, self._owner_first = {}, {}, {}
        self.submodel_nodes = set()
        for node_id in order:
            self._index(node_id)
            name = self._name_of[node_id]
            self._keeper.setdefault(name, node_id)

    # -- after an edit -------------------------------------------------------------------
    def plan(self, changes: Changes, also: set[str]) -> list[str]:
        """Forget removed nodes and list the nodes to redo (`also`: more to redo), each after its inputs.

        Raises CycleFound when the edit closed a cycle.
        """
        graph = self.graph
        if changes.structure:
            self._position = None
        redo = set(also)
        renamed: set[str] = set()
        for node_id in changes.touched:
            renamed.update(self._forget(node_id))
            if node_id in graph:
                renamed.update(self._index(node_id))
                redo.add(node_id)
            # Their owner is gone or changed, perhaps its name, which their messages say.
            redo.update(self._sharers.get(node_id, ()))
        if changes.structure:
            # The order may differ: who keeps a twice-used name, who shares after its owner.
            renamed.update(self._twice)
            redo.update(s for s, first in list(self._owner_first.items()) if s in graph and self.owner_first(s) != first)
        for name in renamed:
            ids = self._named.get(name, set())
            keeper = min(ids, key=self.position().__getitem__) if len(ids) > 1 else next(iter(ids), None)
            if keeper != self._keeper.get(name):
                redo.update(ids)
                if keeper is None:
                    del self._keeper[name]
                else:
                    self._keeper[name] = keeper
        return self._in_order({node_id for node_id in redo if node_id in graph})

    def _index(self, node_id: str) -> set[str]:
        """Note a node's name, shared owner and kind; returns the names whose users changed."""
        node = self.graph.node(node_id)
        self._name_of[node_id] = node.name
        users = self._named.setdefault(node.name, set())
        users.add(node_id)
        if len(users) > 1:
            self._twice.add(node.name)
        owner = node.shares
        if owner is not None:
            self._owner_of[node_id] = owner
            self._sharers.setdefault(owner, set()).add(node_id)
            self._owner_first.setdefault(node_id, False)
        if node.layer == SUBMODEL_LAYER:
            self.submodel_nodes.add(node_id)
        return {node.name}

    def _forget(self, node_id: str) -> set[str]:
        """Drop what was noted about a node (and its result, if it is gone); returns its old name."""
        if node_id not in self.graph:
            self.results.pop(node_id, None)
            self.entries.pop(node_id, None)
            self.failing.discard(node_id)
            self.submodel_keys.pop(node_id, None)
        self.submodel_nodes.discard(node_id)
        owner = self._owner_of.pop(node_id, None)
        if owner is not None:
            self._sharers[owner].discard(node_id)
        self._owner_first.pop(node_id, None)
        name = self._name_of.pop(node_id, None)
        if name is None:
            return set()
        users = self._named[name]
        users.discard(node_id)
        if len(users) < 2:
            self._twice.discard(name)
        if not users:
            del self._named[name]
        return {name}

    def _dependents(self, node_id: str) -> list[str]:
        """The nodes whose result depends on this node's: those it feeds, those sharing its layer after it."""
        graph = self.graph
        found = [e.target for e in graph.outgoing(node_id) if e.target in graph]
        found += [s for s in self._sharers.get(node_id, ()) if s in graph and self.owner_first(s)]
        return found

    def _in_order(self, start: set[str]) -> list[str]:
        """`start` and everything that depends on it, each after all it depends on (Kahn's algorithm)."""
        waiting: dict[str, int] = dict.fromkeys(start, 0)
        dependents: dict[str, list[str]] = {}
        todo = list(start)
        while todo:
            node_id = todo.pop()
            dependents[node_id] = found = self._dependents(node_id)
            for target in found:
                if target not in waiting:
                    waiting[target] = 0
                    todo.append(target)
                waiting[target] += 1
        ready = [node_id for node_id, count in waiting.items() if count == 0]
        order: list[str] = []
        while ready:
            node_id = ready.pop()
            order.append(node_id)
            for target in dependents[node_id]:
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        if len(order) < len(waiting):
            raise CycleFound
        return order

