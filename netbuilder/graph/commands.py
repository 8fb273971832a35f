"""Undo-able edits of a `Graph`, and the stack that runs them.

Every edit the editor makes is one of these commands (or a `Compound` of
them), so undo takes exactly the same path as do. Commands only call `Graph`
methods; removals remember list indices so undo restores document order.
Their texts name nodes as the cards do (`Node.name`), not by id.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any

from netbuilder.graph.events import Event
from netbuilder.graph.model import Edge, Graph, Node, settings_of_shared
from netbuilder.graph.validation import shown_name


class Command(ABC):
    """One reversible edit; `text` is what Edit ▸ Undo shows."""

    text: str = ""

    @abstractmethod
    def redo(self) -> None: ...

    @abstractmethod
    def undo(self) -> None: ...


class AddNode(Command):
    def __init__(self, graph: Graph, node: Node, index: int | None = None) -> None:
        self.graph, self.node, self.index = graph, node.clone(), index
        self.text = f"Add {node.layer} '{node.name}'"

    def redo(self) -> None:
        self.graph.add_node(self.node.clone(), self.index)

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class _RemoveBareNode(Command):
    """Removes a node with no connections; `remove_node` wraps it with its edges."""

    def __init__(self, graph: Graph, node_id: str) -> None:
        self.graph, self.node_id = graph, node_id
        self.snapshot: Node | None = None
        self.index = 0

    def redo(self) -> None:
        node, self.index = self.graph.remove_node(self.node_id)
        self.snapshot = node.clone()

    def undo(self) -> None:
        assert self.snapshot is not None
        self.graph.add_node(self.snapshot.clone(), self.index)


class Connect(Command):
    def __init__(self, graph: Graph, edge: Edge) -> None:
        self.graph, self.edge = graph, edge
        self.text = f"Connect '{shown_name(graph, edge.source)}' → '{shown_name(graph, edge.target)}'"

    def redo(self) -> None:
        self.graph.add_edge(self.edge)

    def undo(self) -> None:
        self.graph.remove_edge(self.edge)


class Disconnect(Command):
    def __init__(self, graph: Graph, edge: Edge) -> None:
        self.graph, self.edge, self.index = graph, edge, 0
        self.text = f"Disconnect '{shown_name(graph, edge.source)}' → '{shown_name(graph, edge.target)}'"

    def redo(self) -> None:
        self.index = self.graph.remove_edge(self.edge)

    def undo(self) -> None:
        self.graph.add_edge(self.edge, self.index)


class SetConfig(Command):
    """Replaces a node's whole config; the old one is captured when first run."""

    def __init__(self, graph: Graph, node_id: str, config: dict[str, Any]) -> None:
        self.graph, self.node_id = graph, node_id
        self.new = copy.deepcopy(config)
        self.old: dict[str, Any] | None = None  # captured at first redo: the node may not exist yet
        self.text = f"Change '{shown_name(graph, node_id)}'"

    def redo(self) -> None:
        if self.old is None:
            self.old = copy.deepcopy(self.graph.node(self.node_id).config)
        self.graph.set_config(self.node_id, self.new)

    def undo(self) -> None:
        assert self.old is not None
        self.graph.set_config(self.node_id, self.old)


