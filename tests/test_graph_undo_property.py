"""Random edit sessions on the bundled examples: undo always gives back exactly what was there.

Each session draws edits from every command kind the editor pushes, in every
graph of the project, interleaved with undo and redo. After each step the
document must equal the one recorded at that depth of the history (compared
as JSON text, so order counts everywhere); undoing everything must give the
file as it was opened, and redoing everything the state before that. Shared
layers are in the mix: no edit, done or undone, may leave a node sharing a
layer that is missing, of another class, or itself shared.
"""

import json
import random
from pathlib import Path

import pytest

from netbuilder.graph import (
    INPUT_LAYER,
    SUBMODEL_LAYER,
    AddNode,
    Command,
    Connect,
    Disconnect,
    Edge,
    Graph,
    MoveNode,
    Node,
    SetConfig,
    SetOutputs,
    UndoStack,
    connection_problem,
)
from netbuilder.graph.commands import SetShares
from netbuilder.graph.edits import add_node_command, insert_on_edge_command
from netbuilder.graph.fragment import copy_fragment, delete_command, duplicate_command, paste_command
from netbuilder.graph.grouping import group_command, ungroup_command
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, RenameSubmodel
from netbuilder.graph.project_file import Project, load
from netbuilder.graph.validation import sharing_problem

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "resources" / "examples").glob("*.nbproj"))
EDITS_PER_SESSION = 25
LAYERS = ["Dense", "Flatten", "Dropout", "Add", "Concatenate"]


def snapshot(project: Project) -> str:
    return json.dumps(project.to_dict())


def sharing_problems(project: Project) -> list[str]:
    graphs = [project.graph, *project.submodels.values()]
    return [f"{n.id}: {problem}" for g in graphs for n in g.nodes if (problem := sharing_problem(g, n))]


