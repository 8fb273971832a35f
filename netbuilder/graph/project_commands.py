"""Undo-able edits of a project's sub-model table: add, remove and rename sub-models.

A `Project` has no events of its own, so the editor refreshes its list of
sub-models when the undo stack changes. Renaming reaches into every graph of
the project, because `Submodel` nodes refer to sub-models by name; those
config changes go through `Graph.set_config` so open canvases hear about them.
Every command puts the table back in its old order on undo, so a saved file is
byte-for-byte what it was.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from netbuilder.graph.commands import Command
from netbuilder.graph.model import SUBMODEL_LAYER, Graph
from netbuilder.graph.project_file import Project

_NAME = re.compile(r"[A-Za-z0-9_-]+")


def submodel_name_problem(project: Project, name: str) -> str | None:
    """Why `name` cannot be a new sub-model's name (a sentence for the user), or None."""
    if not isinstance(name, str) or not name:
        return "a sub-model needs a name"
    if not _NAME.fullmatch(name):
        return f"'{name}' is not a usable sub-model name: use letters, digits, _ and - only"
    if name in project.submodels:
        return f"a sub-model named '{name}' already exists"
    return None


def _insert_at(table: dict[str, Graph], index: int, name: str, graph: Graph) -> None:
    # Rebuilt in place: the editor may hold on to the dict itself.
    items = list(table.items())
    items.insert(index, (name, graph))
    table.clear()
    table.update(items)


class AddSubmodel(Command):
    """Adds `graph` as sub-model `name`, at the end of the table."""

    def __init__(self, project: Project, name: str, graph: Graph) -> None:
        self.project, self.name, self.graph = project, name, graph
        self.text = f"Add sub-model '{name}'"

    def redo(self) -> None:
        if self.name in self.project.submodels:
            raise ValueError(f"a sub-model named '{self.name}' already exists")
        self.project.submodels[self.name] = self.graph

    def undo(self) -> None:
        del self.project.submodels[self.name]


class RemoveSubmodel(Command):
    """Removes sub-model `name`; undo puts it back at the same place in the table.

    Nodes that use it are left alone (validation reports them), so callers that
    want a clean document remove or inline those nodes in the same step.
    """

    def __init__(self, project: Project, name: str) -> None:
        if name not in project.submodels:
            raise ValueError(f"there is no sub-model named '{name}'")
        self.project, self.name = project, name
        self.graph: Graph | None = None
        self.index = 0
        self.text = f"Remove sub-model '{name}'"

    def redo(self) -> None:
        self.index = list(self.project.submodels).index(self.name)
        self.graph = self.project.submodels.pop(self.name)

    def undo(self) -> None:
        assert self.graph is not None
        _insert_at(self.project.submodels, self.index, self.name, self.graph)


class RenameSubmodel(Command):
    """Renames a sub-model in place and re-points every `Submodel` node that uses it."""

    def __init__(self, project: Project, old: str, new: str) -> None:
        if old not in project.submodels:
            raise ValueError(f"there is no sub-model named '{old}'")
        problem = submodel_name_problem(project, new)
        if problem:
            raise ValueError(problem)
        self.project, self.old, self.new = project, old, new
        self.changed: list[tuple[Graph, str, dict[str, Any]]] = []  # (graph, node id, old config)
        self.text = f"Rename sub-model '{old}' to '{new}'"

    def redo(self) -> None:
        table = self.project.submodels
        if self.new in table:
            raise ValueError(f"a sub-model named '{self.new}' already exists")
        index = list(table).index(self.old)
        _insert_at(table, index, self.new, table.pop(self.old))
        self.changed = []
        for graph in [self.project.graph, *table.values()]:
            for node in graph.nodes:
                if node.layer == SUBMODEL_LAYER and node.config.get("submodel") == self.old:
                    self.changed.append((graph, node.id, copy.deepcopy(node.config)))
                    graph.set_config(node.id, {**node.config, "submodel": self.new})

    def undo(self) -> None:
        for graph, node_id, config in reversed(self.changed):
            graph.set_config(node_id, config)
        table = self.project.submodels
        index = list(table).index(self.new)
        _insert_at(table, index, self.old, table.pop(self.new))


class SetSection(Command):
    """Sets (or, with None, removes) a top-level section of the project, e.g. `training`.

    The section keeps its place among the others, so undo gives back a file that
    is byte-for-byte what it was.
    """

    def __init__(self, project: Project, key: str, value: Any, text: str | None = None) -> None:
        if key in {"format", "version", "name", "graph", "submodels"}:
            raise ValueError(f"'{key}' is not a free section of the project file")
        self.project, self.key = project, key
        self.new = copy.deepcopy(value)
        self.old = copy.deepcopy(project.sections.get(key))
        self.index = list(project.sections).index(key) if key in project.sections else None
        self.text = text or f"Change {key} settings"

    def _put(self, value: Any, index: int | None) -> None:
        items = [(k, v) for k, v in self.project.sections.items() if k != self.key]
        if value is not None:
            items.insert(len(items) if index is None else index, (self.key, copy.deepcopy(value)))
        self.project.sections.clear()
        self.project.sections.update(items)

    def redo(self) -> None:
        self._put(self.new, self.index)

    def undo(self) -> None:
        self._put(self.old, self.index)