class SetShares(Command):
    """Points a node at the node whose layer it calls (None: a layer of its own).

    The old value is captured at first redo, like SetConfig's config.
    """

    _UNSET: Any = object()

    def __init__(self, graph: Graph, node_id: str, shares: str | None) -> None:
        self.graph, self.node_id, self.new = graph, node_id, shares
        self.old: Any = self._UNSET
        self.text = f"Change the layer '{shown_name(graph, node_id)}' shares"

    def redo(self) -> None:
        if self.old is self._UNSET:
            self.old = self.graph.node(self.node_id).shares
        self.graph.set_shares(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.set_shares(self.node_id, self.old)


class MoveNode(Command):
    """Moves a node; the old position is captured at first redo, like SetConfig's config."""

    _UNSET: Any = object()

    def __init__(self, graph: Graph, node_id: str, position: tuple[float, float] | None) -> None:
        self.graph, self.node_id, self.new = graph, node_id, position
        self.old: Any = self._UNSET
        self.text = f"Move '{shown_name(graph, node_id)}'"

    def redo(self) -> None:
        if self.old is self._UNSET:
            self.old = self.graph.node(self.node_id).position
        self.graph.move_node(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.move_node(self.node_id, self.old)


class SetOutputs(Command):
    def __init__(self, graph: Graph, outputs: list[str] | None) -> None:
        self.graph = graph
        self.new = None if outputs is None else list(outputs)
        self.old = None if graph.outputs is None else list(graph.outputs)
        self.text = "Set model outputs"

    def redo(self) -> None:
        self.graph.set_outputs(self.new)

    def undo(self) -> None:
        self.graph.set_outputs(self.old)


class Compound(Command):
    """Children run in order and are undone in reverse: one step for the user."""

    def __init__(self, text: str, children: list[Command] | None = None) -> None:
        self.text = text
        self.children: list[Command] = list(children or [])

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


def remove_node(graph: Graph, node_id: str) -> Compound:
    """Removing a node is its edges' removal, handing its shared layer on, then the bare node's removal."""
    node = graph.node(node_id)
    edges = [e for e in graph.edges if node_id in (e.source, e.target)]
    children: list[Command] = [Disconnect(graph, e) for e in edges]
    children += hand_on_shared_layers(graph, {node_id})
    children.append(_RemoveBareNode(graph, node_id))
    return Compound(f"Delete {node.layer} '{node.name}'", children)


def hand_on_shared_layers(graph: Graph, removed: set[str]) -> list[Command]:
    """Commands that keep the layers of the `removed` nodes for the nodes that share them and stay.

    Deleting one call of a shared layer must not break the others: the first
    sharer that stays (in node order) becomes the owner, with the owner's
    settings (`settings_of_shared`), and the other sharers that stay share it
    instead.
    """
    commands: list[Command] = []
    sharers: dict[str, list[Node]] = {}
    for node in graph.nodes:
        if node.shares in removed and node.id not in removed:
            sharers.setdefault(node.shares, []).append(node)
    for owner_id, staying in sharers.items():
        heir, others = staying[0], staying[1:]
        config = settings_of_shared(graph.node(owner_id), heir)
        commands += [SetConfig(graph, heir.id, config), SetShares(graph, heir.id, None)]
        commands += [SetShares(graph, n.id, heir.id) for n in others]
    return commands


class UndoStack:
    """Linear history of commands with a clean (saved) mark.

    `push` runs the command; a push after some undos drops the redo branch,
    as every desktop editor does.
    """

    def __init__(self) -> None:
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean_depth: int | None = 0
        self.changed = Event()  # ()

    def push(self, command: Command) -> None:
        command.redo()
        self._done.append(command)
        if self._clean_depth is not None and self._clean_depth > len(self._done) - 1:
            self._clean_depth = None  # the saved state was on the dropped branch
        self._undone.clear()
        self.changed.emit()

    def undo(self) -> bool:
        if not self._done:
            return False
        command = self._done.pop()
        command.undo()
        self._undone.append(command)
        self.changed.emit()
        return True

    def redo(self) -> bool:
        if not self._undone:
            return False
        command = self._undone.pop()
        command.redo()
        self._done.append(command)
        self.changed.emit()
        return True

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean_depth = len(self._done)
        self.changed.emit()

    def mark_unsaved(self) -> None:
        """No state in the history is saved (e.g. work recovered after a crash)."""
        self._clean_depth = None
        self.changed.emit()

    @property
    def is_clean(self) -> bool:
        return self._clean_depth == len(self._done)