class RandomEditor:
    """Builds one random command of a random kind, or None when the draw does not apply."""

    def __init__(self, project: Project, rng: random.Random) -> None:
        self.project, self.rng = project, rng
        self.names = 0

    def fresh_name(self) -> str:
        self.names += 1
        return f"sub{self.names}"

    def graph(self) -> Graph:
        return self.rng.choice([self.project.graph, *self.project.submodels.values()])

    def some_ids(self, graph: Graph, layers_only: bool = False) -> list[str]:
        ids = [n.id for n in graph.nodes if not layers_only or n.layer != INPUT_LAYER]
        return self.rng.sample(ids, self.rng.randint(1, min(3, len(ids)))) if ids else []

    def position(self) -> tuple[float, float] | None:
        return None if self.rng.random() < 0.2 else (self.rng.uniform(-300, 300), self.rng.uniform(-300, 300))

    def command(self) -> Command | None:
        kind = self.rng.choice([
            self.add, self.delete, self.connect, self.disconnect, self.set_config, self.move, self.set_outputs,
            self.paste, self.duplicate, self.insert, self.group, self.ungroup, self.add_submodel,
            self.rename_submodel, self.remove_submodel, self.share, self.share, self.group_shared,
        ])
        try:
            return kind(self.graph())
        except ValueError:
            return None  # refused with a sentence, as the editor would show it

    def add(self, graph: Graph) -> Command:
        return add_node_command(graph, self.rng.choice(LAYERS), {"units": 3}, self.position())[0]

    def delete(self, graph: Graph) -> Command:
        return delete_command(graph, self.some_ids(graph))

    def connect(self, graph: Graph) -> Command | None:
        if len(graph) < 2:
            return None
        source, target = self.rng.sample([n.id for n in graph.nodes], 2)
        edge = Edge(source, target, 0, self.rng.randint(0, 2))
        return Connect(graph, edge) if connection_problem(graph, edge) is None else None

    def disconnect(self, graph: Graph) -> Command | None:
        return Disconnect(graph, self.rng.choice(graph.edges)) if graph.edges else None

    def set_config(self, graph: Graph) -> Command | None:
        if not len(graph):
            return None
        node = self.rng.choice(graph.nodes)
        return SetConfig(graph, node.id, {**node.config, "units": self.rng.randint(1, 9)})

    def move(self, graph: Graph) -> Command | None:
        return MoveNode(graph, self.rng.choice(graph.nodes).id, self.position()) if len(graph) else None

    def set_outputs(self, graph: Graph) -> Command:
        return SetOutputs(graph, None if self.rng.random() < 0.3 else self.some_ids(graph))

    def paste(self, graph: Graph) -> Command:
        source = self.graph()
        offset = (self.rng.uniform(0, 80), self.rng.uniform(0, 80))
        return paste_command(graph, json.loads(json.dumps(copy_fragment(source, self.some_ids(source)))), offset)[0]

    def duplicate(self, graph: Graph) -> Command:
        return duplicate_command(graph, self.some_ids(graph))[0]

    def insert(self, graph: Graph) -> Command | None:
        if not graph.edges:
            return None
        return insert_on_edge_command(graph, self.rng.choice(graph.edges), self.rng.choice(LAYERS), {})[0]

    def group(self, graph: Graph) -> Command:
        ids = self.some_ids(graph, layers_only=True)
        return group_command(self.project, graph, ids, self.fresh_name(), lambda node_id, port: [None, 4])[0]

    def group_shared(self, graph: Graph) -> Command | None:
        """Group every call of one shared layer (and maybe more), so ungroup meets shared layers too."""
        owners = sorted({n.shares for n in graph.nodes if n.shares is not None and n.shares in graph})
        if not owners:
            return None
        owner = self.rng.choice(owners)
        ids = [owner, *(n.id for n in graph.nodes if n.shares == owner)]
        ids += self.some_ids(graph, layers_only=True) if self.rng.random() < 0.3 else []
        return group_command(self.project, graph, ids, self.fresh_name(), lambda node_id, port: [None, 4])[0]

    def ungroup(self, graph: Graph) -> Command | None:
        users = [n.id for n in graph.nodes if n.layer == SUBMODEL_LAYER]
        return ungroup_command(self.project, graph, self.rng.choice(users)) if users else None

    def share(self, graph: Graph) -> Command | None:
        """One more call of an existing layer, another node pointed at it, or a sharer given its own layer."""
        owners = [n for n in graph.nodes if n.layer not in (INPUT_LAYER, SUBMODEL_LAYER) and n.shares is None]
        sharers = [n for n in graph.nodes if n.shares is not None]
        roll = self.rng.random()
        if sharers and roll < 0.2:
            return SetShares(graph, self.rng.choice(sharers).id, None)
        if not owners:
            return None
        owner = self.rng.choice(owners)
        if roll < 0.6:
            node = Node(graph.new_id(f"{owner.id}_again"), owner.layer, {}, self.position(), shares=owner.id)
            return AddNode(graph, node)
        owned = {n.shares for n in sharers}
        free = [n for n in owners if n.layer == owner.layer and n.id != owner.id and n.id not in owned]
        return SetShares(graph, self.rng.choice(free).id, owner.id) if free else None

    def add_submodel(self, graph: Graph) -> Command:
        sub = Graph()
        sub.add_node(Node("x", INPUT_LAYER, {"shape": [4]}))
        return AddSubmodel(self.project, self.fresh_name(), sub)

    def rename_submodel(self, graph: Graph) -> Command | None:
        if not self.project.submodels:
            return None
        return RenameSubmodel(self.project, self.rng.choice(list(self.project.submodels)), self.fresh_name())

    def remove_submodel(self, graph: Graph) -> Command | None:
        if not self.project.submodels:
            return None
        return RemoveSubmodel(self.project, self.rng.choice(list(self.project.submodels)))


@pytest.mark.parametrize("seed", range(30))
def test_random_edits_undo_and_redo_exactly(seed):
    rng = random.Random(seed)
    project = load(EXAMPLES[seed % len(EXAMPLES)])
    editor = RandomEditor(project, rng)
    stack = UndoStack()
    history = [snapshot(project)]  # history[depth] is the document after `depth` commands
    depth = pushed = 0
    while pushed < EDITS_PER_SESSION:
        roll = rng.random()
        if roll < 0.15 and stack.can_undo:
            stack.undo()
            depth -= 1
            assert snapshot(project) == history[depth], f"undo of step {depth + 1} did not restore it"
            assert sharing_problems(project) == []
        elif roll < 0.25 and stack.can_redo:
            stack.redo()
            depth += 1
            assert snapshot(project) == history[depth], f"redo of step {depth} differs from doing it"
            assert sharing_problems(project) == []
        else:
            before = snapshot(project)
            command = editor.command()
            assert snapshot(project) == before, "building a command must not change the document"
            if command is None:
                continue
            stack.push(command)
            depth += 1
            pushed += 1
            del history[depth:]
            history.append(snapshot(project))
            assert sharing_problems(project) == [], f"{command.text} mis-wired a shared layer"

    final = snapshot(project)
    while stack.undo():
        pass
    assert snapshot(project) == history[0]
    while stack.redo():
        pass
    assert snapshot(project) == final
